import { json } from '../../src/serializers/json';
import { catchSerializationError, describeAutobahnConformance, describeSerializerContract } from './helpers';

describe('json()', () => {
  it('describes itself', () => {
    const s = json();
    expect(s.id).toBe('json');
    expect(s.protocol).toBe('wamp.2.json');
    expect(s.rawSocketId).toBe(1);
    expect(s.binary).toBe(false);
  });

  describeSerializerContract(json, 'json');

  describe('wire format', () => {
    const s = json();

    it('writes compact JSON text', () => {
      expect(s.encode([1, 'realm1', { roles: { caller: {} } }])).toBe('[1,"realm1",{"roles":{"caller":{}}}]');
    });

    it('writes bytes as "\\u0000" + standard base64 with padding, at any depth', () => {
      const bytes = new Uint8Array([0xfb, 0xff, 0xbf]);
      expect(s.encode([new Uint8Array([1, 2, 3]), new Uint8Array(0), { a: [new Uint8Array([0xff])] }, bytes])).toBe(
        '["\\u0000AQID","\\u0000",{"a":["\\u0000/w=="]},"\\u0000+/+/"]',
      );
      expect(s.encode([Buffer.from([1, 2])])).toBe('["\\u0000AQI="]');
    });

    it('turns every string starting with U+0000 into bytes, in arrays and objects at any depth', () => {
      const decoded = s.decode('[1,"\\u0000AQID",{"a":{"b":["x","\\u0000"]},"c":"\\u0000/w=="},[[["\\u0000AQI="]]],"a\\u0000b"]');
      expect(decoded).toStrictEqual([
        1,
        new Uint8Array([1, 2, 3]),
        { a: { b: ['x', new Uint8Array(0)] }, c: new Uint8Array([0xff]) },
        [[[new Uint8Array([1, 2])]]],
        'a\u0000b',
      ]);
    });

    it('leaves object keys alone and keeps escaped backslashes as text', () => {
      expect(s.decode('[{"\\u0000AQID":1},"\\\\u0000AQID"]')).toStrictEqual([{ '\u0000AQID': 1 }, '\\u0000AQID']);
    });

    it('decodes a "__proto__" key holding bytes as an own property', () => {
      const decoded = s.decode('[{"__proto__":"\\u0000AQID"}]');
      const obj = decoded[0] as Record<string, unknown>;
      expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toStrictEqual(new Uint8Array([1, 2, 3]));
    });

    it('decodes UTF-8 bytes with a BOM', () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('[1,"é"]')]);
      expect(s.decode(bytes)).toStrictEqual([1, 'é']);
    });

    it('round-trips lone surrogates', () => {
      expect(s.decode(s.encode(['\ud800', 'a\udfffb']))).toStrictEqual(['\ud800', 'a\udfffb']);
    });

    it('rejects a U+0000 string that is not valid base64', () => {
      for (const bad of ['"\\u0000A"', '"\\u0000AQI"', '"\\u0000AQ=D"', '"\\u0000AQID\\n"', '"\\u0000AQ-_"', '"\\u0000é==="', '"\\u0000\\u0000AAA"']) {
        const err = catchSerializationError(() => s.decode(`[1,${bad}]`));
        expect(err.message).toMatch(/base64/);
      }
    });

    it('rejects invalid UTF-8', () => {
      catchSerializationError(() => s.decode(new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d])));
      catchSerializationError(() => s.decode(new Uint8Array([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d]))); // encoded surrogate
    });

    it('rejects invalid JSON', () => {
      for (const bad of ['[1,', '[1,]', "['x']", '[NaN]', '[1] [2]', '[1]\u0000', '["a\u0000"]', 'x']) {
        catchSerializationError(() => s.decode(bad));
      }
    });

    it('refuses to encode bigints', () => {
      catchSerializationError(() => s.encode([1, 2n]));
    });
  });

  describeAutobahnConformance(json, 'json');
});
