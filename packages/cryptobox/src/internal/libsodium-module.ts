/**
 * Loading the `libsodium` package and checking, before anything is called, that it is the build
 * `sodium.ts` binds. The binding calls the Emscripten module's raw exports, so it depends on
 * details of the build that no API promises: which functions are exported, the `HEAPU8` view, and
 * how a 64-bit length is passed (two 32-bit halves, low then high; a build with WebAssembly BigInt
 * integration takes it as one argument, and every length would then be read wrong). The package is
 * pinned to {@link LIBSODIUM_VERSION}; a different build fails at start-up with
 * `ERR_FEATURE_UNSUPPORTED` naming what differs, instead of a `TypeError` (or wrong results) at the
 * first seal.
 */
import * as libsodiumNamespace from 'libsodium';
import type { LibsodiumModule, LibsodiumModuleArg } from 'libsodium';
import { InvalidArgumentError } from '@wampbox/core';

/** The version of `libsodium` the binding is written for (the exact dependency in package.json). */
export const LIBSODIUM_VERSION = '0.8.4';

/**
 * The functions the binding calls, with their arity in the pinned build (exported WebAssembly
 * functions report their parameter count as `length`). A 64-bit length takes two parameters:
 * `crypto_box_easy_afternm`, `crypto_box_open_easy_afternm` and `crypto_sign_detached` have six.
 */
const FUNCTIONS: Readonly<Record<string, number>> = {
  _malloc: 1,
  _free: 1,
  _sodium_init: 0,
  _crypto_box_beforenm: 3,
  _crypto_box_easy_afternm: 6,
  _crypto_box_open_easy_afternm: 6,
  _crypto_box_keypair: 2,
  _crypto_scalarmult_base: 2,
  _crypto_sign_seed_keypair: 3,
  _crypto_sign_detached: 6,
};

/** The error of every start-up failure: `InvalidArgumentError` with code `ERR_FEATURE_UNSUPPORTED`. */
export function unsupported(message: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(message, { code: 'ERR_FEATURE_UNSUPPORTED', cause });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * `m` as the module the binding uses, once its shape is checked: the `HEAPU8` view and each bound
 * function with its arity.
 * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` naming the first difference.
 */
export function checkModule(m: unknown): LibsodiumModule {
  const build = `this build of libsodium is not the one wampbox binds (libsodium ${LIBSODIUM_VERSION})`;
  if (!isObject(m) || !(m['HEAPU8'] instanceof Uint8Array)) throw unsupported(`${build}: it has no HEAPU8 heap view`);
  for (const name in FUNCTIONS) {
    const fn = m[name];
    const c = name.slice(1);
    if (typeof fn !== 'function') throw unsupported(`${build}: it does not export ${c}()`);
    if (fn.length !== FUNCTIONS[name]) {
      throw unsupported(`${build}: its ${c}() takes ${fn.length} arguments, the binding passes ${FUNCTIONS[name]}`);
    }
  }
  return m as unknown as LibsodiumModule;
}

type Factory = (moduleArg?: LibsodiumModuleArg) => Promise<LibsodiumModule>;

/**
 * The initialized module, from either build of `libsodium`: the ESM build's async factory (given
 * `moduleArg`) or the CommonJS build's module object with its `ready` promise. A namespace import
 * plus `.default` finds either (also through TypeScript's, swc's and bundlers' CommonJS interop).
 * Not yet checked: see {@link checkModule}.
 * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` when the package has neither shape.
 */
export async function loadModule(moduleArg: LibsodiumModuleArg): Promise<unknown> {
  let candidate: unknown = (libsodiumNamespace as unknown as { default?: unknown }).default ?? libsodiumNamespace;
  // Some CommonJS interop wraps the default export once more.
  if (isObject(candidate) && !('ready' in candidate) && !('_malloc' in candidate) && 'default' in candidate) {
    candidate = candidate['default'];
  }
  if (typeof candidate === 'function') {
    return await (candidate as Factory)(moduleArg);
  }
  if (isObject(candidate)) {
    if (candidate['ready'] !== undefined) await (candidate['ready'] as Promise<unknown>);
    if (typeof candidate['_malloc'] === 'function' && candidate['HEAPU8'] instanceof Uint8Array) return candidate;
  }
  throw unsupported(
    'the libsodium package has an unexpected shape (neither a module factory nor a module with `ready`)',
  );
}
