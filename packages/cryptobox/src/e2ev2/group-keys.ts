/**
 * The group keys a reader holds (§b.3, Decision 10): each with its id (`KID`), the scope it is
 * valid for (a dot-aware prefix), an optional expiry and an optional list of the publishers that
 * may write under it.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { CONTENT_KEY_BYTES } from './constants.js';
import { keyId, toHex } from './derive.js';

/** A group key as configured. */
export interface GroupKeyInput {
  /** `K_g`, 32 bytes. */
  readonly key: Uint8Array;
  /** The URIs it may be used on. */
  readonly scope: string;
  /** Milliseconds since the epoch after which (plus the receiver's grace) it is refused. */
  readonly notAfter?: number | undefined;
  /** When given, only these Ed25519 keys may publish under it. */
  readonly writers?: readonly Uint8Array[] | undefined;
}

/** A held group key. */
export interface GroupKey {
  readonly key: Uint8Array;
  readonly kid: Uint8Array;
  readonly scope: string;
  readonly notAfter: number | undefined;
  /** Hex of the writers' keys, or `undefined` when any authorized publisher may write. */
  readonly writers: ReadonlySet<string> | undefined;
}

/** The group keys of one reader, by id. One key has one id, so it is held in one scope. */
export class GroupKeyStore {
  readonly #keys = new Map<string, GroupKey>();

  constructor(keys: Iterable<GroupKeyInput> = []) {
    for (const k of keys) this.add(k);
  }

  /**
   * Hold a key (replacing the one with the same id).
   * @throws InvalidArgumentError for a key that is not 32 bytes.
   */
  add(input: GroupKeyInput): GroupKey {
    if (!(input.key instanceof Uint8Array) || input.key.length !== CONTENT_KEY_BYTES) {
      throw new InvalidArgumentError('a group key must be 32 bytes');
    }
    const kid = keyId(input.key);
    const entry: GroupKey = {
      key: input.key.slice(),
      kid,
      scope: input.scope,
      notAfter: input.notAfter,
      writers: input.writers === undefined ? undefined : new Set(input.writers.map(toHex)),
    };
    this.#keys.set(toHex(kid), entry);
    return entry;
  }

  /** The key with this id (hex), or `undefined`. */
  get(kid: string): GroupKey | undefined {
    return this.#keys.get(kid);
  }

  /** Make the key with this id (hex) expire at `notAfter` at the latest. */
  expire(kid: string, notAfter: number): void {
    const k = this.#keys.get(kid);
    if (k !== undefined && !(k.notAfter !== undefined && k.notAfter <= notAfter))
      this.#keys.set(kid, { ...k, notAfter });
  }

  /** Stop holding the key with this id (hex). */
  remove(kid: string): void {
    this.#keys.delete(kid);
  }
}
