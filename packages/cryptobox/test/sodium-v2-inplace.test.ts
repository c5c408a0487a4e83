/**
 * The in-place E2E v2 bindings of src/sodium-v2-inplace.ts: the same bytes as the plain bindings
 * (and libsodium-wrappers) for text and byte plaintexts, padded or not, with the additional data
 * or the signed message in parts; refusals as results; and the scratch wiped after every call, also
 * when the caller's frame or reader throws.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { signDetached, signSeedKeypair, sodiumReady } from '../src/sodium';
import {
  aeadDecrypt,
  aeadDecryptWith,
  aeadEncrypt,
  aeadEncryptFramed,
  pad,
  scratchV2ForTesting,
  signVerifyDetached,
  signVerifyDetachedParts,
  sodiumV2Ready,
  type AeadFrame,
} from '../src/sodium-v2';
import { referenceSodium as ref } from './reference-sodium';

const random = (n: number): Uint8Array => new Uint8Array(nodeRandomBytes(n));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const invalidArgument = expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' });

/** Asserts that no 16-byte window of `secret` is left in the scratch regions. */
function expectNotInScratch(secret: Uint8Array): void {
  const { fixed, data } = scratchV2ForTesting();
  for (let i = 0; i + 16 <= secret.length; i += 16) {
    const window = Buffer.from(secret.subarray(i, i + 16));
    expect(Buffer.from(fixed).indexOf(window)).toBe(-1);
    expect(Buffer.from(data).indexOf(window)).toBe(-1);
  }
}

/** Seals `plaintext` with the framed binding into a new array; the AD in `parts`. */
function sealFramed(
  plaintext: string | Uint8Array,
  parts: Uint8Array[],
  nonce: Uint8Array,
  key: Uint8Array,
  blockSize?: number,
): { out: Uint8Array; length: number } {
  let out = new Uint8Array(0);
  const adLength = parts.reduce((n, p) => n + p.length, 0);
  const length = aeadEncryptFramed(
    plaintext,
    { blockSize, adLength },
    (n): AeadFrame => {
      out = new Uint8Array(n + 16);
      return { target: out, ad: parts };
    },
    nonce,
    key,
  );
  return { out, length };
}

beforeAll(async () => {
  await Promise.all([sodiumV2Ready(), sodiumReady(), ref.ready]);
});

describe('aeadEncryptFramed', () => {
  it('equals aeadEncrypt (and libsodium-wrappers) of the UTF-8 bytes, for text and bytes, across sizes', () => {
    for (const text of ['', 'a', '{"args":[1],"kwargs":{}}', 'é€𝄞 \u0000 ' + 'x'.repeat(20_000)]) {
      const [nonce, key] = [random(24), random(32)];
      const parts = [random(19), random(23), random(120)];
      const ad = concat(...parts);
      const bytes = utf8(text);
      const expected = hex(ref.crypto_aead_xchacha20poly1305_ietf_encrypt(bytes, ad, null, nonce, key));
      const fromText = sealFramed(text, parts, nonce, key);
      expect(fromText.length).toBe(bytes.length);
      expect(hex(fromText.out)).toBe(expected);
      expect(hex(sealFramed(bytes, parts, nonce, key).out)).toBe(expected);
      expect(hex(aeadEncrypt(bytes, ad, nonce, key))).toBe(expected);
    }
  });

  it('pads in place as pad() does, and writes a lone surrogate as TextEncoder does', () => {
    const [nonce, key] = [random(24), random(32)];
    for (const size of [0, 63, 64, 300]) {
      const m = random(size);
      const padded = pad(m, 64);
      const { out, length } = sealFramed(m, [], nonce, key, 64);
      expect(length).toBe(padded.length);
      expect(aeadDecrypt(out, new Uint8Array(0), nonce, key)).toEqual(padded);
    }
    const lone = 'a\ud800b';
    expect(aeadDecrypt(sealFramed(lone, [], nonce, key).out, new Uint8Array(0), nonce, key)).toEqual(utf8(lone));
  });

  it('lets the frame write the additional data into its own target, read after the frame returns', () => {
    const [nonce, key] = [random(24), random(32)];
    const ctx = random(19);
    let payload = new Uint8Array(0);
    aeadEncryptFramed(
      'hello',
      { adLength: ctx.length + 8 },
      (n) => {
        payload = new Uint8Array(8 + n + 16);
        payload.set([1, 2, 3, 4, 5, 6, 7, 8]);
        return { target: payload.subarray(8), ad: [ctx, payload.subarray(0, 8)] };
      },
      nonce,
      key,
    );
    const ad = concat(ctx, payload.subarray(0, 8));
    expect(aeadDecrypt(payload.subarray(8), ad, nonce, key)).toEqual(utf8('hello'));
  });

  it('refuses wrong sizes, a short target and additional data of another length; wipes when the frame throws', () => {
    const [nonce, key] = [random(24), random(32)];
    const secret = random(64);
    const frame = (n: number): AeadFrame => ({ target: new Uint8Array(n + 16), ad: [] });
    expect(() => aeadEncryptFramed(secret, { adLength: 0 }, frame, nonce.subarray(1), key)).toThrow(invalidArgument);
    expect(() => aeadEncryptFramed(secret, { adLength: 0 }, frame, nonce, key.subarray(1))).toThrow(invalidArgument);
    expect(() => aeadEncryptFramed(secret, { blockSize: 0, adLength: 0 }, frame, nonce, key)).toThrow(invalidArgument);
    const short = (n: number): AeadFrame => ({ target: new Uint8Array(n + 15), ad: [] });
    expect(() => aeadEncryptFramed(secret, { adLength: 0 }, short, nonce, key)).toThrow(invalidArgument);
    expectNotInScratch(secret);
    expectNotInScratch(key);
    expect(() => aeadEncryptFramed(secret, { adLength: 5 }, frame, nonce, key)).toThrow(invalidArgument);
    expectNotInScratch(secret);
    const boom = new Error('boom');
    const throwing = (): AeadFrame => {
      throw boom;
    };
    expect(() => aeadEncryptFramed(secret, { blockSize: 256, adLength: 0 }, throwing, nonce, key)).toThrow(boom);
    expectNotInScratch(secret);
    const text = hex(random(40));
    expect(() => aeadEncryptFramed(text, { adLength: 0 }, throwing, nonce, key)).toThrow(boom);
    expectNotInScratch(utf8(text));
    sealFramed(text, [], nonce, key, 64);
    expectNotInScratch(utf8(text));
    expectNotInScratch(key);
  });
});

describe('aeadDecryptWith', () => {
  it('reads the plaintext in place, with the additional data in parts, and wipes it after', () => {
    const [m, nonce, key] = [random(1000), random(24), random(32)];
    const parts = [random(19), random(30), random(200)];
    const c = aeadEncrypt(m, concat(...parts), nonce, key);
    let seen: Uint8Array | undefined;
    expect(aeadDecryptWith(c, parts, nonce, key, (p) => ((seen = p.slice()), p.length))).toBe(1000);
    expect(seen).toEqual(m);
    expectNotInScratch(m);
    expectNotInScratch(key);
    const boom = new Error('boom');
    expect(() =>
      aeadDecryptWith(c, parts, nonce, key, () => {
        throw boom;
      }),
    ).toThrow(boom);
    expectNotInScratch(m);
  });

  it('returns undefined (never calls the reader) for a flipped bit, other parts, a short input or wrong sizes', () => {
    const [m, nonce, key] = [random(100), random(24), random(32)];
    const parts = [random(19), random(40)];
    const c = aeadEncrypt(m, concat(...parts), nonce, key);
    const read = jest.fn(() => true);
    const bad = c.slice();
    bad[3] = bad[3]! ^ 1;
    expect(aeadDecryptWith(bad, parts, nonce, key, read)).toBeUndefined();
    expect(aeadDecryptWith(c, [parts[1]!, parts[0]!], nonce, key, read)).toBeUndefined();
    expect(aeadDecryptWith(c, [concat(...parts).subarray(1)], nonce, key, read)).toBeUndefined();
    expect(aeadDecryptWith(c.subarray(0, 15), parts, nonce, key, read)).toBeUndefined();
    expect(aeadDecryptWith(c, parts, nonce.subarray(1), key, read)).toBeUndefined();
    expect(aeadDecryptWith(c, parts, nonce, key.subarray(1), read)).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
    expect(aeadDecryptWith(c, [concat(...parts)], nonce, key, read)).toBe(true);
  });
});

describe('Ed25519 verification in parts', () => {
  it('verifies as signVerifyDetached does', () => {
    const { secretKey, publicKey } = signSeedKeypair(random(32));
    const parts = [random(19), random(2), random(1100)];
    const whole = concat(...parts);
    const sig = signDetached(whole, secretKey);
    expect(signVerifyDetachedParts(sig, parts, publicKey)).toBe(true);
    expect(signVerifyDetached(sig, whole, publicKey)).toBe(true);
    expect(signVerifyDetachedParts(sig, [whole.subarray(0, 500), whole.subarray(500)], publicKey)).toBe(true);
    const changed = parts[2]!.slice();
    changed[0] = changed[0]! ^ 1;
    expect(signVerifyDetachedParts(sig, [parts[0]!, parts[1]!, changed], publicKey)).toBe(false);
    expect(signVerifyDetachedParts(sig.subarray(1), parts, publicKey)).toBe(false);
    expect(signVerifyDetachedParts(sig, parts, publicKey.subarray(1))).toBe(false);
  });
});
