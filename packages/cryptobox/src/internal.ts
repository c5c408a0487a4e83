/**
 * `@wampbox/cryptobox/internal`: what the `wampbox` command of `@wampbox/wamp-client` runs. No
 * compatibility promise. (E2E v2 is `@wampbox/cryptobox/e2ev2`; re-exported here for older code.)
 * @packageDocumentation
 */
export { main as runCli } from './cli.js';
export type { CliIo } from './cli.js';
export * from './e2ev2.js';
