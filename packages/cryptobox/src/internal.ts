/**
 * `@wampbox/cryptobox/internal`: what the `wampbox` command of `@wampbox/wamp-client` runs, and the
 * `x_e2ev2` payload codec as a preview (docs/e2e-v2.md). No compatibility promise.
 * @packageDocumentation
 */
export { main as runCli } from './cli.js';
export type { CliIo } from './cli.js';
/** The `x_e2ev2` payload codec: a preview, not yet part of the public API. */
export { e2eV2 } from './e2ev2/codec.js';
export type {
  E2eV2CalleeScopeOption,
  E2eV2GroupKeyOption,
  E2eV2IdentityInput,
  E2eV2Options,
  E2eV2RouteOption,
} from './e2ev2/codec.js';
export { E2eV2Error, UNKNOWN_KEY_URI } from './e2ev2/errors.js';
export type { E2eReason } from './e2ev2/errors.js';
export type { TrustGrant, TrustRole } from './e2ev2/trust-store.js';
export { TrustStore } from './e2ev2/trust-store.js';
