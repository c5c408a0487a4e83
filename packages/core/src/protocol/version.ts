// Written by scripts/build.mjs from packages/core/package.json: do not edit by hand.
/** The library version (that of `@wampbox/core`), also sent in HELLO's `agent`. */
export const VERSION = '0.1.0';
