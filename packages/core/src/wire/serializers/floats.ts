/**
 * Big-endian IEEE 754 floats from a byte buffer (internal), through one scratch `DataView`, so
 * that decoding a frame does not allocate a view of it.
 */

const scratch = /* @__PURE__ */ new DataView(/* @__PURE__ */ new ArrayBuffer(8));

/** The float of `size` bytes (2, 4 or 8) at `buf[at]`; the caller has checked the length. */
export function readFloat(buf: Uint8Array, at: number, size: 2 | 4 | 8): number {
  if (size === 2) return halfToNumber(((buf[at] as number) << 8) | (buf[at + 1] as number));
  for (let i = 0; i < size; i++) scratch.setUint8(i, buf[at + i] as number);
  return size === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0);
}

function halfToNumber(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const magnitude =
    exponent === 0
      ? mantissa * 2 ** -24
      : exponent < 31
        ? (mantissa + 1024) * 2 ** (exponent - 25)
        : mantissa === 0
          ? Infinity
          : NaN;
  return half & 0x8000 ? -magnitude : magnitude;
}
