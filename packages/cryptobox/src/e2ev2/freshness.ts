/**
 * Freshness (§b.6 step 4, §b.7, Decision 7): a payload's `ts` (ms since the epoch, u64) may differ
 * from the receiver's clock by at most `maxSkewMs`, in the past or the future, the bound itself
 * included. 0 turns the check off (clockless devices). The clock is injectable, so tests and
 * applications with their own time source control it.
 */
import { InvalidArgumentError } from '@wampbox/core';

/** Freshness policy and clock of a receiver. */
export interface FreshnessOptions {
  /** Largest accepted `|now - ts|` in ms (default 300000, five minutes); 0 turns the check off. */
  readonly maxSkewMs?: number | undefined;
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly clock?: (() => number) | undefined;
}

/** A receiver's clock and how far from it a timestamp may be. */
export class Freshness {
  readonly #maxSkew: number;
  readonly #maxSkewBig: bigint;
  readonly #clock: () => number;

  /** @throws InvalidArgumentError when `maxSkewMs` is not a non-negative integer. */
  constructor(options: FreshnessOptions = {}) {
    const maxSkew = options.maxSkewMs ?? 300_000;
    if (!Number.isSafeInteger(maxSkew) || maxSkew < 0) {
      throw new InvalidArgumentError('maxSkewMs must be a non-negative integer');
    }
    this.#maxSkew = maxSkew;
    this.#maxSkewBig = BigInt(maxSkew);
    this.#clock = options.clock ?? Date.now;
  }

  /** The clock's reading, in ms. */
  now(): number {
    return this.#clock();
  }

  /**
   * Whether `ts` is within the bound of `now` (always, when the check is off). A `number` `ts` must
   * be a safe integer (as the parse step gives it); larger ones come as a `bigint`.
   */
  isFresh(ts: bigint | number, now: number): boolean {
    if (this.#maxSkew === 0) return true;
    const t = Math.trunc(now);
    if (typeof ts === 'number' && Number.isSafeInteger(t)) {
      // both safe integers: the difference is exact
      const skew = t - ts;
      return skew <= this.#maxSkew && -skew <= this.#maxSkew;
    }
    const skew = BigInt(t) - BigInt(ts);
    return skew <= this.#maxSkewBig && -skew <= this.#maxSkewBig;
  }
}
