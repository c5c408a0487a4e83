/**
 * The libsodium primitives of src/sodium.ts on the binding this run uses (`sodium-native` by
 * default, the WebAssembly build with WAMPBOX_SODIUM_BACKEND=wasm), differentially against
 * libsodium-wrappers (the reference: same C code, its own calling layer) on random inputs, plus
 * the scratch wiping. native-binding.test.ts compares the two bindings with each other.
 */
import { bindingUnderTest } from './binding-under-test';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@wampbox/core';
import { LIBSODIUM_VERSION } from '../src/internal/libsodium-module';
import {
  boxBeforenm,
  boxKeypair,
  boxOpenAfternm,
  boxSealAfternm,
  bytesEqual,
  isSodiumReady,
  KEY_BYTES,
  MAC_BYTES,
  NONCE_BYTES,
  openTextAfternm,
  scalarmultBase,
  sealTextAfternm,
  scratchForTesting,
  signDetached,
  signSeedKeypair,
  sodiumBackend,
  sodiumReady,
} from '../src/sodium';
import { LOW_ORDER_POINTS as LOW_ORDER, referenceSodium as ref } from './reference-sodium';

const random = (n: number): Uint8Array => new Uint8Array(nodeRandomBytes(n));
/** What a size error must be: typed, with the code users switch on. */
const invalidArgument = expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' });
const same = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

/** Index of `needle` in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.length),
  );
}

/** Asserts that no 16-byte window of `secret` (at least 16 bytes long) is in the scratch regions. */
function expectNotInScratch(secret: Uint8Array): void {
  expect(secret.length).toBeGreaterThanOrEqual(16);
  const { fixed, data } = scratchForTesting();
  const w = 16;
  for (let i = 0; i + w <= secret.length; i += w) {
    const window = secret.subarray(i, i + w);
    expect(indexOf(fixed, window)).toBe(-1);
    expect(indexOf(data, window)).toBe(-1);
  }
}

describe('before initialization', () => {
  // Must run first in this file: Jest gives each test file a fresh module registry.
  it('is not ready, and the primitives say so instead of misbehaving', () => {
    expect(isSodiumReady()).toBe(false);
    const [nonce, key] = [new Uint8Array(NONCE_BYTES), new Uint8Array(KEY_BYTES)];
    const seal = (): unknown => boxSealAfternm(new Uint8Array(1), nonce, key);
    const open = (): unknown => boxOpenAfternm(new Uint8Array(17), nonce, key);
    for (const call of [seal, open]) {
      expect(call).toThrow(/not initialized/);
      expect(call).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_FEATURE_UNSUPPORTED' }));
    }
  });
});

describe('with libsodium ready', () => {
  beforeAll(async () => {
    await Promise.all([sodiumReady(), ref.ready]);
  });

  it('is ready, and sodiumReady() is idempotent', async () => {
    expect(isSodiumReady()).toBe(true);
    expect(sodiumReady()).toBe(sodiumReady());
    await sodiumReady();
  });

  it('runs on the binding this run asks for, and says so', async () => {
    const info = await sodiumBackend();
    expect(info.binding).toBe(bindingUnderTest());
    if (info.binding === 'native') {
      expect(info).toEqual({ binding: 'native', library: 'sodium-native' });
    } else {
      expect(info).toEqual({
        binding: 'wasm',
        library: `libsodium ${LIBSODIUM_VERSION}`,
        fallbackReason: 'WAMPBOX_SODIUM_BACKEND=wasm',
      });
    }
  });

  describe('crypto_box with a precomputed key, against libsodium-wrappers', () => {
    const SIZES = [0, 1, 15, 16, 17, 1000, 65536];

    function sharedKeys(): { ours: Uint8Array; theirs: Uint8Array } {
      const a = ref.crypto_box_keypair();
      const b = ref.crypto_box_keypair();
      return {
        ours: boxBeforenm(b.publicKey, a.privateKey),
        theirs: ref.crypto_box_beforenm(b.publicKey, a.privateKey),
      };
    }

    it.each(SIZES)('seals %i bytes byte-identically and opens both ways', (size) => {
      const { ours: key, theirs } = sharedKeys();
      expect(key).toEqual(theirs);
      const message = random(size);
      const nonce = random(NONCE_BYTES);
      const box = boxSealAfternm(message, nonce, key);
      expect(box).toBeInstanceOf(Uint8Array);
      expect(box.length).toBe(size + MAC_BYTES);
      expect(same(box, ref.crypto_box_easy_afternm(message, nonce, key))).toBe(true);
      const opened = boxOpenAfternm(box, nonce, key);
      expect(opened).toBeInstanceOf(Uint8Array);
      expect(same(opened!, message)).toBe(true);
      expect(same(ref.crypto_box_open_easy_afternm(box, nonce, key), message)).toBe(true);
    });

    it('handles a 3 MiB message (the heap grows), then small messages still work', () => {
      const { ours: key } = sharedKeys();
      const message = random(3 * 1024 * 1024);
      const nonce = random(NONCE_BYTES);
      const box = boxSealAfternm(message, nonce, key);
      expect(same(box, ref.crypto_box_easy_afternm(message, nonce, key))).toBe(true);
      // the WebAssembly binding copies the message into its heap (the native one seals it where it is)
      if (bindingUnderTest() === 'wasm') {
        expect(scratchForTesting().data.length).toBeGreaterThanOrEqual(2 * message.length + MAC_BYTES);
      }
      expect(same(boxOpenAfternm(box, nonce, key)!, message)).toBe(true);
      expectNotInScratch(message.subarray(0, 4096));
      expectNotInScratch(message.subarray(message.length - 4096));
      expectNotInScratch(key);

      const small = random(17);
      const smallBox = boxSealAfternm(small, nonce, key);
      expect(same(smallBox, ref.crypto_box_easy_afternm(small, nonce, key))).toBe(true);
      expect(same(boxOpenAfternm(smallBox, nonce, key)!, small)).toBe(true);
      const kp = ref.crypto_box_keypair();
      expect(boxBeforenm(kp.publicKey, kp.privateKey)).toEqual(ref.crypto_box_beforenm(kp.publicKey, kp.privateKey));
    });

    it('opens input given as a subarray of a larger buffer (as the codec passes it)', () => {
      const { ours: key } = sharedKeys();
      const message = random(100);
      const nonce = random(NONCE_BYTES);
      const wire = new Uint8Array(NONCE_BYTES + MAC_BYTES + message.length);
      wire.set(nonce);
      wire.set(boxSealAfternm(message, nonce, key), NONCE_BYTES);
      expect(same(boxOpenAfternm(wire.subarray(NONCE_BYTES), wire.subarray(0, NONCE_BYTES), key)!, message)).toBe(true);
    });

    it('returns undefined for a tampered box (MAC or body), a wrong key or a wrong nonce', () => {
      const { ours: key } = sharedKeys();
      const message = random(64);
      const nonce = random(NONCE_BYTES);
      const box = boxSealAfternm(message, nonce, key);
      for (const [at, bit] of [
        [0, 0x01], // MAC, first byte
        [MAC_BYTES - 1, 0x80], // MAC, last byte
        [MAC_BYTES, 0x01], // body, first byte
        [MAC_BYTES + 20, 0x10], // body
        [box.length - 1, 0x80], // body, last byte
      ] as const) {
        const bad = box.slice();
        bad[at] = bad[at]! ^ bit;
        expect(boxOpenAfternm(bad, nonce, key)).toBeUndefined();
      }
      const otherKey = key.slice();
      otherKey[31] = otherKey[31]! ^ 1;
      expect(boxOpenAfternm(box, nonce, otherKey)).toBeUndefined();
      const otherNonce = nonce.slice();
      otherNonce[0] = otherNonce[0]! ^ 1;
      expect(boxOpenAfternm(box, otherNonce, key)).toBeUndefined();
      expect(boxOpenAfternm(box.subarray(0, box.length - 1), nonce, key)).toBeUndefined();
      // and the box itself still opens
      expect(same(boxOpenAfternm(box, nonce, key)!, message)).toBe(true);
      expectNotInScratch(message);
    });

    it('returns undefined for a box shorter than the 16-byte MAC, and opens an empty message', () => {
      const { ours: key } = sharedKeys();
      const nonce = random(NONCE_BYTES);
      for (let n = 0; n < MAC_BYTES; n++) expect(boxOpenAfternm(random(n), nonce, key)).toBeUndefined();
      expect(boxOpenAfternm(random(MAC_BYTES), nonce, key)).toBeUndefined();
      const empty = boxOpenAfternm(boxSealAfternm(new Uint8Array(0), nonce, key), nonce, key);
      expect(empty).toEqual(new Uint8Array(0));
    });

    it('returns undefined from open for a nonce or key of the wrong length; seal throws', () => {
      const { ours: key } = sharedKeys();
      const nonce = random(NONCE_BYTES);
      const box = boxSealAfternm(random(10), nonce, key);
      expect(boxOpenAfternm(box, nonce.subarray(1), key)).toBeUndefined();
      expect(boxOpenAfternm(box, nonce, key.subarray(1))).toBeUndefined();
      expect(() => boxSealAfternm(random(10), nonce.subarray(1), key)).toThrow(invalidArgument);
      expect(() => boxSealAfternm(random(10), nonce, random(31))).toThrow(invalidArgument);
    });
  });

  describe('text seal/open in cryptobox layout (nonce || MAC || ciphertext), against libsodium-wrappers', () => {
    const utf8 = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'utf8'));
    const fixedNonce = (nonce: Uint8Array) => (target: Uint8Array) => target.set(nonce);

    it('seals text of any size byte for byte like encode + crypto_box_easy_afternm, and opens it again', () => {
      const key = random(KEY_BYTES);
      const texts = [
        '',
        'a',
        '{"uri":"com.example","args":[1,"x"],"kwargs":null}',
        'é😀\u2028 mixed ✓ text',
        'x'.repeat(70_000),
        'ü'.repeat(1_500_000),
      ];
      for (const text of texts) {
        const nonce = random(NONCE_BYTES);
        const sealed = sealTextAfternm(text, key, fixedNonce(nonce));
        const expected = new Uint8Array(NONCE_BYTES + MAC_BYTES + utf8(text).length);
        expected.set(nonce);
        expected.set(ref.crypto_box_easy_afternm(utf8(text), nonce, key), NONCE_BYTES);
        expect(same(sealed, expected)).toBe(true);
        expect(openTextAfternm(sealed, key)).toBe(text);
        // and what the reference sealed opens here
        expect(openTextAfternm(expected, key)).toBe(text);
      }
      // the heap grew for the 3 MB text; a small one still works
      const small = sealTextAfternm('small', key, fixedNonce(random(NONCE_BYTES)));
      expect(openTextAfternm(small, key)).toBe('small');
    });

    it('opens a payload given as a subarray of a larger buffer', () => {
      const key = random(KEY_BYTES);
      const sealed = sealTextAfternm('inside', key, fixedNonce(random(NONCE_BYTES)));
      const big = new Uint8Array(sealed.length + 10);
      big.set(sealed, 5);
      expect(openTextAfternm(big.subarray(5, 5 + sealed.length), key)).toBe('inside');
    });

    it('returns undefined for a tampered payload, a wrong key, a short payload or a key of the wrong length', () => {
      const key = random(KEY_BYTES);
      const sealed = sealTextAfternm('secret text', key, fixedNonce(random(NONCE_BYTES)));
      for (const at of [0, NONCE_BYTES, NONCE_BYTES + MAC_BYTES, sealed.length - 1]) {
        const bad = sealed.slice();
        bad[at]! ^= 1;
        expect(openTextAfternm(bad, key)).toBeUndefined();
      }
      expect(openTextAfternm(sealed, random(KEY_BYTES))).toBeUndefined();
      expect(openTextAfternm(sealed.subarray(0, NONCE_BYTES + MAC_BYTES - 1), key)).toBeUndefined();
      expect(openTextAfternm(sealed, key.subarray(1))).toBeUndefined();
      expect(() => sealTextAfternm('x', key.subarray(1), fixedNonce(random(NONCE_BYTES)))).toThrow(invalidArgument);
    });

    it('returns null for an authentic box whose plaintext is not UTF-8', () => {
      const key = random(KEY_BYTES);
      const nonce = random(NONCE_BYTES);
      const payload = new Uint8Array(NONCE_BYTES + MAC_BYTES + 3);
      payload.set(nonce);
      payload.set(ref.crypto_box_easy_afternm(Uint8Array.of(0x61, 0xff, 0x62), nonce, key), NONCE_BYTES);
      expect(openTextAfternm(payload, key)).toBeNull();
    });

    it('leaves no key or plaintext in the scratch after sealing and opening text', () => {
      const key = random(KEY_BYTES);
      const text = 'plaintext that must not stay behind in the WebAssembly heap '.repeat(8);
      const sealed = sealTextAfternm(text, key, fixedNonce(random(NONCE_BYTES)));
      expectNotInScratch(utf8(text));
      expectNotInScratch(key);
      expect(openTextAfternm(sealed, key)).toBe(text);
      expectNotInScratch(utf8(text));
      expectNotInScratch(key);
      // nor after an authentic box that is not UTF-8
      const nonce = random(NONCE_BYTES);
      const notText = new Uint8Array(200).fill(0xff);
      const payload = new Uint8Array(NONCE_BYTES + MAC_BYTES + notText.length);
      payload.set(nonce);
      payload.set(ref.crypto_box_easy_afternm(notText, nonce, key), NONCE_BYTES);
      expect(openTextAfternm(payload, key)).toBeNull();
      expectNotInScratch(notText);
    });
  });

  describe('crypto_box_beforenm', () => {
    it('equals libsodium-wrappers for random keys, and both directions agree', () => {
      for (let i = 0; i < 20; i++) {
        const a = ref.crypto_box_keypair();
        const b = ref.crypto_box_keypair();
        const k = boxBeforenm(b.publicKey, a.privateKey);
        expect(k).toHaveLength(KEY_BYTES);
        expect(k).toEqual(ref.crypto_box_beforenm(b.publicKey, a.privateKey));
        expect(boxBeforenm(a.publicKey, b.privateKey)).toEqual(k);
        // arbitrary 32 random bytes as a "public key" (most are valid curve points or twist points)
        const pk = random(32);
        let theirs: Uint8Array | Error;
        try {
          theirs = ref.crypto_box_beforenm(pk, a.privateKey);
        } catch (err) {
          theirs = err as Error;
        }
        if (theirs instanceof Error) expect(() => boxBeforenm(pk, a.privateKey)).toThrow();
        else expect(boxBeforenm(pk, a.privateKey)).toEqual(theirs);
      }
    });

    it('throws on a low-order (weak) public key, as libsodium-wrappers does, and wipes the secret key', () => {
      const sk = random(32);
      for (const pk of LOW_ORDER) {
        expect(() => ref.crypto_box_beforenm(pk, sk)).toThrow();
        expect(() => boxBeforenm(pk, sk)).toThrow(InvalidArgumentError);
        try {
          boxBeforenm(pk, sk);
        } catch (err) {
          expect((err as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
        }
      }
      expectNotInScratch(sk);
    });

    it('refuses keys that are not 32 bytes', () => {
      expect(() => boxBeforenm(random(31), random(32))).toThrow(invalidArgument);
      expect(() => boxBeforenm(random(32), random(33))).toThrow(invalidArgument);
      expect(() => boxBeforenm('x'.repeat(32) as unknown as Uint8Array, random(32))).toThrow(invalidArgument);
    });
  });

  describe('X25519 key pairs', () => {
    it('scalarmultBase equals libsodium-wrappers', () => {
      for (let i = 0; i < 20; i++) {
        const sk = random(32);
        expect(scalarmultBase(sk)).toEqual(ref.crypto_scalarmult_base(sk));
      }
      expect(scalarmultBase(new Uint8Array(32))).toEqual(ref.crypto_scalarmult_base(new Uint8Array(32)));
      expect(() => scalarmultBase(random(31))).toThrow(invalidArgument);
    });

    it('boxKeypair makes fresh pairs whose public key is that of the secret key', () => {
      const a = boxKeypair();
      const b = boxKeypair();
      expect(a.publicKey).toHaveLength(KEY_BYTES);
      expect(a.secretKey).toHaveLength(KEY_BYTES);
      expect(scalarmultBase(a.secretKey)).toEqual(a.publicKey);
      expect(ref.crypto_scalarmult_base(b.secretKey)).toEqual(b.publicKey);
      expect(a.secretKey).not.toEqual(b.secretKey);
      // a box between the two works with the reference
      const nonce = random(NONCE_BYTES);
      const box = boxSealAfternm(Uint8Array.of(1, 2, 3), nonce, boxBeforenm(b.publicKey, a.secretKey));
      expect(ref.crypto_box_open_easy(box, nonce, a.publicKey, b.secretKey)).toEqual(Uint8Array.of(1, 2, 3));
      expectNotInScratch(a.secretKey);
      expectNotInScratch(b.secretKey);
    });
  });

  describe('Ed25519', () => {
    it('signSeedKeypair and signDetached equal libsodium-wrappers', () => {
      for (const size of [0, 1, 32, 1000, 70000]) {
        const seed = random(32);
        const kp = signSeedKeypair(seed);
        const theirs = ref.crypto_sign_seed_keypair(seed);
        expect(kp.publicKey).toEqual(theirs.publicKey);
        expect(kp.secretKey).toEqual(theirs.privateKey);
        expect(kp.secretKey).toHaveLength(64);
        const message = random(size);
        const sig = signDetached(message, kp.secretKey);
        expect(sig).toHaveLength(64);
        expect(sig).toEqual(ref.crypto_sign_detached(message, theirs.privateKey));
        expect(ref.crypto_sign_verify_detached(sig, message, kp.publicKey)).toBe(true);
        expectNotInScratch(seed);
        expectNotInScratch(kp.secretKey.subarray(0, 32)); // the second half is the public key
        if (size >= 16) expectNotInScratch(message); // (a shorter window would match by chance)
      }
    });

    it('refuses a seed or secret key of the wrong length', () => {
      expect(() => signSeedKeypair(random(31))).toThrow(invalidArgument);
      expect(() => signDetached(random(32), random(32))).toThrow(invalidArgument);
    });
  });

  describe('bytesEqual', () => {
    it('compares contents and lengths', () => {
      const a = random(32);
      expect(bytesEqual(a, a.slice())).toBe(true);
      expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
      const first = a.slice();
      first[0] = first[0]! ^ 1;
      expect(bytesEqual(a, first)).toBe(false);
      const last = a.slice();
      last[31] = last[31]! ^ 0x80;
      expect(bytesEqual(a, last)).toBe(false);
      expect(bytesEqual(a, a.subarray(0, 31))).toBe(false);
      expect(bytesEqual(a.subarray(0, 31), a)).toBe(false);
      expect(bytesEqual(a, new Uint8Array(33))).toBe(false);
    });
  });

  describe('heap scratch wiping', () => {
    it('leaves no key or plaintext in the scratch after seal and open, only the ciphertext', () => {
      const a = ref.crypto_box_keypair();
      const b = ref.crypto_box_keypair();
      const key = boxBeforenm(b.publicKey, a.privateKey);
      expectNotInScratch(a.privateKey);
      expectNotInScratch(key);
      const plaintext = random(1000);
      const nonce = random(NONCE_BYTES);
      const box = boxSealAfternm(plaintext, nonce, key);
      // control: the hook does see what stays (the ciphertext, which the WebAssembly binding
      // writes to its heap and does not wipe; the native one writes it straight to the result)
      if (bindingUnderTest() === 'wasm') expect(indexOf(scratchForTesting().data, box)).toBeGreaterThanOrEqual(0);
      expectNotInScratch(plaintext);
      expectNotInScratch(key);
      expect(same(boxOpenAfternm(box, nonce, key)!, plaintext)).toBe(true);
      expectNotInScratch(plaintext);
      expectNotInScratch(key);
      // a failed open wipes too
      const bad = box.slice();
      bad[0] = bad[0]! ^ 1;
      expect(boxOpenAfternm(bad, nonce, key)).toBeUndefined();
      expectNotInScratch(key);
      const sk = random(32);
      scalarmultBase(sk);
      expectNotInScratch(sk);
    });
  });
});

describe('module shapes and start-up failures', () => {
  function isolatedSodium(): typeof import('../src/sodium') {
    let m: typeof import('../src/sodium') | undefined;
    jest.isolateModules(() => {
      m = require('../src/sodium') as typeof import('../src/sodium');
    });
    return m!;
  }

  afterEach(() => {
    jest.dontMock('libsodium');
  });

  it('rejects with ERR_FEATURE_UNSUPPORTED when crypto.getRandomValues is missing', async () => {
    const s = isolatedSodium();
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    let ready: Promise<void>;
    try {
      ready = s.sodiumReady();
    } finally {
      Object.defineProperty(globalThis, 'crypto', descriptor);
    }
    await expect(ready).rejects.toMatchObject({ name: 'InvalidArgumentError', code: 'ERR_FEATURE_UNSUPPORTED' });
    await expect(ready).rejects.toThrow(/getRandomValues/);
    expect(s.isSodiumReady()).toBe(false);
  });

  it('takes the ESM shape: a default-exported factory, given a getRandomValue built on crypto.getRandomValues', async () => {
    const factory = jest.fn(async (arg: { getRandomValue: () => number }) => {
      const values = Array.from({ length: 64 }, () => arg.getRandomValue());
      expect(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)).toBe(true);
      expect(new Set(values).size).toBeGreaterThan(60);
      const real = jest.requireActual<{ ready: Promise<unknown> }>('libsodium');
      await real.ready;
      return real;
    });
    jest.doMock('libsodium', () => ({ __esModule: true, default: factory }));
    const s = isolatedSodium();
    await s.sodiumReady();
    expect(factory).toHaveBeenCalledTimes(1);
    const k = ref.crypto_box_keypair();
    expect(s.scalarmultBase(k.privateKey)).toEqual(k.publicKey);
  });

  it('reports a module that fails to start (e.g. WebAssembly refused by a CSP) as ERR_FEATURE_UNSUPPORTED, keeping its message', async () => {
    jest.doMock('libsodium', () => ({
      __esModule: true,
      default: () =>
        Promise.reject(new Error('WebAssembly.instantiate(): Refused to compile: Content Security Policy')),
    }));
    const s = isolatedSodium();
    await expect(s.sodiumReady()).rejects.toMatchObject({
      code: 'ERR_FEATURE_UNSUPPORTED',
      message: expect.stringMatching(/WebAssembly.*Content Security Policy/),
    });
  });

  it('fails clearly when sodium_init() fails', async () => {
    jest.doMock('libsodium', () => {
      const real = jest.requireActual<Record<string, unknown> & { ready: Promise<unknown> }>('libsodium');
      return { __esModule: true, default: async () => (await real.ready, { ...real, _sodium_init: () => -1 }) };
    });
    const s = isolatedSodium();
    await expect(s.sodiumReady()).rejects.toMatchObject({
      code: 'ERR_FEATURE_UNSUPPORTED',
      message: expect.stringMatching(/sodium_init/),
    });
  });

  describe('a libsodium build other than the one the binding is written for', () => {
    type Module = Record<string, unknown> & { ready: Promise<unknown> };
    /** A copy of the real module, changed, as the ESM factory or the CommonJS object gives it. */
    function doctored(shape: 'esm' | 'cjs', change: (m: Record<string, unknown>) => void): jest.Mock {
      const sodiumInit = jest.fn(() => 0);
      jest.doMock('libsodium', () => {
        const real = jest.requireActual<Module>('libsodium');
        const copy = async (): Promise<Record<string, unknown>> => {
          await real.ready;
          const m: Record<string, unknown> = { ...real, _sodium_init: sodiumInit };
          change(m);
          return m;
        };
        if (shape === 'esm') return { __esModule: true, default: copy };
        const m: Record<string, unknown> = { ready: copy().then((c) => Object.assign(m, c)) };
        return m;
      });
      return sodiumInit;
    }

    type Change = (m: Record<string, unknown>) => void;
    const set =
      (key: string, value: unknown): Change =>
      (m) =>
        void (m[key] = value);
    const cases: [string, Change, RegExp][] = [
      ['a missing function', set('_crypto_box_beforenm', undefined), /crypto_box_beforenm\(\)/],
      // a build with WebAssembly BigInt integration takes a 64-bit length as one argument
      [
        'a 64-bit length as one argument',
        set('_crypto_sign_detached', (_sig: number, _siglen: number, _m: number, _mlen: bigint, _sk: number) => 0),
        /crypto_sign_detached\(\) takes 5 arguments, the binding passes 6/,
      ],
      ['no HEAPU8 view', set('HEAPU8', undefined), /HEAPU8/],
      ['HEAPU8 of another kind', set('HEAPU8', new Int8Array(8)), /HEAPU8/],
    ];

    it.each(cases)('%s: start-up fails with ERR_FEATURE_UNSUPPORTED, calling nothing', async (what, change, names) => {
      for (const shape of ['esm', 'cjs'] as const) {
        if (shape === 'cjs' && what.includes('HEAPU8')) continue; // the CommonJS shape is recognized by its HEAPU8
        const sodiumInit = doctored(shape, change);
        const s = isolatedSodium();
        const ready = s.sodiumReady();
        // (an isolated module registry has its own error classes: match the name, not the class)
        await expect(ready).rejects.toMatchObject({
          name: 'InvalidArgumentError',
          code: 'ERR_FEATURE_UNSUPPORTED',
          message: expect.stringMatching(names),
        });
        await expect(ready).rejects.toThrow(`libsodium ${LIBSODIUM_VERSION}`);
        expect(sodiumInit).not.toHaveBeenCalled();
        expect(s.isSodiumReady()).toBe(false);
        // and the first seal says so too, instead of a TypeError from inside the binding
        expect(() => s.sealTextAfternm('x', new Uint8Array(KEY_BYTES), () => undefined)).toThrow(
          expect.objectContaining({ code: 'ERR_FEATURE_UNSUPPORTED' }),
        );
        jest.dontMock('libsodium');
      }
    });

    it('the real module passes the check in both shapes', async () => {
      for (const shape of ['esm', 'cjs'] as const) {
        const sodiumInit = doctored(shape, () => undefined);
        const s = isolatedSodium();
        await s.sodiumReady();
        expect(sodiumInit).toHaveBeenCalledTimes(1);
        jest.dontMock('libsodium');
      }
    });
  });

  it('libsodium is pinned to the version the binding checks, in package.json, the lockfile and node_modules', () => {
    const root = join(__dirname, '..', '..', '..');
    type Manifest = { version?: string; dependencies?: Record<string, string> };
    const read = <T>(...path: string[]): T => JSON.parse(readFileSync(join(root, ...path), 'utf8')) as T;
    expect(read<Manifest>('packages', 'cryptobox', 'package.json').dependencies?.['libsodium']).toBe(LIBSODIUM_VERSION);
    const lock = read<{ packages: Record<string, Manifest> }>('package-lock.json');
    expect(lock.packages['packages/cryptobox']?.dependencies?.['libsodium']).toBe(LIBSODIUM_VERSION);
    expect(lock.packages['node_modules/libsodium']?.version).toBe(LIBSODIUM_VERSION);
    expect(read<Manifest>('node_modules', 'libsodium', 'package.json').version).toBe(LIBSODIUM_VERSION);
  });
});
