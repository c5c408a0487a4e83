/**
 * The derivations of §b.2 beyond the vectors' cases: what a key id commits to, the reply key per
 * call, and the length-prefixed URI.
 */
import {
  concatBytes,
  encodeUri,
  hexEquals,
  HexCache,
  isZero,
  keyId,
  publicKeyId,
  replyKey,
  toHex,
} from '../../src/e2ev2/derive';
import { random, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

describe('key ids', () => {
  it('are 16 bytes and differ for different keys (they commit to the key)', () => {
    const [a, b] = [random(32), random(32)];
    expect(keyId(a)).toHaveLength(16);
    expect(toHex(keyId(a))).toBe(toHex(keyId(a.slice())));
    expect(toHex(keyId(a))).not.toBe(toHex(keyId(b)));
    // KID is keyed, PKID is not: the same 32 bytes give different ids
    expect(toHex(keyId(a))).not.toBe(toHex(publicKeyId(a)));
  });
});

describe('reply keys', () => {
  it('differ per call and per session, and are not the session key', () => {
    const ks = random(32);
    const [x1, x2] = [random(16), random(16)];
    expect(toHex(replyKey(ks, x1))).not.toBe(toHex(replyKey(ks, x2)));
    expect(toHex(replyKey(ks, x1))).not.toBe(toHex(replyKey(random(32), x1)));
    expect(toHex(replyKey(ks, x1))).not.toBe(toHex(ks));
  });

  it('refuse a session key or exchange id of the wrong size', () => {
    expect(() => replyKey(random(31), random(16))).toThrow(expect.objectContaining({ reason: 'seal' }));
    expect(() => replyKey(random(32), random(15))).toThrow(expect.objectContaining({ reason: 'seal' }));
  });
});

describe('U(uri)', () => {
  it('is the UTF-8 byte length as u16be followed by the UTF-8 bytes', () => {
    expect(toHex(encodeUri('a.b'))).toBe('0003612e62');
    expect(toHex(encodeUri('é'))).toBe('0002c3a9');
    expect(toHex(encodeUri(''))).toBe('0000');
    expect(encodeUri('x'.repeat(65535))).toHaveLength(65537);
  });

  it('refuses a URI longer than 65535 bytes, which cannot be bound', () => {
    expect(() => encodeUri('é'.repeat(32768))).toThrow(
      expect.objectContaining({ name: 'E2eV2Error', reason: 'seal', code: 'ERR_PAYLOAD_CODEC' }),
    );
  });
});

describe('byte helpers', () => {
  it('concatenate, write lowercase hex and tell zero bytes', () => {
    expect(toHex(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(0xab, 0x0c)))).toBe('01ab0c');
    expect(isZero(new Uint8Array(16))).toBe(true);
    expect(isZero(Uint8Array.of(0, 0, 1))).toBe(false);
  });
});

describe('hex', () => {
  it('toHex is lowercase hex, two digits a byte, for every byte value and long inputs', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toHex(all)).toBe(Buffer.from(all).toString('hex'));
    const long = random(5000);
    expect(toHex(long)).toBe(Buffer.from(long).toString('hex'));
    expect(toHex(long.subarray(3, 3000))).toBe(Buffer.from(long.subarray(3, 3000)).toString('hex'));
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('hexEquals is toHex(bytes) === hex, lowercase only', () => {
    const b = random(16);
    const h = toHex(b);
    expect(hexEquals(h, b)).toBe(true);
    expect(hexEquals(h.toUpperCase(), b)).toBe(/[a-f]/.test(h) ? false : true);
    expect(hexEquals(h.slice(2), b)).toBe(false);
    expect(hexEquals(`${h}00`, b)).toBe(false);
    const other = b.slice();
    other[15] = other[15]! ^ 1;
    expect(hexEquals(h, other)).toBe(false);
    expect(hexEquals('', new Uint8Array(0))).toBe(true);
  });

  it('HexCache gives toHex of what it is given, the same string for the same bytes', () => {
    const c = new HexCache();
    const a = random(32);
    const first = c.hex(a);
    expect(first).toBe(toHex(a));
    expect(c.hex(a.slice())).toBe(first);
    a[0] = a[0]! ^ 1; // changed in place: converted again
    expect(c.hex(a)).toBe(toHex(a));
    expect(c.hex(a.subarray(0, 8))).toBe(toHex(a.subarray(0, 8)));
    expect(c.hex(new Uint8Array(0))).toBe('');
  });
});
