import { SlowConsumerError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { EventData, EventHandler, SubscribeOptions } from '../types.js';

/** What a {@link Subscription} needs from its session. */
export interface SubscriptionOwner {
  unsubscribe(sub: Subscription): Promise<void>;
  /** Events are being dropped for `sub`'s iterator: report it. */
  overflow(err: SlowConsumerError): void;
}

/** The default bound of a subscription's buffer for iteration. */
export const DEFAULT_MAX_BUFFERED = 10_000;

/**
 * A live subscription. Events reach the handler given to `subscribe()`, and can also be read
 * with `for await (const ev of subscription)`; iteration ends when the subscription ends.
 * A subscription made without a handler buffers events from the start until they are read; one
 * with a handler buffers for iteration only once an iterator was created.
 *
 * @example
 * ```ts
 * const sub = await session.subscribe('com.example.tick');
 * for await (const ev of sub) { console.log(ev.args); if (ev.args[0] === 3) break; }
 * ```
 */
export class Subscription implements AsyncIterable<EventData> {
  /** Router-assigned subscription id. */
  declare readonly id: number;
  /** The topic (or pattern) subscribed to. */
  declare readonly topic: string;
  /** The options it was made with. */
  declare readonly options: Readonly<SubscribeOptions>;
  /** @internal */
  declare readonly handler: EventHandler | undefined;
  declare private readonly owner: SubscriptionOwner;
  declare private activeFlag: boolean;
  declare private queue: EventQueue<EventData> | undefined;
  declare private endReason: Error | null;
  declare private droppedCount: number;
  /** The last event was dropped: the overflow has been reported. */
  declare private overflowing: boolean;

  /** @internal */
  constructor(
    owner: SubscriptionOwner,
    id: number,
    topic: string,
    options: SubscribeOptions,
    handler: EventHandler | undefined,
  ) {
    this.owner = owner;
    this.id = id;
    this.topic = topic;
    this.options = options;
    this.handler = handler;
    this.activeFlag = true;
    this.endReason = null;
    this.droppedCount = 0;
    this.overflowing = false;
    // without a handler, iteration is the only way to read events: keep them from the start
    this.queue = handler ? undefined : new EventQueue(this.limit);
  }

  /** `false` once unsubscribed or the session ended. */
  get active(): boolean {
    return this.activeFlag;
  }

  /**
   * Stop receiving events. Resolves when the router confirmed (or at once if other local
   * subscriptions share the router subscription).
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   */
  unsubscribe(): Promise<void> {
    if (!this.activeFlag) return Promise.resolve();
    return this.owner.unsubscribe(this);
  }

  /** How many events the iterator missed because its buffer was full (see the `maxBuffered` option). */
  get dropped(): number {
    return this.droppedCount;
  }

  private get limit(): number {
    return this.options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  }

  /** @internal Deliver one event to iterators. */
  push(ev: EventData): void {
    if (!this.queue) return;
    if (this.queue.push(ev)) {
      this.overflowing = false;
      return;
    }
    this.droppedCount++;
    if (this.overflowing) return;
    this.overflowing = true;
    this.owner.overflow(new SlowConsumerError(this.topic, this.droppedCount, this.limit));
  }

  /** @internal Whether anything reads events through iteration. */
  get iterated(): boolean {
    return this.queue !== undefined;
  }

  /** @internal The subscription ended (unsubscribed, revoked or session closed). */
  end(reason?: Error): void {
    if (!this.activeFlag) return;
    this.activeFlag = false;
    if (reason) this.endReason = reason;
    this.queue?.end();
  }

  /** Read events until the subscription ends; breaking out of the loop unsubscribes. */
  [Symbol.asyncIterator](): AsyncIterator<EventData> {
    const queue = (this.queue ??= new EventQueue(this.limit));
    if (!this.activeFlag) queue.end();
    return queue.iterator(() => this.unsubscribe().catch(() => undefined));
  }

  /** The error the subscription ended with, if it ended abnormally. */
  get error(): Error | null {
    return this.endReason;
  }
}

/** Not part of the public API: the router-side subscription shared by local subscriptions to the same topic. */
export interface SubscriptionEntry {
  readonly topic: string;
  readonly subs: Set<Subscription>;
}
