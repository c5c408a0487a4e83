/**
 * Thin bindings to libsodium's WebAssembly build for E2E v2 (`x_e2ev2`, suite 1): the
 * XChaCha20-Poly1305-IETF AEAD, Ed25519 verification, sealed boxes, BLAKE2b (keyed and unkeyed,
 * 10 to 64 bytes), ISO/IEC 7816-4 padding and the Ed25519 to X25519 key conversions. Signing and
 * Ed25519 key pairs come from `sodium.ts`, which this module sits beside and does not grow.
 *
 * It follows `sodium.ts`'s conventions: the module is loaded and checked once for both bindings
 * (`internal/libsodium-module.ts`), and this binding checks the functions it adds when it starts
 * (so a bundle without E2E v2 carries no trace of them); it allocates its own two scratch regions
 * at start-up (a fixed one for keys, nonces, hashes and signatures; a data region for messages,
 * replaced by a bigger one when a message does not fit); each call copies its inputs in and its
 * result out once, so a result never aliases the heap; `HEAPU8` is read afresh after any
 * allocation.
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
import type { LibsodiumModule } from 'libsodium';
import { InvalidArgumentError } from '@wampbox/core';
import { checkE2eV2Functions, startLibsodium, unsupported } from './internal/libsodium-module.js';

/** Bytes in an XChaCha20-Poly1305 key, an X25519 key and an Ed25519 public key. */
export const V2_KEY_BYTES = 32;
/** Bytes in an XChaCha20-Poly1305-IETF nonce. */
export const AEAD_NONCE_BYTES = 24;
/** Bytes in the AEAD's authentication tag. */
export const AEAD_TAG_BYTES = 16;
/** Bytes in an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
/** Bytes libsodium's Ed25519 secret key takes (seed followed by public key). */
export const SIGN_SECRET_KEY_BYTES = 64;
/** What a sealed box adds to its message: the ephemeral public key and the MAC. */
export const SEAL_OVERHEAD_BYTES = 48;
/** The smallest and largest BLAKE2b digest this binding computes. */
export const HASH_MIN_BYTES = 10;
export const HASH_MAX_BYTES = 64;
/** The longest BLAKE2b key. */
export const HASH_KEY_MAX_BYTES = 64;

const BOX_NONCE_BYTES = 24;

// Layout of the fixed scratch region (byte offsets). Everything below F_PUBLIC is secret.
/** A 32-byte key: AEAD key, X25519 secret key, ephemeral secret key, converted secret key. */
const F_KEY = 0;
/** A second 32-byte secret: the shared key of a deterministic seal. */
const F_SHARED = 32;
/** Ed25519 secret key (64 bytes), or a BLAKE2b key (up to 64 bytes). */
const F_LONG_KEY = 64;
/** BLAKE2b output (up to 64 bytes). */
const F_HASH = 128;
/** A public key, given or computed (32 bytes). */
const F_PUBLIC = 192;
/** A second public key (32 bytes), e.g. the ephemeral one of a sealed box. */
const F_PUBLIC2 = 224;
/** A nonce (24 bytes, padded to 32). */
const F_NONCE = 256;
/** A signature (64 bytes). */
const F_SIG = 288;
/** A `size_t` result (4 bytes in wasm32, padded to 8). */
const F_SIZE = 352;
const FIXED_BYTES = 368;
const SECRET_END = F_PUBLIC;

/** First size of the data region. */
const INITIAL_DATA_BYTES = 16 * 1024;

let mod: LibsodiumModule | undefined;
let fixedPtr = 0;
let dataPtr = 0;
let dataCap = 0;
let readyPromise: Promise<void> | undefined;

/**
 * Resolves once libsodium is initialized and this binding's scratch memory is allocated
 * (idempotent). Rejects as `sodiumReady()` of `sodium.ts` does (`ERR_FEATURE_UNSUPPORTED`).
 */
export function sodiumV2Ready(): Promise<void> {
  readyPromise ??= start();
  return readyPromise;
}

/** `true` once {@link sodiumV2Ready} has resolved. */
export function isSodiumV2Ready(): boolean {
  return mod !== undefined;
}

async function start(): Promise<void> {
  const m = await startLibsodium();
  checkE2eV2Functions(m); // before the first call into them
  const fixed = m._malloc(FIXED_BYTES);
  const data = m._malloc(INITIAL_DATA_BYTES);
  if (fixed === 0 || data === 0) throw unsupported('libsodium could not allocate its scratch memory');
  m.HEAPU8.fill(0, fixed, fixed + FIXED_BYTES);
  fixedPtr = fixed;
  dataPtr = data;
  dataCap = INITIAL_DATA_BYTES;
  mod = m;
}

function lib(): LibsodiumModule {
  if (mod === undefined) throw unsupported('libsodium is not initialized yet: await sodiumV2Ready() first');
  return mod;
}

function checkLength(bytes: Uint8Array, expected: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== expected) {
    throw new InvalidArgumentError(`${what} must be ${expected} bytes`);
  }
}

function checkBytes(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`${what} must be a Uint8Array`);
}

function failed(fn: string): InvalidArgumentError {
  return unsupported(`libsodium's ${fn}() failed`);
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/** The data region, at least `bytes` long (see sodium.ts); read `HEAPU8` after calling this. */
function dataRegion(m: LibsodiumModule, bytes: number): number {
  if (bytes <= dataCap) return dataPtr;
  const cap = Math.ceil(Math.max(bytes, dataCap * 2) / 4096) * 4096;
  m._free(dataPtr);
  dataPtr = 0;
  dataCap = 0;
  const p = m._malloc(cap);
  if (p === 0) throw new InvalidArgumentError(`the libsodium heap cannot hold a ${bytes}-byte operation`);
  dataPtr = p;
  dataCap = cap;
  return p;
}

/** Reads the little-endian 32-bit `size_t` libsodium wrote at `ptr`. */
function readSize(heap: Uint8Array, ptr: number): number {
  return (heap[ptr]! | (heap[ptr + 1]! << 8) | (heap[ptr + 2]! << 16) | (heap[ptr + 3]! << 24)) >>> 0;
}

/**
 * `crypto_aead_xchacha20poly1305_ietf_encrypt`: the ciphertext followed by the 16-byte tag, over
 * `message` with the additional data `ad`.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the nonce is not 24 bytes or the key not
 *   32, or the inputs do not fit in the WebAssembly heap.
 */
export function aeadEncrypt(message: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const m = lib();
  checkBytes(message, 'message');
  checkBytes(ad, 'ad');
  checkLength(nonce, AEAD_NONCE_BYTES, 'nonce');
  checkLength(key, V2_KEY_BYTES, 'key');
  const mlen = message.length;
  const adOffset = align16(mlen);
  const outOffset = adOffset + align16(ad.length);
  const data = dataRegion(m, outOffset + mlen + AEAD_TAG_BYTES);
  const f = fixedPtr;
  try {
    const heap = m.HEAPU8;
    heap.set(message, data);
    heap.set(ad, data + adOffset);
    heap.set(nonce, f + F_NONCE);
    heap.set(key, f + F_KEY);
    const out = data + outOffset;
    const rc = m._crypto_aead_xchacha20poly1305_ietf_encrypt(
      out,
      0,
      data,
      mlen,
      0,
      data + adOffset,
      ad.length,
      0,
      0,
      f + F_NONCE,
      f + F_KEY,
    );
    if (rc !== 0) throw failed('crypto_aead_xchacha20poly1305_ietf_encrypt');
    return m.HEAPU8.slice(out, out + mlen + AEAD_TAG_BYTES);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + mlen); // plaintext
    heap.fill(0, f + F_KEY, f + F_KEY + V2_KEY_BYTES);
  }
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
  const m = lib();
  checkBytes(ciphertext, 'ciphertext');
  checkBytes(ad, 'ad');
  if (ciphertext.length < AEAD_TAG_BYTES || nonce.length !== AEAD_NONCE_BYTES || key.length !== V2_KEY_BYTES) {
    return undefined;
  }
  const clen = ciphertext.length;
  const mlen = clen - AEAD_TAG_BYTES;
  const adOffset = align16(clen);
  const outOffset = adOffset + align16(ad.length);
  const data = dataRegion(m, outOffset + mlen);
  const f = fixedPtr;
  const out = data + outOffset;
  try {
    const heap = m.HEAPU8;
    heap.set(ciphertext, data);
    heap.set(ad, data + adOffset);
    heap.set(nonce, f + F_NONCE);
    heap.set(key, f + F_KEY);
    const rc = m._crypto_aead_xchacha20poly1305_ietf_decrypt(
      out,
      0,
      0,
      data,
      clen,
      0,
      data + adOffset,
      ad.length,
      0,
      f + F_NONCE,
      f + F_KEY,
    );
    if (rc !== 0) return undefined;
    return m.HEAPU8.slice(out, out + mlen);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, out, out + mlen); // plaintext
    heap.fill(0, f + F_KEY, f + F_KEY + V2_KEY_BYTES);
  }
}

/**
 * `crypto_sign_verify_detached`: whether `signature` is a valid Ed25519 signature of `message`
 * by `publicKey`. `false` (never an exception) for a signature or key of the wrong length, or a
 * public key that is not a valid point.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the message does not fit in the WebAssembly heap.
 */
export function signVerifyDetached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const m = lib();
  checkBytes(message, 'message');
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== V2_KEY_BYTES) return false;
  const data = dataRegion(m, message.length);
  const f = fixedPtr;
  const heap = m.HEAPU8;
  heap.set(message, data);
  heap.set(signature, f + F_SIG);
  heap.set(publicKey, f + F_PUBLIC);
  return m._crypto_sign_verify_detached(f + F_SIG, data, message.length, 0, f + F_PUBLIC) === 0;
}

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
  const f = fixedPtr;
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
  const f = fixedPtr;
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
  const f = fixedPtr;
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
  const f = fixedPtr;
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
    heap.fill(0, f + F_LONG_KEY, f + F_HASH + HASH_MAX_BYTES); // key and output
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
  const f = fixedPtr;
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
  const f = fixedPtr;
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

/**
 * `crypto_sign_ed25519_pk_to_curve25519`: the X25519 public key of an Ed25519 public key, or
 * `undefined` when it is not a valid point (or is of small order, which libsodium refuses).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes.
 */
export function ed25519PkToX25519(ed25519PublicKey: Uint8Array): Uint8Array | undefined {
  const m = lib();
  checkLength(ed25519PublicKey, V2_KEY_BYTES, 'ed25519PublicKey');
  const f = fixedPtr;
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
  const f = fixedPtr;
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

/**
 * Test hook: copies of this binding's scratch regions (the fixed region and the whole data
 * region), to check that no secret stays behind. Internal: never call it outside tests.
 */
export function scratchV2ForTesting(): { fixed: Uint8Array; data: Uint8Array } {
  const heap = lib().HEAPU8;
  return { fixed: heap.slice(fixedPtr, fixedPtr + FIXED_BYTES), data: heap.slice(dataPtr, dataPtr + dataCap) };
}
