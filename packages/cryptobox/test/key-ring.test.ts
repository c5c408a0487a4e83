import './binding-under-test';
import { inspect } from 'node:util';
import { InvalidArgumentError, PAYLOAD_ERROR_URIS, PayloadCodecError } from '@wampbox/core';
import { generateKeyPair, KeyEntry, KeyRing, publicKeyFromSecret, type KeyPair } from '../src/index';
import { setNonceSourceForTesting } from '../src/internal/nonce';
import { ringSharedKey } from '../src/key-ring';

let originator: KeyPair;
let responder: KeyPair;
let stranger: KeyPair;

beforeAll(async () => {
  originator = await generateKeyPair();
  responder = await generateKeyPair();
  stranger = await generateKeyPair();
});

afterEach(() => setNonceSourceForTesting(undefined));

function pairRings(prefix = 'com.app.'): { o: KeyRing; r: KeyRing } {
  return {
    o: new KeyRing().setKey(prefix, {
      originatorPriv: originator.secretKeyBase64,
      responderPub: responder.publicKeyBase64,
    }),
    r: new KeyRing().setKey(prefix, { responderPriv: responder.secretKeyHex, originatorPub: originator.publicKey }),
  };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; uri: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadCodecError);
    return { code: (err as PayloadCodecError).code, uri: (err as PayloadCodecError).uri };
  }
  throw new Error('expected a PayloadCodecError, but the call succeeded');
}

describe('lookup (Autobahn semantics)', () => {
  it('longest raw string prefix wins, not dot-aware', () => {
    const ring = new KeyRing();
    ring.setKey('com.app', originator.secretKeyBase64);
    ring.setKey('com.app.secret.', responder.secretKeyBase64);
    expect(ring.hasKey('com.app')).toBe(true);
    expect(ring.hasKey('com.appx')).toBe(true);
    expect(ring.hasKey('com.app.secret.x')).toBe(true);
    expect(ring.hasKey('com.ap')).toBe(false);
    expect(ring.hasKey('org.app')).toBe(false);
    const a = ringSharedKey(ring, 'com.app.x', true)!;
    const b = ringSharedKey(ring, 'com.app.secret.x', true)!;
    const c = ringSharedKey(ring, 'com.app.secret.', true)!;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(b).equals(Buffer.from(c))).toBe(true);
  });

  it('falls back to the default key (constructor or prefix "") only when no prefix matches', () => {
    const ring = new KeyRing(stranger.secretKeyBase64);
    expect(ring.hasKey('anything.at.all')).toBe(true);
    expect(ring.hasKey('')).toBe(true);
    ring.setKey('com.app.', { originatorPriv: originator.secretKeyBase64, responderPub: responder.publicKeyBase64 });
    // the matched entry lacks the responder role: no fallback to the default key
    expect(ringSharedKey(ring, 'com.app.x', false)).toBeNull();
    expect(ringSharedKey(ring, 'com.other', false)).not.toBeNull();
    ring.setKey('', null);
    expect(ring.hasKey('com.other')).toBe(false);
    expect(ring.hasKey('com.app.x')).toBe(true);
    ring.setKey('com.app.', null);
    expect(ring.hasKey('com.app.x')).toBe(false);
  });

  it('a default key given as setKey("", …) equals one given to the constructor', async () => {
    const a = new KeyRing(stranger.secretKeyBase64);
    const b = new KeyRing().setKey('', stranger.secretKeyBase64);
    setNonceSourceForTesting((t) => t.fill(7));
    const sa = await a.encrypt('x.y', { args: [1] }, { originating: true });
    const sb = await b.encrypt('x.y', { args: [1] }, { originating: true });
    expect(sa).toEqual(sb);
  });

  it('a KeyEntry can be shared between rings and prefixes', async () => {
    const entry = new KeyEntry(stranger.secretKeyBase64);
    const ring = new KeyRing().setKey('a.', entry).setKey('b.', entry);
    const sealed = await ring.encrypt('a.x', { args: ['hi'] }, { originating: true });
    expect(await ring.decrypt('a.x', sealed, { originating: false })).toEqual({ args: ['hi'], kwargs: undefined });
    expect(entry.canOriginate && entry.canRespond).toBe(true);
  });
});

describe('KeyEntry validation', () => {
  it('needs at least one complete role', () => {
    expect(() => new KeyEntry({ originatorPriv: originator.secretKeyBase64 })).toThrow(InvalidArgumentError);
    expect(
      () => new KeyEntry({ originatorPub: originator.publicKeyBase64, responderPub: responder.publicKeyBase64 }),
    ).toThrow(InvalidArgumentError);
    expect(() => new KeyEntry({})).toThrow(InvalidArgumentError);
    const o = new KeyEntry({ originatorPriv: originator.secretKeyBase64, responderPub: responder.publicKeyBase64 });
    expect([o.canOriginate, o.canRespond]).toEqual([true, false]);
    const r = new KeyEntry({ responderPriv: responder.secretKeyBase64, originatorPub: originator.publicKeyBase64 });
    expect([r.canOriginate, r.canRespond]).toEqual([false, true]);
  });

  it('rejects a public key that does not belong to the secret key given with it', async () => {
    await publicKeyFromSecret(originator.secretKey); // libsodium is ready: checked at once
    expect(
      () =>
        new KeyEntry({
          originatorPriv: originator.secretKeyBase64,
          originatorPub: stranger.publicKeyBase64,
          responderPub: responder.publicKeyBase64,
        }),
    ).toThrow(/originatorPub does not belong/);
    expect(
      () =>
        new KeyEntry({
          originatorPriv: originator.secretKeyBase64,
          originatorPub: originator.publicKeyHex,
          responderPub: responder.publicKeyBase64,
        }),
    ).not.toThrow();
  });

  it('rejects malformed keys without echoing them', () => {
    expect(() => new KeyRing('AAAA')).toThrow(InvalidArgumentError);
    expect(() =>
      new KeyRing().setKey('x', { originatorPriv: 'AAAA', responderPub: responder.publicKeyBase64 }),
    ).toThrow(/originatorPriv/);
  });
});

describe('key material stays out of sight', () => {
  it('does not show in inspection, logging or JSON of an entry or a ring', async () => {
    const { o } = pairRings();
    await o.encrypt('com.app.x', { args: [1] }, { originating: true }); // shared keys derived
    const entry = new KeyEntry({ originatorPriv: originator.secretKey, responderPub: responder.publicKey });
    const secretForms = [
      originator.secretKeyBase64,
      originator.secretKeyHex,
      responder.publicKeyBase64,
      responder.publicKeyHex,
    ];
    for (const shown of [
      inspect(entry, { showHidden: true, depth: 10 }),
      inspect(o, { showHidden: true, depth: 10 }),
      JSON.stringify(entry),
      JSON.stringify(o),
    ]) {
      for (const secret of secretForms) expect(shown).not.toContain(secret);
      // no byte arrays at all (a key would show as its numbers)
      expect(shown).not.toMatch(/Uint8Array|\d+, \d+, \d+/);
    }
  });
});

describe('encrypt / decrypt', () => {
  it('round trips originator → responder and responder → originator', async () => {
    const { o, r } = pairRings();
    const sealed = await o.encrypt('com.app.add', { args: [1, 2], kwargs: { k: 'v' } }, { originating: true });
    expect(await r.decrypt('com.app.add', sealed, { originating: false })).toEqual({
      args: [1, 2],
      kwargs: { k: 'v' },
    });
    const back = await r.encrypt('com.app.add', { args: [3] }, { originating: false });
    expect(await o.decrypt('com.app.add', back, { originating: true })).toEqual({ args: [3], kwargs: undefined });
  });

  it('layout: nonce(24) || MAC(16) || ciphertext, 40 + plaintext bytes, fresh nonce per message', async () => {
    const { o } = pairRings();
    const a = await o.encrypt('com.app.t', { args: ['x'], kwargs: {} }, { originating: true });
    const b = await o.encrypt('com.app.t', { args: ['x'], kwargs: {} }, { originating: true });
    const plaintext = '{"uri":"com.app.t","args":["x"],"kwargs":{}}';
    expect(a.length).toBe(40 + plaintext.length);
    expect(Buffer.from(a.subarray(0, 24)).equals(Buffer.from(b.subarray(0, 24)))).toBe(false);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('draws nonces from globalThis.crypto.getRandomValues, in batches, never repeating', async () => {
    const { o } = pairRings();
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      const nonces = new Set<string>();
      for (let i = 0; i < 600; i++) {
        const sealed = await o.encrypt('com.app.t', {}, { originating: true });
        nonces.add(Buffer.from(sealed.subarray(0, 24)).toString('hex'));
      }
      expect(nonces.size).toBe(600);
      // 600 nonces from pools of 256: at most 3 refills (plus none from libsodium)
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('absent args/kwargs travel as null and come back undefined; [] and {} are kept', async () => {
    const { o, r } = pairRings();
    setNonceSourceForTesting((t) => t.fill(1));
    for (const payload of [{}, { args: [] }, { kwargs: {} }, { args: [], kwargs: {} }, { args: [null] }]) {
      const sealed = await o.encrypt('com.app.e', payload, { originating: true });
      expect(await r.decrypt('com.app.e', sealed, { originating: false })).toEqual({
        args: undefined,
        kwargs: undefined,
        ...payload,
      });
    }
  });

  it('refuses without a key for the URI or role (ERR_PAYLOAD_NO_KEY)', async () => {
    const { o, r } = pairRings();
    const sealed = await o.encrypt('com.app.e', {}, { originating: true });
    expect(await codeOf(o.encrypt('org.other', {}, { originating: true }))).toEqual({
      code: 'ERR_PAYLOAD_NO_KEY',
      uri: PAYLOAD_ERROR_URIS.noKey,
    });
    expect(await codeOf(o.encrypt('com.app.e', {}, { originating: false }))).toEqual({
      code: 'ERR_PAYLOAD_NO_KEY',
      uri: PAYLOAD_ERROR_URIS.noKey,
    });
    expect(await codeOf(r.decrypt('org.other', sealed, { originating: false }))).toEqual({
      code: 'ERR_PAYLOAD_NO_KEY',
      uri: PAYLOAD_ERROR_URIS.noKey,
    });
    expect(await codeOf(r.decrypt('com.app.e', sealed, { originating: true }))).toEqual({
      code: 'ERR_PAYLOAD_NO_KEY',
      uri: PAYLOAD_ERROR_URIS.noKey,
    });
  });

  it('binds the URI: a payload replayed under another keyed URI is refused (ERR_PAYLOAD_URI_MISMATCH)', async () => {
    const { o, r } = pairRings();
    const sealed = await o.encrypt('com.app.transfer', { args: [100] }, { originating: true });
    expect(await codeOf(r.decrypt('com.app.refund', sealed, { originating: false }))).toEqual({
      code: 'ERR_PAYLOAD_URI_MISMATCH',
      uri: PAYLOAD_ERROR_URIS.uriMismatch,
    });
  });

  it('wrong key (another originator) fails to open (ERR_PAYLOAD_DECRYPT)', async () => {
    const { r } = pairRings();
    const forger = new KeyRing().setKey('com.app.', {
      originatorPriv: stranger.secretKeyBase64,
      responderPub: responder.publicKeyBase64,
    });
    const sealed = await forger.encrypt('com.app.t', { args: [1] }, { originating: true });
    expect(await codeOf(r.decrypt('com.app.t', sealed, { originating: false }))).toEqual({
      code: 'ERR_PAYLOAD_DECRYPT',
      uri: PAYLOAD_ERROR_URIS.decrypt,
    });
  });

  it('does not keep references to the caller payload', async () => {
    const { o, r } = pairRings();
    const blob = new Uint8Array([1, 2, 3]);
    const payload = { args: [blob, { nested: [blob] }], kwargs: { blob } };
    const sealed = await o.encrypt('com.app.b', payload, { originating: true });
    blob[0] = 9;
    const opened = await r.decrypt('com.app.b', sealed, { originating: false });
    expect(Array.from(opened.args![0] as Uint8Array)).toEqual([1, 2, 3]);
    expect(payload.args[0]).toBe(blob); // input untouched
  });
});
