/**
 * The callee scope keys a callee holds (§b.3): X25519 key pairs per procedure prefix, to which
 * callers wrap their session keys. The one that covers a procedure (longest dot-aware prefix)
 * opens a `WRAPPED` CALL on it.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { scalarmultBase } from '../sodium.js';
import { longestCovering } from './prefix.js';

/** A scope key as configured. */
export interface ScopeKeyInput {
  readonly prefix: string;
  /** The X25519 secret key (32 bytes). */
  readonly secretKey: Uint8Array;
}

/** A held scope key. */
export interface ScopeKey {
  readonly prefix: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The scope keys of one callee. */
export class ScopeKeyStore {
  readonly #keys: ScopeKey[] = [];

  constructor(keys: Iterable<ScopeKeyInput> = []) {
    for (const k of keys) this.add(k);
  }

  /**
   * Hold a scope key (its public key is computed; libsodium must be ready).
   * @throws InvalidArgumentError for a key that is not 32 bytes.
   */
  add(input: ScopeKeyInput): void {
    if (!(input.secretKey instanceof Uint8Array) || input.secretKey.length !== 32) {
      throw new InvalidArgumentError('a scope secret key must be 32 bytes');
    }
    const secretKey = input.secretKey.slice();
    this.#keys.push({ prefix: input.prefix, secretKey, publicKey: scalarmultBase(secretKey) });
  }

  /** The scope key that covers `procedure`, or `undefined`. */
  covering(procedure: string): ScopeKey | undefined {
    return longestCovering(this.#keys, procedure);
  }
}
