/**
 * Behaviour shared by the CBOR and MessagePack serializers beyond the common contract: the
 * Python-written vectors, the data model at its edges, and the decoder's defences.
 */
import { cbor } from '../../../src/wire/serializers/cbor';
import { msgpack } from '../../../src/wire/serializers/msgpack';
import type { Serializer } from '../../../src/wire/serializer';
import { bytesToHex, catchSerializationError, expectSameMessage, hexToBytes, pseudoRandomBytes } from './helpers';
import { PYTHON_CBOR_HEX, PYTHON_MSGPACK_HEX, pythonVectorMessage } from './python-vectors';

interface Format {
  make: () => Serializer;
  pythonHex: string;
  /** Hex of an array of one element / of 0 elements / a one-entry map header. */
  array1: string;
  array0: string;
  map1: string;
  /** Hex of the text string "x". */
  textX: string;
}

const FORMATS: [string, Format][] = [
  ['cbor', { make: cbor, pythonHex: PYTHON_CBOR_HEX, array1: '81', array0: '80', map1: 'a1', textX: '6178' }],
  ['msgpack', { make: msgpack, pythonHex: PYTHON_MSGPACK_HEX, array1: '91', array0: '90', map1: '81', textX: 'a178' }],
];

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe.each(FORMATS)('%s codec', (_name, f) => {
  const s = f.make();
  const roundTrip = (msg: unknown[]): unknown[] => s.decode(s.encode(msg));

  describe('Python vectors (msgpack / cbor2 with default settings)', () => {
    it('decodes the bytes Python wrote', () => {
      expectSameMessage(s.decode(hexToBytes(f.pythonHex)), pythonVectorMessage());
    });

    it('encodes the message to the same bytes', () => {
      expect(bytesToHex(s.encode(pythonVectorMessage()) as Uint8Array)).toBe(f.pythonHex);
    });
  });

  describe('encoding', () => {
    it('writes NaN and infinities as floats, -0 as 0, and integers beyond 2^53 as floats', () => {
      const [nan, inf, negInf, negZero, big] = roundTrip([NaN, Infinity, -Infinity, -0, 2 ** 53 + 2]) as number[];
      expect(nan).toBeNaN();
      expect([inf, negInf, negZero, big]).toStrictEqual([Infinity, -Infinity, 0, 2 ** 53 + 2]);
      expect(Object.is(negZero, 0)).toBe(true);
    });

    it('sees other objects as JSON does', () => {
      class Point {
        x = 1;
        y = 2;
        get sum(): number {
          return this.x + this.y;
        }
      }
      const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
      const fn = (): number => 1;
      const sym = Symbol('s');
      const msg = [
        50,
        1,
        { date, point: new Point(), map: new Map([['a', 1]]), fn, sym, custom: { toJSON: () => 'from toJSON' } },
        [fn, sym, undefined],
      ];
      expect(roundTrip(msg)).toStrictEqual([
        50,
        1,
        { date: '2024-01-02T03:04:05.006Z', point: { x: 1, y: 2 }, map: {}, custom: 'from toJSON' },
        [null, null, null],
      ]);
      expect(roundTrip([Object.assign(Object.create(null) as object, { a: 1 })])).toStrictEqual([{ a: 1 }]);
    });

    it('follows toJSON chains, and stops a cycle through toJSON', () => {
      const outer = { toJSON: (): unknown => ({ toJSON: () => [1, 2] }) };
      expect(roundTrip([outer])).toStrictEqual([[1, 2]]);
      class Loop {
        toJSON(): unknown {
          return this;
        }
      }
      expect(roundTrip([new Loop()])).toStrictEqual([{}]);
      class Endless {
        toJSON(): unknown {
          return new Endless();
        }
      }
      catchSerializationError(() => s.encode([new Endless()]));
    });

    it('accepts nesting down to 512 levels and refuses 513', () => {
      const nest = (levels: number): unknown[] => {
        let value: unknown[] = [];
        for (let i = 1; i < levels; i++) value = [value];
        return value;
      };
      expect(JSON.stringify(roundTrip(nest(512)))).toBe(JSON.stringify(nest(512)));
      catchSerializationError(() => s.encode(nest(513)));
      let deepMap: unknown = 1;
      for (let i = 0; i < 600; i++) deepMap = { d: deepMap };
      catchSerializationError(() => s.encode([deepMap]));
    });

    it('refuses to be re-entered from a toJSON method, and keeps working afterwards', () => {
      const sneaky = { toJSON: (): unknown => s.encode([1]) };
      catchSerializationError(() => s.encode([sneaky]));
      expect(roundTrip([1, 'after'])).toStrictEqual([1, 'after']);
    });

    it('keeps every frame intact while many are encoded, small and large', () => {
      const messages: unknown[][] = [];
      for (let i = 0; i < 3000; i++) {
        if (i % 500 === 7) messages.push([i, 'x'.repeat(20000 + i)]);
        else if (i % 700 === 3)
          messages.push([i, pseudoRandomBytes(70000 + i, i), { after: 'binary', gone: undefined }]);
        else messages.push([i, `message ${i}`, { n: i, list: [i, i + 1] }]);
      }
      const frames = messages.map((m) => s.encode(m) as Uint8Array);
      frames.forEach((frame, i) => expectSameMessage(s.decode(frame), normalize(messages[i] as unknown[])));
    });

    it('keeps frames intact when large text frames alternate with small ones and failures', () => {
      // frames that outgrow the shared buffers, some copied out of a reused buffer, some taking
      // theirs along, between small frames and encodes that fail halfway
      const sizes = [16 * 1024, 3, 20000, 60000, 5, 16 * 1024, 150000, 30000, 2, 16 * 1024, 300000, 17000];
      const messages: unknown[][] = [];
      const frames: Uint8Array[] = [];
      sizes.forEach((n, i) => {
        const msg = [48, i, {}, 'com.example.p', [String.fromCharCode(97 + (i % 26)).repeat(n)], { i }];
        messages.push(msg);
        frames.push(s.encode(msg) as Uint8Array);
        if (i % 3 === 1) catchSerializationError(() => s.encode([1, 'y'.repeat(n + 20000), 2n ** 70n]));
      });
      frames.forEach((frame, i) => {
        expect(s.decode(frame)).toStrictEqual(messages[i]);
        expect(frame.byteOffset + frame.byteLength).toBeLessThanOrEqual(frame.buffer.byteLength);
      });
      // a frame copied out of a buffer kept for reuse has a buffer of its own
      const copied = frames[0]!;
      expect(copied.byteLength).toBe(copied.buffer.byteLength);
    });

    it('writes large binaries next to skipped values and nested maps exactly', () => {
      const big = pseudoRandomBytes(40000, 1);
      const big2 = pseudoRandomBytes(20000, 2);
      const msg = [
        50,
        1,
        {},
        [big, { u: undefined, b: big2, c: [big] }],
        { first: big2, skip: undefined, last: 'end', deep: { a: big, n: null, f: () => 0 } },
      ];
      expectSameMessage(roundTrip(msg), [
        50,
        1,
        {},
        [big, { b: big2, c: [big] }],
        { first: big2, last: 'end', deep: { a: big, n: null } },
      ]);
      const frame = s.encode(msg) as Uint8Array;
      expect(frame.byteLength).toBe(frame.buffer.byteLength); // a frame of its own, sized exactly
    });

    it('encodes text as UTF-8 like TextEncoder, lone surrogates as U+FFFD', () => {
      const samples = [
        '',
        'a',
        'é',
        '€',
        '😀',
        '\ud800',
        'x\udc00y',
        '\ud83d',
        'a\u0000b',
        '\ufeffbom',
        `\ufeff${'b'.repeat(40)}`,
      ];
      for (const length of [22, 23, 24, 31, 32, 33, 254, 255, 256, 65535, 65536]) {
        samples.push('a'.repeat(length), 'é'.repeat(length), '😀'.repeat(length >> 1), `${'a'.repeat(length - 1)}€`);
      }
      for (const text of samples) {
        const expected = utf8(text);
        const frame = s.encode([text]) as Uint8Array;
        expect(bytesToHex(frame.subarray(frame.length - expected.length))).toBe(bytesToHex(expected));
        expect(s.decode(frame)).toStrictEqual([new TextDecoder('utf-8', { ignoreBOM: true }).decode(expected)]); // a leading U+FEFF is kept
      }
    });
  });

  describe('decoding', () => {
    const decodeHex = (hex: string): unknown[] => s.decode(hexToBytes(hex));

    it('decodes a Node Buffer frame into plain byte strings of their own', () => {
      const small = pseudoRandomBytes(10, 3);
      const mid = pseudoRandomBytes(1000, 4);
      const large = pseudoRandomBytes(20000, 5);
      const frame = Buffer.from(s.encode([50, 1, { k: small }, [mid, large]]) as Uint8Array);
      const decoded = s.decode(frame);
      frame.fill(0);
      expectSameMessage(decoded, [50, 1, { k: small }, [mid, large]]);
    });

    it('refuses lengths that run past the end of the frame without allocating for them', () => {
      const lies =
        f.make().id === 'cbor'
          ? [
              '9bffffffffffffffff',
              '9affffffff01',
              '5b0000000100000000',
              '7affffffff61',
              'bbffffffffffffffff',
              '81a2616101',
            ]
          : ['ddffffffff01', 'dfffffffff', 'c6ffffffff01', 'dbffffffff61', 'dcffff', '9182a16101'];
      for (const hex of lies) catchSerializationError(() => decodeHex(hex));
    });

    it('accepts nesting down to 512 levels and refuses 513', () => {
      expect(JSON.stringify(decodeHex(f.array1.repeat(511) + f.array0))).toBe('['.repeat(512) + ']'.repeat(512));
      catchSerializationError(() => decodeHex(f.array1.repeat(512) + f.array0));
      catchSerializationError(() => decodeHex(f.array1.repeat(100000) + f.array0));
    });

    it('turns number, boolean and null keys into strings as JSON would, and refuses other keys', () => {
      const cbor = f.make().id === 'cbor';
      const [intKey, floatKey, arrayKey, bytesKey, mapKey] = cbor
        ? ['01', 'fb3ff8000000000000', '80', '40', 'a0']
        : ['01', 'cb3ff8000000000000', '90', 'c400', '80'];
      const [trueKey, falseKey, nullKey] = cbor ? ['f5', 'f4', 'f6'] : ['c3', 'c2', 'c0'];
      expect(decodeHex(`${f.array1}${f.map1}${intKey}${f.textX}`)).toStrictEqual([{ '1': 'x' }]);
      expect(decodeHex(`${f.array1}${f.map1}${floatKey}${f.textX}`)).toStrictEqual([{ '1.5': 'x' }]);
      // Python's cbor2 and msgpack send {True: 1, False: 2, None: 3} as they are; json.dumps writes
      // {"true": 1, "false": 2, "null": 3}
      const map3 = cbor ? 'a3' : '83';
      const frame = `${f.array1}${map3}${trueKey}01${falseKey}02${nullKey}03`;
      expect(decodeHex(frame)).toStrictEqual([{ true: 1, false: 2, null: 3 }]);
      for (const key of [arrayKey, bytesKey, mapKey]) {
        const err = catchSerializationError(() => decodeHex(`${f.array1}${f.map1}${key}${f.textX}`));
        expect(err.message).toContain('map key');
      }
    });

    it('decodes a WAMP message whose Details have a boolean key, instead of failing the frame', () => {
      // [36, 1, 2, {True: 1}, ["a"]], as an Autobahn|Python publisher's kwargs may reach a subscriber
      const frame = f.make().id === 'cbor' ? '8518240102a1f501816161' : '9524010281c30191a161';
      expect(decodeHex(frame)).toStrictEqual([36, 1, 2, { true: 1 }, ['a']]);
    });

    it('makes a "__proto__" key an own property', () => {
      const protoKey = bytesToHex(utf8('__proto__'));
      const header = f.make().id === 'cbor' ? '69' : 'a9';
      const [value] = decodeHex(`${f.array1}${f.map1}${header}${protoKey}${f.map1}${f.textX}01`) as [
        Record<string, unknown>,
      ];
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toStrictEqual(['__proto__']);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toStrictEqual({ x: 1 });
      expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    });

    it('refuses invalid UTF-8, short and long', () => {
      const [short, long] =
        f.make().id === 'cbor' ? ['62c328', `7840${'61'.repeat(63)}ff`] : ['a2c328', `d940${'61'.repeat(63)}ff`];
      catchSerializationError(() => decodeHex(f.array1 + short));
      catchSerializationError(() => decodeHex(f.array1 + long));
    });

    it('reuses map keys across frames without mixing them up', () => {
      const keys = Array.from({ length: 3000 }, (_, i) => `k${(i * 7919) % 5003}`);
      const record = Object.fromEntries(keys.map((k, i) => [k, i]));
      expect(roundTrip([record, record])).toStrictEqual([record, record]);
      expect(roundTrip([{ ab: 1, ba: 2, é: 3, a: 4 }])).toStrictEqual([{ ab: 1, ba: 2, é: 3, a: 4 }]);
    });
  });
});

describe('cbor-only decoding', () => {
  const s = cbor();
  const decodeHex = (hex: string): unknown[] => s.decode(hexToBytes(hex));

  it('decodes half, single and double floats', () => {
    // [1.0, 2^-24, 65504.0, -Infinity, NaN, 1.5 (float32), 1.5 (float64)]
    const [one, tiny, max, negInf, nan, single, double] = decodeHex(
      '87f93c00f90001f97bfff9fc00f97e00fa3fc00000fb3ff8000000000000',
    ) as number[];
    expect([one, tiny, max, negInf, single, double]).toStrictEqual([1, 2 ** -24, 65504, -Infinity, 1.5, 1.5]);
    expect(nan).toBeNaN();
  });

  it('turns bignums into numbers, and takes tag 64 over bytes and self-described CBOR', () => {
    // [2(h'0100'), 3(h'00'), 64(h'0708'), 55799(55799([])), 55799(1)]
    expect(decodeHex('85c2420100c34100d840420708d9d9f7d9d9f780d9d9f701')).toStrictEqual([
      256,
      -1,
      new Uint8Array([7, 8]),
      [],
      1,
    ]);
    catchSerializationError(() => decodeHex(`81${'d9d9f7'.repeat(600)}00`));
  });

  it('refuses tags without a meaning in the data model instead of dropping them', () => {
    const refused: [string, string][] = [
      ['81d9dfff8319e00081616101', 'tag 57343'], // cbor-x's record of {a: 1}: [57343([57344, ["a"], 1])]
      ['81c100', 'tag 1'], // epoch date 1(0)
      ['81c074323032342d30312d30315430303a30303a30305a', 'tag 0'], // date/time text
      ['81d8206178', 'tag 32'], // URI 32("x")
      ['81d8696178', 'tag 105'],
      ['81da0001000041ff', 'tag 65536'],
      ['81c26178', 'tag 2 must wrap a byte string'], // a bignum over text
      ['81d84001', 'tag 64 must wrap a byte string'],
      ['82a1616101c100', 'tag 1'], // after other items
      ['81a1c1006178', 'tag 1'], // as a map key
    ];
    for (const [hex, why] of refused) expect(catchSerializationError(() => decodeHex(hex)).message).toContain(why);
  });

  it('decodes an indefinite-length byte string from a Node Buffer into bytes of its own', () => {
    const frame = Buffer.from(hexToBytes('815f41014102ff')); // [(_ h'01', h'02')]
    const [bytes] = s.decode(frame) as [Uint8Array];
    frame.fill(0);
    expect(bytes).toStrictEqual(new Uint8Array([1, 2]));
  });

  it('decodes undefined as null', () => {
    expect(decodeHex('82f701')).toStrictEqual([null, 1]);
  });

  it('refuses reserved and unassigned encodings and a misplaced break', () => {
    for (const hex of ['811c', '81ff', '81f0', '81f820', '9fff01', '811f', '81df'])
      catchSerializationError(() => decodeHex(hex));
  });

  it('refuses bigints beyond 64 bits, accepts -2^64', () => {
    catchSerializationError(() => s.encode([2n ** 64n]));
    catchSerializationError(() => s.encode([-(2n ** 64n) - 1n]));
    expect(bytesToHex(s.encode([-(2n ** 64n)]) as Uint8Array)).toBe('813bffffffffffffffff');
  });
});

describe('msgpack-only decoding', () => {
  const s = msgpack();
  const decodeHex = (hex: string): unknown[] => s.decode(hexToBytes(hex));

  it('decodes float 32 and every integer form', () => {
    expect(decodeHex('97ca3fc00000d0ffd1ff7fd2ffff7fffcc80cd0100ce80000000')).toStrictEqual([
      1.5,
      -1,
      -129,
      -32769,
      128,
      256,
      2 ** 31,
    ]);
  });

  it('refuses extension types and the never-used byte', () => {
    for (const hex of ['91d40100', '91c7010100', '91d6ff00000000', '91c1', '91d801' + '00'.repeat(16)])
      catchSerializationError(() => decodeHex(hex));
  });

  it('writes bigints as 64-bit integers', () => {
    expect(bytesToHex(s.encode([5n, -5n]) as Uint8Array)).toBe('92cf0000000000000005d3fffffffffffffffb');
    catchSerializationError(() => s.encode([-(2n ** 63n) - 1n]));
  });
});

/** What a message looks like after a round trip: undefined dropped from objects, null in arrays. */
function normalize(value: unknown[]): unknown[] {
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map((item) => (item === undefined ? null : walk(item)));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, item]) => item !== undefined)
          .map(([k, item]) => [k, walk(item)]),
      );
    }
    return v;
  };
  return walk(value) as unknown[];
}
