import './binding-under-test';
import { CRYPTOSIGN_SEED_BYTES, cryptosign, cryptosignKeyPair, signCryptosignChallenge } from '../src/index';
import { referenceSodium as sodium } from './reference-sodium';

/**
 * The test keys `client-cs-1` and `client-cs-2` (`private_seed_hex`, `public_hex`), whose public keys
 * are the `authorized_keys` of `cryptosign-user` and `cryptosign-user2` in scripts/router/config.json.
 */
const CS1 = {
  seed: '817e81806e3b60e6885524dc857375c326610212e4a145190a68dcf0091a70fa',
  pub: '043286a054b7ea144e3fd4815be1248d9111bdd62d766305f5a0a12873d5b686',
};
const CS2 = {
  seed: '29b99b9e8eb7c3b01896567ee962a5e28b8b1548c824e972dfddc58749e3c0ae',
  pub: '627b91221201afcf9d7da63e278108cf80a3ed87af1eebb5625f37a376a4aeca',
};

// Reference signatures computed with Autobahn|Python 26.10.2:
// autobahn.wamp.cryptosign.CryptosignKey.from_bytes(seed)
//   .sign_challenge(Challenge('cryptosign', extra)[, channel_id, 'tls-unique'])
const CHALLENGE = 'a1'.repeat(32);
const CB_CHALLENGE = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const CHANNEL_ID = Uint8Array.from({ length: 32 }, (_, i) => i); // 00 01 02 ... 1f
const VECTORS = {
  cs1:
    'ab9f68e32d37bd08336b76ef30b4d25557f9dc086319f5c4533458687f964262dcdec4e4e0efdf1293d5b5b27f0a574ffdced6181707558dd64cdf0b08caa20d' +
    CHALLENGE,
  cs2:
    'b856cb7470387838f0b07cbc17dc2d48089a1830db39284bc2862bccacefcec7944fbf474651eba2e4bd3c05a836e8136653453bf90d7eec7f555c036a810b0e' +
    CHALLENGE,
  cs1Bound:
    'dd2dc9b7ec02247639bb81a62a5a19a7bb49555f31abdac87984c3a94105cb1ed4990fe9e1d560eb10e1ba67be8af71ab0bc4ed04ae1a363b27d3932bccd150a' +
    '00102030405060708090a0b0c0d0e0f010003020504070609080b0a0d0c0f0e0',
};

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));

beforeAll(async () => {
  await sodium.ready;
});

describe('cryptosign keys', () => {
  it('derives the public keys of the test seeds', async () => {
    expect(CS1.pub).toMatch(/^[0-9a-f]{64}$/);
    expect((await cryptosignKeyPair(CS1.seed)).publicKeyHex).toBe(CS1.pub);
    expect((await cryptosignKeyPair(CS2.seed)).publicKeyHex).toBe(CS2.pub);
    const kp = await cryptosignKeyPair(hexToBytes(CS1.seed));
    expect(kp.publicKey).toEqual(hexToBytes(CS1.pub));
    expect(kp.secretKey).toHaveLength(64);
  });

  it('refuses seeds that are not 32 bytes', async () => {
    for (const bad of ['abc', CS1.seed.slice(2), `${CS1.seed}00`, 'zz'.repeat(32), new Uint8Array(31), 42]) {
      await expect(cryptosignKeyPair(bad as string)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect(() => cryptosign(bad as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    expect(CRYPTOSIGN_SEED_BYTES).toBe(32);
  });
});

describe('signCryptosignChallenge (Autobahn|Python vectors)', () => {
  it('returns hex(signature || challenge): 192 hex digits', async () => {
    const sig = await signCryptosignChallenge(CS1.seed, CHALLENGE);
    expect(sig).toMatch(/^[0-9a-f]{192}$/);
    expect(sig.slice(128)).toBe(CHALLENGE);
    expect(sig).toBe(VECTORS.cs1);
    await expect(signCryptosignChallenge(hexToBytes(CS2.seed), CHALLENGE)).resolves.toBe(VECTORS.cs2);
  });

  it('verifies with the public key', async () => {
    const sig = hexToBytes(await signCryptosignChallenge(CS2.seed, CHALLENGE));
    expect(sodium.crypto_sign_verify_detached(sig.slice(0, 64), sig.slice(64), hexToBytes(CS2.pub))).toBe(true);
  });

  it('accepts a 64-byte libsodium secret key', async () => {
    const { secretKey } = await cryptosignKeyPair(CS1.seed);
    await expect(signCryptosignChallenge(secretKey, CHALLENGE)).resolves.toBe(VECTORS.cs1);
  });

  it('signs the challenge XORed with the channel id (tls-unique)', async () => {
    await expect(signCryptosignChallenge(CS1.seed, CB_CHALLENGE, CHANNEL_ID)).resolves.toBe(VECTORS.cs1Bound);
  });

  it('refuses a malformed challenge or channel id', async () => {
    for (const bad of ['', 'a1'.repeat(31), 'g1'.repeat(32), 7]) {
      await expect(signCryptosignChallenge(CS1.seed, bad as string)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
    }
    await expect(signCryptosignChallenge(CS1.seed, CHALLENGE, new Uint8Array(16))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});

describe('cryptosign()', () => {
  it('announces the method, the authid and, once prepared, authextra.pubkey', async () => {
    const a = cryptosign(CS1.seed, { authid: 'cryptosign-user' });
    expect(a.method).toBe('cryptosign');
    expect(a.authid).toBe('cryptosign-user');
    await a.prepare?.();
    expect(a.authextra).toEqual({ pubkey: CS1.pub });
  });

  it('has no authid unless given (Crossbar finds the principal by the public key)', () => {
    expect(cryptosign(CS2.seed).authid).toBeUndefined();
  });

  it('answers the CHALLENGE in the Autobahn format', async () => {
    const a = cryptosign(CS1.seed);
    await expect(a.challenge({ challenge: CHALLENGE, channel_binding: null })).resolves.toBe(VECTORS.cs1);
    await expect(a.challenge({ challenge: CHALLENGE })).resolves.toBe(VECTORS.cs1);
  });

  it('copies the seed', async () => {
    const seed = hexToBytes(CS2.seed);
    const a = cryptosign(seed);
    seed.fill(0);
    await expect(a.challenge({ challenge: CHALLENGE })).resolves.toBe(VECTORS.cs2);
  });

  it('fails on a malformed CHALLENGE or one that asks for channel binding', async () => {
    const a = cryptosign(CS1.seed);
    await expect(Promise.resolve().then(() => a.challenge({}))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(Promise.resolve().then(() => a.challenge({ challenge: 'abcd' }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(
      Promise.resolve().then(() => a.challenge({ challenge: CHALLENGE, channel_binding: 'tls-unique' })),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('refuses channel binding, which no transport supports', () => {
    expect(() => cryptosign(CS1.seed, { channelBinding: 'tls-unique' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('not supported') }),
    );
    expect(() => cryptosign(CS1.seed, { authid: 5 as unknown as string })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
