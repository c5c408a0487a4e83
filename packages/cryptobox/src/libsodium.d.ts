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
    /**
     * `crypto_aead_xchacha20poly1305_ietf_encrypt(c, clen_p, m, mlen, ad, adlen, nsec, npub, k)`,
     * `mlen` and `adlen` as (lo, hi); `clen_p` and `nsec` may be 0 (NULL).
     */
    _crypto_aead_xchacha20poly1305_ietf_encrypt(
      c: number,
      clenP: number,
      m: number,
      mlenLo: number,
      mlenHi: number,
      ad: number,
      adlenLo: number,
      adlenHi: number,
      nsec: number,
      npub: number,
      k: number,
    ): number;
    /**
     * `crypto_aead_xchacha20poly1305_ietf_decrypt(m, mlen_p, nsec, c, clen, ad, adlen, npub, k)`,
     * `clen` and `adlen` as (lo, hi); -1 when the tag does not verify.
     */
    _crypto_aead_xchacha20poly1305_ietf_decrypt(
      m: number,
      mlenP: number,
      nsec: number,
      c: number,
      clenLo: number,
      clenHi: number,
      ad: number,
      adlenLo: number,
      adlenHi: number,
      npub: number,
      k: number,
    ): number;
    /** `crypto_sign_verify_detached(sig, m, mlen, pk)`, `mlen` as (lo, hi); -1 when it does not verify. */
    _crypto_sign_verify_detached(sig: number, m: number, mlenLo: number, mlenHi: number, pk: number): number;
    /** `crypto_box_seal(c, m, mlen, pk)`, `mlen` as (lo, hi). */
    _crypto_box_seal(c: number, m: number, mlenLo: number, mlenHi: number, pk: number): number;
    /** `crypto_box_seal_open(m, c, clen, pk, sk)`, `clen` as (lo, hi); -1 when it does not open. */
    _crypto_box_seal_open(m: number, c: number, clenLo: number, clenHi: number, pk: number, sk: number): number;
    /** `crypto_generichash(out, outlen, in, inlen, key, keylen)`, `inlen` as (lo, hi); `key` may be 0 (NULL). */
    _crypto_generichash(
      out: number,
      outlen: number,
      input: number,
      inlenLo: number,
      inlenHi: number,
      key: number,
      keylen: number,
    ): number;
    /** `sodium_pad(padded_buflen_p, buf, unpadded_buflen, blocksize, max_buflen)`. */
    _sodium_pad(paddedLenP: number, buf: number, unpaddedLen: number, blocksize: number, maxLen: number): number;
    /** `sodium_unpad(unpadded_buflen_p, buf, padded_buflen, blocksize)`; -1 when the padding is invalid. */
    _sodium_unpad(unpaddedLenP: number, buf: number, paddedLen: number, blocksize: number): number;
    /** `crypto_sign_ed25519_pk_to_curve25519(curve25519_pk, ed25519_pk)`; -1 for an invalid point. */
    _crypto_sign_ed25519_pk_to_curve25519(x25519Pk: number, ed25519Pk: number): number;
    /** `crypto_sign_ed25519_sk_to_curve25519(curve25519_sk, ed25519_sk)`. */
    _crypto_sign_ed25519_sk_to_curve25519(x25519Sk: number, ed25519Sk: number): number;
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
