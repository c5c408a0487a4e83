import * as nodeBase64 from '../../../src/wire/serializers/base64';
import { pseudoRandomBytes } from './helpers';

const reference = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * The SerializationError `fn` throws. Compared by name and code: the module loaded without
 * `Buffer` comes with its own copy of the error classes.
 */
function catchSerializationError(fn: () => unknown): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect(thrown).toMatchObject({
    name: 'SerializationError',
    code: 'ERR_SERIALIZATION',
    message: expect.stringMatching(/^invalid base64/),
  });
  return thrown as Error;
}

/** The module as a runtime without Node's `Buffer` loads it (browsers: btoa/atob). */
function loadWithoutBuffer(): typeof nodeBase64 {
  let loaded: typeof nodeBase64 | undefined;
  const saved = globalThis.Buffer;
  jest.isolateModules(() => {
    (globalThis as { Buffer?: unknown }).Buffer = undefined;
    try {
      loaded = jest.requireActual<typeof nodeBase64>('../../../src/wire/serializers/base64');
    } finally {
      globalThis.Buffer = saved;
    }
  });
  return loaded as typeof nodeBase64;
}

describe.each([
  ["with Node's Buffer", (): typeof nodeBase64 => nodeBase64],
  ['with btoa/atob (no Buffer)', loadWithoutBuffer],
])('base64 %s', (_runtime, load) => {
  const { decodeBase64, encodeBase64 } = load();
  it('matches RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(decodeBase64(encoded)).toStrictEqual(bytes);
    }
  });

  it('uses the standard alphabet (+ and /)', () => {
    expect(encodeBase64(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('+/+/');
    expect(decodeBase64('+/+/')).toStrictEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
  });

  it('agrees with Buffer for every length up to 2100', () => {
    for (let n = 0; n <= 2100; n++) {
      const bytes = pseudoRandomBytes(n, n + 11);
      const text = encodeBase64(bytes);
      expect(text).toBe(reference(bytes));
      const back = decodeBase64(text);
      expect(back.constructor).toBe(Uint8Array);
      expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('handles every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(encodeBase64(all)).toBe(reference(all));
    expect(decodeBase64(reference(all))).toStrictEqual(all);
  });

  it('round-trips large inputs', () => {
    const bytes = pseudoRandomBytes(3 * 1024 * 1024 + 2, 99);
    const text = encodeBase64(bytes);
    expect(text).toBe(reference(bytes));
    expect(Buffer.from(decodeBase64(text)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('encodes only the bytes of a view, and a Buffer like a Uint8Array', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    expect(encodeBase64(backing.subarray(1, 4))).toBe('AQID');
    expect(encodeBase64(Buffer.from([1, 2, 3]))).toBe('AQID');
  });

  it('decodes from a start offset', () => {
    expect(decodeBase64('\u0000AQID', 1)).toStrictEqual(new Uint8Array([1, 2, 3]));
    expect(decodeBase64('xxAQI=', 2)).toStrictEqual(new Uint8Array([1, 2]));
    const long = 'x' + reference(pseudoRandomBytes(900, 3));
    expect(Buffer.from(decodeBase64(long, 1)).equals(Buffer.from(pseudoRandomBytes(900, 3)))).toBe(true);
    expect(decodeBase64('abc', 3)).toStrictEqual(new Uint8Array(0));
    catchSerializationError(() => decodeBase64('abc', 4));
  });

  it('accepts non-zero bits in the last character before padding', () => {
    expect(decodeBase64('Zh==')).toStrictEqual(new Uint8Array([0x66]));
    expect(decodeBase64('Zm9=')).toStrictEqual(new Uint8Array([0x66, 0x6f]));
  });

  it('returns bytes with a buffer of their own', () => {
    for (const n of [1, 60, 1024, 5000, 20000]) {
      const bytes = decodeBase64(reference(pseudoRandomBytes(n, n)));
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(n);
    }
  });

  it('accepts and refuses exactly what the rules say, on short and long inputs alike', () => {
    // the rules: length a multiple of 4, standard alphabet, at most two "=" and only at the end
    const canonical = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})?$/;
    const noise = ['-', '_', ' ', '=', '\n', 'é', '\u0141', '\u0000', '\u4141', '%'];
    let state = 12345;
    const rand = (n: number): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    let accepted = 0;
    let refused = 0;
    for (let round = 0; round < 600; round++) {
      const good = reference(pseudoRandomBytes([5, 40, 47, 48, 49, 700][round % 6] as number, round));
      const chars = [...good];
      const edits = rand(3);
      for (let e = 0; e < edits; e++) chars[rand(chars.length)] = noise[rand(noise.length)] as string;
      const text = chars.join('');
      if (canonical.test(text)) {
        expect(Buffer.from(decodeBase64(text)).equals(Buffer.from(text, 'base64'))).toBe(true);
        accepted++;
      } else {
        catchSerializationError(() => decodeBase64(text));
        refused++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  describe('rejects invalid input with SerializationError', () => {
    const invalid: [string, string][] = [
      ['missing padding', 'Zg'],
      ['missing padding (3)', 'Zm8'],
      ['length 1', 'Z'],
      ['length 5', 'Zm9vY'],
      ['three padding characters', 'Z==='],
      ['padding only', '===='],
      ['padding in the middle', 'Zg==Zm9v'],
      ['padding then data', 'Zm=v'],
      ['URL-safe alphabet', 'Zm-_'],
      ['whitespace', 'Zm9v\nYmFy'],
      ['space', 'Zm9 '],
      ['non-ASCII', 'Zm9é'],
      ['non-ASCII whose low byte is a valid character', 'Zm9\u0141'],
      ['NUL', 'Zm9\u0000'],
    ];
    it.each(invalid)('%s', (_name, text) => {
      const err = catchSerializationError(() => decodeBase64(text));
      expect(err.message).toMatch(/^invalid base64/);
    });

    it('in long inputs too', () => {
      const good = reference(pseudoRandomBytes(1200, 5));
      for (const at of [0, 17, 600, good.length - 5]) {
        for (const ch of ['-', '_', ' ', '=', 'é', '\u0141', '\u0000', '😀']) {
          const bad = good.slice(0, at) + ch + good.slice(at + ch.length);
          if (bad.length % 4 !== 0 && ch !== '😀') continue;
          catchSerializationError(() => decodeBase64(bad));
        }
      }
      catchSerializationError(() => decodeBase64(good.slice(0, -1)));
    });
  });
});
