/**
 * E2E v2's key bindings to libsodium: sealed boxes (`crypto_box_seal` and its deterministic form
 * for known-answer vectors), and the Ed25519 to X25519 conversions of §b.8.6. Same conventions as
 * `sodium-v2.ts` (scratch memory, wiping, errors), whose scratch it shares.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { AEAD_TAG_BYTES, SEAL_OVERHEAD_BYTES, SIGN_SECRET_KEY_BYTES, V2_KEY_BYTES } from './sodium-v2-sizes.js';
import {
  align16,
  checkBytes,
  checkLength,
  dataRegion,
  failed,
  fixedRegion,
  F_HASH,
  F_KEY,
  F_LONG_KEY,
  F_NONCE,
  F_PUBLIC,
  F_PUBLIC2,
  F_SHARED,
  lib,
  SECRET_END,
} from './internal/v2-scratch.js';

const BOX_NONCE_BYTES = 24;

/**
 * `crypto_box_seal`: `message` sealed to `recipientPublicKey` with a fresh ephemeral key pair
 * (48 bytes longer than the message).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes, or is a
 *   low-order point (libsodium refuses to seal to it).
 */
export function boxSeal(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const m = lib();
  checkBytes(message, 'message');
  checkLength(recipientPublicKey, V2_KEY_BYTES, 'recipientPublicKey');
  const mlen = message.length;
  const outOffset = align16(mlen);
  const data = dataRegion(m, outOffset + mlen + SEAL_OVERHEAD_BYTES);
  const f = fixedRegion();
  try {
    const heap = m.HEAPU8;
    heap.set(message, data);
    heap.set(recipientPublicKey, f + F_PUBLIC);
    if (m._crypto_box_seal(data + outOffset, data, mlen, 0, f + F_PUBLIC) !== 0) {
      throw new InvalidArgumentError('cannot seal to this public key (a low-order X25519 point)');
    }
    return m.HEAPU8.slice(data + outOffset, data + outOffset + mlen + SEAL_OVERHEAD_BYTES);
  } finally {
    m.HEAPU8.fill(0, data, data + mlen); // message
  }
}

/**
 * libsodium's `crypto_box_seal` construction with a given ephemeral secret key, for known-answer
 * vectors: `epk = X25519(esk, base)`, `nonce = BLAKE2b-192(epk || pk)`,
 * `epk || crypto_box_easy(message, nonce, pk, esk)`. `crypto_box_seal_open` opens it. Never use a
 * fixed or reused ephemeral key outside tests: {@link boxSeal} draws a fresh one.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when a key is not 32 bytes or the recipient's
 *   key is a low-order point.
 */
export function boxSealWithEphemeral(
  message: Uint8Array,
  recipientPublicKey: Uint8Array,
  ephemeralSecretKey: Uint8Array,
): Uint8Array {
  const m = lib();
  checkBytes(message, 'message');
  checkLength(recipientPublicKey, V2_KEY_BYTES, 'recipientPublicKey');
  checkLength(ephemeralSecretKey, V2_KEY_BYTES, 'ephemeralSecretKey');
  const mlen = message.length;
  const outOffset = align16(mlen);
  const data = dataRegion(m, outOffset + mlen + AEAD_TAG_BYTES);
  const f = fixedRegion();
  try {
    const heap = m.HEAPU8;
    heap.set(message, data);
    heap.set(ephemeralSecretKey, f + F_KEY);
    heap.set(recipientPublicKey, f + F_PUBLIC);
    if (m._crypto_scalarmult_base(f + F_PUBLIC2, f + F_KEY) !== 0) throw failed('crypto_scalarmult_base');
    // the nonce hashes epk || pk: copy them, in that order, into the (wiped) hash area
    heap.set(heap.subarray(f + F_PUBLIC2, f + F_PUBLIC2 + V2_KEY_BYTES), f + F_HASH);
    heap.set(heap.subarray(f + F_PUBLIC, f + F_PUBLIC + V2_KEY_BYTES), f + F_HASH + V2_KEY_BYTES);
    if (m._crypto_generichash(f + F_NONCE, BOX_NONCE_BYTES, f + F_HASH, 2 * V2_KEY_BYTES, 0, 0, 0) !== 0) {
      throw failed('crypto_generichash');
    }
    if (m._crypto_box_beforenm(f + F_SHARED, f + F_PUBLIC, f + F_KEY) !== 0) {
      throw new InvalidArgumentError('cannot seal to this public key (a low-order X25519 point)');
    }
    const out = data + outOffset;
    if (m._crypto_box_easy_afternm(out, data, mlen, 0, f + F_NONCE, f + F_SHARED) !== 0) {
      throw failed('crypto_box_easy_afternm');
    }
    const h = m.HEAPU8;
    const sealed = new Uint8Array(V2_KEY_BYTES + mlen + AEAD_TAG_BYTES);
    sealed.set(h.subarray(f + F_PUBLIC2, f + F_PUBLIC2 + V2_KEY_BYTES));
    sealed.set(h.subarray(out, out + mlen + AEAD_TAG_BYTES), V2_KEY_BYTES);
    return sealed;
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + mlen); // message
    heap.fill(0, f, f + SECRET_END);
  }
}

/**
 * `crypto_box_seal_open`: the message of a sealed box, or `undefined` when it does not open with
 * this key pair (another recipient, tampered with, shorter than 48 bytes) or a key has the wrong
 * length.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the box does not fit in the WebAssembly heap.
 */
export function boxSealOpen(
  sealed: Uint8Array,
  recipientPublicKey: Uint8Array,
  recipientSecretKey: Uint8Array,
): Uint8Array | undefined {
  const m = lib();
  checkBytes(sealed, 'sealed');
  if (sealed.length < SEAL_OVERHEAD_BYTES) return undefined;
  if (recipientPublicKey.length !== V2_KEY_BYTES || recipientSecretKey.length !== V2_KEY_BYTES) return undefined;
  const clen = sealed.length;
  const mlen = clen - SEAL_OVERHEAD_BYTES;
  const outOffset = align16(clen);
  const data = dataRegion(m, outOffset + mlen);
  const f = fixedRegion();
  const out = data + outOffset;
  try {
    const heap = m.HEAPU8;
    heap.set(sealed, data);
    heap.set(recipientPublicKey, f + F_PUBLIC);
    heap.set(recipientSecretKey, f + F_KEY);
    if (m._crypto_box_seal_open(out, data, clen, 0, f + F_PUBLIC, f + F_KEY) !== 0) return undefined;
    return m.HEAPU8.slice(out, out + mlen);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, out, out + mlen); // message
    heap.fill(0, f + F_KEY, f + F_KEY + V2_KEY_BYTES);
  }
}

/**
 * `crypto_sign_ed25519_pk_to_curve25519`: the X25519 public key of an Ed25519 public key, or
 * `undefined` when it is not a valid point (or is of small order, which libsodium refuses).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes.
 */
export function ed25519PkToX25519(ed25519PublicKey: Uint8Array): Uint8Array | undefined {
  const m = lib();
  checkLength(ed25519PublicKey, V2_KEY_BYTES, 'ed25519PublicKey');
  const f = fixedRegion();
  m.HEAPU8.set(ed25519PublicKey, f + F_PUBLIC);
  if (m._crypto_sign_ed25519_pk_to_curve25519(f + F_PUBLIC2, f + F_PUBLIC) !== 0) return undefined;
  return m.HEAPU8.slice(f + F_PUBLIC2, f + F_PUBLIC2 + V2_KEY_BYTES);
}

/**
 * `crypto_sign_ed25519_sk_to_curve25519`: the X25519 secret key of an Ed25519 secret key
 * (libsodium's 64-byte form, seed followed by public key).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 64 bytes.
 */
export function ed25519SkToX25519(ed25519SecretKey: Uint8Array): Uint8Array {
  const m = lib();
  checkLength(ed25519SecretKey, SIGN_SECRET_KEY_BYTES, 'ed25519SecretKey');
  const f = fixedRegion();
  try {
    m.HEAPU8.set(ed25519SecretKey, f + F_LONG_KEY);
    if (m._crypto_sign_ed25519_sk_to_curve25519(f + F_KEY, f + F_LONG_KEY) !== 0) {
      throw failed('crypto_sign_ed25519_sk_to_curve25519');
    }
    return m.HEAPU8.slice(f + F_KEY, f + F_KEY + V2_KEY_BYTES);
  } finally {
    m.HEAPU8.fill(0, f, f + SECRET_END);
  }
}
