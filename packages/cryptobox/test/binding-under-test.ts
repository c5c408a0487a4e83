/**
 * Imported by the cryptobox unit tests before anything else: the libsodium binding is chosen as
 * the package's Node entry chooses it, so one run covers `sodium-native` (the default where it is
 * installed) and `WAMPBOX_SODIUM_BACKEND=wasm` runs the same tests on the WebAssembly build.
 */
import { SODIUM_BACKEND_ENV, useNodeBinding } from '../src/internal/node-binding';

useNodeBinding();

/** The binding this run asks for: `native` unless the environment asks for `wasm`. */
export function bindingUnderTest(): 'native' | 'wasm' {
  return process.env[SODIUM_BACKEND_ENV] === 'wasm' ? 'wasm' : 'native';
}
