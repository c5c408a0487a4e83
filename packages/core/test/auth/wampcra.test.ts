import { InvalidArgumentError, computeWampcraSignature, deriveWampcraKey, wampcra } from '../../src/index';

// Reference values computed with Autobahn|Python 26.10.2 (the library Crossbar.io uses to check
// WAMP-CRA signatures): autobahn.wamp.auth.derive_key(secret, salt, iterations, keylen) and
// autobahn.wamp.auth.compute_wcs(key, challenge).
const CHALLENGE =
  '{"authid": "wampcra-user", "authrole": "user", "authmethod": "wampcra", "authprovider": "static", "session": 1234567890, ' +
  '"nonce": "Yq2tDkpDkXWA2cE0FT+Qy0ZUrddHdq8FyZ5wu13L2uHG+C/N+A7RZmmqpxfrzQ4I", "timestamp": "2024-01-01T00:00:00.000Z"}';

const VECTORS = {
  // compute_wcs(b"wampcra-secret", CHALLENGE)
  unsalted: 'Kh7wdilBCqTpAmYloF+EhqTCl3waqQjrpkEiWBkEta0=',
  // derive_key("wampcra-salted-secret", "salt123", 100, 32)
  derivedSalted: 'FPdQbXXYJRP4S3iuq58JR1nfA/9OfuV3orFuxmiCnIw=',
  // compute_wcs(derive_key("wampcra-salted-secret", "salt123", 100, 32), CHALLENGE)
  salted: 'kOQhEMwkabZn8nKdzg4kanzOoxyduLtP5XO806vPtt4=',
  // derive_key("secret", "salt", 1000, 32): the default parameters
  derivedDefault: 'qN+JnzxPIE2WfgrWPAkph8EAVeuwF7PZ0ordIY1Peq0=',
  // derive_key("secret", "salt", 1, 64)
  derived64: 'ON9CizCTCOSMNofn+QvaDpzyU1aMIex1Sg4HarSrZCOFdCxTn36+eFF2SoJiJLQHLh03nxZLIP+Jehaz/rDkEw==',
  // derive_key("päss wörd", "sälz", 10, 16): strings are UTF-8
  derivedUnicode: 'HMLmaynuvTvt0YL+oepQwA==',
  // compute_wcs("päss wörd", "challenge ☃")
  sigUnicode: 'flWBUriop6qkIBSMoN/dFGiocKTAC9h6UVE3gxP40Mc=',
  // compute_wcs(derive_key("päss wörd", "sälz", 10, 16), "challenge ☃")
  sigDerivedUnicode: 'CmWSwv77Mu9h+VVEU9KbMPhRM/tSGDMHuXKsnjuJu/0=',
};

describe('WAMP-CRA helpers (Autobahn|Python vectors)', () => {
  it('signs with the plain secret as the HMAC key', async () => {
    await expect(computeWampcraSignature('wampcra-secret', CHALLENGE)).resolves.toBe(VECTORS.unsalted);
    await expect(computeWampcraSignature(new TextEncoder().encode('wampcra-secret'), CHALLENGE)).resolves.toBe(
      VECTORS.unsalted,
    );
  });

  it('derives the salted key as base64 of PBKDF2-HMAC-SHA256', async () => {
    await expect(deriveWampcraKey('wampcra-salted-secret', 'salt123', 100, 32)).resolves.toBe(VECTORS.derivedSalted);
    await expect(deriveWampcraKey('secret', 'salt')).resolves.toBe(VECTORS.derivedDefault);
    await expect(deriveWampcraKey('secret', 'salt', 1, 64)).resolves.toBe(VECTORS.derived64);
  });

  it('uses the base64 text of the derived key as the HMAC key', async () => {
    const key = await deriveWampcraKey('wampcra-salted-secret', 'salt123', 100, 32);
    await expect(computeWampcraSignature(key, CHALLENGE)).resolves.toBe(VECTORS.salted);
  });

  it('encodes strings as UTF-8', async () => {
    const key = await deriveWampcraKey('päss wörd', 'sälz', 10, 16);
    expect(key).toBe(VECTORS.derivedUnicode);
    await expect(computeWampcraSignature('päss wörd', 'challenge ☃')).resolves.toBe(VECTORS.sigUnicode);
    await expect(computeWampcraSignature(key, 'challenge ☃')).resolves.toBe(VECTORS.sigDerivedUnicode);
  });

  it('rejects invalid parameters with ERR_INVALID_ARGUMENT', async () => {
    for (const [iterations, keylen] of [
      [0, 32],
      [1.5, 32],
      [10, 0],
      [10, 4096],
      [Number.NaN, 32],
    ] as const) {
      await expect(deriveWampcraKey('s', 'salt', iterations, keylen)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
    }
    await expect(deriveWampcraKey(42 as unknown as string, 'salt')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(computeWampcraSignature('k', undefined as unknown as string)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});

describe('wampcra()', () => {
  it('announces the method and authid', () => {
    const a = wampcra('wampcra-secret', { authid: 'wampcra-user' });
    expect(a.method).toBe('wampcra');
    expect(a.authid).toBe('wampcra-user');
    expect(a.authextra).toBeUndefined();
  });

  it('answers an unsalted challenge', async () => {
    await expect(wampcra('wampcra-secret').challenge({ challenge: CHALLENGE })).resolves.toBe(VECTORS.unsalted);
  });

  it('answers a salted challenge with the parameters from the CHALLENGE', async () => {
    const extra = { challenge: CHALLENGE, salt: 'salt123', iterations: 100, keylen: 32 };
    await expect(wampcra('wampcra-salted-secret').challenge(extra)).resolves.toBe(VECTORS.salted);
  });

  it('defaults to 1000 iterations and 32 bytes when a salted CHALLENGE names none', async () => {
    const key = await deriveWampcraKey('secret', 'salt', 1000, 32);
    const expected = await computeWampcraSignature(key, 'c');
    await expect(wampcra('secret').challenge({ challenge: 'c', salt: 'salt' })).resolves.toBe(expected);
  });

  it('fails on a malformed CHALLENGE', async () => {
    const a = wampcra('s');
    await expect(Promise.resolve().then(() => a.challenge({}))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(Promise.resolve().then(() => a.challenge({ challenge: 'c', salt: 5 }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(
      Promise.resolve().then(() => a.challenge({ challenge: 'c', salt: 's', iterations: -1 })),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('refuses a secret or authid that is not a string', () => {
    expect(() => wampcra(undefined as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => wampcra('s', { authid: 1 as unknown as string })).toThrow(InvalidArgumentError);
  });
});
