/**
 * An E2E v2 participant's Ed25519 identity (§b.3, §b.8.6): given as a 32-byte seed (a cryptosign
 * seed works) or as libsodium's key pair.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { bytesEqual, signSeedKeypair } from '../sodium.js';

/** This participant's Ed25519 identity: a 32-byte seed, or libsodium's key pair (64-byte secret key). */
export type E2eV2IdentityInput =
  { readonly seed: Uint8Array } | { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array };

/** An identity as a key pair: `publicKey` (32 bytes) and libsodium's 64-byte `secretKey` (copies). */
export interface IdentityKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * The key pair of an identity (libsodium must be ready). The caller owns (and should wipe) the
 * returned secret key.
 * @throws InvalidArgumentError for a seed that is not 32 bytes or a key pair whose halves differ.
 */
export function identityKeyPair(id: E2eV2IdentityInput, what = 'identity'): IdentityKeyPair {
  if ('seed' in id) {
    if (!(id.seed instanceof Uint8Array) || id.seed.length !== 32)
      throw new InvalidArgumentError(`${what}: a seed is 32 bytes`);
    const seed = id.seed.slice();
    try {
      return signSeedKeypair(seed);
    } finally {
      seed.fill(0);
    }
  }
  const ok =
    id.publicKey instanceof Uint8Array &&
    id.publicKey.length === 32 &&
    id.secretKey instanceof Uint8Array &&
    id.secretKey.length === 64;
  if (!ok || !bytesEqual(id.secretKey.subarray(32), id.publicKey)) {
    throw new InvalidArgumentError(`${what}: the secret key (64 bytes) does not belong to the public key (32 bytes)`);
  }
  return { publicKey: id.publicKey.slice(), secretKey: id.secretKey.slice() };
}
