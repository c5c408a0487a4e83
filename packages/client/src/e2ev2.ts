/**
 * `@wampbox/wamp-client/e2ev2`: E2E v2 (`x_e2ev2`) end-to-end payload encryption, where reading and
 * writing are separate rights (the same as `@wampbox/cryptobox/e2ev2`). See docs/e2e-v2.md.
 * @packageDocumentation
 */
export * from '@wampbox/cryptobox/e2ev2';
