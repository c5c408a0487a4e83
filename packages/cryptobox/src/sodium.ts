/**
 * The one place that touches libsodium. `libsodium-wrappers` initializes asynchronously
 * (`await sodium.ready`); once it has, every primitive is synchronous, so callers check
 * {@link isSodiumReady} and only fall back to a promise before the first initialization.
 *
 * Packaging note: the library's ESM build exposes the primitives only on its default export,
 * and they are attached to that object when `ready` resolves; its CommonJS build attaches them
 * to `module.exports`. A namespace import plus `.default` finds the same object in both cases
 * (and with bundlers' CommonJS interop), so both `import` and `require` of this package work.
 */
import * as sodiumNamespace from 'libsodium-wrappers';

type Sodium = typeof sodiumNamespace;

const sodium: Sodium = ((sodiumNamespace as unknown as { default?: Sodium }).default ?? sodiumNamespace) as Sodium;

/** Bytes in an X25519 key (public or secret) and in a precomputed shared key. */
export const KEY_BYTES = 32;
/** Bytes in a crypto_box nonce. */
export const NONCE_BYTES = 24;
/** Bytes in a crypto_box authentication tag. */
export const MAC_BYTES = 16;

let ready = false;
let readyPromise: Promise<void> | undefined;

/** Resolves once libsodium is initialized (idempotent, shared by all callers). */
export function sodiumReady(): Promise<void> {
  if (readyPromise === undefined) {
    readyPromise = Promise.resolve(sodium.ready).then(() => {
      ready = true;
    });
  }
  return readyPromise;
}

/** `true` once {@link sodiumReady} has resolved: the primitives below may then be called. */
export function isSodiumReady(): boolean {
  return ready;
}

/** `crypto_box_beforenm(pk, sk)`: the precomputed shared key of a box. */
export function boxBeforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_box_beforenm(publicKey, secretKey);
}

/** `crypto_box_easy_afternm`: MAC (16 bytes) followed by the ciphertext. */
export function boxSealAfternm(message: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array {
  return sodium.crypto_box_easy_afternm(message, nonce, sharedKey);
}

/**
 * `crypto_box_open_easy_afternm`: the plaintext, or `undefined` when the box does not verify.
 */
export function boxOpenAfternm(box: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array | undefined {
  try {
    return sodium.crypto_box_open_easy_afternm(box, nonce, sharedKey);
  } catch {
    return undefined;
  }
}

/** `crypto_scalarmult_base`: the X25519 public key of a secret key. */
export function scalarmultBase(secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_scalarmult_base(secretKey);
}

/** `crypto_box_keypair`: a fresh X25519 key pair from libsodium's CSPRNG. */
export function boxKeypair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const kp = sodium.crypto_box_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** Constant-time comparison of two equally long byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return sodium.memcmp(a, b);
}
