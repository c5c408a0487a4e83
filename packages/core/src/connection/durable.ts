/** Subscriptions and registrations that survive reconnects. */
import { Emitter } from '../emitter.js';
import { EventQueue } from '../session/event-queue.js';
import { boundedQueue } from '../session/subscription.js';
import type { Registration } from '../session/registration.js';
import type { Session } from '../session/session.js';
import type { Subscription } from '../session/subscription.js';
import type { HandleEvents } from '../session/revocation.js';
import type { EventData, EventHandler, ProcedureHandler, RegisterOptions, SubscribeOptions } from '../types.js';

/** What a durable subscription or registration tells its connection. */
export interface DurableOwner {
  /** Stop re-making `d` on new sessions. */
  forget(d: DurableSubscription | DurableRegistration): void;
  /** Report an error that belongs to no operation (events dropped for an iterator, a listener that threw). */
  report(err: unknown): void;
}

type Durable = DurableSubscription | DurableRegistration;

/**
 * Stop a durable subscription or registration for good: the connection forgets it, and it is
 * undone in the current session (`undo`), if it is active there.
 */
async function retire<C extends { readonly active: boolean }>(
  d: { current: C | null },
  owner: DurableOwner,
  undo: (c: C) => Promise<void>,
): Promise<void> {
  owner.forget(d as DurableSubscription | DurableRegistration);
  const cur = d.current;
  d.current = null;
  if (cur?.active) await undo(cur).catch(() => undefined);
}

/** The router revoked `d` in the current session: it ends for good (the connection no longer re-makes it). */
function revoke(d: Durable, owner: DurableOwner): void {
  d.current = null;
  d.end();
  owner.forget(d);
}

/**
 * A subscription that survives reconnects: re-made on every new session with the same topic,
 * options and handler. Readable as an async iterator across reconnects. A revocation by the router
 * ends it for good: it emits `revoked` (see {@link HandleEvents}), its iterator finishes, and it is
 * not re-made after a reconnect (subscribe again to undo the revocation).
 * @example
 * ```ts
 * const sub = await conn.subscribe('com.example.tick');
 * for await (const ev of sub) console.log(ev.args); // keeps going across reconnects
 * ```
 */
export class DurableSubscription extends Emitter<HandleEvents> implements AsyncIterable<EventData> {
  /** The topic (or pattern). */
  declare readonly topic: string;
  /** The handler, if any. */
  declare readonly handler: EventHandler | undefined;
  /** The options, kept for every re-subscription. */
  declare readonly options: Readonly<SubscribeOptions>;
  /** @internal The subscription in the current session, if any. */
  declare current: Subscription | null;
  /** @internal Forwards events from each session's subscription. */
  declare readonly deliver: EventHandler;
  declare private readonly owner_: DurableOwner;
  declare private activeFlag_: boolean;
  declare private queue_: EventQueue<EventData> | undefined;

  /** @internal */
  constructor(
    owner: DurableOwner,
    topic: string,
    handler: EventHandler | undefined,
    options: Readonly<SubscribeOptions>,
  ) {
    super();
    this.owner_ = owner;
    this.topic = topic;
    this.handler = handler;
    this.options = options;
    this.current = null;
    this.activeFlag_ = true;
    this.queue_ = handler ? undefined : this.makeQueue_();
    this.deliver = (ev) => {
      this.queue_?.push(ev);
      return this.handler?.(ev);
    };
  }

  /** How many events the iterator missed because its buffer was full (see the `maxBuffered` option). */
  get dropped(): number {
    return this.queue_?.dropped ?? 0;
  }

  private makeQueue_(): EventQueue<EventData> {
    return boundedQueue(this.topic, this.options, (err) => this.owner_.report(err));
  }

  /** @internal A `revoked` listener threw: the connection reports it. */
  protected override unheard(err: unknown): void {
    this.owner_.report(err);
  }

  /** `false` once unsubscribed, revoked or the connection closed for good. */
  get active(): boolean {
    return this.activeFlag_;
  }

  /** The router's subscription id in the current session, if subscribed right now. */
  get id(): number | undefined {
    return this.current?.active ? this.current.id : undefined;
  }

  /** Stop receiving events, now and after reconnects. */
  async unsubscribe(): Promise<void> {
    if (!this.activeFlag_) return;
    this.end();
    await retire(this, this.owner_, (s) => s.unsubscribe());
  }

  /** @internal */
  end(): void {
    this.activeFlag_ = false;
    this.queue_?.end();
  }

  /** @internal Subscribe in `session`. */
  renew(session: Session): Promise<void> {
    return session.subscribe(this.topic, this.deliver, this.options).then((sub) => {
      if (!this.activeFlag_) return void sub.unsubscribe().catch(() => undefined);
      this.current = sub;
      sub.on('revoked', (r) => {
        revoke(this, this.owner_);
        this.emit('revoked', r);
      });
    });
  }

  /** Read events, across reconnects, until unsubscribed; breaking out of the loop unsubscribes. */
  [Symbol.asyncIterator](): AsyncIterator<EventData> {
    const queue = (this.queue_ ??= this.makeQueue_());
    if (!this.activeFlag_) queue.end();
    return queue.iterator(() => this.unsubscribe());
  }
}

/**
 * A registration that survives reconnects: re-made on every new session. A revocation by the
 * router ends it for good: it emits `revoked` (see {@link HandleEvents}) and is not re-made after
 * a reconnect.
 * @example
 * ```ts
 * const reg = await conn.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
 * await reg.unregister();
 * ```
 */
export class DurableRegistration extends Emitter<HandleEvents> {
  /** The procedure (or pattern). */
  declare readonly procedure: string;
  /** The handler. */
  declare readonly handler: ProcedureHandler;
  /** The options, kept for every re-registration. */
  declare readonly options: Readonly<RegisterOptions>;
  /** @internal The registration in the current session, if any. */
  declare current: Registration | null;
  declare private readonly owner_: DurableOwner;
  declare private activeFlag_: boolean;

  /** @internal */
  constructor(owner: DurableOwner, procedure: string, handler: ProcedureHandler, options: Readonly<RegisterOptions>) {
    super();
    this.owner_ = owner;
    this.procedure = procedure;
    this.handler = handler;
    this.options = options;
    this.current = null;
    this.activeFlag_ = true;
  }

  /** `false` once unregistered, revoked or the connection closed for good. */
  get active(): boolean {
    return this.activeFlag_;
  }

  /** The router's registration id in the current session, if registered right now. */
  get id(): number | undefined {
    return this.current?.active ? this.current.id : undefined;
  }

  /** Remove the registration, now and after reconnects. */
  async unregister(): Promise<void> {
    if (!this.activeFlag_) return;
    this.end();
    await retire(this, this.owner_, (r) => r.unregister());
  }

  /** @internal */
  end(): void {
    this.activeFlag_ = false;
  }

  /** @internal Register in `session`. */
  renew(session: Session): Promise<void> {
    return session.register(this.procedure, this.handler, this.options).then((reg) => {
      if (!this.activeFlag_) return void reg.unregister().catch(() => undefined);
      this.current = reg;
      reg.on('revoked', (r) => {
        revoke(this, this.owner_);
        this.emit('revoked', r);
      });
    });
  }

  /** @internal A `revoked` listener threw: the connection reports it. */
  protected override unheard(err: unknown): void {
    this.owner_.report(err);
  }
}
