/**
 * `@wampbox/cryptobox` on Node (the `node` condition of the package's exports): the same API as
 * the default entry, with cryptobox and cryptosign on the `sodium-native` addon when it is
 * installed (an optional dependency) and libsodium's WebAssembly build otherwise. The environment
 * variable `WAMPBOX_SODIUM_BACKEND` (`native`, `wasm` or `auto`) overrides the choice, and
 * {@link sodiumBackend} reports it. Browsers and bundles for them get the default entry, which
 * never imports `sodium-native`.
 *
 * @packageDocumentation
 */
import { useNodeBinding } from './internal/node-binding.js';

useNodeBinding();

export * from './index.js';
