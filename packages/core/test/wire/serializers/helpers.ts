/**
 * Shared fixtures for the serializer tests: the Autobahn|Python vectors, sample messages, a
 * deterministic PRNG, and the behaviour every serializer must show.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { Prng } from '../../helpers/prng';
import { SerializationError } from '../../../src/errors';
import type { Serializer } from '../../../src/wire/serializer';

export const VECTORS_PATH = path.resolve(__dirname, '../../../../../test/fixtures/autobahn-22.7.1/vectors.json');

export type WireFormat = 'json' | 'msgpack' | 'cbor';

export interface VectorMessage {
  /** e.g. `TV2 #3 RESULT` */
  name: string;
  type: string;
  /** The message as Autobahn marshals it, with `{"$bytes_hex": ...}` turned into bytes. */
  expected: unknown[];
  wire: { json: { text: string; bytes: Uint8Array }; msgpack: Uint8Array; cbor: Uint8Array };
}

interface RawVectorFile {
  vectors: {
    title: string;
    messages: { type: string; marshal_repr: unknown; wire: Record<string, { hex: string; text?: string }> }[];
  }[];
}

/** Load every message of the Autobahn vectors; throws (failing the suite) when the file is missing. */
export function loadVectorMessages(): VectorMessage[] {
  if (!fs.existsSync(VECTORS_PATH)) {
    throw new Error(
      `Autobahn|Python test vectors not found at ${VECTORS_PATH}. ` +
        'They are required for the serializer conformance tests (the repository carries them under test/fixtures/).',
    );
  }
  const file = JSON.parse(fs.readFileSync(VECTORS_PATH, 'utf8')) as RawVectorFile;
  const out: VectorMessage[] = [];
  for (const vector of file.vectors) {
    const tv = vector.title.split(' ')[0] ?? vector.title;
    vector.messages.forEach((msg, index) => {
      const wire = msg.wire;
      const jsonWire = wire['json'];
      const msgpackWire = wire['msgpack'];
      const cborWire = wire['cbor'];
      if (jsonWire?.text === undefined || msgpackWire === undefined || cborWire === undefined) {
        throw new Error(`vector ${tv} #${index} lacks a wire encoding`);
      }
      out.push({
        name: `${tv} #${index} ${msg.type}`,
        type: msg.type,
        expected: fromMarshalRepr(msg.marshal_repr) as unknown[],
        wire: {
          json: { text: jsonWire.text, bytes: hexToBytes(jsonWire.hex) },
          msgpack: hexToBytes(msgpackWire.hex),
          cbor: hexToBytes(cborWire.hex),
        },
      });
    });
  }
  return out;
}

/** Turn `{"$bytes_hex": "..."}` into a `Uint8Array`, at any depth. */
export function fromMarshalRepr(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromMarshalRepr);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === '$bytes_hex' && typeof record['$bytes_hex'] === 'string') {
      return hexToBytes(record['$bytes_hex']);
    }
    return Object.fromEntries(keys.map((k) => [k, fromMarshalRepr(record[k])]));
  }
  return value;
}

/** Plain `Uint8Array` (not `Buffer`) from hex. */
export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Run `fn` and return the SerializationError it throws; fails when it throws anything else or nothing. */
export function catchSerializationError(fn: () => unknown): SerializationError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error('expected a SerializationError, but nothing was thrown');
  if (!(thrown instanceof SerializationError)) {
    throw new Error(`expected a SerializationError, got ${String(thrown)}`, { cause: thrown });
  }
  expect(thrown.code).toBe('ERR_SERIALIZATION');
  expect(thrown.name).toBe('SerializationError');
  return thrown;
}

/** Every `Uint8Array` in `value` is a plain `Uint8Array` (not a subclass such as `Buffer`). */
export function expectPlainBytesEverywhere(value: unknown): void {
  if (value instanceof Uint8Array) {
    expect(value.constructor).toBe(Uint8Array);
  } else if (Array.isArray(value)) {
    value.forEach(expectPlainBytesEverywhere);
  } else if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(expectPlainBytesEverywhere);
  }
}

const bin = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);

/** WAMP-shaped messages that every serializer must round-trip exactly. */
export function sampleMessages(): [string, unknown[]][] {
  const large = pseudoRandomBytes(1024 * 1024 + 1, 7);
  return [
    [
      'HELLO with nested details',
      [
        1,
        'realm1',
        { roles: { caller: { features: { progressive_call_results: true } }, subscriber: {} }, authid: 'joe' },
      ],
    ],
    ['WELCOME with id 2^53', [2, 2 ** 53, { realm: 'realm1', roles: { broker: {} } }]],
    ['CALL with args and kwargs', [48, 1, { timeout: 1000 }, 'com.example.add', [23, 7], { a: 'b', c: [1, 2, 3] }]],
    [
      'CALL with a bare binary arguments slot',
      [48, 2, { enc_algo: 'cryptobox', enc_serializer: 'json' }, 'com.example.echo', bin(0, 1, 2, 0xff)],
    ],
    [
      'PUBLISH with binary at every depth',
      [
        16,
        3,
        { acknowledge: true },
        'com.example.topic',
        [bin(1), [bin(2), [bin(3), [bin(4)]]], { k: bin(5) }],
        { top: bin(6), nested: { deeper: { deepest: [bin(7), { x: bin(8) }] } }, list: [[[bin(9)]]] },
      ],
    ],
    ['EVENT with empty binary', [36, 5, 6, {}, [new Uint8Array(0)], { empty: new Uint8Array(0) }]],
    ['YIELD with 1 MiB binary', [70, 7, {}, [large]]],
    ['binary of every length 0..9', [50, 8, {}, Array.from({ length: 10 }, (_, n) => pseudoRandomBytes(n, n + 1))]],
    [
      'unicode strings',
      [
        48,
        9,
        { 'clé-ünïcødé': 'välue' },
        'com.example.ünïcødé',
        ['héllo wörld', '日本語テキスト', '😀🎉👍🏽', 'Ελληνικά', 'עברית', 'a\u0000b', '\u0001', '', 'x'.repeat(70000)],
        { '😀': '🎉', '': 'empty key' },
      ],
    ],
    [
      'ids and integers around 2^31, 2^32, 2^53',
      [
        65,
        2 ** 53,
        2 ** 53 - 1,
        [0, 1, -1, 23, 24, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1],
        [
          -(2 ** 31),
          -(2 ** 31) - 1,
          -(2 ** 32),
          -(2 ** 32) - 1,
          -(2 ** 53),
          -(2 ** 53) + 1,
          1700000000000,
          4503599627370497,
        ],
        { id: 2 ** 53, max_safe: Number.MAX_SAFE_INTEGER, min_safe: Number.MIN_SAFE_INTEGER, ts: 1700000000123 },
      ],
    ],
    [
      'floats, booleans, null',
      [50, 10, {}, [1.5, -0.25, 1e300, -1e-300, 0.1, Math.PI, true, false, null], { f: 2.5, t: true, n: null }],
    ],
    [
      'deep dict/list nesting',
      [
        50,
        11,
        {},
        [nest(40, (inner, depth) => (depth % 2 === 0 ? [depth, inner] : { depth, inner }))],
        { empty: {}, list: [], both: [{}, [], [{}]] },
      ],
    ],
    ['empty message list', []],
  ];
}

function nest(levels: number, wrap: (inner: unknown, depth: number) => unknown): unknown {
  let value: unknown = 'leaf';
  for (let depth = 0; depth < levels; depth++) value = wrap(value, depth);
  return value;
}

/** Deep copy of arrays, plain objects and `Uint8Array`s, to check that encoding leaves its input alone. */
export function deepCopy<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = deepCopy((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}

/**
 * Replace every `Uint8Array` by `{ bytes: <hex> }`, so that deep equality stays fast for large
 * binaries and failures print readably.
 */
export function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: bytesToHex(value) };
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = comparable((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Deep equality where bytes compare by content; decoded bytes must be plain `Uint8Array`s. */
export function expectSameMessage(actual: unknown, expected: unknown): void {
  expect(comparable(actual)).toStrictEqual(comparable(expected));
  expectPlainBytesEverywhere(actual);
}

/**
 * Tests that every serializer must pass. `format` selects format-specific expectations.
 */
export function describeSerializerContract(make: () => Serializer, format: WireFormat): void {
  describe('contract', () => {
    const s = make();

    it.each(sampleMessages())('round-trips: %s', (_name, msg) => {
      const before = deepCopy(msg);
      const frame = s.encode(msg);
      expect(typeof frame === 'string').toBe(!s.binary);
      expectSameMessage(s.decode(frame), msg);
      // encoding never modifies its input
      expect(comparable(msg)).toStrictEqual(comparable(before));
    });

    it('refuses damaged frames with ERR_SERIALIZATION and nothing else (seeded)', () => {
      // truncations, flipped, inserted and deleted bytes, and random bytes, over every sample
      // message but the 1 MiB one; each decode either yields a value or throws SerializationError
      const prng = new Prng(0x5eed);
      const next = (n: number): number => prng.int(n);
      let refused = 0;
      let decoded = 0;
      const frames = sampleMessages()
        .filter(([name]) => !name.includes('1 MiB'))
        .map(([, msg]) => {
          const frame = s.encode(msg);
          return typeof frame === 'string' ? new TextEncoder().encode(frame) : frame;
        });
      for (let round = 0; round < 3000; round++) {
        const base = frames[round % frames.length]!;
        let bytes: Uint8Array;
        switch (next(5)) {
          case 0:
            bytes = base.subarray(0, next(base.length + 1));
            break;
          case 1: {
            bytes = new Uint8Array(base);
            for (let k = 0, n = 1 + next(3); k < n && bytes.length > 0; k++) bytes[next(bytes.length)] = next(256);
            break;
          }
          case 2: {
            const at = next(base.length + 1);
            bytes = new Uint8Array([...base.subarray(0, at), next(256), ...base.subarray(at)]);
            break;
          }
          case 3: {
            const at = next(Math.max(base.length, 1));
            bytes = new Uint8Array([...base.subarray(0, at), ...base.subarray(at + 1)]);
            break;
          }
          default:
            bytes = Uint8Array.from({ length: next(64) }, () => next(256));
        }
        try {
          s.decode(bytes);
          decoded++;
        } catch (err) {
          if (!(err instanceof SerializationError)) throw new Error(`round ${round}: ${String(err)}`, { cause: err });
          refused++;
        }
      }
      // both outcomes occur, so the mutations reach past the first byte
      expect(refused).toBeGreaterThan(300);
      expect(decoded).toBeGreaterThan(30);
    });

    it('decodes Uint8Array, Buffer and ArrayBuffer frames alike', () => {
      const msg = [48, 1, {}, 'com.example.echo', [new Uint8Array([1, 2, 3])], { k: 'v' }];
      const frame = s.encode(msg);
      const bytes = typeof frame === 'string' ? new TextEncoder().encode(frame) : frame;
      const arrayBuffer = new Uint8Array(bytes).buffer;
      // a view into a larger buffer, at an odd offset
      const padded = new Uint8Array(bytes.byteLength + 7);
      padded.set(bytes, 3);
      const view = padded.subarray(3, 3 + bytes.byteLength);
      for (const input of [bytes, Buffer.from(bytes), arrayBuffer, view]) {
        expectSameMessage(s.decode(input), msg);
      }
    });

    it('encodes Buffer, Uint8Array subclasses and subarray views as their bytes', () => {
      class Bytes extends Uint8Array {}
      const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
      const forms = [new Uint8Array([1, 2, 3]), Buffer.from([1, 2, 3]), Bytes.from([1, 2, 3]), backing.subarray(2, 5)];
      const frames = forms.map((b) => s.encode([50, 1, {}, [b], { b }]));
      for (const frame of frames) {
        expect(frame).toEqual(frames[0]);
        expect(s.decode(frame)).toStrictEqual([
          50,
          1,
          {},
          [new Uint8Array([1, 2, 3])],
          { b: new Uint8Array([1, 2, 3]) },
        ]);
      }
    });

    it('encodes a Uint8Array from another realm as bytes', () => {
      const foreign = vm.runInNewContext('new Uint8Array([1, 2, 3])') as Uint8Array;
      expect(foreign instanceof Uint8Array).toBe(false);
      expectSameMessage(s.decode(s.encode([50, 1, {}, [foreign], { foreign }])), [
        50,
        1,
        {},
        [new Uint8Array([1, 2, 3])],
        { foreign: new Uint8Array([1, 2, 3]) },
      ]);
    });

    it('treats undefined as JSON does: dropped from objects, null in arrays', () => {
      const decoded = s.decode(s.encode([50, 1, { a: undefined, b: 1 }, [undefined, 2], { only: undefined }]));
      expect(decoded).toStrictEqual([50, 1, { b: 1 }, [null, 2], {}]);
    });

    it('decoded binaries do not share memory with the frame', () => {
      const frame = s.encode([50, 1, {}, [new Uint8Array([1, 2, 3])]]);
      const decoded = s.decode(frame);
      if (typeof frame !== 'string') frame.fill(0);
      expect(decoded[3]).toStrictEqual([new Uint8Array([1, 2, 3])]);
    });

    it('keeps a "__proto__" key from setting the prototype', () => {
      const hostile = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
      const decoded = s.decode(s.encode([50, 1, hostile, [new Uint8Array([1])]]));
      const details = decoded[2] as Record<string, unknown>;
      expect(Object.getPrototypeOf(details)).toBe(Object.prototype);
      expect(details['polluted']).toBeUndefined();
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(details['ok']).toBe(1);
    });

    it('two frames encoded in a row stay intact', () => {
      const a = s.encode([1, 'a', { x: new Uint8Array([1]) }]);
      const b = s.encode([2, 'b', { y: new Uint8Array([2]) }]);
      expect(s.decode(a)).toStrictEqual([1, 'a', { x: new Uint8Array([1]) }]);
      expect(s.decode(b)).toStrictEqual([2, 'b', { y: new Uint8Array([2]) }]);
    });

    describe('errors are SerializationError (ERR_SERIALIZATION)', () => {
      it('rejects a top-level value that is not a list', () => {
        for (const frame of topLevelNonLists(format)) catchSerializationError(() => s.decode(frame));
      });

      it('rejects an empty frame', () => {
        catchSerializationError(() => s.decode(s.binary ? new Uint8Array(0) : ''));
        catchSerializationError(() => s.decode(new ArrayBuffer(0)));
      });

      it('rejects every truncation of a valid frame', () => {
        const frame = s.encode([
          48,
          1,
          { k: 'v', n: 2 ** 40 },
          'com.example.proc',
          [new Uint8Array([1, 2, 3, 4]), 'x'],
          { z: [1.5] },
        ]);
        const bytes = typeof frame === 'string' ? new TextEncoder().encode(frame) : frame;
        for (let n = 0; n < bytes.length; n++) {
          const cut = bytes.slice(0, n);
          catchSerializationError(() => s.decode(cut));
        }
      });

      it('rejects trailing bytes after the list', () => {
        const frame = s.encode([1, 2]);
        const bytes = typeof frame === 'string' ? new TextEncoder().encode(frame) : frame;
        const extended = new Uint8Array(bytes.length + 1);
        extended.set(bytes);
        extended[bytes.length] = format === 'json' ? 0x78 /* x */ : 0x01;
        catchSerializationError(() => s.decode(extended));
      });

      it('either decodes garbage into a list or throws SerializationError, nothing else', () => {
        let decodedCount = 0;
        for (let seed = 1; seed <= 2000; seed++) {
          const garbage = pseudoRandomBytes(1 + (seed % 64), seed);
          if (format !== 'json' && seed % 2 === 0) garbage[0] = 0x90 | (seed % 8); // plausible list headers
          if (format !== 'json' && seed % 4 === 0) garbage[0] = 0x80 | (seed % 8);
          try {
            const decoded = s.decode(garbage);
            expect(Array.isArray(decoded)).toBe(true);
            decodedCount++;
          } catch (err) {
            if (!(err instanceof SerializationError)) throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
            expect(err.code).toBe('ERR_SERIALIZATION');
          }
        }
        expect(decodedCount).toBeLessThan(2000);
      });

      it('rejects frames of the wrong kind', () => {
        for (const frame of [42, null, undefined, {}, [1, 2]] as unknown[]) {
          catchSerializationError(() => s.decode(frame as string));
        }
        if (s.binary) catchSerializationError(() => s.decode('[1,2]'));
      });

      it('refuses to encode a value that is not a list', () => {
        for (const value of [{ a: 1 }, 'x', 1, null, undefined, new Uint8Array(1)] as unknown[]) {
          catchSerializationError(() => s.encode(value as unknown[]));
        }
      });

      it('refuses to encode a cyclic message', () => {
        const cyclic: unknown[] = [1, 'x'];
        const details: Record<string, unknown> = { self: cyclic };
        cyclic.push(details);
        catchSerializationError(() => s.encode(cyclic));
      });
    });
  });
}

function topLevelNonLists(format: WireFormat): (string | Uint8Array)[] {
  switch (format) {
    case 'json':
      return ['{"a":1}', '1', '"x"', 'null', 'true', '"\\u0000AQID"'];
    case 'msgpack':
      // {a: 1}, 1, "x", nil, true, bin [1]
      return ['81a16101', '01', 'a178', 'c0', 'c3', 'c40101'].map(hexToBytes);
    case 'cbor':
      // {a: 1}, 1, "x", null, true, h'01'
      return ['a1616101', '01', '6178', 'f6', 'f5', '4101'].map(hexToBytes);
  }
}

/**
 * Conformance with Autobahn|Python 22.7.1: decode every vector message from its `format` wire
 * encoding, and re-encode it byte for byte (the same JSON text, the same MessagePack/CBOR bytes).
 */
export function describeAutobahnConformance(make: () => Serializer, format: WireFormat): void {
  describe('conformance with Autobahn|Python 22.7.1 vectors', () => {
    const messages = loadVectorMessages();
    const s = make();

    it('has vector messages', () => {
      expect(messages.length).toBeGreaterThan(0);
    });

    it.each(messages.map((m) => [m.name, m] as const))('decodes %s', (_name, m) => {
      if (format === 'json') {
        expectSameMessage(s.decode(m.wire.json.text), m.expected);
        expectSameMessage(s.decode(m.wire.json.bytes), m.expected);
      } else {
        expectSameMessage(s.decode(m.wire[format]), m.expected);
      }
    });

    it.each(messages.map((m) => [m.name, m] as const))('re-encodes %s byte for byte', (_name, m) => {
      const decoded = s.decode(format === 'json' ? m.wire.json.text : m.wire[format]);
      const frame = s.encode(decoded);
      expectSameMessage(s.decode(frame), m.expected);
      if (format === 'json') expect(frame).toBe(m.wire.json.text);
      else expect(bytesToHex(frame as Uint8Array)).toBe(bytesToHex(m.wire[format]));
    });
  });
}
