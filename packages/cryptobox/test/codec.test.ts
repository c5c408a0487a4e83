import './binding-under-test';
import { InvalidArgumentError, PAYLOAD_ERROR_URIS, PayloadCodecError, Session } from '@wampbox/core';
import { MessageType as T } from '@wampbox/core/internal';
import type { Payload, PayloadCodec, PayloadContext, PayloadMessageType, WirePayload } from '@wampbox/core';
import { FakeTransport } from '../../core/test/helpers/fake-transport';
import { cryptobox, generateKeyPair, KeyEntry, KeyRing, type CryptoboxOptions, type KeyPair } from '../src/index';
import { parseInner, stringifyInner } from '../src/internal/inner-json';
import { setNonceSourceForTesting } from '../src/internal/nonce';
import { ringSharedKey } from '../src/key-ring';
import { boxSealAfternm, isSodiumReady } from '../src/sodium';

// Autobahn vector key set 1 (fixed, so the first test can build entries before libsodium is ready).
const O_PRIV = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=';
const O_PUB = 'B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw=';
const R_PRIV = 'ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=';
const R_PUB = 'WGmv9FBUlzLLqu1eXfmzCm2jHLDldCutWtShp2jxpns=';

const PREFIX = 'com.app.secret.';
const URI = 'com.app.secret.topic';
const PLAIN_URI = 'com.app.public.topic';

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function ctx(messageType: PayloadMessageType, uri = URI, extra: Partial<PayloadContext> = {}): PayloadContext {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}
/** A callee sending ERROR, or a caller receiving it. */
const calleeError = (uri: string, requestWasOpaque = true): PayloadContext => ({
  uri,
  messageType: 'ERROR',
  originating: false,
  sending: true,
  requestWasOpaque,
  procedure: URI,
});
const callerError = (uri: string): PayloadContext => ({
  uri,
  messageType: 'ERROR',
  originating: true,
  sending: false,
  procedure: URI,
});

function rings(): { o: KeyRing; r: KeyRing } {
  return {
    o: new KeyRing().setKey(PREFIX, { originatorPriv: O_PRIV, responderPub: R_PUB }),
    r: new KeyRing().setKey(PREFIX, { responderPriv: R_PRIV, originatorPub: O_PUB }),
  };
}

async function refusal(p: () => unknown): Promise<{ code: string; uri: string }> {
  let out: unknown;
  try {
    out = await p();
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadCodecError);
    return { code: (err as PayloadCodecError).code, uri: (err as PayloadCodecError).uri };
  }
  throw new Error(`expected a PayloadCodecError, got ${JSON.stringify(out)}`);
}

async function seal(codec: PayloadCodec, payload: Payload, c: PayloadContext): Promise<Uint8Array> {
  const w = await codec.encode(payload, c);
  if (w.kind !== 'opaque') throw new Error('expected an opaque payload');
  return w.payload;
}

const opaque = (payload: Uint8Array): WirePayload => ({
  kind: 'opaque',
  payload,
  scheme: 'cryptobox',
  serializer: 'json',
});

afterEach(() => setNonceSourceForTesting(undefined));

describe('readiness', () => {
  // Must run first in this file: Jest gives each test file a fresh module registry.
  it('returns a promise until libsodium is ready, then answers synchronously', async () => {
    expect(isSodiumReady()).toBe(false);
    // Built before libsodium is ready: the public/secret consistency check is deferred to first use.
    const bad = new KeyEntry({ originatorPriv: O_PRIV, originatorPub: R_PUB, responderPub: R_PUB });
    const { o, r } = rings();
    const sender = cryptobox(o);
    const first = sender.encode({ args: [1] }, ctx('PUBLISH'));
    expect(isThenable(first)).toBe(true);
    const w = await first;
    expect(w.kind).toBe('opaque');
    expect(isSodiumReady()).toBe(true);
    const second = sender.encode({ args: [2] }, ctx('PUBLISH'));
    expect(isThenable(second)).toBe(false);
    const opened = cryptobox(r).decode(second as WirePayload, ctx('EVENT'));
    expect(isThenable(opened)).toBe(false);
    expect((opened as Payload).args).toEqual([2]);
    // plaintext paths are synchronous as well
    expect(isThenable(sender.encode({ args: [3] }, ctx('PUBLISH', PLAIN_URI)))).toBe(false);

    const badCodec = cryptobox(new KeyRing().setKey(PREFIX, bad));
    expect(() => badCodec.encode({}, ctx('PUBLISH'))).toThrow(InvalidArgumentError);
  });
});

describe('cryptobox codec', () => {
  let stranger: KeyPair;
  beforeAll(async () => {
    stranger = await generateKeyPair();
  });

  it('is named "cryptobox" and checks its arguments with typed errors', () => {
    expect(cryptobox(new KeyRing()).name).toBe('cryptobox');
    expect(cryptobox(new KeyRing(), { strict: false }).name).toBe('cryptobox');
    const invalid = expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' });
    for (const bad of [() => cryptobox({} as KeyRing), () => cryptobox(undefined as unknown as KeyRing)]) {
      expect(bad).toThrow(InvalidArgumentError);
      expect(bad).toThrow(invalid);
      expect(bad).toThrow(/ring must be a KeyRing/);
    }
    expect(() => cryptobox(new KeyRing(), null as unknown as CryptoboxOptions)).toThrow(invalid);
    expect(() => cryptobox(new KeyRing(), 'strict' as unknown as CryptoboxOptions)).toThrow(invalid);
    expect(() => cryptobox(new KeyRing(), { strict: 'no' as unknown as boolean })).toThrow(invalid);
  });

  it('seals on keyed URIs, passes unkeyed URIs through without copying', async () => {
    const { o } = rings();
    const codec = cryptobox(o);
    const w = await codec.encode({ args: ['hi'], kwargs: { a: 1 } }, ctx('PUBLISH'));
    expect(w).toMatchObject({ kind: 'opaque', scheme: 'cryptobox', serializer: 'json', cipher: 'xsalsa20poly1305' });
    expect(w).not.toHaveProperty('keyId', expect.anything());
    const args = ['hi'];
    const kwargs = { a: 1 };
    const p = await codec.encode({ args, kwargs }, ctx('CALL', PLAIN_URI));
    expect(p.kind).toBe('plain');
    if (p.kind === 'plain') {
      expect(p.args).toBe(args);
      expect(p.kwargs).toBe(kwargs);
    }
  });

  it.each([
    ['PUBLISH → EVENT', 'PUBLISH', 'EVENT'],
    ['CALL → INVOCATION', 'CALL', 'INVOCATION'],
  ] as const)('round trips %s', async (_n, send, receive) => {
    const { o, r } = rings();
    const payload = { args: [1, 'two', { three: [3] }], kwargs: { x: null, y: 'Grüße ✓ 😀' } };
    const w = await cryptobox(o).encode(payload, ctx(send));
    expect(await cryptobox(r).decode(w, ctx(receive))).toEqual(payload);
  });

  it('round trips YIELD → RESULT and a callee ERROR → caller, in the responder → originator direction', async () => {
    const { o, r } = rings();
    const y = await cryptobox(r).encode({ args: [30] }, ctx('YIELD', URI, { requestWasOpaque: true }));
    expect(y.kind).toBe('opaque');
    expect(await cryptobox(o).decode(y, ctx('RESULT', URI, { requestWasOpaque: true }))).toEqual({
      args: [30],
      kwargs: undefined,
    });
    const errUri = 'com.app.secret.error.failed';
    const e = await cryptobox(r).encode({ args: [], kwargs: { why: 'no' } }, calleeError(errUri));
    expect(e.kind).toBe('opaque');
    expect(await cryptobox(o).decode(e, callerError(errUri))).toEqual({ args: [], kwargs: { why: 'no' } });
  });

  describe('YIELD is sealed only if the INVOCATION was', () => {
    it('plain INVOCATION → plain YIELD, even on a keyed URI', async () => {
      const { r } = rings();
      for (const requestWasOpaque of [false, undefined]) {
        const w = await cryptobox(r, { strict: false }).encode({ args: [1] }, ctx('YIELD', URI, { requestWasOpaque }));
        expect(w).toEqual({ kind: 'plain', args: [1], kwargs: undefined });
      }
    });

    it('sealed INVOCATION → sealed YIELD (progressive results too)', async () => {
      const { r } = rings();
      const w = await cryptobox(r).encode({ args: [1] }, ctx('YIELD', URI, { requestWasOpaque: true }));
      expect(w.kind).toBe('opaque');
    });

    it('sealed INVOCATION but no key to seal the answer → ERR_PAYLOAD_NO_KEY, never plaintext', async () => {
      const originatorOnly = new KeyRing().setKey(PREFIX, { originatorPriv: O_PRIV, responderPub: R_PUB });
      for (const strict of [true, false]) {
        expect(
          await refusal(() =>
            cryptobox(originatorOnly, { strict }).encode({ args: [1] }, ctx('YIELD', URI, { requestWasOpaque: true })),
          ),
        ).toEqual({
          code: 'ERR_PAYLOAD_NO_KEY',
          uri: PAYLOAD_ERROR_URIS.noKey,
        });
        expect(
          await refusal(() =>
            cryptobox(new KeyRing(), { strict }).encode({ args: [1] }, ctx('YIELD', 'x.y', { requestWasOpaque: true })),
          ),
        ).toMatchObject({
          code: 'ERR_PAYLOAD_NO_KEY',
        });
      }
    });
  });

  describe('ERROR follows the error URI (as Autobahn does)', () => {
    it('keyed error URI → sealed; unkeyed error URI → plain (vector TV2)', async () => {
      const { r } = rings();
      const codec = cryptobox(r);
      expect((await codec.encode({ args: [] }, calleeError('com.app.secret.error1'))).kind).toBe('opaque');
      expect((await codec.encode({ args: [] }, calleeError('com.app.error1'))).kind).toBe('plain');
      // Autobahn seals a callee's error whenever its URI is keyed, whatever the INVOCATION was.
      expect((await codec.encode({ args: [] }, calleeError('com.app.secret.error1', false))).kind).toBe('opaque');
    });
  });

  describe('wamp.* URIs', () => {
    it('are never sealed, even under a default key', async () => {
      const codec = cryptobox(new KeyRing(stranger.secretKeyBase64));
      for (const [type, uri] of [
        ['CALL', 'wamp.session.count'],
        ['PUBLISH', 'wamp.custom.topic'],
        ['ERROR', 'wamp.error.runtime_error'],
      ] as const) {
        const c = type === 'ERROR' ? calleeError(uri) : ctx(type, uri);
        expect((await codec.encode({ args: [1] }, c)).kind).toBe('plain');
      }
    });

    it('plaintext wamp.* is accepted in strict mode, a sealed one is opened when a key exists', async () => {
      const ring = new KeyRing(stranger.secretKeyBase64);
      const codec = cryptobox(ring);
      expect(
        await codec.decode({ kind: 'plain', args: ['gone'] }, callerError('wamp.error.no_such_procedure')),
      ).toMatchObject({ args: ['gone'] });
      expect(await codec.decode({ kind: 'plain', args: [3] }, ctx('RESULT', 'wamp.session.count'))).toMatchObject({
        args: [3],
      });
      // Autobahn under a default key seals wamp.error.runtime_error from a callee.
      const sealed = await ring.encrypt(
        'wamp.error.runtime_error',
        { args: ['boom'], kwargs: null as unknown as undefined },
        { originating: false },
      );
      expect(await codec.decode(opaque(sealed), callerError('wamp.error.runtime_error'))).toEqual({
        args: ['boom'],
        kwargs: undefined,
      });
    });
  });

  describe('strict mode (default) refuses plaintext on keyed URIs', () => {
    it.each(['EVENT', 'INVOCATION', 'RESULT'] as const)('%s', async (type) => {
      const { o, r } = rings();
      const ring = type === 'RESULT' ? o : r;
      expect(await refusal(() => cryptobox(ring).decode({ kind: 'plain', args: ['forged'] }, ctx(type)))).toEqual({
        code: 'ERR_PAYLOAD_PLAINTEXT_REFUSED',
        uri: PAYLOAD_ERROR_URIS.plaintextRefused,
      });
      expect(await cryptobox(ring, { strict: false }).decode({ kind: 'plain', args: ['ok'] }, ctx(type))).toMatchObject(
        { args: ['ok'] },
      );
    });

    it('caller ERROR on a keyed error URI; empty plaintext payloads too', async () => {
      const { o } = rings();
      expect(
        await refusal(() => cryptobox(o).decode({ kind: 'plain' }, callerError('com.app.secret.err'))),
      ).toMatchObject({
        code: 'ERR_PAYLOAD_PLAINTEXT_REFUSED',
      });
      expect(
        await refusal(() => cryptobox(o).decode({ kind: 'plain' }, ctx('EVENT', 'com.app.secret.x'))),
      ).toMatchObject({
        code: 'ERR_PAYLOAD_PLAINTEXT_REFUSED',
      });
    });

    it('plaintext on unkeyed URIs passes', async () => {
      const { r } = rings();
      const wire: WirePayload = { kind: 'plain', args: [1], kwargs: { a: 2 } };
      expect(await cryptobox(r).decode(wire, ctx('EVENT', PLAIN_URI))).toMatchObject({ args: [1], kwargs: { a: 2 } });
    });

    it('a single-key ring keys every URI', async () => {
      const codec = cryptobox(new KeyRing(stranger.secretKeyBase64));
      expect(await refusal(() => codec.decode({ kind: 'plain', args: [1] }, ctx('EVENT', 'any.topic')))).toMatchObject({
        code: 'ERR_PAYLOAD_PLAINTEXT_REFUSED',
      });
    });

    it("a keyed URI whose entry lacks this side's role: strict refuses to send, non-strict sends plaintext (Autobahn)", async () => {
      const { r } = rings();
      expect(await refusal(() => cryptobox(r).encode({ args: [1] }, ctx('PUBLISH')))).toEqual({
        code: 'ERR_PAYLOAD_NO_KEY',
        uri: PAYLOAD_ERROR_URIS.noKey,
      });
      expect(await cryptobox(r, { strict: false }).encode({ args: [1] }, ctx('PUBLISH'))).toEqual({
        kind: 'plain',
        args: [1],
        kwargs: undefined,
      });
    });
  });

  describe('refusals when opening', () => {
    let sealed: Uint8Array;
    let receiver: PayloadCodec;
    beforeAll(async () => {
      const { o, r } = rings();
      sealed = await seal(cryptobox(o), { args: ['secret'], kwargs: { n: 1 } }, ctx('PUBLISH'));
      receiver = cryptobox(r);
    });

    it('opens the untouched payload', async () => {
      expect(await receiver.decode(opaque(sealed), ctx('EVENT'))).toEqual({ args: ['secret'], kwargs: { n: 1 } });
    });

    it.each([
      ['nonce', 0],
      ['nonce (last byte)', 23],
      ['MAC', 24],
      ['MAC (last byte)', 39],
      ['ciphertext', 40],
      ['ciphertext (last byte)', -1],
    ])('a flipped bit in the %s', async (_n, at) => {
      for (const bit of [0x01, 0x80]) {
        const t = sealed.slice();
        const i = at < 0 ? t.length + at : at;
        t[i] = t[i]! ^ bit;
        expect(await refusal(() => receiver.decode(opaque(t), ctx('EVENT')))).toEqual({
          code: 'ERR_PAYLOAD_DECRYPT',
          uri: PAYLOAD_ERROR_URIS.decrypt,
        });
      }
    });

    it('every single-bit flip anywhere in the box is refused with ERR_PAYLOAD_DECRYPT', async () => {
      // refusal() fails the test if a tampered box ever opens
      const codes = new Set<string>();
      for (let i = 0; i < sealed.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const t = sealed.slice();
          t[i] = t[i]! ^ (1 << bit);
          codes.add((await refusal(() => receiver.decode(opaque(t), ctx('EVENT')))).code);
        }
      }
      expect([...codes]).toEqual(['ERR_PAYLOAD_DECRYPT']);
    });

    it.each([
      ['empty', 0],
      ['1 byte', 1],
      ['nonce only', 24],
      ['39 bytes', 39],
      ['40 bytes', 40],
      ['one byte short', -1],
    ])('truncated: %s', async (_n, len) => {
      const t = sealed.slice(0, len < 0 ? sealed.length + len : len);
      expect(await refusal(() => receiver.decode(opaque(t), ctx('EVENT')))).toEqual({
        code: 'ERR_PAYLOAD_DECRYPT',
        uri: PAYLOAD_ERROR_URIS.decrypt,
      });
    });

    it('extended by a byte', async () => {
      const t = new Uint8Array(sealed.length + 1);
      t.set(sealed);
      expect(await refusal(() => receiver.decode(opaque(t), ctx('EVENT')))).toMatchObject({
        code: 'ERR_PAYLOAD_DECRYPT',
      });
    });

    it('inner URI mismatch: replayed on another keyed topic', async () => {
      expect(await refusal(() => receiver.decode(opaque(sealed), ctx('EVENT', 'com.app.secret.other')))).toEqual({
        code: 'ERR_PAYLOAD_URI_MISMATCH',
        uri: PAYLOAD_ERROR_URIS.uriMismatch,
      });
    });

    it('no key for the URI', async () => {
      expect(await refusal(() => receiver.decode(opaque(sealed), ctx('EVENT', PLAIN_URI)))).toEqual({
        code: 'ERR_PAYLOAD_NO_KEY',
        uri: PAYLOAD_ERROR_URIS.noKey,
      });
    });

    it('wrong key', async () => {
      const other = cryptobox(
        new KeyRing().setKey(PREFIX, { responderPriv: stranger.secretKey, originatorPub: O_PUB }),
      );
      expect(await refusal(() => other.decode(opaque(sealed), ctx('EVENT')))).toMatchObject({
        code: 'ERR_PAYLOAD_DECRYPT',
      });
    });

    it('opens it with the cipher named as the spec names it, or none', async () => {
      const w = { ...opaque(sealed), cipher: 'xsalsa20poly1305' };
      expect(await receiver.decode(w, ctx('EVENT'))).toEqual({ args: ['secret'], kwargs: { n: 1 } });
    });

    it('another scheme, inner serializer or cipher: ERR_PAYLOAD_UNSUPPORTED', async () => {
      for (const w of [
        { ...opaque(sealed), scheme: 'x_other' },
        { ...opaque(sealed), serializer: 'msgpack' },
        { ...opaque(sealed), serializer: '' },
        { ...opaque(sealed), cipher: 'aes256gcm' },
      ]) {
        expect(await refusal(() => receiver.decode(w, ctx('EVENT')))).toEqual({
          code: 'ERR_PAYLOAD_UNSUPPORTED',
          uri: PAYLOAD_ERROR_URIS.noCodec,
        });
      }
    });

    it('an authentic box whose content is not a valid inner payload: ERR_PAYLOAD_DECRYPT', async () => {
      const { o } = rings();
      const key = ringSharedKey(o, URI, true)!;
      const box = (content: Uint8Array | string): Uint8Array => {
        const pt = typeof content === 'string' ? new TextEncoder().encode(content) : content;
        const nonce = new Uint8Array(24).fill(5);
        const out = new Uint8Array(40 + pt.length);
        out.set(nonce);
        out.set(boxSealAfternm(pt, nonce, key), 24);
        return out;
      };
      const cases: [string, Uint8Array | string, string][] = [
        ['not JSON', 'hello', 'ERR_PAYLOAD_DECRYPT'],
        ['empty', '', 'ERR_PAYLOAD_DECRYPT'],
        ['a JSON list', `["${URI}",[],{}]`, 'ERR_PAYLOAD_DECRYPT'],
        ['args not a list', `{"uri":"${URI}","args":{"a":1},"kwargs":null}`, 'ERR_PAYLOAD_DECRYPT'],
        ['kwargs a list', `{"uri":"${URI}","args":null,"kwargs":[1]}`, 'ERR_PAYLOAD_DECRYPT'],
        ['malformed binary value', `{"uri":"${URI}","args":["\\u0000***"],"kwargs":null}`, 'ERR_PAYLOAD_DECRYPT'],
        ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'ERR_PAYLOAD_DECRYPT'],
        ['a byte order mark', `\ufeff{"uri":"${URI}","args":null,"kwargs":null}`, 'ERR_PAYLOAD_DECRYPT'],
        ['Python NaN', `{"uri":"${URI}","args":[NaN],"kwargs":null}`, 'ERR_PAYLOAD_DECRYPT'],
        ['no uri', '{"args":[1],"kwargs":null}', 'ERR_PAYLOAD_URI_MISMATCH'],
        ['uri not a string', '{"uri":1,"args":[1],"kwargs":null}', 'ERR_PAYLOAD_URI_MISMATCH'],
      ];
      for (const [name, content, code] of cases) {
        const got = await refusal(() => receiver.decode(opaque(box(content)), ctx('EVENT')));
        expect([name, got.code]).toEqual([name, code]);
      }
      // and the same construction with a good inner payload opens (the harness is right)
      expect(await receiver.decode(opaque(box(`{"uri":"${URI}","args":null,"kwargs":null}`)), ctx('EVENT'))).toEqual({
        args: undefined,
        kwargs: undefined,
      });
    });

    it('error messages carry no payload content or key material', async () => {
      const t = sealed.slice();
      t[50] = t[50]! ^ 1;
      try {
        await receiver.decode(opaque(t), ctx('EVENT'));
      } catch (err) {
        const text = `${(err as Error).message} ${String((err as Error).cause ?? '')}`;
        expect(text).not.toContain('secret"');
        expect(text).not.toContain(R_PRIV);
      }
    });
  });

  describe('inner JSON', () => {
    it('binary values at any depth round trip (Uint8Array, Buffer, ArrayBuffer)', async () => {
      const { o, r } = rings();
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
      const payload = {
        args: [bytes, [[bytes]], { deep: { deeper: [1, { b: Buffer.from('buf') }] } }, new Uint8Array(0)],
        kwargs: { ab: new Uint8Array([9, 8, 7]).buffer, s: 'text', k: bytes },
      };
      const w = await cryptobox(o).encode(payload, ctx('CALL'));
      const got = (await cryptobox(r).decode(w, ctx('INVOCATION'))) as {
        args: unknown[];
        kwargs: Record<string, unknown>;
      };
      const norm = (v: unknown): unknown =>
        JSON.parse(
          JSON.stringify(v, function (this: Record<string, unknown>, k, val: unknown) {
            const raw = this[k];
            if (raw instanceof Uint8Array) return { bytes: Array.from(raw) };
            if (raw instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(raw)) };
            return val;
          }),
        );
      expect(norm(got)).toEqual(norm(payload));
      expect(got.args[0]).toBeInstanceOf(Uint8Array);
      expect(got.kwargs['ab']).toBeInstanceOf(Uint8Array);
      expect(got.kwargs['s']).toBe('text');
    });

    it('refuses a text that is not a JSON object with a typed error', () => {
      const decrypt = expect.objectContaining({ name: 'PayloadCodecError', code: 'ERR_PAYLOAD_DECRYPT' });
      for (const text of ['[1]', '1', 'null', '"s"']) expect(() => parseInner(text)).toThrow(decrypt);
      expect(parseInner('{"uri":"u","args":null,"kwargs":null}')).toEqual({ uri: 'u', args: null, kwargs: null });
    });

    it('writes binary as "\\u0000"+base64, object keys are never converted', () => {
      expect(stringifyInner('u', [new Uint8Array([0, 1, 255])], { '\u0000AAH/': 'x' })).toBe(
        '{"uri":"u","args":["\\u0000AAH/"],"kwargs":{"\\u0000AAH/":"x"}}',
      );
    });

    it('is byte-identical to Python json.dumps(separators=(",",":"), ensure_ascii=False) for strings and integers', () => {
      // Expected text produced by CPython 3 json.dumps with Autobahn's settings.
      const args = [
        'a"b\\c/d',
        '\u0000\u0001\u001f\u007f',
        '\u2028\u2029',
        'é✓😀',
        '\t\n\r\b\f',
        1,
        -0,
        2 ** 53,
        true,
        null,
        [],
        {},
      ];
      expect(stringifyInner('com.x', args, { ü: 1, '': [{}] })).toBe(
        '{"uri":"com.x","args":["a\\"b\\\\c/d","\\u0000\\u0001\\u001f\u007f","\u2028\u2029","é✓😀","\\t\\n\\r\\b\\f",1,0,9007199254740992,true,null,[],{}],"kwargs":{"ü":1,"":[{}]}}',
      );
    });

    it('a JavaScript string that starts with U+0000 arrives as bytes (the WAMP JSON convention)', async () => {
      const { o, r } = rings();
      const w = await cryptobox(o).encode({ args: ['\u0000AAH/'] }, ctx('PUBLISH'));
      const got = (await cryptobox(r).decode(w, ctx('EVENT'))) as { args: unknown[] };
      expect(Array.from(got.args[0] as Uint8Array)).toEqual([0, 1, 255]);
    });

    it('a payload JSON cannot carry: ERR_PAYLOAD_CODEC', async () => {
      const { o } = rings();
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      const cyclicWithBytes: unknown[] = [new Uint8Array(1)];
      cyclicWithBytes.push(cyclicWithBytes);
      for (const payload of [{ args: [1n] }, { kwargs: cyclic }, { args: cyclicWithBytes }]) {
        expect(await refusal(() => cryptobox(o).encode(payload as Payload, ctx('PUBLISH')))).toEqual({
          code: 'ERR_PAYLOAD_CODEC',
          uri: PAYLOAD_ERROR_URIS.codec,
        });
      }
    });

    it('deeply nested payloads', async () => {
      const { o, r } = rings();
      let deep: unknown = [new Uint8Array([1])];
      for (let i = 0; i < 200; i++) deep = [deep];
      const w = await cryptobox(o).encode({ args: [deep] }, ctx('PUBLISH'));
      let got = ((await cryptobox(r).decode(w, ctx('EVENT'))) as { args: unknown[] }).args[0];
      for (let i = 0; i < 200; i++) got = (got as unknown[])[0];
      expect((got as unknown[])[0]).toBeInstanceOf(Uint8Array);
    });
  });

  describe('big payloads', () => {
    it('4 MiB of binary and 100,000 small values round trip', async () => {
      const { o, r } = rings();
      const blob = new Uint8Array(4 * 1024 * 1024);
      globalThis.crypto.getRandomValues(blob.subarray(0, 65536));
      for (let i = 65536; i < blob.length; i++) blob[i] = i & 255;
      const many = Array.from({ length: 100_000 }, (_, i) => ({ i, s: `v${i}` }));
      const w = await cryptobox(o).encode({ args: [blob], kwargs: { many } }, ctx('CALL'));
      expect(w.kind === 'opaque' && w.payload.length).toBeGreaterThan((blob.length * 4) / 3);
      const got = (await cryptobox(r).decode(w, ctx('INVOCATION'))) as { args: unknown[]; kwargs: { many: unknown[] } };
      expect(Buffer.from(got.args[0] as Uint8Array).equals(Buffer.from(blob))).toBe(true);
      expect(got.kwargs.many).toHaveLength(100_000);
      expect(got.kwargs.many[99_999]).toEqual({ i: 99_999, s: 'v99999' });
    });
  });

  it('the nonce injection hook and other internals are not part of the public API', async () => {
    const index = await import('../src/index');
    const names = Object.keys(index);
    for (const internal of [
      'setNonceSourceForTesting',
      'fillNonce',
      'ringSharedKey',
      'sealWith',
      'openWith',
      'sealPayload',
      'openPayload',
      'stringifyInner',
      'parseInner',
    ]) {
      expect(names).not.toContain(internal);
    }
    for (const pub of ['KeyRing', 'KeyEntry', 'cryptobox', 'generateKeyPair', 'publicKeyFromSecret', 'parseKey']) {
      expect(names).toContain(pub);
    }
    // the command line is the client package's business, reached through the internal entry
    expect(names).not.toContain('runCli');
    expect(Object.keys(await import('../src/internal'))).toContain('runCli');
  });

  it('many concurrent seals use distinct nonces', async () => {
    const { o } = rings();
    const codec = cryptobox(o);
    const outs = await Promise.all(
      Array.from({ length: 1000 }, () => Promise.resolve(codec.encode({ args: [1] }, ctx('PUBLISH')))),
    );
    const nonces = new Set(
      outs.map((w) => (w.kind === 'opaque' ? Buffer.from(w.payload.subarray(0, 24)).toString('hex') : '')),
    );
    expect(nonces.size).toBe(1000);
  });
});

describe('on a scripted router', () => {
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  const roles = (feature: string): Record<string, unknown> => ({
    broker: { features: { [feature]: true } },
    dealer: { features: { [feature]: true } },
  });

  async function joined(ring: KeyRing, feature: string): Promise<{ t: FakeTransport; s: Session; errors: Error[] }> {
    const t = new FakeTransport();
    const p = Session.join(t, { realm: 'realm1', codec: cryptobox(ring) });
    t.deliver([T.WELCOME, 1, { roles: roles(feature), authid: 'a', authrole: 'r', authmethod: 'anonymous' }]);
    const s = await p;
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    return { t, s, errors };
  }

  /** A subscriber session on URI; returns the args of the events it is handed. */
  async function subscriber(feature: string): Promise<{ t: FakeTransport; seen: unknown[]; errors: Error[] }> {
    const { t, s, errors } = await joined(rings().r, feature);
    const seen: unknown[] = [];
    const subP = s.subscribe(URI, (ev) => void seen.push(ev.args));
    t.deliver([T.SUBSCRIBED, t.last(T.SUBSCRIBE)![1], 3]);
    await subP;
    return { t, seen, errors };
  }

  /** What a publisher session sends for a publication on URI. */
  async function published(feature: string): Promise<unknown[]> {
    const { t, s } = await joined(rings().o, feature);
    void s.publish(URI, ['secret'], { n: 1 });
    await tick();
    return t.last(T.PUBLISH)!;
  }

  it("spec dialect: announces x_cryptobox, which nexus and wampy accept, and the spec's cipher name", async () => {
    const msg = await published('payload_passthru_mode');
    expect(msg[2]).toEqual({ ppt_scheme: 'x_cryptobox', ppt_serializer: 'json', ppt_cipher: 'xsalsa20poly1305' });
    expect((msg[2] as { ppt_scheme: string }).ppt_scheme).toMatch(/^(wamp$|mqtt$|x_)/); // wampy's check
    expect(msg.slice(3)).toEqual([URI, [expect.any(Uint8Array)]]);
  });

  it('spec dialect: opens [binary] with an empty ArgumentsKw, under the new and the old scheme name', async () => {
    const msg = await published('payload_passthru_mode');
    const sealed = (msg[4] as Uint8Array[])[0]!;
    const { t, seen, errors } = await subscriber('payload_passthru_mode');
    t.deliver([T.EVENT, 3, 1, msg[2], [sealed], {}]);
    t.deliver([T.EVENT, 3, 2, { ppt_scheme: 'cryptobox', ppt_serializer: 'json' }, [sealed]]); // earlier wampbox
    t.deliver([T.EVENT, 3, 3, { ppt_scheme: 'x_cryptobox', ppt_serializer: 'json' }, [sealed], {}]);
    await tick();
    expect(seen).toEqual([['secret'], ['secret'], ['secret']]);
    expect(errors).toEqual([]);
  });

  it('Crossbar.io dialect: enc_algo "cryptobox", a bare binary as before; takes an empty ArgumentsKw', async () => {
    const msg = await published('payload_transparency');
    expect(msg[2]).toEqual({ enc_algo: 'cryptobox', enc_serializer: 'json' });
    expect(msg[4]).toBeInstanceOf(Uint8Array);
    const { t, seen, errors } = await subscriber('payload_transparency');
    t.deliver([T.EVENT, 3, 1, msg[2], msg[4]]);
    t.deliver([T.EVENT, 3, 2, msg[2], msg[4], {}]);
    await tick();
    expect(seen).toEqual([['secret'], ['secret']]);
    expect(errors).toEqual([]);
  });
});
