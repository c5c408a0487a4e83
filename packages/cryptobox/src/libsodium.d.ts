/**
 * Ambient types for the npm package `libsodium` (libsodium compiled to WebAssembly by Emscripten,
 * without the `libsodium-wrappers` layer), which ships no declarations of its own. Only what
 * `sodium.ts` uses is typed. Internal: no exported declaration of this package may mention this
 * module, since consumers compile against the emitted .d.ts files without these ambient types.
 *
 * Conventions of the Emscripten build: pointers are byte offsets into `HEAPU8` (32-bit), functions
 * return 0 on success and -1 on failure, and each 64-bit length (`unsigned long long`) is passed
 * as two 32-bit halves, low then high.
 */
declare module 'libsodium' {
  /** The initialized Emscripten module: the WebAssembly heap and libsodium's C functions. */
  export interface LibsodiumModule {
    /**
     * The whole WebAssembly memory. Replaced by a new view when the memory grows (which any
     * `_malloc` may do): read it afresh after every allocation.
     */
    HEAPU8: Uint8Array;
    /** `malloc(size)`: a pointer, or 0 when the heap cannot grow. */
    _malloc(size: number): number;
    /** `free(ptr)`. */
    _free(ptr: number): void;
    /** `sodium_init()`: 0 on success, 1 when already initialized, -1 on failure. */
    _sodium_init(): number;
    /** `crypto_box_beforenm(k, pk, sk)`: -1 when `pk` is a low-order point. */
    _crypto_box_beforenm(k: number, pk: number, sk: number): number;
    /** `crypto_box_easy_afternm(c, m, mlen, n, k)`, `mlen` as (lo, hi). */
    _crypto_box_easy_afternm(c: number, m: number, mlenLo: number, mlenHi: number, n: number, k: number): number;
    /** `crypto_box_open_easy_afternm(m, c, clen, n, k)`, `clen` as (lo, hi). */
    _crypto_box_open_easy_afternm(m: number, c: number, clenLo: number, clenHi: number, n: number, k: number): number;
    /** `crypto_box_keypair(pk, sk)`. */
    _crypto_box_keypair(pk: number, sk: number): number;
    /** `crypto_scalarmult_base(q, n)`. */
    _crypto_scalarmult_base(q: number, n: number): number;
    /** `crypto_sign_seed_keypair(pk, sk, seed)`. */
    _crypto_sign_seed_keypair(pk: number, sk: number, seed: number): number;
    /** `crypto_sign_detached(sig, siglen_p, m, mlen, sk)`, `mlen` as (lo, hi); `siglen_p` may be 0 (NULL). */
    _crypto_sign_detached(sig: number, siglenP: number, m: number, mlenLo: number, mlenHi: number, sk: number): number;
  }

  /** What the ESM build's factory accepts (Emscripten `moduleArg`). */
  export interface LibsodiumModuleArg {
    /** A uniformly random unsigned 32-bit integer from a CSPRNG: libsodium's `randombytes` source. */
    getRandomValue?: () => number;
  }

  /**
   * The ESM build (`dist/modules-esm/libsodium.mjs`) default-exports an async factory. The
   * CommonJS build (`dist/modules/libsodium.js`) exports the module object itself, whose `ready`
   * promise resolves once the functions and `HEAPU8` are on it.
   */
  const libsodium: ((moduleArg?: LibsodiumModuleArg) => Promise<LibsodiumModule>) | (Partial<LibsodiumModule> & { ready: Promise<unknown> });
  export default libsodium;
}
