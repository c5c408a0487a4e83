/**
 * Ambient types for the npm package `sodium-native` (libsodium as a Node addon), an optional
 * dependency that ships no declarations of its own. Only what `internal/native-binding.ts` uses is
 * typed. Internal: no exported declaration of this package may mention this module, since consumers
 * compile against the emitted .d.ts files without these ambient types.
 *
 * Conventions of the addon: outputs are typed arrays the caller allocates with the exact size, the
 * functions check sizes with `assert` and throw on a libsodium failure (`status: -1`), except the
 * `open` functions, which return `false` when the box does not verify.
 */
declare module 'sodium-native' {
  /** `crypto_scalarmult(q, n, p)`: throws when the result is the all-zero point (low-order `p`). */
  export function crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  /** `crypto_scalarmult_base(q, n)`. */
  export function crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  /** `crypto_stream_salsa20(c, clen, n, k)`: `c.length` bytes of Salsa20 keystream from block 0. */
  export function crypto_stream_salsa20(c: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  /** `crypto_secretbox_easy(c, m, mlen, n, k)`: `c` is MAC || ciphertext, `m.length + 16` bytes. */
  export function crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  /** `crypto_secretbox_open_easy(m, c, clen, n, k)`: `false` when the box does not verify. */
  export function crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
  /** `crypto_box_keypair(pk, sk)`. */
  export function crypto_box_keypair(pk: Uint8Array, sk: Uint8Array): void;
  /** `crypto_sign_seed_keypair(pk, sk, seed)`. */
  export function crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void;
  /** `crypto_sign_detached(sig, NULL, m, mlen, sk)`. */
  export function crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void;
  /** `crypto_sign_verify_detached(sig, m, mlen, pk)`: `true` when the signature verifies. */
  export function crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean;
}
