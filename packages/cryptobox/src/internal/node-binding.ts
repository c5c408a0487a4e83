/**
 * How the Node entry (`node.ts`) chooses its libsodium binding: `sodium-native` when it is
 * installed, loads and passes its self-test, else libsodium's WebAssembly build, with the reason
 * kept for `sodiumBackend()`. The environment variable {@link SODIUM_BACKEND_ENV} overrides the
 * choice: `wasm` always uses WebAssembly, `native` requires `sodium-native` (initialization
 * rejects when it cannot be used), `auto` or unset is the default. It is read once, when
 * libsodium is first initialized. Node only: nothing the browser entries import reaches this file.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { setBindingStarter } from '../sodium.js';
import type { SodiumBinding } from './binding.js';
import { unsupported } from './libsodium-module.js';
import { loadNativeBinding } from './native-binding.js';
import { startWasmBinding } from './wasm-binding.js';

/** The environment variable that chooses the binding on Node: `native`, `wasm` or `auto`. */
export const SODIUM_BACKEND_ENV = 'WAMPBOX_SODIUM_BACKEND';

type Choice = 'auto' | 'native' | 'wasm';

function requested(): Choice {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[SODIUM_BACKEND_ENV];
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'native' || value === 'wasm') return value;
  throw new InvalidArgumentError(
    `${SODIUM_BACKEND_ENV} must be "native", "wasm" or "auto", not ${JSON.stringify(value.slice(0, 40))}`,
  );
}

function withFallbackReason(binding: SodiumBinding, fallbackReason: string): SodiumBinding {
  return { ...binding, info: { ...binding.info, fallbackReason } };
}

/**
 * The binding the Node entry uses (see the file comment).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when {@link SODIUM_BACKEND_ENV} has another
 *   value; `ERR_FEATURE_UNSUPPORTED` when `native` is required and cannot be used, or when the
 *   WebAssembly build cannot start.
 */
export async function startNodeBinding(): Promise<SodiumBinding> {
  const choice = requested();
  if (choice === 'wasm') return withFallbackReason(await startWasmBinding(), `${SODIUM_BACKEND_ENV}=wasm`);
  try {
    return await loadNativeBinding();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (choice === 'native') throw unsupported(`${SODIUM_BACKEND_ENV}=native, but ${reason}`, err);
    return withFallbackReason(await startWasmBinding(), reason);
  }
}

/** Make {@link startNodeBinding} choose the binding (before the first initialization). */
export function useNodeBinding(): void {
  setBindingStarter(startNodeBinding);
}
