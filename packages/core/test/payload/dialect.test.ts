import { PayloadCodecError, Session } from '../../src/index';
import { dialectFromRoles, MessageType as T, validateRouterMessage } from '../../src/internal';
import type { PayloadCodec, WirePayload } from '../../src/index';
import { appendWirePayload, fromPptScheme, readWirePayload, toPptScheme } from '../../src/payload/dialect';
import { FakeTransport } from '../helpers/fake-transport';

const bin = new Uint8Array([1, 2, 3]);

describe('dialectFromRoles', () => {
  it('prefers payload_transparency, then payload_passthru_mode, else none', () => {
    expect(
      dialectFromRoles({ broker: { features: { payload_transparency: true, payload_passthru_mode: true } } }),
    ).toBe('transparency');
    expect(dialectFromRoles({ dealer: { features: { payload_passthru_mode: true } } })).toBe('passthru');
    expect(dialectFromRoles({ broker: { features: {} } })).toBe('none');
    expect(dialectFromRoles({ broker: null })).toBe('none');
  });
});

describe('appendWirePayload', () => {
  it('omits empty trailing elements of plain payloads', () => {
    const a: unknown[] = [];
    appendWirePayload(a, {}, { kind: 'plain' }, 'none');
    expect(a).toEqual([]);
    const b: unknown[] = [];
    appendWirePayload(b, {}, { kind: 'plain', args: [], kwargs: { k: 1 } }, 'none');
    expect(b).toEqual([[], { k: 1 }]);
    const c: unknown[] = [];
    appendWirePayload(c, {}, { kind: 'plain', args: [1], kwargs: {} }, 'none');
    expect(c).toEqual([[1]]);
  });

  it('refuses to send an opaque payload to a router without payload transparency', () => {
    expect(() =>
      appendWirePayload([], {}, { kind: 'opaque', payload: bin, scheme: 'cryptobox', serializer: 'json' }, 'none'),
    ).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_UNSUPPORTED' }));
  });
});

describe('readWirePayload', () => {
  it('reads both dialects', () => {
    expect(readWirePayload(bin, undefined, { enc_algo: 'cryptobox', enc_serializer: 'json', enc_key: 'k' })).toEqual({
      kind: 'opaque',
      payload: bin,
      scheme: 'cryptobox',
      serializer: 'json',
      keyId: 'k',
    });
    expect(
      readWirePayload([bin], undefined, { ppt_scheme: 'x_y', ppt_serializer: 'cbor', ppt_cipher: 'c', ppt_keyid: 'k' }),
    ).toMatchObject({
      kind: 'opaque',
      scheme: 'x_y',
      serializer: 'cbor',
      cipher: 'c',
      keyId: 'k',
    });
    expect(readWirePayload([1], { a: 1 }, {})).toEqual({ kind: 'plain', args: [1], kwargs: { a: 1 } });
  });

  it('takes an empty ArgumentsKw beside an opaque payload in both dialects (the spec: absent or empty)', () => {
    expect(readWirePayload([bin], {}, { ppt_scheme: 'x_y', ppt_serializer: 'cbor' })).toEqual(
      readWirePayload([bin], undefined, { ppt_scheme: 'x_y', ppt_serializer: 'cbor' }),
    );
    const opaque = { kind: 'opaque', payload: bin };
    expect(readWirePayload([bin], {}, { ppt_scheme: 'x_y' })).toMatchObject({ ...opaque, scheme: 'x_y' });
    expect(readWirePayload(bin, {}, { enc_algo: 'cryptobox', enc_serializer: 'json' })).toMatchObject(opaque);
  });

  it.each([
    ['binary without enc_algo', bin, undefined, {}],
    ['enc_algo with a list', [1], undefined, { enc_algo: 'cryptobox' }],
    ['ppt_scheme without [binary]', [1, 2], undefined, { ppt_scheme: 'x_y' }],
    ['ppt_scheme with kwargs', [bin], { a: 1 }, { ppt_scheme: 'x_y' }],
    ['enc_algo with kwargs', bin, { a: 1 }, { enc_algo: 'cryptobox' }],
  ] as const)('rejects %s with ERR_PAYLOAD_CODEC', (_n, slot, kw, details) => {
    expect(() => readWirePayload(slot as never, kw as never, details as never)).toThrow(
      expect.objectContaining({ code: 'ERR_PAYLOAD_CODEC' }),
    );
  });
});

describe('scheme names in the spec dialect', () => {
  it('writes Crossbar.io names the spec does not allow as x_ names; others as they are', () => {
    expect(toPptScheme('cryptobox')).toBe('x_cryptobox');
    expect(toPptScheme('xbr')).toBe('x_xbr');
    for (const same of ['mqtt', 'wamp', 'x_myscheme', 'x_cryptobox']) expect(toPptScheme(same)).toBe(same);
  });

  it('reads them back, and still reads the bare names', () => {
    expect(fromPptScheme('x_cryptobox')).toBe('cryptobox');
    expect(fromPptScheme('x_xbr')).toBe('xbr');
    for (const same of ['cryptobox', 'xbr', 'mqtt', 'x_myscheme']) expect(fromPptScheme(same)).toBe(same);
  });

  it('maps the scheme in the passthru dialect only', () => {
    const wire: WirePayload = { kind: 'opaque', payload: bin, scheme: 'cryptobox', serializer: 'json' };
    const ppt: Record<string, unknown> = {};
    appendWirePayload([], ppt, wire, 'passthru');
    expect(ppt).toEqual({ ppt_scheme: 'x_cryptobox', ppt_serializer: 'json' });
    const crossbar: Record<string, unknown> = {};
    appendWirePayload([], crossbar, wire, 'transparency');
    expect(crossbar).toEqual({ enc_algo: 'cryptobox', enc_serializer: 'json' });
    const read = (slot: Uint8Array | unknown[], details: Record<string, unknown>): string | undefined => {
      const w = readWirePayload(slot, undefined, details);
      return w.kind === 'opaque' ? w.scheme : undefined;
    };
    expect(read([bin], { ppt_scheme: 'x_cryptobox', ppt_serializer: 'json' })).toBe('cryptobox');
    expect(read(bin, { enc_algo: 'x_cryptobox', enc_serializer: 'json' })).toBe('x_cryptobox'); // Crossbar's: as it is
  });
});

describe('a scripted router', () => {
  const sealed = new Uint8Array([9, 9, 9]);
  /** Seals everything as scheme `cryptobox`; opens only that scheme. */
  const codec: PayloadCodec = {
    name: 'x_test',
    encode: () => ({ kind: 'opaque', payload: sealed, scheme: 'cryptobox', serializer: 'json' }),
    decode: (w) => {
      if (w.kind !== 'opaque' || w.scheme !== 'cryptobox') {
        throw new PayloadCodecError('ERR_PAYLOAD_UNSUPPORTED', 'wamp.error.no_payload_codec', `not for me: ${w.kind}`);
      }
      return { args: ['opened', w.payload.length] };
    },
  };
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  async function joined(feature: string): Promise<{ t: FakeTransport; s: Session; errors: Error[] }> {
    const t = new FakeTransport();
    const p = Session.join(t, { realm: 'realm1', codec });
    const roles = { broker: { features: { [feature]: true } }, dealer: { features: { [feature]: true } } };
    t.deliver([T.WELCOME, 1, { roles, authid: 'a', authrole: 'r', authmethod: 'anonymous' }]);
    const s = await p;
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    return { t, s, errors };
  }

  async function subscribed(t: FakeTransport, s: Session, seen: unknown[]): Promise<void> {
    const subP = s.subscribe('com.x.t', (ev) => void seen.push(ev.args));
    t.deliver([T.SUBSCRIBED, t.last(T.SUBSCRIBE)![1], 3]);
    await subP;
  }

  it('payload_passthru_mode: sends an x_ scheme, takes [binary] with an empty ArgumentsKw', async () => {
    const { t, s, errors } = await joined('payload_passthru_mode');
    expect(s.payloadDialect).toBe('passthru');
    void s.publish('com.x.t', ['secret']);
    await tick();
    const ppt = { ppt_scheme: 'x_cryptobox', ppt_serializer: 'json' };
    expect(t.last(T.PUBLISH)).toEqual([T.PUBLISH, expect.any(Number), ppt, 'com.x.t', [sealed]]);

    const seen: unknown[] = [];
    await subscribed(t, s, seen);
    t.deliver([T.EVENT, 3, 1, ppt, [sealed], {}]);
    t.deliver([T.EVENT, 3, 2, { ppt_scheme: 'cryptobox', ppt_serializer: 'json' }, [sealed]]); // the old name
    t.deliver([T.EVENT, 3, 3, ppt, [sealed], { k: 1 }]);
    await tick();
    expect(seen).toEqual([
      ['opened', 3],
      ['opened', 3],
    ]);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_PAYLOAD_CODEC' })]); // the non-empty ArgumentsKw
    expect(s.isOpen).toBe(true);

    const regP = s.register('com.x.proc', (inv) => inv.args.length);
    t.deliver([T.REGISTERED, t.last(T.REGISTER)![1], 7]);
    await regP;
    t.deliver([T.INVOCATION, 5, 7, ppt, [sealed], {}]);
    await tick();
    expect(t.last(T.YIELD)).toEqual([T.YIELD, 5, ppt, [sealed]]);
  });

  it('payload_transparency: keeps enc_algo "cryptobox", takes a bare binary with an empty ArgumentsKw', async () => {
    const { t, s, errors } = await joined('payload_transparency');
    void s.publish('com.x.t', ['secret']);
    await tick();
    const enc = { enc_algo: 'cryptobox', enc_serializer: 'json' };
    expect(t.last(T.PUBLISH)).toEqual([T.PUBLISH, expect.any(Number), enc, 'com.x.t', sealed]);
    const seen: unknown[] = [];
    await subscribed(t, s, seen);
    t.deliver([T.EVENT, 3, 1, enc, sealed, {}]);
    await tick();
    expect(seen).toEqual([['opened', 3]]);
    expect(errors).toEqual([]);
    expect(s.isOpen).toBe(true);
    expect(() => validateRouterMessage([T.EVENT, 3, 2, {}, sealed, { k: 1 }])).toThrow(/non-empty ArgumentsKw/);
  });
});
