/**
 * The libsodium primitives cryptobox and cryptosign use, on whichever binding runs: libsodium's
 * WebAssembly build (`internal/wasm-binding.ts`), the default and the only one in browsers, or on
 * Node the `sodium-native` addon (`internal/native-binding.ts`), which the Node entry of the
 * package (`node.ts`) prefers when it is installed. Both bindings run the same C code and give the
 * same bytes for the same inputs.
 *
 * The binding initializes asynchronously, once ({@link sodiumReady}); after that every primitive is
 * synchronous, so callers check {@link isSodiumReady} and only fall back to a promise before the
 * first initialization. Before it, every primitive throws `ERR_FEATURE_UNSUPPORTED`.
 *
 * Errors: arguments of the wrong size are `InvalidArgumentError` (`ERR_INVALID_ARGUMENT`); a
 * binding that is not ready or cannot start, and a libsodium function failing where it cannot,
 * are `InvalidArgumentError` with code `ERR_FEATURE_UNSUPPORTED`.
 */
import {
  boxOpenAfternm as wasmBoxOpenAfternm,
  boxSealAfternm as wasmBoxSealAfternm,
  startWasmBinding,
  wasmBinding,
} from './internal/wasm-binding.js';
import type { SodiumBackendInfo, SodiumBinding } from './internal/binding.js';

export type { SodiumBackendInfo } from './internal/binding.js';
export { KEY_BYTES, MAC_BYTES, NONCE_BYTES } from './internal/binding.js';

/** The binding in use: the WebAssembly one (not yet started) until {@link sodiumReady} resolves. */
let active: SodiumBinding = wasmBinding;
let ready = false;
let readyPromise: Promise<void> | undefined;
let starter: () => Promise<SodiumBinding> = startWasmBinding;

/**
 * Resolves once libsodium is initialized (idempotent, shared by all callers).
 *
 * Rejects with `InvalidArgumentError` code `ERR_FEATURE_UNSUPPORTED` when the platform lacks
 * `globalThis.crypto.getRandomValues`, when the WebAssembly module cannot start (for example a
 * Content-Security-Policy without `'wasm-unsafe-eval'`), when the `libsodium` package is not the
 * build this binding is written for, or when `sodium_init()` fails; on Node, also when
 * `WAMPBOX_SODIUM_BACKEND=native` asks for `sodium-native` and it cannot be used.
 */
export function sodiumReady(): Promise<void> {
  readyPromise ??= starter().then((binding) => {
    active = binding;
    ready = true;
  });
  return readyPromise;
}

/** `true` once {@link sodiumReady} has resolved: the primitives below may then be called. */
export function isSodiumReady(): boolean {
  return ready;
}

/**
 * Replace how the binding is chosen (the Node entry installs its own). No effect once
 * {@link sodiumReady} has been called: the binding is chosen once per process.
 */
export function setBindingStarter(start: () => Promise<SodiumBinding>): void {
  if (readyPromise === undefined) starter = start;
}

/**
 * E2E v2's signature check on the active binding when it has a faster one than the WebAssembly
 * build E2E v2 calls directly (`sodium-native`), else `undefined`. Internal.
 */
export function verifyPartsNatively(
  signature: Uint8Array,
  parts: readonly Uint8Array[],
  publicKey: Uint8Array,
): boolean | undefined {
  return ready ? active.verifyDetachedParts?.(signature, parts, publicKey) : undefined;
}

/**
 * Which libsodium binding cryptobox and cryptosign run on: `sodium-native` (Node, when installed)
 * or libsodium's WebAssembly build, with the reason when Node falls back to WebAssembly.
 * Initializes libsodium first if needed (once per process).
 *
 * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` when no binding can start (see
 *   `docs/cryptobox.md`, "Which libsodium runs").
 * @example
 * ```ts
 * import { sodiumBackend } from '@wampbox/cryptobox';
 * const { library, fallbackReason } = await sodiumBackend();
 * // "cryptobox runs on sodium-native", or "... on libsodium 0.8.4 (sodium-native is not installed)"
 * console.log(`cryptobox runs on ${library}${fallbackReason ? ` (${fallbackReason})` : ''}`);
 * ```
 */
export async function sodiumBackend(): Promise<SodiumBackendInfo> {
  await sodiumReady();
  return active.info;
}

/**
 * `crypto_box_beforenm(pk, sk)`: the precomputed shared key of a box.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `publicKey` is a low-order (weak)
 *   point, from which libsodium refuses to derive a key.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when a key is not 32 bytes.
 */
export function boxBeforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return active.boxBeforenm(publicKey, secretKey);
}

/**
 * `crypto_box_easy_afternm`: MAC (16 bytes) followed by the ciphertext.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the nonce is not 24 bytes or the key not 32,
 *   or the message does not fit in the WebAssembly heap.
 */
export function boxSealAfternm(message: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array {
  return (active.boxSealAfternm ?? wasmBoxSealAfternm)(message, nonce, sharedKey);
}

/**
 * `crypto_box_open_easy_afternm`: the plaintext, or `undefined` when the box does not verify
 * (wrong key, tampered with, or shorter than the 16-byte MAC) or the nonce or key has the wrong
 * length.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the box does not fit in the WebAssembly heap.
 */
export function boxOpenAfternm(box: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array | undefined {
  return (active.boxOpenAfternm ?? wasmBoxOpenAfternm)(box, nonce, sharedKey);
}

/**
 * Seal the UTF-8 encoding of `text` with a precomputed key (`crypto_box_easy_afternm`), in the
 * layout cryptobox sends: `nonce (24 bytes) || MAC (16) || ciphertext`.
 *
 * @param fillNonce - writes a fresh 24-byte nonce into the array it is given.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes or the text does not
 *   fit in the WebAssembly heap.
 */
export function sealTextAfternm(
  text: string,
  sharedKey: Uint8Array,
  fillNonce: (target: Uint8Array) => void,
): Uint8Array {
  return active.sealTextAfternm(text, sharedKey, fillNonce);
}

/**
 * Open a payload in cryptobox's layout, `nonce (24 bytes) || MAC (16) || ciphertext`, with a
 * precomputed key (`crypto_box_open_easy_afternm`) and decode the plaintext as UTF-8.
 * `undefined` when the box does not verify (wrong key, tampered with, too short) or the key has the
 * wrong length; `null` when it verifies but the plaintext is not valid UTF-8.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the payload does not fit in the WebAssembly heap.
 */
export function openTextAfternm(payload: Uint8Array, sharedKey: Uint8Array): string | undefined | null {
  return active.openTextAfternm(payload, sharedKey);
}

/**
 * `crypto_scalarmult_base`: the X25519 public key of a secret key.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the key is not 32 bytes.
 */
export function scalarmultBase(secretKey: Uint8Array): Uint8Array {
  return active.scalarmultBase(secretKey);
}

/** `crypto_box_keypair`: a fresh X25519 key pair from libsodium's CSPRNG. */
export function boxKeypair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  return active.boxKeypair();
}

/**
 * `crypto_sign_seed_keypair`: the Ed25519 key pair of a 32-byte seed. The secret key is
 * libsodium's 64-byte form (seed followed by public key).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the seed is not 32 bytes.
 */
export function signSeedKeypair(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  return active.signSeedKeypair(seed);
}

/**
 * `crypto_sign_detached`: the 64-byte Ed25519 signature of `message`.
 *
 * @param secretKey - libsodium's 64-byte secret key (seed followed by public key).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the secret key is not 64 bytes or the
 *   message does not fit in the WebAssembly heap.
 */
export function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return active.signDetached(message, secretKey);
}

/**
 * Comparison of two byte arrays in time that depends only on their length: `false` when the
 * lengths differ, else whether every byte is equal (no early exit).
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Test hook: copies of the active binding's scratch memory that may have held secrets (for the
 * WebAssembly binding its fixed region and its whole data region), to check that no secret stays
 * behind. Internal: not exported from the package index; never call it outside tests.
 */
export function scratchForTesting(): { fixed: Uint8Array; data: Uint8Array } {
  return active.scratchForTesting();
}
