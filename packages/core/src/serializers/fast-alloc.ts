/**
 * Large byte buffers that are overwritten entirely (internal): where the runtime has Node's
 * `Buffer`, its `allocUnsafeSlow` skips the zero-filling that `new Uint8Array` does, which is a
 * good part of the cost of copying a large binary. The result is always a plain `Uint8Array` over
 * a buffer of its own. Browsers use `new Uint8Array`.
 */

/** Sizes from which the runtime's uninitialized allocation is used. */
const LARGE = 16 * 1024;

interface NativeBufferApi {
  allocUnsafeSlow(size: number): Uint8Array;
}

/** A new `Uint8Array` of `size` bytes; its contents are undefined, the caller must fill all of it. */
export function bytesToFill(size: number): Uint8Array {
  const native = size < LARGE ? undefined : (globalThis as { Buffer?: NativeBufferApi }).Buffer;
  if (typeof native?.allocUnsafeSlow !== 'function') return new Uint8Array(size);
  const bytes = native.allocUnsafeSlow(size);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, size);
}

/** A copy of `buf[start..end)` as a plain `Uint8Array` of its own. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  if (end - start < LARGE) return buf.slice(start, end);
  const bytes = bytesToFill(end - start);
  bytes.set(buf.subarray(start, end));
  return bytes;
}
