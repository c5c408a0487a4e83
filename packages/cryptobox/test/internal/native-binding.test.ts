/**
 * The native binding (`sodium-native`) against the WebAssembly binding, differentially: the same
 * inputs (seeded, with fixed nonces) give the same bytes, each opens what the other sealed, and
 * both refuse the same things. Then the native binding's scratch wiping and how loading fails.
 */
import { loadNativeBinding } from '../../src/internal/native-binding';
import { boxOpenAfternm, boxSealAfternm, startWasmBinding } from '../../src/internal/wasm-binding';
import type { SodiumBinding } from '../../src/internal/binding';
import { KEY_BYTES, MAC_BYTES, NONCE_BYTES } from '../../src/internal/binding';
import { LOW_ORDER_POINTS as LOW_ORDER } from '../reference-sodium';
import { signVerifyDetached, sodiumV2Ready } from '../../src/sodium-v2';

/** The order of the Ed25519 group, little-endian. */
const ED25519_L = Uint8Array.from(
  'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'.match(/../g)!,
  (b) => parseInt(b, 16),
);

/** Seeded inputs (mulberry32): a failure replays from SEED. */
const SEED = Number(process.env['WAMPBOX_TEST_SEED'] ?? 0x5eed);
let state = SEED >>> 0;
function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}
const hex = (a: Uint8Array | undefined): string | undefined =>
  a === undefined ? undefined : Buffer.from(a).toString('hex');
const fixed = (nonce: Uint8Array) => (target: Uint8Array) => target.set(nonce);
const outcome = (f: () => Uint8Array): string => {
  try {
    return hex(f())!;
  } catch (err) {
    return `${(err as { name?: string }).name}:${(err as { code?: string }).code}`;
  }
};

const TEXTS = [
  '',
  'a',
  '{"uri":"com.example.add","args":[1,"x",null],"kwargs":{"k":true}}',
  'é😀\u2028 mixed ✓ text \u0000 with a NUL',
  '\ud800 a lone surrogate',
  'x'.repeat(1024),
  'ü'.repeat(8192),
  'y'.repeat(16 * 1024),
  'z'.repeat(70_000),
];

let native: Required<SodiumBinding>;
let wasm: SodiumBinding;

beforeAll(async () => {
  [native, wasm] = await Promise.all([loadNativeBinding(), startWasmBinding()]);
  await sodiumV2Ready();
});

describe(`native and WebAssembly bindings give identical bytes (seed ${SEED})`, () => {
  it('report which they are', () => {
    expect(native.info).toEqual({ binding: 'native', library: 'sodium-native' });
    expect(wasm.info.binding).toBe('wasm');
  });

  it('crypto_box_beforenm and scalarmult_base: same keys, both directions, same refusals', () => {
    for (let i = 0; i < 64; i++) {
      const [a, b] = [bytes(KEY_BYTES), bytes(KEY_BYTES)];
      const [pa, pb] = [wasm.scalarmultBase(a), wasm.scalarmultBase(b)];
      expect(hex(native.scalarmultBase(a))).toBe(hex(pa));
      const k = wasm.boxBeforenm(pb, a);
      expect(hex(native.boxBeforenm(pb, a))).toBe(hex(k));
      expect(hex(native.boxBeforenm(pa, b))).toBe(hex(k));
      // 32 arbitrary bytes as a public key: both derive the same key, or both refuse
      const pk = bytes(KEY_BYTES);
      expect(outcome(() => native.boxBeforenm(pk, a))).toBe(outcome(() => wasm.boxBeforenm(pk, a)));
    }
    for (const pk of LOW_ORDER) {
      expect(outcome(() => native.boxBeforenm(pk, bytes(KEY_BYTES)))).toBe('InvalidArgumentError:ERR_INVALID_ARGUMENT');
    }
  });

  it.each([0, 1, 15, 16, 17, 1024, 16 * 1024, 70_000])(
    'seal and open of %i bytes with a fixed nonce, each opening the other',
    (size) => {
      const key = wasm.boxBeforenm(wasm.scalarmultBase(bytes(32)), bytes(32));
      const [message, nonce] = [bytes(size), bytes(NONCE_BYTES)];
      const fromWasm = boxSealAfternm(message, nonce, key);
      const fromNative = native.boxSealAfternm(message, nonce, key);
      expect(fromNative).toHaveLength(size + MAC_BYTES);
      expect(hex(fromNative)).toBe(hex(fromWasm));
      expect(hex(native.boxOpenAfternm(fromWasm, nonce, key))).toBe(hex(message));
      expect(hex(boxOpenAfternm(fromNative, nonce, key))).toBe(hex(message));
    },
  );

  it('cryptobox text layout (nonce || MAC || ciphertext): same bytes, each opening the other', () => {
    for (const text of TEXTS) {
      const key = bytes(KEY_BYTES);
      const nonce = bytes(NONCE_BYTES);
      const fromWasm = wasm.sealTextAfternm(text, key, fixed(nonce));
      const fromNative = native.sealTextAfternm(text, key, fixed(nonce));
      expect(hex(fromNative)).toBe(hex(fromWasm));
      const roundTrip = Buffer.from(text, 'utf8').toString('utf8'); // a lone surrogate becomes U+FFFD
      expect(native.openTextAfternm(fromWasm, key)).toBe(roundTrip);
      expect(wasm.openTextAfternm(fromNative, key)).toBe(roundTrip);
    }
  });

  it('refuse the same tampered, truncated, mis-keyed and non-UTF-8 inputs', () => {
    const key = bytes(KEY_BYTES);
    const sealed = native.sealTextAfternm('secret text', key, fixed(bytes(NONCE_BYTES)));
    const variants: Uint8Array[] = [sealed.subarray(0, NONCE_BYTES + MAC_BYTES - 1), sealed.subarray(0, 0)];
    for (const at of [0, NONCE_BYTES - 1, NONCE_BYTES, NONCE_BYTES + MAC_BYTES, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at]! ^= 1;
      variants.push(bad);
    }
    for (const v of variants) expect(native.openTextAfternm(v, key)).toBe(wasm.openTextAfternm(v, key));
    for (const v of variants) expect(native.openTextAfternm(v, key)).toBeUndefined();
    expect(native.openTextAfternm(sealed, bytes(KEY_BYTES))).toBeUndefined();
    expect(native.openTextAfternm(sealed, key.subarray(1))).toBeUndefined();
    expect(native.boxOpenAfternm(sealed.subarray(NONCE_BYTES), bytes(NONCE_BYTES), key)).toBeUndefined();
    expect(native.boxOpenAfternm(sealed.subarray(0, MAC_BYTES - 1), bytes(NONCE_BYTES), key)).toBeUndefined();
    const nonce = bytes(NONCE_BYTES);
    const notText = new Uint8Array(NONCE_BYTES + MAC_BYTES + 3);
    notText.set(nonce);
    notText.set(boxSealAfternm(Uint8Array.of(0x61, 0xff, 0x62), nonce, key), NONCE_BYTES);
    expect(native.openTextAfternm(notText, key)).toBeNull();
    expect(wasm.openTextAfternm(notText, key)).toBeNull();
  });

  it('refuse the same wrongly sized arguments with ERR_INVALID_ARGUMENT', () => {
    const calls: [string, (b: SodiumBinding) => Uint8Array][] = [
      ['short public key', (b) => b.boxBeforenm(bytes(31), bytes(32))],
      ['long secret key', (b) => b.boxBeforenm(bytes(32), bytes(33))],
      ['short nonce', (b) => (b.boxSealAfternm ?? boxSealAfternm)(bytes(4), bytes(23), bytes(32))],
      ['short key', (b) => b.sealTextAfternm('x', bytes(31), fixed(bytes(24)))],
      ['short seed', (b) => b.signSeedKeypair(bytes(31)).secretKey],
      ['short signing key', (b) => b.signDetached(bytes(8), bytes(32))],
      ['short scalar', (b) => b.scalarmultBase(bytes(31))],
    ];
    for (const [, call] of calls) {
      expect(outcome(() => call(native))).toBe('InvalidArgumentError:ERR_INVALID_ARGUMENT');
      expect(outcome(() => call(wasm))).toBe('InvalidArgumentError:ERR_INVALID_ARGUMENT');
    }
  });

  it('Ed25519: same key pairs from a seed and same signatures', () => {
    for (const size of [0, 1, 32, 1000, 70_000]) {
      const seed = bytes(32);
      const n = native.signSeedKeypair(seed);
      const w = wasm.signSeedKeypair(seed);
      expect(hex(n.publicKey)).toBe(hex(w.publicKey));
      expect(hex(n.secretKey)).toBe(hex(w.secretKey));
      const message = bytes(size);
      expect(hex(native.signDetached(message, n.secretKey))).toBe(hex(wasm.signDetached(message, w.secretKey)));
    }
  });

  it('Ed25519 verification over parts (E2E v2): the same answer for valid, flipped, non-canonical and low-order inputs', () => {
    const wasmVerify = (sig: Uint8Array, parts: Uint8Array[], pk: Uint8Array): boolean =>
      signVerifyDetached(sig, Buffer.concat(parts), pk);
    const cases: [Uint8Array, Uint8Array[], Uint8Array][] = [];
    for (const size of [0, 1, 33, 1000, 5000]) {
      const { publicKey, secretKey } = wasm.signSeedKeypair(bytes(32));
      const message = bytes(size);
      const sig = wasm.signDetached(message, secretKey);
      const parts = [message.subarray(0, size >> 1), message.subarray(size >> 1)];
      cases.push([sig, parts, publicKey], [sig, [message], publicKey]);
      for (let bit = 0; bit < 512; bit += 7) {
        const flipped = sig.slice();
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        cases.push([flipped, parts, publicKey]);
      }
      if (size > 0) {
        const other = message.slice();
        other[size - 1]! ^= 0x80;
        cases.push([sig, [other], publicKey]);
      }
      // S + L: the same signature with a non-canonical S
      const nonCanonical = sig.slice();
      let carry = 0;
      for (let i = 0; i < 32; i++) {
        const v = nonCanonical[32 + i]! + ED25519_L[i]! + carry;
        nonCanonical[32 + i] = v & 0xff;
        carry = v >> 8;
      }
      cases.push([nonCanonical, parts, publicKey]);
      for (const point of LOW_ORDER) cases.push([sig, parts, point]);
      cases.push([sig.subarray(0, 63), parts, publicKey], [sig, parts, publicKey.subarray(0, 31)]);
    }
    let valid = 0;
    for (const [sig, parts, pk] of cases) {
      const expected = wasmVerify(sig, parts, pk);
      expect([hex(sig), native.verifyDetachedParts(sig, parts, pk)]).toEqual([hex(sig), expected]);
      if (expected) valid++;
    }
    expect(valid).toBe(10);
  });

  it('native key pairs are fresh and consistent', () => {
    const a = native.boxKeypair();
    const b = native.boxKeypair();
    expect(a.secretKey).toHaveLength(KEY_BYTES);
    expect(hex(wasm.scalarmultBase(a.secretKey))).toBe(hex(a.publicKey));
    expect(hex(a.secretKey)).not.toBe(hex(b.secretKey));
  });
});

describe('native binding: scratch wiping', () => {
  const zero = (a: Uint8Array): boolean => a.every((x) => x === 0);

  it('wipes the X25519 result and keystream block after beforenm, also when it refuses', () => {
    native.boxBeforenm(native.scalarmultBase(bytes(32)), bytes(32));
    expect(zero(native.scratchForTesting().fixed)).toBe(true);
    expect(() => native.boxBeforenm(LOW_ORDER[2]!, bytes(32))).toThrow();
    expect(zero(native.scratchForTesting().fixed)).toBe(true);
  });

  it('wipes the plaintext after sealing and opening text, failed and non-UTF-8 opens too', () => {
    const key = bytes(KEY_BYTES);
    const big = 'ü'.repeat(100_000);
    const sealed = native.sealTextAfternm(big, key, fixed(bytes(NONCE_BYTES)));
    // control: the hook reads the real scratch, which grew for this text
    expect(native.scratchForTesting().data.length).toBeGreaterThanOrEqual(big.length * 3);
    expect(zero(native.scratchForTesting().data)).toBe(true);
    expect(native.openTextAfternm(sealed, key)).toBe(big);
    expect(zero(native.scratchForTesting().data)).toBe(true);
    const bad = sealed.slice();
    bad[bad.length - 1]! ^= 1;
    expect(native.openTextAfternm(bad, key)).toBeUndefined();
    expect(zero(native.scratchForTesting().data)).toBe(true);
    const nonce = bytes(NONCE_BYTES);
    const notText = new Uint8Array(NONCE_BYTES + MAC_BYTES + 200);
    notText.set(nonce);
    notText.set(native.boxSealAfternm(new Uint8Array(200).fill(0xff), nonce, key), NONCE_BYTES);
    expect(native.openTextAfternm(notText, key)).toBeNull();
    expect(zero(native.scratchForTesting().data)).toBe(true);
  });
});

describe('loading sodium-native', () => {
  type Native = Record<string, unknown>;
  function isolatedLoad(mock: () => Native): Promise<SodiumBinding> {
    let load: typeof loadNativeBinding | undefined;
    // the addon is imported asynchronously, after isolateModules returns: start from a fresh registry
    jest.resetModules();
    jest.isolateModules(() => {
      jest.doMock('sodium-native', mock);
      load = (require('../../src/internal/native-binding') as typeof import('../../src/internal/native-binding'))
        .loadNativeBinding;
    });
    return load!();
  }
  const real = (): Native => jest.requireActual<Native>('sodium-native');
  const unsupported = (message: RegExp) =>
    expect.objectContaining({
      name: 'InvalidArgumentError',
      code: 'ERR_FEATURE_UNSUPPORTED',
      message: expect.stringMatching(message),
    });

  afterEach(() => jest.dontMock('sodium-native'));

  it('says when it is not installed', async () => {
    const notFound = Object.assign(new Error("Cannot find module 'sodium-native'"), { code: 'MODULE_NOT_FOUND' });
    await expect(
      isolatedLoad(() => {
        throw notFound;
      }),
    ).rejects.toEqual(unsupported(/^sodium-native is not installed$/));
  });

  it('says when it does not load (no build for this platform)', async () => {
    await expect(
      isolatedLoad(() => {
        throw new Error('No native build was found for platform=plan9 arch=mips');
      }),
    ).rejects.toEqual(unsupported(/^sodium-native did not load: No native build was found/));
  });

  it('refuses an addon that lacks a function it calls', async () => {
    await expect(isolatedLoad(() => ({ ...real(), crypto_stream_salsa20: undefined }))).rejects.toEqual(
      unsupported(/does not export crypto_stream_salsa20\(\)/),
    );
  });

  it('refuses an addon that fails the known-answer test', async () => {
    const wrong = { ...real(), crypto_stream_salsa20: (c: Uint8Array) => c.fill(7) };
    await expect(isolatedLoad(() => wrong)).rejects.toEqual(unsupported(/self-test/));
    const throwing = {
      ...real(),
      crypto_secretbox_easy: () => {
        throw new Error('status: -1');
      },
    };
    await expect(isolatedLoad(() => throwing)).rejects.toEqual(unsupported(/self-test: status: -1/));
  });

  it('loads the real addon', async () => {
    await expect(isolatedLoad(real)).resolves.toMatchObject({ info: { binding: 'native' } });
  });
});
