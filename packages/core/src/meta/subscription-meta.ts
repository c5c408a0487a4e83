/** `wamp.subscription.*`: the Subscription Meta API, typed. */
import type { WampApi } from '../session/wamp-api.js';
import { idsOrNone, subscriptionInfo } from './decode.js';
import type { MetaEvents } from './meta-events.js';
import { ObservationMeta } from './observation-meta.js';
import type { Attachment, Detachment, SubscriptionInfo } from './types.js';

/**
 * The subscriptions of the realm (`wamp.subscription.*`) over a `Session` or a `Connection`, in
 * the shapes Crossbar.io answers with; errors as for `SessionMeta`. Crossbar hides subscriptions on
 * `wamp.` and `crossbar.` topics from everything but `list(sessionId)` (unless the caller's
 * authrole is `trusted`), and sends no subscription meta events about them.
 *
 * @example
 * ```ts
 * const meta = new SubscriptionMeta(session);
 * const id = await meta.lookup('com.example.tick');
 * if (id !== null) console.log(await meta.get(id), await meta.listSubscribers(id));
 * ```
 */
export class SubscriptionMeta extends ObservationMeta<SubscriptionInfo> {
  /** @param api - a `Session` or `Connection` */
  constructor(api: WampApi) {
    super(api, 'subscription', subscriptionInfo);
  }

  /**
   * The ids of every subscription an event published to `topic` would reach, whatever their match
   * policy (`wamp.subscription.match`); an empty list for none (Crossbar answers `null`).
   */
  match(topic: string): Promise<number[]> {
    return this.byUri('match', topic, idsOrNone);
  }

  /** The ids of the sessions on a subscription (`wamp.subscription.list_subscribers`). */
  listSubscribers(subscriptionId: number): Promise<number[]> {
    return this.sessions('list_subscribers', subscriptionId);
  }

  /** How many sessions are on a subscription (`wamp.subscription.count_subscribers`). */
  countSubscribers(subscriptionId: number): Promise<number> {
    return this.countOf('count_subscribers', subscriptionId);
  }

  /**
   * Take session `sessionId` off a subscription (`wamp.subscription.remove_subscriber`, Crossbar's,
   * not in the spec). The subscriber gets UNSUBSCRIBED with `{ subscription, reason }`: its handle
   * emits `revoked`. `reason` is passed on as it is.
   * @throws ApplicationError `wamp.error.no_such_subscription` when the session is not on it.
   */
  removeSubscriber(subscriptionId: number, sessionId: number, reason?: string): Promise<void> {
    return this.remove('remove_subscriber', subscriptionId, sessionId, reason);
  }

  /** Subscribe to `wamp.subscription.on_subscribe`: a session was added to a subscription. */
  onSubscribe(handler?: (e: Attachment) => void): Promise<MetaEvents<Attachment>> {
    return this.onAttachment('subscribe', handler);
  }

  /**
   * Subscribe to `wamp.subscription.on_unsubscribe`: a session left a subscription (`session` is `null` when it
   * left by ending).
   */
  onUnsubscribe(handler?: (e: Detachment) => void): Promise<MetaEvents<Detachment>> {
    return this.onDetachment('unsubscribe', handler);
  }
}
