/**
 * The E2E v2 libsodium bindings in src/sodium-v2.ts, differentially against libsodium-wrappers
 * (same C code, its own calling layer) on random inputs, plus the heap-scratch wiping and the
 * start-up check of the functions they add.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { signSeedKeypair, sodiumReady } from '../src/sodium';
import {
  AEAD_NONCE_BYTES,
  aeadDecrypt,
  aeadEncrypt,
  boxSeal,
  boxSealOpen,
  boxSealWithEphemeral,
  ed25519PkToX25519,
  ed25519SkToX25519,
  genericHash,
  isSodiumV2Ready,
  pad,
  scratchV2ForTesting,
  signVerifyDetached,
  sodiumV2Ready,
  unpad,
} from '../src/sodium-v2';
import { referenceSodium as ref } from './reference-sodium';

const random = (n: number): Uint8Array => new Uint8Array(nodeRandomBytes(n));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const invalidArgument = expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' });

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack).indexOf(Buffer.from(needle));
}

/** Asserts that no 16-byte window of `secret` is left in this binding's scratch regions. */
function expectNotInScratch(secret: Uint8Array): void {
  expect(secret.length).toBeGreaterThanOrEqual(16);
  const { fixed, data } = scratchV2ForTesting();
  for (let i = 0; i + 16 <= secret.length; i += 16) {
    const window = secret.subarray(i, i + 16);
    expect(indexOf(fixed, window)).toBe(-1);
    expect(indexOf(data, window)).toBe(-1);
  }
}

describe('before initialization', () => {
  it('is not ready, and the primitives say so', () => {
    expect(isSodiumV2Ready()).toBe(false);
    expect(() => genericHash(32, new Uint8Array(1))).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_FEATURE_UNSUPPORTED' }),
    );
  });
});

describe('with libsodium ready', () => {
  beforeAll(async () => {
    await Promise.all([sodiumV2Ready(), sodiumReady(), ref.ready]);
  });

  it('is ready, and shares the module with sodium.ts', async () => {
    expect(isSodiumV2Ready()).toBe(true);
    await expect(sodiumV2Ready()).resolves.toBeUndefined();
    // both bindings work side by side on one heap
    const { secretKey, publicKey } = signSeedKeypair(random(32));
    expect(ed25519PkToX25519(publicKey)).toEqual(ref.crypto_sign_ed25519_pk_to_curve25519(publicKey));
    expect(ed25519SkToX25519(secretKey)).toEqual(ref.crypto_sign_ed25519_sk_to_curve25519(secretKey));
  });

  describe('XChaCha20-Poly1305-IETF', () => {
    it('equals libsodium-wrappers for sizes around the scratch boundaries, with and without AAD', () => {
      for (const size of [0, 1, 15, 16, 17, 1000, 16 * 1024, 70_000]) {
        for (const adSize of [0, 19, 300]) {
          const [m, ad, nonce, key] = [random(size), random(adSize), random(AEAD_NONCE_BYTES), random(32)];
          const ours = aeadEncrypt(m, ad, nonce, key);
          const theirs = ref.crypto_aead_xchacha20poly1305_ietf_encrypt(m, adSize ? ad : null, null, nonce, key);
          expect(hex(ours)).toBe(hex(theirs));
          expect(aeadDecrypt(ours, ad, nonce, key)).toEqual(m);
        }
      }
    });

    it('returns undefined for a flipped bit, another AAD, nonce or key, a short input, or wrong sizes', () => {
      const [m, ad, nonce, key] = [random(100), random(40), random(24), random(32)];
      const c = aeadEncrypt(m, ad, nonce, key);
      for (const i of [0, 50, c.length - 1]) {
        const bad = c.slice();
        bad[i] = bad[i]! ^ 1;
        expect(aeadDecrypt(bad, ad, nonce, key)).toBeUndefined();
      }
      const otherAd = ad.slice();
      otherAd[0] = otherAd[0]! ^ 1;
      expect(aeadDecrypt(c, otherAd, nonce, key)).toBeUndefined();
      expect(aeadDecrypt(c, ad, random(24), key)).toBeUndefined();
      expect(aeadDecrypt(c, ad, nonce, random(32))).toBeUndefined();
      expect(aeadDecrypt(c.subarray(0, 15), ad, nonce, key)).toBeUndefined();
      expect(aeadDecrypt(c, ad, nonce.subarray(1), key)).toBeUndefined();
      expect(aeadDecrypt(c, ad, nonce, key.subarray(1))).toBeUndefined();
      expect(() => aeadEncrypt(m, ad, nonce.subarray(1), key)).toThrow(invalidArgument);
      expect(() => aeadEncrypt(m, ad, nonce, key.subarray(1))).toThrow(invalidArgument);
    });

    it('accepts inputs that are subarrays of larger buffers', () => {
      const big = random(600);
      const [m, ad, nonce, key] = [
        big.subarray(3, 203),
        big.subarray(210, 250),
        big.subarray(300, 324),
        big.subarray(400, 432),
      ];
      const c = aeadEncrypt(m, ad, nonce, key);
      expect(hex(c)).toBe(
        hex(ref.crypto_aead_xchacha20poly1305_ietf_encrypt(m.slice(), ad.slice(), null, nonce.slice(), key.slice())),
      );
      const holder = new Uint8Array(c.length + 7);
      holder.set(c, 7);
      expect(aeadDecrypt(holder.subarray(7), ad, nonce, key)).toEqual(m);
    });
  });

  describe('Ed25519 verification', () => {
    it('accepts what libsodium-wrappers signs and refuses any change', () => {
      const pair = ref.crypto_sign_keypair();
      for (const size of [0, 32, 137, 5000]) {
        const msg = random(size);
        const sig = ref.crypto_sign_detached(msg, pair.privateKey);
        expect(signVerifyDetached(sig, msg, pair.publicKey)).toBe(true);
        const badSig = sig.slice();
        badSig[10] = badSig[10]! ^ 4;
        expect(signVerifyDetached(badSig, msg, pair.publicKey)).toBe(false);
        if (size > 0) {
          const badMsg = msg.slice();
          badMsg[size - 1] = badMsg[size - 1]! ^ 1;
          expect(signVerifyDetached(sig, badMsg, pair.publicKey)).toBe(false);
        }
        expect(signVerifyDetached(sig, msg, ref.crypto_sign_keypair().publicKey)).toBe(false);
      }
    });

    it('returns false (does not throw) for a signature or key of the wrong length, or a key that is no point', () => {
      const pair = ref.crypto_sign_keypair();
      const msg = random(10);
      const sig = ref.crypto_sign_detached(msg, pair.privateKey);
      expect(signVerifyDetached(sig.subarray(1), msg, pair.publicKey)).toBe(false);
      expect(signVerifyDetached(sig, msg, pair.publicKey.subarray(1))).toBe(false);
      expect(signVerifyDetached(sig, msg, new Uint8Array(32))).toBe(false);
      expect(signVerifyDetached(sig, msg, new Uint8Array(32).fill(0xff))).toBe(false);
    });
  });

  describe('sealed boxes', () => {
    it('opens what libsodium-wrappers seals, and libsodium-wrappers opens what this seals', () => {
      const r = ref.crypto_box_keypair();
      for (const size of [0, 32, 1000]) {
        const msg = random(size);
        const ours = boxSeal(msg, r.publicKey);
        expect(ours.length).toBe(size + 48);
        expect(ref.crypto_box_seal_open(ours, r.publicKey, r.privateKey)).toEqual(msg);
        expect(boxSealOpen(ref.crypto_box_seal(msg, r.publicKey), r.publicKey, r.privateKey)).toEqual(msg);
        expect(hex(boxSeal(msg, r.publicKey))).not.toBe(hex(ours)); // a fresh ephemeral key each time
      }
    });

    it('with a given ephemeral key is the crypto_box_seal construction, byte for byte', () => {
      const r = ref.crypto_box_keypair();
      const esk = random(32);
      const msg = random(32);
      const epk = ref.crypto_scalarmult_base(esk);
      const nonce = ref.crypto_generichash(24, new Uint8Array([...epk, ...r.publicKey]), null);
      const expected = new Uint8Array([...epk, ...ref.crypto_box_easy(msg, nonce, r.publicKey, esk)]);
      const sealed = boxSealWithEphemeral(msg, r.publicKey, esk);
      expect(hex(sealed)).toBe(hex(expected));
      expect(boxSealOpen(sealed, r.publicKey, r.privateKey)).toEqual(msg);
      expect(ref.crypto_box_seal_open(sealed, r.publicKey, r.privateKey)).toEqual(msg);
    });

    it('does not open for another recipient, a flipped bit, a short box or wrong key sizes', () => {
      const r = ref.crypto_box_keypair();
      const other = ref.crypto_box_keypair();
      const sealed = boxSeal(random(32), r.publicKey);
      expect(boxSealOpen(sealed, other.publicKey, other.privateKey)).toBeUndefined();
      for (const i of [0, 40, sealed.length - 1]) {
        const bad = sealed.slice();
        bad[i] = bad[i]! ^ 1;
        expect(boxSealOpen(bad, r.publicKey, r.privateKey)).toBeUndefined();
      }
      expect(boxSealOpen(sealed.subarray(0, 47), r.publicKey, r.privateKey)).toBeUndefined();
      expect(boxSealOpen(sealed, r.publicKey.subarray(1), r.privateKey)).toBeUndefined();
      expect(() => boxSeal(random(3), r.publicKey.subarray(1))).toThrow(invalidArgument);
      expect(() => boxSeal(random(3), new Uint8Array(32))).toThrow(invalidArgument); // low order
    });
  });

  describe('BLAKE2b', () => {
    it('equals libsodium-wrappers for every digest size from 10 to 64, keyed and unkeyed', () => {
      for (let size = 10; size <= 64; size++) {
        const msg = random(size * 7);
        const key = random(1 + (size % 64));
        expect(hex(genericHash(size, msg))).toBe(hex(ref.crypto_generichash(size, msg, null)));
        expect(hex(genericHash(size, msg, key))).toBe(hex(ref.crypto_generichash(size, msg, key)));
      }
      // a 10-byte digest is BLAKE2b with that output length, not a longer one truncated
      const m = random(20);
      expect(hex(genericHash(10, m))).not.toBe(hex(genericHash(32, m).subarray(0, 10)));
      // an empty key is the unkeyed hash, as in BLAKE2b
      expect(genericHash(32, m, new Uint8Array(0))).toEqual(genericHash(32, m));
    });

    it('refuses digest sizes and key sizes out of range', () => {
      for (const size of [9, 65, 0, 16.5, Number.NaN]) {
        expect(() => genericHash(size, random(1))).toThrow(invalidArgument);
      }
      expect(() => genericHash(32, random(1), random(65))).toThrow(invalidArgument);
    });
  });

  describe('padding (ISO/IEC 7816-4)', () => {
    it('equals libsodium-wrappers, always adds at least one byte, and unpads back', () => {
      for (const block of [64, 256, 1024]) {
        for (const len of [0, 1, block - 1, block, block + 1, 3 * block + 5]) {
          const data = random(len);
          const padded = pad(data, block);
          expect(hex(padded)).toBe(hex(ref.pad(data, block)));
          expect(padded.length % block).toBe(0);
          expect(padded.length).toBeGreaterThan(len);
          expect(unpad(padded, block)).toEqual(data);
        }
      }
    });

    it('refuses padding without its marker, with a non-zero byte after it, or of a wrong length', () => {
      expect(unpad(new Uint8Array(64), 64)).toBeUndefined();
      const bad = new Uint8Array(64);
      bad[10] = 0x80;
      bad[20] = 1;
      expect(unpad(bad, 64)).toBeUndefined();
      const short = pad(random(10), 64).subarray(0, 63);
      expect(unpad(short, 64)).toBeUndefined();
      expect(unpad(new Uint8Array(0), 64)).toBeUndefined();
      expect(() => pad(random(1), 0)).toThrow(invalidArgument);
    });
  });

  describe('Ed25519 to X25519', () => {
    it('equals libsodium-wrappers, and the converted public key is that of the converted secret key', () => {
      for (let i = 0; i < 20; i++) {
        const { publicKey, secretKey } = signSeedKeypair(random(32));
        const xpk = ed25519PkToX25519(publicKey)!;
        const xsk = ed25519SkToX25519(secretKey);
        expect(hex(xpk)).toBe(hex(ref.crypto_sign_ed25519_pk_to_curve25519(publicKey)));
        expect(hex(xsk)).toBe(hex(ref.crypto_sign_ed25519_sk_to_curve25519(secretKey)));
        expect(hex(ref.crypto_scalarmult_base(xsk))).toBe(hex(xpk));
      }
    });

    it('returns undefined for a public key that is not a valid point, and refuses wrong sizes', () => {
      expect(ed25519PkToX25519(new Uint8Array(32).fill(0xff))).toBeUndefined();
      expect(() => ed25519PkToX25519(random(31))).toThrow(invalidArgument);
      expect(() => ed25519SkToX25519(random(32))).toThrow(invalidArgument);
    });
  });

  describe('heap scratch wiping', () => {
    it('leaves no key, plaintext or derived key in the scratch after any operation', () => {
      const [m, ad, nonce, key] = [random(1000), random(200), random(24), random(32)];
      const c = aeadEncrypt(m, ad, nonce, key);
      // control: the hook sees what stays (the ciphertext is not wiped)
      expect(indexOf(scratchV2ForTesting().data, c.subarray(0, 32))).toBeGreaterThanOrEqual(0);
      expectNotInScratch(m);
      expectNotInScratch(key);
      expect(aeadDecrypt(c, ad, nonce, key)).toEqual(m);
      expectNotInScratch(m);
      expectNotInScratch(key);
      const bad = c.slice();
      bad[0] = bad[0]! ^ 1;
      expect(aeadDecrypt(bad, ad, nonce, key)).toBeUndefined();
      expectNotInScratch(key);

      const r = ref.crypto_box_keypair();
      const secret = random(32);
      const sealed = boxSeal(secret, r.publicKey);
      expectNotInScratch(secret);
      expect(boxSealOpen(sealed, r.publicKey, r.privateKey)).toEqual(secret);
      expectNotInScratch(secret);
      expectNotInScratch(r.privateKey);
      const esk = random(32);
      boxSealWithEphemeral(secret, r.publicKey, esk);
      expectNotInScratch(secret);
      expectNotInScratch(esk);

      const hashKey = random(32);
      const derived = genericHash(32, random(40), hashKey);
      expectNotInScratch(hashKey);
      expectNotInScratch(derived);

      const plain = random(300);
      const padded = pad(plain, 256);
      expectNotInScratch(plain);
      unpad(padded, 256);
      expectNotInScratch(plain);

      const { secretKey } = signSeedKeypair(random(32));
      const xsk = ed25519SkToX25519(secretKey);
      expectNotInScratch(secretKey);
      expectNotInScratch(xsk);
    });
  });
});

describe('start-up check of the functions this binding adds', () => {
  afterEach(() => {
    jest.dontMock('libsodium');
  });

  it.each([
    ['_crypto_aead_xchacha20poly1305_ietf_encrypt', undefined, /crypto_aead_xchacha20poly1305_ietf_encrypt\(\)/],
    [
      '_crypto_generichash',
      (_o: number, _ol: number, _i: number, _il: bigint, _k: number, _kl: number) => 0,
      /crypto_generichash\(\) takes 6/,
    ],
    ['_sodium_unpad', undefined, /sodium_unpad\(\)/],
  ])('a build without %s as bound fails at start-up with ERR_FEATURE_UNSUPPORTED', async (name, value, message) => {
    jest.doMock('libsodium', () => {
      const real = jest.requireActual<Record<string, unknown> & { ready: Promise<unknown> }>('libsodium');
      return { __esModule: true, default: async () => (await real.ready, { ...real, [name]: value }) };
    });
    let v2: typeof import('../src/sodium-v2') | undefined;
    let v1: typeof import('../src/sodium') | undefined;
    jest.isolateModules(() => {
      v2 = require('../src/sodium-v2') as typeof import('../src/sodium-v2');
      v1 = require('../src/sodium') as typeof import('../src/sodium');
    });
    await expect(v2!.sodiumV2Ready()).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      code: 'ERR_FEATURE_UNSUPPORTED',
      message: expect.stringMatching(message),
    });
    expect(v2!.isSodiumV2Ready()).toBe(false);
    // cryptobox (sodium.ts) does not need them: it still starts on that build
    await expect(v1!.sodiumReady()).resolves.toBeUndefined();
  });
});
