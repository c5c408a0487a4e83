/** Meta events as typed subscriptions: each event's positional payload read into one typed value. */
import type { EventData } from '../types.js';
import type { SubscriptionHandle, WampApi } from '../session/wamp-api.js';

/**
 * A subscription to a meta event (`wamp.session.on_join`, `wamp.subscription.on_create`, ...),
 * each event read into a typed value `T`. The handler given when subscribing gets each value;
 * without a handler, read them with `for await`. An event of another shape than expected reaches
 * neither: the handler path reports an `UnexpectedResultError` (`ERR_UNEXPECTED_RESULT`) on the
 * session's `error` event, the iterator throws it.
 *
 * @example
 * ```ts
 * const joins = await new SessionMeta(session).onJoin();
 * for await (const s of joins) console.log(s.session, s.authid, s.authrole);
 * ```
 */
export class MetaEvents<T> implements AsyncIterable<T> {
  /** The meta topic. */
  declare readonly topic: string;
  /** The underlying subscription (a `Subscription`, or a `DurableSubscription` over a `Connection`). */
  declare readonly subscription: SubscriptionHandle;
  declare private readonly read_: (ev: EventData) => T;

  /** @internal Use the `on...` methods of `SessionMeta`, `SubscriptionMeta`, `RegistrationMeta`. */
  constructor(topic: string, subscription: SubscriptionHandle, read: (ev: EventData) => T) {
    this.topic = topic;
    this.subscription = subscription;
    this.read_ = read;
  }

  /** Stop receiving the events. */
  unsubscribe(): Promise<void> {
    return this.subscription.unsubscribe();
  }

  /** Read the typed events until unsubscribed; breaking out of the loop unsubscribes. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const inner = this.subscription[Symbol.asyncIterator]();
    return {
      next: async (): Promise<IteratorResult<T>> => {
        const r = await inner.next();
        return r.done ? { value: undefined, done: true } : { value: this.read_(r.value), done: false };
      },
      return: async (): Promise<IteratorResult<T>> => {
        await inner.return?.();
        return { value: undefined, done: true };
      },
    };
  }
}

/** Subscribe to meta topic `topic` on `api`, reading each event with `read`. */
export async function metaEvents<T>(
  api: WampApi,
  topic: string,
  read: (ev: EventData) => T,
  handler?: (value: T) => void,
): Promise<MetaEvents<T>> {
  const sub = await api.subscribe(topic, handler && ((ev) => handler(read(ev))));
  return new MetaEvents(topic, sub, read);
}
