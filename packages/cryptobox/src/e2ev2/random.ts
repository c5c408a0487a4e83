/**
 * Random bytes for the codec's nonces and exchange ids, from the platform CSPRNG
 * (`globalThis.crypto.getRandomValues`) through a pool filled a block at a time: each call of
 * `getRandomValues` has a fixed cost that dominates for 16 or 24 bytes. Nonces and exchange ids
 * are public (they travel in the header) and need only be unique and unpredictable, so holding the
 * next few hundred in memory is harmless. Bytes handed out are zeroed in the pool at once, and the
 * pool is refilled only once every byte of it has been handed out: no byte is handed out twice.
 * Internal.
 */

const POOL_BYTES = 4096;

let pool: Uint8Array | undefined;
let offset = POOL_BYTES;

/** `n` (at most 4096) fresh random bytes, in a new array. */
export function poolRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n > POOL_BYTES) {
    globalThis.crypto.getRandomValues(out);
    return out;
  }
  if (pool === undefined || offset + n > POOL_BYTES) {
    pool ??= new Uint8Array(POOL_BYTES);
    globalThis.crypto.getRandomValues(pool);
    offset = 0;
  }
  const end = offset + n;
  out.set(pool.subarray(offset, end));
  pool.fill(0, offset, end);
  offset = end;
  return out;
}
