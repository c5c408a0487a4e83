import { msgpack } from '../../../src/wire/serializers/msgpack';
import {
  bytesToHex,
  catchSerializationError,
  describeAutobahnConformance,
  describeSerializerContract,
  hexToBytes,
} from './helpers';

describe('msgpack()', () => {
  it('describes itself', () => {
    const s = msgpack();
    expect(s.id).toBe('msgpack');
    expect(s.protocol).toBe('wamp.2.msgpack');
    expect(s.rawSocketId).toBe(2);
    expect(s.binary).toBe(true);
  });

  describeSerializerContract(msgpack, 'msgpack');

  describe('wire format', () => {
    const s = msgpack();
    const hex = (msg: unknown[]): string => bytesToHex(s.encode(msg) as Uint8Array);

    it('writes bytes as bin, never str', () => {
      expect(hex([new Uint8Array([1, 2, 3])])).toBe('91c403010203');
      expect(hex([new Uint8Array(0)])).toBe('91c400');
      expect(hex([Buffer.from([1, 2, 3])])).toBe('91c403010203');
      const big = new Uint8Array(300);
      expect(hex([big]).slice(0, 10)).toBe('91c5012c00'); // bin16
      expect(hex(['abc'])).toBe('91a3616263'); // strings stay str
    });

    it('writes plain objects as minimal maps (no record extension)', () => {
      expect(hex([{ a: 1 }, {}])).toBe('9281a1610180');
    });

    it('writes integers beyond 32 bits as 64-bit integers (uint 64 when positive, as Python does), not floats', () => {
      expect(hex([2 ** 53])).toBe('91cf0020000000000000');
      expect(hex([2 ** 32])).toBe('91cf0000000100000000');
      expect(hex([-(2 ** 53)])).toBe('91d3ffe0000000000000');
      expect(hex([-(2 ** 31)])).toBe('91d280000000');
      expect(hex([-(2 ** 31) - 1])).toBe('91d3ffffffff7fffffff');
      expect(hex([2 ** 32 - 1])).toBe('91ceffffffff');
      expect(hex([1.5])).toBe('91cb3ff8000000000000');
      // integral values beyond 2^53 are not exact integers any more and stay floats
      expect(hex([2 ** 64])).toBe('91cb43f0000000000000');
    });

    it('decodes uint64 and int64 as numbers', () => {
      expect(s.decode(hexToBytes('93cf0020000000000000d3ffe0000000000000cf0000000100000000'))).toStrictEqual([
        2 ** 53,
        -(2 ** 53),
        2 ** 32,
      ]);
    });

    it('decodes a frame written by msgpackr with default settings', () => {
      // not minimal: map 16 (de0001) for a one-entry map
      const frame = hexToBytes('953001de0001a1619101a17091c40107');
      expect(s.decode(frame)).toStrictEqual([48, 1, { a: [1] }, 'p', [new Uint8Array([7])]]);
    });

    it('refuses bigints that do not fit in 64 bits', () => {
      catchSerializationError(() => s.encode([1, 2n ** 70n]));
    });
  });

  describeAutobahnConformance(msgpack, 'msgpack');
});
