/**
 * Byte buffers for decoded values and frames (internal).
 *
 * - {@link bytesToFill}: large buffers that are overwritten entirely. Where the runtime has Node's
 *   `Buffer`, its `allocUnsafeSlow` skips the zero-filling that `new Uint8Array` does, which is a
 *   good part of the cost of copying a large binary. Browsers use `new Uint8Array`.
 * - {@link pooledBytes}: mid-sized buffers carved out of a shared slab, the way Node's
 *   `Buffer.from` pools small buffers. Giving every decoded 1 KiB binary an `ArrayBuffer` of its
 *   own costs several times more than decoding it (each backing store is allocated and tracked
 *   separately); a view into a slab costs a fraction. Slabs are never reused: a region is handed
 *   out once, and a slab is freed when no view of it is left.
 */

/** Sizes from which the runtime's uninitialized allocation is used. */
const LARGE = 16 * 1024;
/** Sizes up to this get an on-heap `Uint8Array` of their own (cheap at this size). */
const SMALL = 64;
/** Sizes above {@link SMALL} and up to this come from the slab. */
const POOLED_MAX = 4 * 1024;
const SLAB_SIZE = 32 * 1024;

interface NativeBufferApi {
  allocUnsafeSlow(size: number): Uint8Array;
}

let slab: ArrayBuffer | undefined;
let slabUsed = SLAB_SIZE;

/** A new `Uint8Array` of `size` bytes; its contents are undefined, the caller must fill all of it. */
export function bytesToFill(size: number): Uint8Array {
  const native = size < LARGE ? undefined : (globalThis as { Buffer?: NativeBufferApi }).Buffer;
  if (typeof native?.allocUnsafeSlow !== 'function') return new Uint8Array(size);
  const bytes = native.allocUnsafeSlow(size);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, size);
}

/**
 * A zero-filled `Uint8Array` of `size` bytes for a received value. From 65 bytes to 4 KiB it is a
 * view into a shared slab (its `buffer` is larger than the value and holds other values; its
 * `byteOffset` is a multiple of 8); otherwise it has a buffer of its own.
 */
export function pooledBytes(size: number): Uint8Array {
  if (size <= SMALL || size > POOLED_MAX) return bytesToFill(size);
  if (slabUsed + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab as ArrayBuffer, slabUsed, size);
  slabUsed = (slabUsed + size + 7) & ~7;
  return bytes;
}

/** A copy of `buf[start..end)` as a plain `Uint8Array` of its own. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  if (end - start < LARGE) return buf.slice(start, end);
  const bytes = bytesToFill(end - start);
  bytes.set(buf.subarray(start, end));
  return bytes;
}

/** A copy of `buf[start..end)` for a received value, placed as {@link pooledBytes} places it. */
export function copyToPooled(buf: Uint8Array, start: number, end: number): Uint8Array {
  const bytes = pooledBytes(end - start);
  bytes.set(buf.subarray(start, end));
  return bytes;
}
