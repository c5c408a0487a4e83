/** The three parts of the router meta API over one `Session` or `Connection`. */
import type { WampApi } from '../session/wamp-api.js';
import { RegistrationMeta } from './registration-meta.js';
import { SessionMeta } from './session-meta.js';
import { SubscriptionMeta } from './subscription-meta.js';

/**
 * The router meta API over a `Session` or a `Connection`: `session` (`wamp.session.*` and
 * testaments), `subscription` (`wamp.subscription.*`) and `registration` (`wamp.registration.*`).
 * The router must let the caller call `wamp.*` procedures and subscribe to `wamp.*` topics.
 *
 * @example
 * ```ts
 * import { MetaApi } from '@wampbox/wamp-client/meta';
 * const meta = new MetaApi(session);
 * await meta.session.onJoin((s) => console.log('joined:', s.session, s.authid));
 * const subs = await meta.subscription.list(); // { exact, prefix, wildcard }
 * ```
 */
export class MetaApi {
  /** `wamp.session.*`: sessions, kills, testaments, `on_join` / `on_leave`. */
  declare readonly session: SessionMeta;
  /** `wamp.subscription.*`. */
  declare readonly subscription: SubscriptionMeta;
  /** `wamp.registration.*`. */
  declare readonly registration: RegistrationMeta;

  /** @param api - a `Session` or `Connection` */
  constructor(api: WampApi) {
    this.session = new SessionMeta(api);
    this.subscription = new SubscriptionMeta(api);
    this.registration = new RegistrationMeta(api);
  }
}
