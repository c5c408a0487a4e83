import { cbor } from '../../../src/wire/serializers/cbor';
import {
  bytesToHex,
  catchSerializationError,
  describeAutobahnConformance,
  describeSerializerContract,
  hexToBytes,
} from './helpers';

describe('cbor()', () => {
  it('describes itself', () => {
    const s = cbor();
    expect(s.id).toBe('cbor');
    expect(s.protocol).toBe('wamp.2.cbor');
    expect(s.rawSocketId).toBe(3);
    expect(s.binary).toBe(true);
  });

  describeSerializerContract(cbor, 'cbor');

  describe('wire format', () => {
    const s = cbor();
    const hex = (msg: unknown[]): string => bytesToHex(s.encode(msg) as Uint8Array);

    it('writes bytes as untagged byte strings (major type 2), for Uint8Array and Buffer', () => {
      expect(hex([new Uint8Array([1, 2, 3])])).toBe('8143010203');
      expect(hex([new Uint8Array(0)])).toBe('8140');
      expect(hex([Buffer.from([1, 2, 3])])).toBe('8143010203');
      expect(hex([new Uint8Array(300)]).slice(0, 8)).toBe('8159012c'); // 2-byte length
      expect(hex(['abc'])).toBe('8163616263'); // strings stay text strings
    });

    it('writes plain objects as minimal maps (no records, no tag 259)', () => {
      expect(hex([{ a: 1 }, {}])).toBe('82a1616101a0');
    });

    it('writes integers beyond 32 bits as integers, not floats', () => {
      expect(hex([2 ** 53])).toBe('811b0020000000000000');
      expect(hex([2 ** 32])).toBe('811b0000000100000000');
      expect(hex([-(2 ** 53)])).toBe('813b001fffffffffffff');
      expect(hex([2 ** 32 - 1])).toBe('811affffffff');
      expect(hex([-(2 ** 32)])).toBe('813affffffff');
      expect(hex([-(2 ** 32) - 1])).toBe('813b0000000100000000');
      expect(hex([1.5])).toBe('81fb3ff8000000000000');
    });

    it('decodes 64-bit integers as numbers', () => {
      expect(s.decode(hexToBytes('831b00200000000000003b001fffffffffffff1b0000000100000000'))).toStrictEqual([
        2 ** 53,
        -(2 ** 53),
        2 ** 32,
      ]);
    });

    it('decodes byte strings tagged 64 (as cbor-x writes them by default) as bytes', () => {
      // not minimal: an empty map with a 2-byte length (b90000), and tag 64 on the bytes (d840)
      const frame = hexToBytes('85183001b90000617081d840420708');
      expect(s.decode(frame)).toStrictEqual([48, 1, {}, 'p', [new Uint8Array([7, 8])]]);
    });

    it('decodes indefinite-length arrays and maps', () => {
      // [_ 1, {_ "a": h'0102'}]
      expect(s.decode(hexToBytes('9f01bf6161420102ffff'))).toStrictEqual([1, { a: new Uint8Array([1, 2]) }]);
    });

    it('decodes indefinite-length byte and text strings', () => {
      // [(_ h'01', h'02'), (_ "a", "bc"), (_ )]
      expect(s.decode(hexToBytes('835f41014102ff7f6161626263ff5fff'))).toStrictEqual([
        new Uint8Array([1, 2]),
        'abc',
        new Uint8Array(0),
      ]);
      // a chunk of another type, a nested indefinite chunk, a missing break
      for (const bad of ['815f6161ff', '815f5f4101ffff', '815f4101'])
        catchSerializationError(() => s.decode(hexToBytes(bad)));
    });

    it('does not tag a Uint8Array even in a runtime without Buffer semantics', () => {
      class Bytes extends Uint8Array {}
      expect(hex([Bytes.from([5])])).toBe('814105');
    });

    it('writes bigints within 64 bits as integers', () => {
      expect(hex([5n])).toBe('811b0000000000000005');
      expect(s.decode(s.encode([1, 2n ** 60n, -(2n ** 60n)]))).toStrictEqual([1, 2 ** 60, -(2 ** 60)]);
    });
  });

  describeAutobahnConformance(cbor, 'cbor');
});
