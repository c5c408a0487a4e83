/**
 * Where nonces come from. Production code always uses the platform CSPRNG
 * (`globalThis.crypto.getRandomValues`; a call into libsodium's `randombytes_buf` costs about
 * 20 times more). Each call of `getRandomValues` has a fixed cost that dominates for 24 bytes,
 * so nonces are drawn from a pool filled 256 at a time. Nonces are public (they travel in front
 * of the box) and need only be unique, so holding the next few in memory is harmless.
 *
 * Tests can inject fixed nonces to reproduce sealed payloads byte for byte.
 * Internal: not exported from the package index.
 */

const NONCE_BYTES = 24;
const POOL_NONCES = 256;

let pool: Uint8Array | undefined;
let offset = 0;

let testSource: ((target: Uint8Array) => void) | undefined;

/** Fill `target` (24 bytes) with a fresh nonce. */
export function fillNonce(target: Uint8Array): void {
  if (testSource !== undefined) {
    testSource(target);
    return;
  }
  if (pool === undefined || offset === pool.length) {
    pool ??= new Uint8Array(NONCE_BYTES * POOL_NONCES);
    globalThis.crypto.getRandomValues(pool);
    offset = 0;
  }
  const end = offset + NONCE_BYTES;
  target.set(pool.subarray(offset, end));
  // Never hand out the same bytes twice.
  pool.fill(0, offset, end);
  offset = end;
}

/**
 * Test hook: replace the nonce source (`undefined` restores the CSPRNG). The function receives
 * the 24-byte slot to fill. Never call this outside tests.
 */
export function setNonceSourceForTesting(source: ((target: Uint8Array) => void) | undefined): void {
  testSource = source;
}
