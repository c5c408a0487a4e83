/** Sizes of E2E v2's libsodium primitives (`sodium-v2.ts`, `sodium-v2-keys.ts`). */

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
