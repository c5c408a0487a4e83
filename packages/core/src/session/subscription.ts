import { Emitter } from '../emitter.js';
import { SlowConsumerError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { EventData, EventHandler, SubscribeOptions } from '../types.js';
import type { HandleEvents, Revocation } from './revocation.js';

/** What a {@link Subscription} needs from its session. */
export interface SubscriptionOwner {
  unsubscribe(sub: Subscription): Promise<void>;
  /** Report an error that belongs to no operation (events dropped for an iterator, a listener that threw). */
  report(err: unknown): void;
}

/**
 * The buffer of a subscription's iterator: at most `maxBuffered` events (default 10000), and a
 * {@link SlowConsumerError} for `overflow` at the first drop of each overflow.
 */
export function boundedQueue(
  topic: string,
  options: SubscribeOptions,
  overflow: (err: SlowConsumerError) => void,
): EventQueue<EventData> {
  const limit = options.maxBuffered ?? 10_000;
  return new EventQueue<EventData>(limit, (dropped) => overflow(new SlowConsumerError(topic, dropped, limit)));
}

/**
 * A live subscription. Events reach the handler given to `subscribe()`, and can also be read
 * with `for await (const ev of subscription)`; iteration ends when the subscription ends.
 * A subscription made without a handler buffers events from the start until they are read; one
 * with a handler buffers for iteration only once an iterator was created. When the router revokes
 * it, it emits `revoked` (see {@link HandleEvents}) and its iterator finishes.
 *
 * @example
 * ```ts
 * const sub = await session.subscribe('com.example.tick');
 * sub.on('revoked', ({ reason }) => console.log('removed by the router:', reason));
 * for await (const ev of sub) { console.log(ev.args); if (ev.args[0] === 3) break; }
 * ```
 */
export class Subscription extends Emitter<HandleEvents> implements AsyncIterable<EventData> {
  /** Router-assigned subscription id. */
  declare readonly id: number;
  /** The topic (or pattern) subscribed to. */
  declare readonly topic: string;
  /** The options it was made with. */
  declare readonly options: Readonly<SubscribeOptions>;
  /** @internal */
  declare readonly handler: EventHandler | undefined;
  declare private readonly owner_: SubscriptionOwner;
  declare private activeFlag_: boolean;
  declare private queue_: EventQueue<EventData> | undefined;
  declare private endReason_: Error | null;

  /** @internal */
  constructor(
    owner: SubscriptionOwner,
    id: number,
    topic: string,
    options: SubscribeOptions,
    handler: EventHandler | undefined,
  ) {
    super();
    this.owner_ = owner;
    this.id = id;
    this.topic = topic;
    this.options = options;
    this.handler = handler;
    this.activeFlag_ = true;
    this.endReason_ = null;
    // without a handler, iteration is the only way to read events: keep them from the start
    this.queue_ = handler ? undefined : this.makeQueue_();
  }

  /** `false` once unsubscribed, revoked or the session ended. */
  get active(): boolean {
    return this.activeFlag_;
  }

  /**
   * Stop receiving events. Resolves when the router confirmed (or at once if other local
   * subscriptions share the router subscription).
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   */
  unsubscribe(): Promise<void> {
    if (!this.activeFlag_) return Promise.resolve();
    return this.owner_.unsubscribe(this);
  }

  /** How many events the iterator missed because its buffer was full (see the `maxBuffered` option). */
  get dropped(): number {
    return this.queue_?.dropped ?? 0;
  }

  private makeQueue_(): EventQueue<EventData> {
    return boundedQueue(this.topic, this.options, (err) => this.owner_.report(err));
  }

  /** @internal A `revoked` listener threw: the session reports it. */
  protected override unheard(err: unknown): void {
    this.owner_.report(err);
  }

  /** @internal Deliver one event to iterators. */
  push(ev: EventData): void {
    this.queue_?.push(ev);
  }

  /** @internal Whether anything reads events through iteration. */
  get iterated(): boolean {
    return this.queue_ !== undefined;
  }

  /** @internal The subscription ended (unsubscribed, revoked or session closed). */
  end(reason?: Error, revocation?: Revocation): void {
    if (!this.activeFlag_) return;
    this.activeFlag_ = false;
    if (reason) this.endReason_ = reason;
    this.queue_?.end();
    if (revocation) this.emit('revoked', revocation);
  }

  /** Read events until the subscription ends; breaking out of the loop unsubscribes. */
  [Symbol.asyncIterator](): AsyncIterator<EventData> {
    const queue = (this.queue_ ??= this.makeQueue_());
    if (!this.activeFlag_) queue.end();
    return queue.iterator(() => this.unsubscribe().catch(() => undefined));
  }

  /**
   * The error the subscription ended with, if it ended abnormally: the session's end, or (a
   * `SessionClosedError` whose `reason` is the router's) a revocation, which also emits `revoked`.
   */
  get error(): Error | null {
    return this.endReason_;
  }
}

/** Not part of the public API: the router-side subscription shared by local subscriptions to the same topic. */
export interface SubscriptionEntry {
  readonly topic: string;
  readonly subs: Set<Subscription>;
}
