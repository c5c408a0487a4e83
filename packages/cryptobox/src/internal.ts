/**
 * `@wampbox/cryptobox/internal`: what the `wampbox` command of `@wampbox/wamp-client` runs. No
 * compatibility promise.
 * @packageDocumentation
 */
export { main as runCli } from './cli.js';
export type { CliIo } from './cli.js';
