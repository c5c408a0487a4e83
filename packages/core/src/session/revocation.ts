/** The router's revocation of a subscription or registration, as its handles report it. */
import type { Dict } from '../protocol/messages.js';

/**
 * What the router said when it revoked a subscription or registration: an UNSUBSCRIBED or
 * UNREGISTERED it sent on its own (request id 0), for example because an administrator called
 * `wamp.subscription.remove_subscriber` or `wamp.registration.remove_callee`. Routers send these
 * only to clients that announce `subscription_revocation` / `registration_revocation`, which
 * wampbox does.
 */
export interface Revocation {
  /** The reason the router gave, if any (a URI by convention, but routers pass on any string). */
  readonly reason: string | undefined;
  /** The UNSUBSCRIBED / UNREGISTERED details as received. */
  readonly details: Dict;
}

/**
 * Events of a subscription or registration handle (`Subscription`, `Registration`,
 * `DurableSubscription`, `DurableRegistration`). `revoked`: the router ended it on its own; the
 * handle is no longer `active` when listeners run, and its iterator (if any) finishes. A listener
 * that throws is reported on the session's (or connection's) `error` event.
 *
 * @example
 * ```ts
 * const sub = await session.subscribe('com.example.tick', onTick);
 * sub.on('revoked', ({ reason }) => console.warn('the router removed the subscription:', reason));
 * ```
 */
export interface HandleEvents {
  revoked: [revocation: Revocation];
}
