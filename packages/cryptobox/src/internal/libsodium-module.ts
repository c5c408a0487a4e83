/**
 * Loading the `libsodium` package once for every binding (`sodium.ts`, `sodium-v2.ts`) and
 * checking, before anything is called, that it is the build they bind. The bindings call the
 * Emscripten module's raw exports, so they depend on details of the build that no API promises:
 * which functions are exported, the `HEAPU8` view, and how a 64-bit length is passed (two 32-bit
 * halves, low then high; a build with WebAssembly BigInt integration takes it as one argument, and
 * every length would then be read wrong). The package is pinned to {@link LIBSODIUM_VERSION}; a
 * different build fails at start-up with `ERR_FEATURE_UNSUPPORTED` naming what differs, instead of
 * a `TypeError` (or wrong results) at the first seal.
 */
import * as libsodiumNamespace from 'libsodium';
import type { LibsodiumModule, LibsodiumModuleArg } from 'libsodium';
import { InvalidArgumentError } from '@wampbox/core';

/** The version of `libsodium` the binding is written for (the exact dependency in package.json). */
export const LIBSODIUM_VERSION = '0.8.4';

/**
 * The functions `sodium.ts` calls, with their arity in the pinned build (exported WebAssembly
 * functions report their parameter count as `length`). A 64-bit length takes two parameters:
 * `crypto_box_easy_afternm`, `crypto_box_open_easy_afternm` and `crypto_sign_detached` have six;
 * a `size_t` is one.
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

/**
 * The functions `sodium-v2.ts` (E2E v2) adds, checked when that binding starts
 * ({@link checkE2eV2Functions}): a bundle without E2E v2 carries neither this table nor the check,
 * and a build without them still runs cryptobox.
 */
const E2EV2_FUNCTIONS: Readonly<Record<string, number>> = {
  _crypto_aead_xchacha20poly1305_ietf_encrypt: 11,
  _crypto_aead_xchacha20poly1305_ietf_decrypt: 11,
  _crypto_sign_verify_detached: 5,
  _crypto_box_seal: 5,
  _crypto_box_seal_open: 6,
  _crypto_generichash: 7,
  _sodium_pad: 5,
  _sodium_unpad: 4,
  _crypto_sign_ed25519_pk_to_curve25519: 2,
  _crypto_sign_ed25519_sk_to_curve25519: 2,
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
  if (!isObject(m) || !(m['HEAPU8'] instanceof Uint8Array)) throw unsupported(`${BUILD}: it has no HEAPU8 heap view`);
  checkFunctions(m, FUNCTIONS);
  return m as unknown as LibsodiumModule;
}

/**
 * Check that the (already checked) module also has the functions E2E v2 binds, with their arities.
 * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` naming the first difference.
 */
export function checkE2eV2Functions(m: LibsodiumModule): void {
  checkFunctions(m as unknown as Record<string, unknown>, E2EV2_FUNCTIONS);
}

const BUILD = `this build of libsodium is not the one wampbox binds (libsodium ${LIBSODIUM_VERSION})`;

function checkFunctions(m: Record<string, unknown>, table: Readonly<Record<string, number>>): void {
  for (const name in table) {
    const fn = m[name];
    const c = name.slice(1);
    if (typeof fn !== 'function') throw unsupported(`${BUILD}: it does not export ${c}()`);
    if (fn.length !== table[name]) {
      throw unsupported(`${BUILD}: its ${c}() takes ${fn.length} arguments, the binding passes ${table[name]}`);
    }
  }
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

let started: Promise<LibsodiumModule> | undefined;

/**
 * The initialized, checked module, shared by every binding: loaded once, fed
 * `crypto.getRandomValues` as its random source, checked ({@link checkModule}) and initialized with
 * `sodium_init()` before any binding calls into it. Each binding allocates its own scratch memory.
 *
 * Rejects with `InvalidArgumentError` code `ERR_FEATURE_UNSUPPORTED` when the platform lacks
 * `globalThis.crypto.getRandomValues`, when the WebAssembly module cannot start, when it is not
 * the build the bindings are written for, or when `sodium_init()` fails.
 */
export function startLibsodium(): Promise<LibsodiumModule> {
  started ??= start();
  return started;
}

async function start(): Promise<LibsodiumModule> {
  const platformCrypto = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
  if (typeof platformCrypto?.getRandomValues !== 'function') {
    throw unsupported(
      'cryptobox needs a secure random source (globalThis.crypto.getRandomValues), which this runtime lacks',
    );
  }
  const getRandomValues = (platformCrypto as Crypto).getRandomValues.bind(platformCrypto as Crypto);
  const word = new Uint32Array(1);
  const getRandomValue = (): number => {
    getRandomValues(word);
    const v = word[0]!;
    word[0] = 0; // these bytes may end up in a secret key
    return v >>> 0;
  };
  let loaded: unknown;
  try {
    loaded = await loadModule({ getRandomValue });
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw unsupported(`libsodium could not start: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const m = checkModule(loaded); // before the first call into it
  const rc = m._sodium_init();
  if (rc < 0) throw unsupported(`libsodium failed to initialize (sodium_init() returned ${rc})`);
  return m;
}
