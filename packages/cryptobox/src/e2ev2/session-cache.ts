/**
 * The sessions a callee knows (§b.6 step 6, Decision 11): `kid → (K_s, owner, scope)`, stored when
 * a `WRAPPED` CALL passed every check, so that later calls of the session need no wrap and no
 * signature. Bounded (least recently used evicted, default 4096): a lost session makes the callee
 * answer `unknown_key`, and the caller wraps its key again.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { keyId, toHex } from './derive.js';

/** A cached session. */
export interface CachedSession {
  /** `K_s`. */
  readonly key: Uint8Array;
  readonly kid: Uint8Array;
  /** The Ed25519 key of the caller that wrapped it. */
  readonly owner: Uint8Array;
  /** The prefix of the scope key that opened the wrap. */
  readonly scope: string;
}

/** A callee's session cache. */
export class SessionCache {
  readonly #sessions = new Map<string, CachedSession>();
  readonly #capacity: number;

  constructor(capacity = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidArgumentError('capacity must be positive');
    this.#capacity = capacity;
  }

  /** How many sessions are cached. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session with this id (hex), without changing its recency. */
  peek(kid: string): CachedSession | undefined {
    return this.#sessions.get(kid);
  }

  /** Cache (or refresh) a session as the most recently used, evicting the least recently used beyond the bound. */
  put(session: { key: Uint8Array; owner: Uint8Array; scope: string }): CachedSession {
    const kid = keyId(session.key);
    const entry: CachedSession = { key: session.key.slice(), kid, owner: session.owner.slice(), scope: session.scope };
    const hexKid = toHex(kid);
    this.#sessions.delete(hexKid);
    this.#sessions.set(hexKid, entry);
    if (this.#sessions.size > this.#capacity) this.#sessions.delete(this.#sessions.keys().next().value!);
    return entry;
  }

  /** Mark a session as the most recently used. */
  touch(kid: string): void {
    const s = this.#sessions.get(kid);
    if (s === undefined) return;
    this.#sessions.delete(kid);
    this.#sessions.set(kid, s);
  }
}
