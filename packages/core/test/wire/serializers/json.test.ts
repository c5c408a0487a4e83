import { encodeJsonBinaries, json, stringifyJson } from '../../../src/wire/serializers/json';
import { SerializationError } from '../../../src/errors';
import {
  catchSerializationError,
  describeAutobahnConformance,
  describeSerializerContract,
  pseudoRandomBytes,
} from './helpers';

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
      const decoded = s.decode(
        '[1,"\\u0000AQID",{"a":{"b":["x","\\u0000"]},"c":"\\u0000/w=="},[[["\\u0000AQI="]]],"a\\u0000b"]',
      );
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
      for (const bad of [
        '"\\u0000A"',
        '"\\u0000AQI"',
        '"\\u0000AQ=D"',
        '"\\u0000AQID\\n"',
        '"\\u0000AQ-_"',
        '"\\u0000é==="',
        '"\\u0000\\u0000AAA"',
      ]) {
        const err = catchSerializationError(() => s.decode(`[1,${bad}]`));
        expect(err.message).toMatch(/base64/);
      }
    });

    it('rejects invalid UTF-8', () => {
      catchSerializationError(() => s.decode(new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d])));
      // an encoded surrogate
      catchSerializationError(() => s.decode(new Uint8Array([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d])));
    });

    it('rejects invalid JSON', () => {
      for (const bad of ['[1,', '[1,]', "['x']", '[NaN]', '[1] [2]', '[1]\u0000', '["a\u0000"]', 'x']) {
        catchSerializationError(() => s.decode(bad));
      }
    });

    const marked = (b: Uint8Array): string =>
      `\u0000${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')}`;
    /** The message as JSON.stringify must see it: every binary replaced by its marked string. */
    const reference = (v: unknown): unknown => {
      if (v instanceof Uint8Array) return marked(v);
      if (v instanceof ArrayBuffer) return marked(new Uint8Array(v));
      if (Array.isArray(v)) return Array.from(v, reference);
      if (typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
        const copy: Record<string, unknown> = {};
        for (const k of Object.keys(v))
          Object.defineProperty(copy, k, { value: reference((v as Record<string, unknown>)[k]), enumerable: true });
        return copy;
      }
      return v;
    };

    it('writes what JSON.stringify writes for the message with each binary replaced by its marked string', () => {
      const big = pseudoRandomBytes(1500, 9);
      const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: new Uint8Array([7]) });
      const protoKey = JSON.parse('{"__proto__":1}') as Record<string, unknown>;
      protoKey['bin'] = big.subarray(3, 700);
      const messages: unknown[][] = [
        [48, 1, {}, 'com.example.echo', [big]],
        [
          70,
          2,
          { progress: true },
          [big, 'x', 1.5, null, true],
          { k: big.subarray(1, 5), n: { deep: [[new Uint8Array(0)]] } },
        ],
        [
          1,
          [undefined, () => 1, Symbol('s'), NaN, Infinity, -0, new Uint8Array([1])],
          { u: undefined, f: () => 1, b: new Uint8Array([2]) },
        ],
        [
          1,
          {
            date: new Date(0),
            typed: new Int16Array([1, 2]),
            buffer: new Uint8Array([3, 4, 5]).buffer,
            nullProto,
            protoKey,
          },
        ],
        [1, { withToJSON: { toJSON: () => 'custom', b: new Uint8Array([1]) }, b: new Uint8Array([9]) }],
        [
          1,
          // eslint-disable-next-line no-sparse-arrays -- holes are written as null, as JSON.stringify does
          [, new Uint8Array([1]), , 'é\u2028"\\'],
          'text with "quotes" and \n',
          { 'key "quoted"': new Uint8Array([1]) },
        ],
      ];
      for (const msg of messages) {
        const frame = s.encode(msg) as string;
        expect(frame).toBe(JSON.stringify(reference(msg)));
        expect(JSON.parse(frame)).toStrictEqual(JSON.parse(JSON.stringify(reference(msg))));
      }
    });

    it('writes what JSON.stringify writes for random messages (short lists and strings are written without it)', () => {
      let seed = 12345;
      const rnd = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return Math.floor((seed / 2147483648) * n); // the high bits: an LCG's low bits cycle
      };
      const pieces = [
        'a',
        'com.example',
        '"',
        '\\',
        '\n',
        '\u0000',
        '\u001f',
        '\u2028',
        'é',
        '😀',
        '\ud800',
        '\udfff',
        ' ',
        '/',
        '\u007f',
        '1',
        '10',
        'toJSON',
        '__proto__',
      ];
      const text = (): string =>
        Array.from({ length: rnd(5) === 0 ? 70 + rnd(4) : rnd(6) }, () => pieces[rnd(pieces.length)]).join('');
      const numbers = [0, -0, 1, -7, 2 ** 53, 1.5, 1e21, 1e-7, NaN, Infinity, -Infinity];
      const value = (depth: number): unknown => {
        switch (rnd(depth > 2 ? 6 : 10)) {
          case 0:
            return numbers[rnd(numbers.length)];
          case 1:
            return text();
          case 2:
            return rnd(2) === 0;
          case 3:
            return null;
          case 4:
            return rnd(3) === 0 ? undefined : rnd(1000);
          case 5:
            return rnd(4) === 0 ? new Uint8Array(rnd(5)) : text();
          case 6:
          case 7:
            return Array.from({ length: rnd(12) }, () => value(depth + 1));
          case 8:
            return Object.fromEntries(Array.from({ length: rnd(11) }, () => [text(), value(depth + 1)]));
          default:
            return rnd(2) === 0 ? new Date(rnd(1e9)) : {};
        }
      };
      for (let i = 0; i < 3000; i++) {
        const msg = [rnd(80), rnd(2 ** 20), ...Array.from({ length: rnd(5) }, () => value(1))];
        expect(s.encode(msg)).toBe(JSON.stringify(reference(msg)));
        const inner = { uri: text(), args: value(1), kwargs: value(1) };
        expect(stringifyJson(inner)).toBe(JSON.stringify(reference(inner)));
      }
      // a toJSON method, inherited enumerable keys and more keys than are written directly
      const inherited = Object.assign(Object.create({ up: 1 }) as Record<string, unknown>, { own: 2 });
      const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i]));
      for (const v of [
        { a: 1, toJSON: () => ({ b: 2 }) },
        { toJSON: 'not a method' },
        inherited,
        many,
        { 2: 'b', 1: 'a', x: 'c' },
      ]) {
        expect(s.encode([1, v])).toBe(JSON.stringify([1, v]));
        expect(stringifyJson(v)).toBe(JSON.stringify(v));
      }
      // an enumerable key on Object.prototype is inherited by every plain object: not written
      Object.defineProperty(Object.prototype, 'polluted', { value: 1, enumerable: true, configurable: true });
      try {
        expect(s.encode([1, { a: 1 }])).toBe('[1,{"a":1}]');
        expect(stringifyJson({ a: 1 })).toBe('{"a":1}');
      } finally {
        delete (Object.prototype as Record<string, unknown>)['polluted'];
      }
    });

    it('gives every decoded binary bytes of its own, however the memory behind them is shared', () => {
      const values = Array.from({ length: 40 }, (_, i) => pseudoRandomBytes(i % 2 === 0 ? 1024 : 65 + i * 70, i));
      const frames = values.map((v, i) => s.encode([36, i, 1, {}, [v, v.subarray(0, 64)]]));
      const decoded = frames.map((f) => (s.decode(f)[4] as Uint8Array[])[0] as Uint8Array);
      decoded.forEach((d, i) => {
        expect(Buffer.from(d).equals(Buffer.from(values[i] as Uint8Array))).toBe(true);
        expect(d.constructor).toBe(Uint8Array);
        expect(d.byteOffset % 8).toBe(0);
      });
      for (const d of decoded) d.fill(0xee);
      // no value's bytes overlap another's
      const regions = decoded.map((d) => [d.buffer, d.byteOffset, d.byteOffset + d.byteLength] as const);
      for (const [i, [buf, start, end]] of regions.entries()) {
        for (const [buf2, start2, end2] of regions.slice(i + 1)) {
          if (buf === buf2) expect(end <= start2 || end2 <= start).toBe(true);
        }
      }
      expect(decoded.every((d) => d.every((b) => b === 0xee))).toBe(true);
    });

    it('refuses to encode bigints', () => {
      catchSerializationError(() => s.encode([1, 2n]));
    });
  });

  describeAutobahnConformance(json, 'json');

  describe('stringifyJson()', () => {
    const s = json();
    it('equals JSON.stringify(encodeJsonBinaries(value)), with or without binaries', () => {
      const bytes = pseudoRandomBytes(900, 4);
      for (const value of [
        { uri: 'a.b', args: [bytes, 1], kwargs: null },
        [1, 'x', { y: [bytes.subarray(2, 9)] }],
        { plain: true },
        'text',
        3,
        null,
        bytes,
      ]) {
        expect(stringifyJson(value)).toBe(JSON.stringify(encodeJsonBinaries(value)));
      }
    });

    it('throws a SerializationError where JSON.stringify throws', () => {
      const cyclic: Record<string, unknown> = { b: new Uint8Array([1]) };
      cyclic['self'] = cyclic;
      expect(() => stringifyJson(cyclic)).toThrow(/cyclic/);
      catchSerializationError(() => s.encode([cyclic]));
      expect(() => stringifyJson({ n: 1n })).toThrow(SerializationError);
      expect(() => stringifyJson(undefined)).toThrow(SerializationError);
    });
  });
});
