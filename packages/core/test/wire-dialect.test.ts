import { dialectFromRoles } from '../src/index';
import { appendWirePayload, readWirePayload } from '../src/wire-dialect';

const bin = new Uint8Array([1, 2, 3]);

describe('dialectFromRoles', () => {
  it('prefers payload_transparency, then payload_passthru_mode, else none', () => {
    expect(dialectFromRoles({ broker: { features: { payload_transparency: true, payload_passthru_mode: true } } })).toBe('transparency');
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
    expect(() => appendWirePayload([], {}, { kind: 'opaque', payload: bin, scheme: 'cryptobox', serializer: 'json' }, 'none')).toThrow(
      expect.objectContaining({ code: 'ERR_PAYLOAD_UNSUPPORTED' }),
    );
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
    expect(readWirePayload([bin], undefined, { ppt_scheme: 'x_y', ppt_serializer: 'cbor', ppt_cipher: 'c', ppt_keyid: 'k' })).toMatchObject({
      kind: 'opaque',
      scheme: 'x_y',
      serializer: 'cbor',
      cipher: 'c',
      keyId: 'k',
    });
    expect(readWirePayload([1], { a: 1 }, {})).toEqual({ kind: 'plain', args: [1], kwargs: { a: 1 } });
  });

  it.each([
    ['binary without enc_algo', bin, undefined, {}],
    ['enc_algo with a list', [1], undefined, { enc_algo: 'cryptobox' }],
    ['ppt_scheme without [binary]', [1, 2], undefined, { ppt_scheme: 'x_y' }],
    ['ppt_scheme with kwargs', [bin], { a: 1 }, { ppt_scheme: 'x_y' }],
  ] as const)('rejects %s with ERR_PAYLOAD_CODEC', (_n, slot, kw, details) => {
    expect(() => readWirePayload(slot as never, kw as never, details as never)).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_CODEC' }));
  });
});
