/**
 * The contract between `sodium.ts` and a libsodium binding: the primitives cryptobox and cryptosign
 * call, implemented once on libsodium's WebAssembly build (`wasm-binding.ts`, every platform) and
 * once on the `sodium-native` addon (`native-binding.ts`, Node only). Both run the same C code and
 * give the same bytes for the same inputs; they differ in where the bytes live while libsodium
 * works on them and in what that costs per call.
 */

/**
 * Which libsodium binding cryptobox and cryptosign run on, as {@link sodiumBackend} reports it.
 */
export interface SodiumBackendInfo {
  /**
   * `'native'`: the `sodium-native` addon (Node, when it is installed and loads);
   * `'wasm'`: libsodium's WebAssembly build (the npm package `libsodium`), everywhere else.
   */
  readonly binding: 'native' | 'wasm';
  /** The npm package, with its version where it is known: `sodium-native` or `libsodium 0.8.4`. */
  readonly library: string;
  /**
   * On Node, why the WebAssembly build runs instead of `sodium-native`: the addon is not installed,
   * did not load, failed its self-test, or `WAMPBOX_SODIUM_BACKEND=wasm` asked for it. Absent when
   * the native binding runs, and in browsers (which have no native binding).
   */
  readonly fallbackReason?: string | undefined;
}

/** A key pair as the bindings return it (fresh arrays, owned by the caller). */
export interface BindingKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * The primitives of one binding, with the semantics `sodium.ts` documents for each. Every method
 * checks its argument sizes, returns fresh arrays that alias no scratch memory, and wipes the
 * scratch bytes that held a secret before it returns or throws.
 */
export interface SodiumBinding {
  readonly info: SodiumBackendInfo;
  boxBeforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /**
   * Seal and open of bytes (cryptobox seals and opens text, with the two methods below): the
   * WebAssembly binding leaves them out of its object, so that the browser bundles, which never
   * call them, drop them; `sodium.ts` then calls the WebAssembly functions directly.
   */
  boxSealAfternm?(message: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array;
  boxOpenAfternm?(box: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array | undefined;
  sealTextAfternm(text: string, sharedKey: Uint8Array, fillNonce: (target: Uint8Array) => void): Uint8Array;
  openTextAfternm(payload: Uint8Array, sharedKey: Uint8Array): string | undefined | null;
  scalarmultBase(secretKey: Uint8Array): Uint8Array;
  boxKeypair(): BindingKeyPair;
  signSeedKeypair(seed: Uint8Array): BindingKeyPair;
  signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /**
   * `crypto_sign_verify_detached` over the concatenation of `parts` (E2E v2's signature check), on
   * bindings faster than the WebAssembly one that E2E v2 otherwise calls directly; `false` for a
   * signature or key of the wrong length.
   */
  verifyDetachedParts?(signature: Uint8Array, parts: readonly Uint8Array[], publicKey: Uint8Array): boolean;
  /** Copies of the scratch memory that may have held secrets, for the tests that check it is wiped. */
  scratchForTesting(): { fixed: Uint8Array; data: Uint8Array };
}

/** Bytes in an X25519 key (public or secret) and in a precomputed shared key. */
export const KEY_BYTES = 32;
/** Bytes in a crypto_box nonce. */
export const NONCE_BYTES = 24;
/** Bytes in a crypto_box authentication tag. */
export const MAC_BYTES = 16;
/** Bytes in an Ed25519 seed. */
export const SIGN_SEED_BYTES = 32;
/** Bytes in an Ed25519 public key. */
export const SIGN_PUBLIC_KEY_BYTES = 32;
/** Bytes in libsodium's Ed25519 secret key (seed followed by public key). */
export const SIGN_SECRET_KEY_BYTES = 64;
/** Bytes in an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
