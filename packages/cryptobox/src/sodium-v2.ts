/**
 * Thin bindings to libsodium's WebAssembly build for E2E v2 (`x_e2ev2`, suite 1): the
 * XChaCha20-Poly1305-IETF AEAD, Ed25519 verification, BLAKE2b (keyed and unkeyed, 10 to 64 bytes)
 * and ISO/IEC 7816-4 padding here; sealed boxes and the Ed25519 to X25519 key conversions in
 * `sodium-v2-keys.ts`, and the per-message AEAD and Ed25519 verification in place (the plaintext
 * written into and read from the heap, inputs in parts) in `sodium-v2-inplace.ts`, re-exported.
 * Signing and Ed25519 key pairs come from `sodium.ts`, which this module sits beside and does not
 * grow.
 *
 * It follows `sodium.ts`'s conventions: the module is loaded and checked once for every binding
 * (`internal/libsodium-module.ts`); E2E v2 has its own scratch regions (`internal/v2-scratch.ts`);
 * each call copies its inputs in and its result out once, so a result never aliases the heap.
 *
 * Wiping: before returning (or throwing), every operation zero-fills the scratch bytes that held a
 * secret: keys (content keys, secret keys, converted keys, keyed-hash keys and hash outputs, which
 * are keys or key material here) and plaintexts. Ciphertexts, AADs, public keys, signatures and
 * signed messages (E2E v2 signs ciphertexts) are left as they are.
 *
 * Errors: arguments of the wrong size are `InvalidArgumentError` (`ERR_INVALID_ARGUMENT`); a module
 * that is not ready, and a libsodium function failing where it cannot, are `InvalidArgumentError`
 * with code `ERR_FEATURE_UNSUPPORTED`. Verification failures are results (`undefined`, `false`),
 * not exceptions.
 */
import { InvalidArgumentError } from '@wampbox/core';
import {
  checkBytes,
  dataRegion,
  failed,
  fixedRegion,
  F_HASH,
  F_LONG_KEY,
  F_PUBLIC,
  F_SIG,
  F_SIZE,
  lib,
  readSize,
} from './internal/v2-scratch.js';
import {
  AEAD_TAG_BYTES,
  HASH_KEY_MAX_BYTES,
  HASH_MAX_BYTES,
  HASH_MIN_BYTES,
  SIGNATURE_BYTES,
  V2_KEY_BYTES,
} from './sodium-v2-sizes.js';

export { isSodiumV2Ready, scratchV2ForTesting, sodiumV2Ready } from './internal/v2-scratch.js';
export * from './sodium-v2-sizes.js';
export { boxSeal, boxSealOpen, boxSealWithEphemeral, ed25519PkToX25519, ed25519SkToX25519 } from './sodium-v2-keys.js';
import { aeadDecryptWith, aeadEncryptFramed } from './sodium-v2-inplace.js';
import { verifyPartsNatively } from './sodium.js';
export {
  aeadDecryptWith,
  aeadEncryptFramed,
  signVerifyDetachedParts,
  type AeadFrame,
  type FramedLayout,
} from './sodium-v2-inplace.js';

/**
 * `crypto_aead_xchacha20poly1305_ietf_encrypt`: the ciphertext followed by the 16-byte tag, over
 * `message` with the additional data `ad`.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the nonce is not 24 bytes or the key not
 *   32, or the inputs do not fit in the WebAssembly heap.
 */
export function aeadEncrypt(message: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  checkBytes(message, 'message');
  const out = new Uint8Array(message.length + AEAD_TAG_BYTES);
  aeadEncryptInto(out, message, ad, nonce, key);
  return out;
}

/**
 * {@link aeadEncrypt}, writing the ciphertext (tag included, `message.length + 16` bytes) into
 * the start of `target` (a view into a larger array, say) instead of a new array.
 */
export function aeadEncryptInto(
  target: Uint8Array,
  message: Uint8Array,
  ad: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): void {
  checkBytes(message, 'message');
  checkBytes(ad, 'ad');
  checkBytes(target, 'target');
  aeadEncryptFramed(message, { adLength: ad.length }, () => ({ target, ad: [ad] }), nonce, key);
}

/**
 * `crypto_aead_xchacha20poly1305_ietf_decrypt`: the plaintext, or `undefined` when the tag does not
 * verify (wrong key, nonce or additional data, tampered with, shorter than the tag) or the nonce
 * or key has the wrong length.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the inputs do not fit in the WebAssembly heap.
 */
export function aeadDecrypt(
  ciphertext: Uint8Array,
  ad: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): Uint8Array | undefined {
  checkBytes(ad, 'ad');
  return aeadDecryptWith(ciphertext, [ad], nonce, key, (plaintext) => plaintext.slice());
}

/**
 * `crypto_sign_verify_detached`: whether `signature` is a valid Ed25519 signature of `message`
 * by `publicKey`. `false` (never an exception) for a signature or key of the wrong length, or a
 * public key that is not a valid point.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the message does not fit in the WebAssembly heap.
 */
export function signVerifyDetached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const native = verifyPartsNatively(signature, [message], publicKey);
  if (native !== undefined) return native;
  const m = lib();
  checkBytes(message, 'message');
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== V2_KEY_BYTES) return false;
  const data = dataRegion(m, message.length);
  const f = fixedRegion();
  const heap = m.HEAPU8;
  heap.set(message, data);
  heap.set(signature, f + F_SIG);
  heap.set(publicKey, f + F_PUBLIC);
  return m._crypto_sign_verify_detached(f + F_SIG, data, message.length, 0, f + F_PUBLIC) === 0;
}

/**
 * `crypto_generichash` (BLAKE2b) of `message` with a digest of `outputLength` bytes (10 to 64;
 * BLAKE2b's own output length, not a truncation), keyed when `key` is given (1 to 64 bytes; an
 * empty key is the unkeyed hash, as in BLAKE2b).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an output length or key length out of range.
 */
export function genericHash(outputLength: number, message: Uint8Array, key?: Uint8Array): Uint8Array {
  const m = lib();
  if (!Number.isInteger(outputLength) || outputLength < HASH_MIN_BYTES || outputLength > HASH_MAX_BYTES) {
    throw new InvalidArgumentError(`outputLength must be an integer from ${HASH_MIN_BYTES} to ${HASH_MAX_BYTES}`);
  }
  checkBytes(message, 'message');
  if (key !== undefined) {
    checkBytes(key, 'key');
    if (key.length > HASH_KEY_MAX_BYTES)
      throw new InvalidArgumentError(`key must be at most ${HASH_KEY_MAX_BYTES} bytes`);
  }
  const keyLength = key?.length ?? 0;
  const data = dataRegion(m, message.length);
  const f = fixedRegion();
  try {
    const heap = m.HEAPU8;
    heap.set(message, data);
    if (key !== undefined) heap.set(key, f + F_LONG_KEY);
    const keyPtr = keyLength > 0 ? f + F_LONG_KEY : 0;
    if (m._crypto_generichash(f + F_HASH, outputLength, data, message.length, 0, keyPtr, keyLength) !== 0) {
      throw failed('crypto_generichash');
    }
    return m.HEAPU8.slice(f + F_HASH, f + F_HASH + outputLength);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + message.length); // may hold key material (a key record, a scramble state)
    heap.fill(0, f + F_LONG_KEY, f + F_LONG_KEY + keyLength); // key
    heap.fill(0, f + F_HASH, f + F_HASH + outputLength); // output
  }
}

/**
 * `sodium_pad`: `data` followed by `0x80` and zeros up to the next multiple of `blockSize` (ISO/IEC
 * 7816-4; always at least one byte of padding, so a multiple of the block grows by a block).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `blockSize` is not a positive integer.
 */
export function pad(data: Uint8Array, blockSize: number): Uint8Array {
  const m = lib();
  checkBytes(data, 'data');
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new InvalidArgumentError('blockSize must be a positive integer');
  }
  const len = data.length;
  const maxLen = len + blockSize;
  const region = dataRegion(m, maxLen);
  const f = fixedRegion();
  try {
    const heap = m.HEAPU8;
    heap.set(data, region);
    if (m._sodium_pad(f + F_SIZE, region, len, blockSize, maxLen) !== 0) throw failed('sodium_pad');
    const h = m.HEAPU8;
    return h.slice(region, region + readSize(h, f + F_SIZE));
  } finally {
    m.HEAPU8.fill(0, region, region + maxLen); // plaintext and padding
  }
}

/**
 * `sodium_unpad`: `padded` without its padding, or `undefined` when the padding is invalid (no
 * `0x80` marker before the zeros at its end, or a length that is not a positive multiple of
 * `blockSize`).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `blockSize` is not a positive integer.
 */
export function unpad(padded: Uint8Array, blockSize: number): Uint8Array | undefined {
  const m = lib();
  checkBytes(padded, 'padded');
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new InvalidArgumentError('blockSize must be a positive integer');
  }
  const len = padded.length;
  if (len === 0 || len % blockSize !== 0) return undefined;
  const region = dataRegion(m, len);
  const f = fixedRegion();
  try {
    const heap = m.HEAPU8;
    heap.set(padded, region);
    if (m._sodium_unpad(f + F_SIZE, region, len, blockSize) !== 0) return undefined;
    const h = m.HEAPU8;
    return h.slice(region, region + readSize(h, f + F_SIZE));
  } finally {
    m.HEAPU8.fill(0, region, region + len); // plaintext
  }
}
