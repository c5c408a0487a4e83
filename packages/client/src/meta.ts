/**
 * `@wampbox/wamp-client/meta`: the router meta API, typed (the same as `@wampbox/core/meta`):
 * `MetaApi`, `SessionMeta` (with testaments), `SubscriptionMeta`, `RegistrationMeta` and their
 * meta events. Not part of the browser bundles. See docs/meta-api.md.
 * @packageDocumentation
 */
export * from '@wampbox/core/meta';
