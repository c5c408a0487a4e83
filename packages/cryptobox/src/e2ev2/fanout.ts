/**
 * One publication, several subscriptions: a session whose subscriptions overlap (an exact and a
 * prefix subscription, say) receives one EVENT per subscription, all carrying the same sealed
 * payload. The first is opened; the replay window refuses the others. This remembers the last
 * opened events by publication id and a digest of their sealed bytes, so that a copy with the same
 * publication id and the same bytes is delivered again (as the router's fan-out) instead of being
 * refused. Anything else that repeats a payload is still a replay.
 */
import { genericHash } from '../sodium-v2.js';
import { bytesEqual } from '../sodium.js';
import type { Payload } from '@wampbox/core';

interface Opened {
  readonly digest: Uint8Array;
  readonly payload: Payload;
}

/** The last `capacity` opened events, by publication id. */
export class FanOut {
  readonly #byPublication = new Map<number, Opened>();

  constructor(readonly capacity = 64) {}

  /** Remember an opened event. */
  opened(publication: number, sealed: Uint8Array, payload: Payload): void {
    this.#byPublication.delete(publication);
    this.#byPublication.set(publication, { digest: genericHash(16, sealed), payload });
    if (this.#byPublication.size > this.capacity) this.#byPublication.delete(this.#byPublication.keys().next().value!);
  }

  /** A copy of the payload opened for `publication` from the same sealed bytes, or `undefined`. */
  again(publication: number, sealed: Uint8Array): Payload | undefined {
    const o = this.#byPublication.get(publication);
    if (o === undefined || !bytesEqual(o.digest, genericHash(16, sealed))) return undefined;
    return structuredClone(o.payload);
  }
}
