/**
 * Replay windows per sender stream (§b.6 step 5, §b.7, Decision 6): for each `(spk, sid)`, the
 * highest accepted `seq` (`top`) and which of the `size` numbers below it were accepted
 * (RFC 4303 §3.4.3 / RFC 6479). A `seq` passes when it is above `top`, or less than `size` below it
 * and not accepted before.
 *
 * Memory is bounded: at most `perSender` windows per `spk` and `total` overall, the least recently
 * used evicted first. An evicted window is forgotten, exactly as after a restart: a replay within
 * the freshness bound is then accepted once (the documented limit of §b.7). A sender can only fill
 * its own share, and windows are created only for payloads that passed every check, so an
 * authorized sender that opens many streams evicts its own old windows, not other senders'.
 */
import { InvalidArgumentError } from '@wampbox/core';

/** Bounds of a {@link ReplayWindows}. */
export interface ReplayWindowOptions {
  /** Numbers tracked below the highest accepted one (default 1024; a multiple of 32). */
  readonly size?: number | undefined;
  /** Windows kept per sender key (default 64). */
  readonly perSender?: number | undefined;
  /** Windows kept overall (default 4096). */
  readonly total?: number | undefined;
}

/**
 * A sequence number: a `number` up to 2^53 - 1 (what every sender uses: no BigInt on the hot
 * path), a `bigint` beyond. A `bigint` within the safe range is taken as a `number`.
 */
type Seq = bigint | number;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function norm(seq: Seq): Seq {
  return typeof seq === 'bigint' && seq <= MAX_SAFE && seq >= 0n ? Number(seq) : seq;
}

interface Window {
  readonly sender: string;
  top: Seq;
  /** Bit `seq mod size` is set when `seq` (within `size` below `top`) was accepted. */
  readonly seen: Uint32Array;
}

/** The replay windows of one receiver. */
export class ReplayWindows {
  readonly #size: number;
  readonly #sizeBig: bigint;
  readonly #perSender: number;
  readonly #total: number;
  /** All windows by stream, least recently used first. */
  readonly #windows = new Map<string, Window>();
  /** Per sender key: its streams, least recently used first. */
  readonly #bySender = new Map<string, Set<string>>();
  /** The stream of the last accepted number: the most recently used window. */
  #mostRecent: string | undefined;
  /** The last stream key made, and what it was made of: a steady stream's key is not made again. */
  #lastSpk = '';
  #lastSid = '';
  #lastKey = '';

  constructor(options: ReplayWindowOptions = {}) {
    const size = options.size ?? 1024;
    const perSender = options.perSender ?? 64;
    const total = options.total ?? 4096;
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) {
      throw new InvalidArgumentError('the window size must be a positive multiple of 32');
    }
    if (!Number.isInteger(perSender) || perSender < 1 || !Number.isInteger(total) || total < 1) {
      throw new InvalidArgumentError('the window bounds must be positive integers');
    }
    this.#size = size;
    this.#sizeBig = BigInt(size);
    this.#perSender = perSender;
    this.#total = total;
  }

  /** How many windows are kept (for tests and metrics). */
  get count(): number {
    return this.#windows.size;
  }

  /** How many windows are kept for the sender key `spk` (hex). */
  countFor(spk: string): number {
    return this.#bySender.get(spk)?.size ?? 0;
  }

  /**
   * Whether `seq` may be accepted on the stream `(spk, sid)` (both in hex). Reads only: neither the
   * window nor its recency changes.
   */
  check(spk: string, sid: string, seq: bigint | number): boolean {
    const w = this.#windows.get(this.#key(spk, sid));
    seq = norm(seq);
    if (w === undefined || seq > w.top) return true;
    if (this.#distance(w.top, seq) >= this.#size) return false;
    const bit = this.#bit(seq);
    return (w.seen[bit >>> 5]! & (1 << (bit & 31))) === 0;
  }

  /**
   * Record `seq` as accepted on `(spk, sid)` (call only after {@link check} passed and every other
   * check did): moves the window, marks it most recently used, and evicts beyond the bounds.
   */
  accept(spk: string, sid: string, seq: bigint | number): void {
    const key = this.#key(spk, sid);
    seq = norm(seq);
    let w = this.#windows.get(key);
    if (w !== undefined && key === this.#mostRecent) {
      // a steady stream: already the most recently used, nothing to reorder or evict
      this.#mark(w, seq);
      return;
    }
    if (w === undefined) {
      w = { sender: spk, top: 0, seen: new Uint32Array(this.#size / 32) };
    } else {
      this.#windows.delete(key);
      this.#bySender.get(spk)?.delete(key);
    }
    this.#mostRecent = key;
    this.#mark(w, seq);
    this.#windows.set(key, w);
    let streams = this.#bySender.get(spk);
    if (streams === undefined) {
      streams = new Set();
      this.#bySender.set(spk, streams);
    }
    streams.add(key);
    if (streams.size > this.#perSender) this.#evict(streams.values().next().value!);
    if (this.#windows.size > this.#total) this.#evict(this.#windows.keys().next().value!);
  }

  /** Forget every window (what a restart does). */
  clear(): void {
    this.#windows.clear();
    this.#bySender.clear();
    this.#mostRecent = undefined;
  }

  #mark(w: Window, seq: Seq): void {
    if (seq > w.top) this.#advance(w, seq);
    const bit = this.#bit(seq);
    w.seen[bit >>> 5] = w.seen[bit >>> 5]! | (1 << (bit & 31));
  }

  /** The bit of `seq` in a window: `seq mod size`. */
  #bit(seq: Seq): number {
    return typeof seq === 'number' ? seq % this.#size : Number(seq % this.#sizeBig);
  }

  /** `high - low` (`high` at least `low`), capped: any distance of a window size or more is that size. */
  #distance(high: Seq, low: Seq): number {
    if (typeof high === 'number' && typeof low === 'number') return Math.min(high - low, this.#size);
    const d = BigInt(high) - BigInt(low);
    return d >= this.#sizeBig ? this.#size : Number(d);
  }

  /** The map key of the stream `(spk, sid)`. */
  #key(spk: string, sid: string): string {
    if (spk !== this.#lastSpk || sid !== this.#lastSid) {
      this.#lastSpk = spk;
      this.#lastSid = sid;
      this.#lastKey = `${spk}/${sid}`;
    }
    return this.#lastKey;
  }

  #advance(w: Window, seq: Seq): void {
    const distance = this.#distance(seq, w.top);
    if (distance >= this.#size) {
      w.seen.fill(0);
    } else {
      // clear the bits of the numbers the window moves over (top+1 .. seq), in plain numbers
      const from = this.#bit(w.top);
      for (let k = 1; k <= distance; k++) {
        const bit = (from + k) % this.#size;
        w.seen[bit >>> 5] = w.seen[bit >>> 5]! & ~(1 << (bit & 31));
      }
    }
    w.top = seq;
  }

  #evict(key: string): void {
    const w = this.#windows.get(key);
    if (w === undefined) return;
    if (key === this.#mostRecent) this.#mostRecent = undefined;
    this.#windows.delete(key);
    const streams = this.#bySender.get(w.sender);
    streams?.delete(key);
    if (streams?.size === 0) this.#bySender.delete(w.sender);
  }
}
