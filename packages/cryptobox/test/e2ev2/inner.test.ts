/**
 * The inner plaintext (§b.4, Decision 9): the fixed form each serializer writes, and what the
 * receiver refuses: other keys, wrong kinds, and anything outside WAMP's data model.
 */
import { cbor, msgpack } from '@wampbox/core';
import { decodeInner, encodeInner } from '../../src/e2ev2/inner';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const plaintextError = expect.objectContaining({
  name: 'E2eV2Error',
  reason: 'plaintext',
  code: 'ERR_PAYLOAD_DECRYPT',
});

// {"args": [], "kwargs": {}} in each binary serializer, and pieces to build others from
const ARGS = '6461726773'; // text "args"
const KWARGS = '666b7761726773'; // text "kwargs"
const MP_ARGS = 'a461726773';
const MP_KWARGS = 'a66b7761726773';

describe('the fixed form', () => {
  it('JSON: compact, keys args, kwargs, uri in that order, non-ASCII as UTF-8, bytes as "\\u0000" + base64', () => {
    const text = Buffer.from(
      encodeInner('json', [Uint8Array.of(0, 1, 2, 255), 'héllo ✓'], { n: -5 }, 'a.b'),
    ).toString();
    expect(text).toBe('{"args":["\\u0000AAEC/w==","héllo ✓"],"kwargs":{"n":-5},"uri":"a.b"}');
  });

  it('absent args and kwargs are written as [] and {}', () => {
    expect(Buffer.from(encodeInner('json', undefined, undefined)).toString()).toBe('{"args":[],"kwargs":{}}');
    expect(hex(encodeInner('cbor', undefined, undefined))).toBe(`a2${ARGS}80${KWARGS}a0`);
    expect(hex(encodeInner('msgpack', undefined, undefined))).toBe(`82${MP_ARGS}90${MP_KWARGS}80`);
  });

  it('MessagePack and CBOR: the map exactly as the project serializers write it inside a message', () => {
    const inner = { args: [1, 2 ** 40, Uint8Array.of(1, 2)], kwargs: { x: [null, true, -1.5] } };
    for (const [ser, s] of [
      ['msgpack', msgpack()],
      ['cbor', cbor()],
    ] as const) {
      const asElement = (s.encode([inner]) as Uint8Array).subarray(1);
      expect(hex(encodeInner(ser, inner.args, inner.kwargs))).toBe(hex(asElement));
    }
  });

  it('a payload that cannot be written (a cycle; a BigInt in JSON) is refused with seal (ERR_PAYLOAD_CODEC)', () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    const seal = expect.objectContaining({ reason: 'seal', code: 'ERR_PAYLOAD_CODEC' });
    for (const ser of ['json', 'msgpack', 'cbor'] as const) expect(() => encodeInner(ser, cycle, {})).toThrow(seal);
    expect(() => encodeInner('json', [1n], {})).toThrow(seal);
  });
});

describe('reading', () => {
  it('round-trips every serializer, binary values at depth included', () => {
    const args = [1, 'é', [Uint8Array.of(9, 8)], { deep: { b: Uint8Array.of(0) } }];
    for (const ser of ['json', 'msgpack', 'cbor'] as const) {
      expect(decodeInner(ser, encodeInner(ser, args, { k: null }, 'c.d'), true)).toEqual({
        args,
        kwargs: { k: null },
        uri: 'c.d',
      });
      expect(decodeInner(ser, encodeInner(ser, args, {}), false)).toEqual({ args, kwargs: {} });
    }
  });

  it('accepts any valid encoding: whitespace, other key order, escapes, CBOR indefinite lengths', () => {
    const json = new TextEncoder().encode(' { "kwargs" : { "a" : "\\u00e9" } , "args" : [ 1.0 ] } ');
    expect(decodeInner('json', json, false)).toEqual({ args: [1], kwargs: { a: 'é' } });
    expect(decodeInner('cbor', bytes(`a2 ${KWARGS} bf ff ${ARGS} 9f 01 ff`), false)).toEqual({ args: [1], kwargs: {} });
  });

  it.each([
    ['another key', '{"args":[],"kwargs":{},"x":1}', false],
    ['uri without INNER_URI', '{"args":[],"kwargs":{},"uri":"a"}', false],
    ['INNER_URI without uri', '{"args":[],"kwargs":{}}', true],
    ['a uri that is not text', '{"args":[],"kwargs":{},"uri":1}', true],
    ['args missing', '{"kwargs":{}}', false],
    ['args a map', '{"args":{},"kwargs":{}}', false],
    ['kwargs a list', '{"args":[],"kwargs":[]}', false],
    ['kwargs null', '{"args":[],"kwargs":null}', false],
    ['a list', '[[],{}]', false],
    ['two values', '{"args":[],"kwargs":{}} 1', false],
    ['NaN', '{"args":[NaN],"kwargs":{}}', false],
    ['a binary that is not base64', '{"args":["\\u0000!!"],"kwargs":{}}', false],
    ['a __proto__ key', '{"args":[],"kwargs":{},"__proto__":{}}', false],
  ])('JSON: refuses %s', (_what, text, innerUri) => {
    expect(() => decodeInner('json', new TextEncoder().encode(text), innerUri)).toThrow(plaintextError);
  });

  it('JSON: refuses invalid UTF-8', () => {
    expect(() => decodeInner('json', bytes('7b2261726773223a5bff5d7d'), false)).toThrow(plaintextError);
  });

  it.each([
    ['a tag (bignum)', `a2 ${ARGS} 81 c2 41 01 ${KWARGS} a0`],
    ['tag 64 over bytes', `a2 ${ARGS} 81 d8 40 41 01 ${KWARGS} a0`],
    ['self-described CBOR', `d9 d9f7 a2 ${ARGS} 80 ${KWARGS} a0`],
    ['undefined', `a2 ${ARGS} 81 f7 ${KWARGS} a0`],
    ['another simple value', `a2 ${ARGS} 81 f0 ${KWARGS} a0`],
    ['a number map key', `a2 ${ARGS} 80 ${KWARGS} a1 01 01`],
    ['NaN (double)', `a2 ${ARGS} 81 fb 7ff8000000000000 ${KWARGS} a0`],
    ['an infinity (half)', `a2 ${ARGS} 81 f9 7c00 ${KWARGS} a0`],
    ['an infinity (single)', `a2 ${ARGS} 81 fa 7f800000 ${KWARGS} a0`],
    ['trailing bytes', `a2 ${ARGS} 80 ${KWARGS} a0 00`],
    ['a truncated map', `a2 ${ARGS} 80`],
    ['a misplaced break', `a2 ${ARGS} 80 ${KWARGS} ff`],
  ])('CBOR: refuses %s', (_what, h) => {
    expect(() => decodeInner('cbor', bytes(h), false)).toThrow(plaintextError);
  });

  it('CBOR: accepts finite half, single and double floats', () => {
    const v = decodeInner('cbor', bytes(`a2 ${ARGS} 83 f9 3c00 fa 3fc00000 fb 4002000000000000 ${KWARGS} a0`), false);
    expect(v.args).toEqual([1, 1.5, 2.25]);
  });

  it.each([
    ['an extension type', `82 ${MP_ARGS} 91 d4 01 00 ${MP_KWARGS} 80`],
    ['the never-used byte 0xc1', `82 ${MP_ARGS} 91 c1 ${MP_KWARGS} 80`],
    ['a number map key', `82 ${MP_ARGS} 90 ${MP_KWARGS} 81 01 01`],
    ['NaN', `82 ${MP_ARGS} 91 cb 7ff8000000000000 ${MP_KWARGS} 80`],
    ['an infinity (float 32)', `82 ${MP_ARGS} 91 ca ff800000 ${MP_KWARGS} 80`],
    ['trailing bytes', `82 ${MP_ARGS} 90 ${MP_KWARGS} 80 c0`],
    ['a truncated string', `82 ${MP_ARGS} 90 a6 6b77`],
  ])('MessagePack: refuses %s', (_what, h) => {
    expect(() => decodeInner('msgpack', bytes(h), false)).toThrow(plaintextError);
  });

  it('refuses nesting deeper than 512 levels in the binary serializers', () => {
    const cborDeep = `a2 ${ARGS} ${'81'.repeat(600)}80 ${KWARGS} a0`;
    const mpDeep = `82 ${MP_ARGS} ${'91'.repeat(600)}90 ${MP_KWARGS} 80`;
    expect(() => decodeInner('cbor', bytes(cborDeep), false)).toThrow(plaintextError);
    expect(() => decodeInner('msgpack', bytes(mpDeep), false)).toThrow(plaintextError);
  });
});
