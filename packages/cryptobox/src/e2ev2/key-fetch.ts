/**
 * The reader's side of the key service (§b.8.3, Decision 20): an EVENT under a key id the reader
 * does not hold is held back while the key is fetched with a sealed, signed call to
 * `‹ns›.e2e.key.get`, then opened again. Received messages are opened in order, so the events after
 * it wait too: the buffering is in order by construction. Bounded: at most `maxWaiting` events wait
 * at once (beyond that they are refused at once, `unknown_key`), one fetch per key id is in flight,
 * each fetch ends after `timeoutMs`, and a key id whose fetch failed is not asked for again before
 * `retryAfterMs`.
 */
import { InvalidArgumentError, type Dict, type WampApi } from '@wampbox/core';
import { bytesEqual } from '../sodium.js';
import { keyId, toHex } from './derive.js';
import { E2eV2Error } from './errors.js';
import type { GroupKeyInput } from './group-keys.js';

/** How a reader fetches the group keys it meets but does not hold. */
export interface KeyFetchOptions {
  /** The key service's procedure (`‹ns›.e2e.key.get`), or a function of the event's topic giving it. */
  readonly procedure: string | ((topic: string) => string);
  /** How long one fetch may take, in ms (default 2000). */
  readonly timeoutMs?: number | undefined;
  /** How many events may wait for keys at once (default 64). */
  readonly maxWaiting?: number | undefined;
  /** How long a key id whose fetch failed is refused without asking again, in ms (default 30000). */
  readonly retryAfterMs?: number | undefined;
}

/** At most this many failed key ids are remembered. */
const FAILED_BOUND = 1024;

/** Check a key.get reply against the id asked for. @throws E2eV2Error `keypkg` or `key-commitment`. */
export function parseKeyReply(kwargs: Dict, asked: Uint8Array): GroupKeyInput {
  const { kid, key, scope, not_after: notAfter, writers } = kwargs;
  const ok =
    kid instanceof Uint8Array &&
    key instanceof Uint8Array &&
    key.length === 32 &&
    typeof scope === 'string' &&
    (notAfter === null || notAfter === undefined || Number.isSafeInteger(notAfter)) &&
    (writers === undefined || writers === null || (Array.isArray(writers) && writers.every(isKey)));
  if (!ok) throw new E2eV2Error('keypkg', 'malformed key.get reply');
  if (!bytesEqual(keyId(key), kid) || !bytesEqual(kid, asked)) {
    throw new E2eV2Error('key-commitment', 'key.get reply: KID(key) differs from the kid asked for');
  }
  return {
    key,
    scope,
    notAfter: typeof notAfter === 'number' ? notAfter : undefined,
    writers: Array.isArray(writers) ? writers : undefined,
  };
}

function isKey(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === 32;
}

/** Fetches keys for one codec instance. */
export class KeyFetcher {
  readonly #api: WampApi;
  readonly #procedure: (topic: string) => string;
  readonly #timeoutMs: number;
  readonly #maxWaiting: number;
  readonly #retryAfterMs: number;
  readonly #hold: (k: GroupKeyInput) => void;
  readonly #clock: () => number;
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #failed = new Map<string, number>();
  #waiting = 0;

  /**
   * @param hold - stores a fetched key where the receiver finds it.
   * @throws InvalidArgumentError for options of the wrong shape.
   */
  constructor(api: WampApi, options: KeyFetchOptions, hold: (k: GroupKeyInput) => void, clock: () => number) {
    const p = options.procedure;
    if (typeof p !== 'string' && typeof p !== 'function') {
      throw new InvalidArgumentError('fetchKeysFrom: procedure is a URI or a function of the topic');
    }
    for (const k of ['timeoutMs', 'maxWaiting', 'retryAfterMs'] as const) {
      const v = options[k];
      if (v !== undefined && !(typeof v === 'number' && v >= 0)) {
        throw new InvalidArgumentError(`fetchKeysFrom: ${k} is a non-negative number`);
      }
    }
    this.#api = api;
    this.#procedure = typeof p === 'string' ? () => p : p;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxWaiting = options.maxWaiting ?? 64;
    this.#retryAfterMs = options.retryAfterMs ?? 30_000;
    this.#hold = hold;
    this.#clock = clock;
  }

  /** How many events wait for a key now. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Wait for the key `refusal` names and run `retry` (which opens the event again), or rethrow
   * `refusal` when the bound is reached, the key id failed recently, or the fetch fails.
   */
  async hold<T>(refusal: E2eV2Error & { kid: Uint8Array }, topic: string, retry: () => T): Promise<T> {
    const id = toHex(refusal.kid);
    const failedUntil = this.#failed.get(id);
    if (failedUntil !== undefined && failedUntil > this.#clock()) throw refusal;
    if (this.#waiting >= this.#maxWaiting) throw refusal;
    this.#waiting++;
    try {
      let fetching = this.#inflight.get(id);
      if (fetching === undefined) {
        fetching = this.#fetch(refusal.kid, topic).finally(() => this.#inflight.delete(id));
        this.#inflight.set(id, fetching);
      }
      try {
        await fetching;
      } catch (e) {
        throw new E2eV2Error('unknown_key', `${refusal.message} (fetching it failed)`, { cause: e, kid: refusal.kid });
      }
      return retry();
    } finally {
      this.#waiting--;
    }
  }

  async #fetch(kid: Uint8Array, topic: string): Promise<void> {
    const id = toHex(kid);
    try {
      const r = await this.#api.call(
        this.#procedure(topic),
        [],
        { kid, uri: topic },
        {
          unordered: true,
          timeoutMs: this.#timeoutMs,
        },
      );
      this.#hold(parseKeyReply(r.kwargs, kid));
      this.#failed.delete(id);
    } catch (e) {
      if (this.#failed.size >= FAILED_BOUND) this.#failed.delete(this.#failed.keys().next().value!);
      this.#failed.set(id, this.#clock() + this.#retryAfterMs);
      throw e;
    }
  }
}
