/**
 * The WebAssembly binding (`SodiumBinding` of `binding.ts`): thin bindings to libsodium's
 * Emscripten build, the npm package `libsodium`, for the few primitives cryptobox and cryptosign
 * use. It runs everywhere and is the only binding in browsers; on Node, `node-binding.ts` prefers
 * `sodium-native` when it is installed. The module initializes asynchronously, once
 * ({@link startWasmBinding}); after that every primitive is synchronous.
 *
 * Memory: C functions take pointers into the WebAssembly heap, so arguments are copied in and
 * results out. Instead of a malloc/free per argument and call, two scratch regions are allocated
 * once at start-up: a fixed one for keys, nonces, seeds and signatures, and a data region for
 * messages, which is replaced by a bigger one (free, then malloc) when a message does not fit and
 * is never shrunk. A call copies its inputs in (`HEAPU8.set`), calls C and copies its result out
 * once (`HEAPU8.slice`), so a result never aliases the heap. Any `_malloc` may grow the
 * WebAssembly memory, which detaches the old `HEAPU8` view: the view is read afresh after it.
 * JavaScript is single-threaded and nothing here calls back into this module, so the scratch is
 * never in use twice at once.
 *
 * Wiping: before returning (or throwing), every operation zero-fills the scratch bytes that held
 * a secret: secret keys, shared keys, seeds, plaintexts and signed messages. Ciphertexts, nonces,
 * public keys and signatures are left as they are. libsodium wipes its own stack temporaries;
 * copies on the JavaScript side are the callers' business.
 *
 * Packaging: the ESM build of `libsodium` default-exports an async factory that resolves to the
 * module; its CommonJS build exports the module object, which has a `ready` promise after which
 * the functions and `HEAPU8` are on it. `internal/libsodium-module.ts` finds either, so both
 * `import` and `require` of this package work, and esbuild bundles the ESM build; it loads the
 * module once for this binding and `sodium-v2.ts`. It also checks that the module is the build
 * the bindings are written for (the dependency is pinned to one version): the bound functions,
 * their arities (64-bit lengths as two halves) and `HEAPU8`.
 *
 * Errors: arguments of the wrong size are `InvalidArgumentError` (`ERR_INVALID_ARGUMENT`); a
 * module that is not ready, cannot start or is another build, and a libsodium function failing
 * where it cannot, are `InvalidArgumentError` with code `ERR_FEATURE_UNSUPPORTED`.
 */
import type { LibsodiumModule } from 'libsodium';
import { InvalidArgumentError } from '@wampbox/core';
import { LIBSODIUM_VERSION, startLibsodium } from './libsodium-module.js';
import { ScratchHeap, align16, checkLength, failed } from './scratch-heap.js';
import {
  KEY_BYTES,
  MAC_BYTES,
  NONCE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGN_SEED_BYTES,
  SIGNATURE_BYTES,
} from './binding.js';
import type { SodiumBinding } from './binding.js';

// Layout of the fixed scratch region (byte offsets). Everything below F_PUBLIC is secret.
/** Box secret key, or the shared key given to seal/open. */
const F_KEY = 0;
/** The shared key crypto_box_beforenm computes. */
const F_SHARED = 32;
/** Ed25519 secret key (seed || public key), given or computed. */
const F_SIGN_SK = 64;
/** Ed25519 seed. */
const F_SEED = 128;
/** A public key, given or computed. */
const F_PUBLIC = 160;
/** Nonce (24 bytes, padded to 32). */
const F_NONCE = 192;
/** Ed25519 signature. */
const F_SIG = 224;
const FIXED_BYTES = 288;

const scratch = new ScratchHeap(FIXED_BYTES, 'sodiumReady');
let started: Promise<SodiumBinding> | undefined;

/**
 * Resolves with the WebAssembly binding once libsodium is initialized (idempotent). Rejects as
 * `startLibsodium()` does, with `InvalidArgumentError` code `ERR_FEATURE_UNSUPPORTED`.
 */
export function startWasmBinding(): Promise<SodiumBinding> {
  started ??= startLibsodium().then((m) => {
    scratch.init(m);
    return wasmBinding;
  });
  return started;
}

function lib(): LibsodiumModule {
  return scratch.lib();
}

/**
 * `crypto_box_beforenm(pk, sk)`: the precomputed shared key of a box.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `publicKey` is a low-order (weak)
 *   point, from which libsodium refuses to derive a key.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when a key is not 32 bytes.
 */
function boxBeforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const m = lib();
  checkLength(publicKey, KEY_BYTES, 'publicKey');
  checkLength(secretKey, KEY_BYTES, 'secretKey');
  const f = scratch.fixed;
  try {
    const heap = m.HEAPU8;
    heap.set(publicKey, f + F_PUBLIC);
    heap.set(secretKey, f + F_KEY);
    if (m._crypto_box_beforenm(f + F_SHARED, f + F_PUBLIC, f + F_KEY) !== 0) {
      throw new InvalidArgumentError(
        'the public key is a low-order X25519 point: no shared key can be derived from it',
      );
    }
    return m.HEAPU8.slice(f + F_SHARED, f + F_SHARED + KEY_BYTES);
  } finally {
    m.HEAPU8.fill(0, f + F_KEY, f + F_SHARED + KEY_BYTES); // secret key and shared key
  }
}

/**
 * `crypto_box_easy_afternm`: MAC (16 bytes) followed by the ciphertext.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the nonce is not 24 bytes or the key not 32,
 *   or the message does not fit in the WebAssembly heap.
 */
export function boxSealAfternm(message: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array {
  const m = lib();
  checkLength(nonce, NONCE_BYTES, 'nonce');
  checkLength(sharedKey, KEY_BYTES, 'sharedKey');
  const mlen = message.length;
  const outOffset = align16(mlen);
  const data = scratch.dataRegion(m, outOffset + mlen + MAC_BYTES);
  const f = scratch.fixed;
  try {
    const heap = m.HEAPU8; // after the allocation
    heap.set(message, data);
    heap.set(nonce, f + F_NONCE);
    heap.set(sharedKey, f + F_KEY);
    // The 64-bit length as (lo, hi): a wasm32 heap holds less than 4 GiB, so hi is 0.
    if (m._crypto_box_easy_afternm(data + outOffset, data, mlen, 0, f + F_NONCE, f + F_KEY) !== 0) {
      throw failed('crypto_box_easy_afternm');
    }
    return m.HEAPU8.slice(data + outOffset, data + outOffset + mlen + MAC_BYTES);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + mlen); // plaintext
    heap.fill(0, f + F_KEY, f + F_KEY + KEY_BYTES);
  }
}

/**
 * `crypto_box_open_easy_afternm`: the plaintext, or `undefined` when the box does not verify
 * (wrong key, tampered with, or shorter than the 16-byte MAC) or the nonce or key has the wrong
 * length.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the box does not fit in the WebAssembly heap.
 */
export function boxOpenAfternm(box: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array | undefined {
  const m = lib();
  if (box.length < MAC_BYTES || nonce.length !== NONCE_BYTES || sharedKey.length !== KEY_BYTES) return undefined;
  const clen = box.length;
  const mlen = clen - MAC_BYTES;
  const outOffset = align16(clen);
  const data = scratch.dataRegion(m, outOffset + mlen);
  const f = scratch.fixed;
  try {
    const heap = m.HEAPU8; // after the allocation
    heap.set(box, data);
    heap.set(nonce, f + F_NONCE);
    heap.set(sharedKey, f + F_KEY);
    if (m._crypto_box_open_easy_afternm(data + outOffset, data, clen, 0, f + F_NONCE, f + F_KEY) !== 0)
      return undefined;
    return m.HEAPU8.slice(data + outOffset, data + outOffset + mlen);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data + outOffset, data + outOffset + mlen); // plaintext
    heap.fill(0, f + F_KEY, f + F_KEY + KEY_BYTES);
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Seal the UTF-8 encoding of `text` with a precomputed key (`crypto_box_easy_afternm`), in the
 * layout cryptobox sends: `nonce (24 bytes) || MAC (16) || ciphertext`. The text is encoded
 * straight into the WebAssembly heap and sealed in place there (libsodium's easy functions accept
 * a ciphertext at the plaintext's address), so the only allocation is the result.
 *
 * @param fillNonce - writes a fresh 24-byte nonce into the array it is given.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes or the text does not
 *   fit in the WebAssembly heap.
 */
function sealTextAfternm(text: string, sharedKey: Uint8Array, fillNonce: (target: Uint8Array) => void): Uint8Array {
  const m = lib();
  checkLength(sharedKey, KEY_BYTES, 'sharedKey');
  // at most 3 bytes of UTF-8 per UTF-16 code unit; the plaintext starts after the MAC's room
  const data = scratch.dataRegion(m, MAC_BYTES + text.length * 3);
  const f = scratch.fixed;
  let mlen = 0;
  try {
    const heap = m.HEAPU8; // after the allocation
    mlen = textEncoder.encodeInto(text, heap.subarray(data + MAC_BYTES, data + MAC_BYTES + text.length * 3)).written;
    const out = new Uint8Array(NONCE_BYTES + MAC_BYTES + mlen);
    const nonce = out.subarray(0, NONCE_BYTES);
    fillNonce(nonce);
    heap.set(nonce, f + F_NONCE);
    heap.set(sharedKey, f + F_KEY);
    // MAC || ciphertext over the plaintext: ciphertext and plaintext share their address
    if (m._crypto_box_easy_afternm(data, data + MAC_BYTES, mlen, 0, f + F_NONCE, f + F_KEY) !== 0) {
      throw failed('crypto_box_easy_afternm');
    }
    out.set(m.HEAPU8.subarray(data, data + MAC_BYTES + mlen), NONCE_BYTES);
    return out;
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + MAC_BYTES + mlen); // the plaintext, if sealing did not happen
    heap.fill(0, f + F_KEY, f + F_KEY + KEY_BYTES);
  }
}

/**
 * Open a payload in cryptobox's layout, `nonce (24 bytes) || MAC (16) || ciphertext`, with a
 * precomputed key (`crypto_box_open_easy_afternm`) and decode the plaintext as UTF-8 straight
 * from the WebAssembly heap. `undefined` when the box does not verify (wrong key, tampered with,
 * too short) or the key has the wrong length; `null` when it verifies but the plaintext is not
 * valid UTF-8.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the payload does not fit in the WebAssembly heap.
 */
function openTextAfternm(payload: Uint8Array, sharedKey: Uint8Array): string | undefined | null {
  const m = lib();
  if (payload.length < NONCE_BYTES + MAC_BYTES || sharedKey.length !== KEY_BYTES) return undefined;
  const clen = payload.length - NONCE_BYTES;
  const mlen = clen - MAC_BYTES;
  const data = scratch.dataRegion(m, clen);
  const f = scratch.fixed;
  let opened = false;
  try {
    const heap = m.HEAPU8; // after the allocation
    heap.set(payload.subarray(NONCE_BYTES), data);
    heap.set(payload.subarray(0, NONCE_BYTES), f + F_NONCE);
    heap.set(sharedKey, f + F_KEY);
    // the plaintext replaces the ciphertext in place, after the MAC
    if (m._crypto_box_open_easy_afternm(data + MAC_BYTES, data, clen, 0, f + F_NONCE, f + F_KEY) !== 0)
      return undefined;
    opened = true;
    try {
      return textDecoder.decode(m.HEAPU8.subarray(data + MAC_BYTES, data + MAC_BYTES + mlen));
    } catch {
      return null; // the decoder's only failure: invalid UTF-8
    }
  } finally {
    const heap = m.HEAPU8;
    if (opened) heap.fill(0, data + MAC_BYTES, data + MAC_BYTES + mlen); // plaintext
    heap.fill(0, f + F_KEY, f + F_KEY + KEY_BYTES);
  }
}

/**
 * `crypto_scalarmult_base`: the X25519 public key of a secret key.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes.
 */
function scalarmultBase(secretKey: Uint8Array): Uint8Array {
  const m = lib();
  checkLength(secretKey, KEY_BYTES, 'secretKey');
  const f = scratch.fixed;
  try {
    m.HEAPU8.set(secretKey, f + F_KEY);
    if (m._crypto_scalarmult_base(f + F_PUBLIC, f + F_KEY) !== 0) throw failed('crypto_scalarmult_base');
    return m.HEAPU8.slice(f + F_PUBLIC, f + F_PUBLIC + KEY_BYTES);
  } finally {
    m.HEAPU8.fill(0, f + F_KEY, f + F_KEY + KEY_BYTES);
  }
}

/** `crypto_box_keypair`: a fresh X25519 key pair from libsodium's CSPRNG (fed by `crypto.getRandomValues`). */
function boxKeypair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const m = lib();
  const f = scratch.fixed;
  try {
    if (m._crypto_box_keypair(f + F_PUBLIC, f + F_KEY) !== 0) throw failed('crypto_box_keypair');
    const heap = m.HEAPU8;
    return {
      publicKey: heap.slice(f + F_PUBLIC, f + F_PUBLIC + KEY_BYTES),
      secretKey: heap.slice(f + F_KEY, f + F_KEY + KEY_BYTES),
    };
  } finally {
    m.HEAPU8.fill(0, f + F_KEY, f + F_KEY + KEY_BYTES);
  }
}

/**
 * `crypto_sign_seed_keypair`: the Ed25519 key pair of a 32-byte seed. The secret key is
 * libsodium's 64-byte form (seed followed by public key).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the seed is not 32 bytes.
 */
function signSeedKeypair(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const m = lib();
  checkLength(seed, SIGN_SEED_BYTES, 'seed');
  const f = scratch.fixed;
  try {
    m.HEAPU8.set(seed, f + F_SEED);
    if (m._crypto_sign_seed_keypair(f + F_PUBLIC, f + F_SIGN_SK, f + F_SEED) !== 0) {
      throw failed('crypto_sign_seed_keypair');
    }
    const heap = m.HEAPU8;
    return {
      publicKey: heap.slice(f + F_PUBLIC, f + F_PUBLIC + SIGN_PUBLIC_KEY_BYTES),
      secretKey: heap.slice(f + F_SIGN_SK, f + F_SIGN_SK + SIGN_SECRET_KEY_BYTES),
    };
  } finally {
    m.HEAPU8.fill(0, f + F_SIGN_SK, f + F_SEED + SIGN_SEED_BYTES); // secret key and seed
  }
}

/**
 * `crypto_sign_detached`: the 64-byte Ed25519 signature of `message`.
 *
 * @param secretKey - libsodium's 64-byte secret key (seed followed by public key).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the secret key is not 64 bytes or the
 *   message does not fit in the WebAssembly heap.
 */
function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const m = lib();
  checkLength(secretKey, SIGN_SECRET_KEY_BYTES, 'secretKey');
  const mlen = message.length;
  const data = scratch.dataRegion(m, mlen);
  const f = scratch.fixed;
  try {
    const heap = m.HEAPU8; // after the allocation
    heap.set(message, data);
    heap.set(secretKey, f + F_SIGN_SK);
    // siglen_p is NULL (the length is always 64); mlen as (lo, hi).
    if (m._crypto_sign_detached(f + F_SIG, 0, data, mlen, 0, f + F_SIGN_SK) !== 0) throw failed('crypto_sign_detached');
    return m.HEAPU8.slice(f + F_SIG, f + F_SIG + SIGNATURE_BYTES);
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + mlen);
    heap.fill(0, f + F_SIGN_SK, f + F_SIGN_SK + SIGN_SECRET_KEY_BYTES);
  }
}

/**
 * The WebAssembly binding. Its primitives throw `ERR_FEATURE_UNSUPPORTED` until
 * {@link startWasmBinding} has resolved.
 */
export const wasmBinding: SodiumBinding = {
  info: { binding: 'wasm', library: `libsodium ${LIBSODIUM_VERSION}` },
  boxBeforenm,
  sealTextAfternm,
  openTextAfternm,
  scalarmultBase,
  boxKeypair,
  signSeedKeypair,
  signDetached,
  scratchForTesting: () => scratch.snapshot(),
};
