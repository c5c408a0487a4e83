/**
 * `@wampbox/core/meta`: the router meta API, typed: `wamp.session.*` (with testaments),
 * `wamp.subscription.*`, `wamp.registration.*` and their meta events, over a `Session` or a
 * `Connection`, in the shapes Crossbar.io answers with. Not part of the browser bundles. See
 * docs/meta-api.md.
 *
 * @example
 * ```ts
 * import { MetaApi } from '@wampbox/core/meta';
 * const meta = new MetaApi(session);
 * console.log(await meta.session.count(), await meta.registration.list());
 * ```
 * @packageDocumentation
 */
export { MetaApi } from './meta/meta-api.js';
export { SessionMeta } from './meta/session-meta.js';
export { SubscriptionMeta } from './meta/subscription-meta.js';
export { RegistrationMeta } from './meta/registration-meta.js';
export { ObservationMeta } from './meta/observation-meta.js';
export type { LookupOptions } from './meta/observation-meta.js';
export { MetaEvents } from './meta/meta-events.js';
export { UnexpectedResultError } from './meta/decode.js';
export type {
  Attachment,
  Created,
  Detachment,
  IdsByMatch,
  KillOptions,
  RegistrationInfo,
  SessionInfo,
  SessionLeft,
  SubscriptionInfo,
  TestamentOptions,
  TestamentPublishOptions,
  TestamentScope,
} from './meta/types.js';
