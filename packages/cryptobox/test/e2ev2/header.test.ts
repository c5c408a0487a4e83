/**
 * The 120-byte header and the flags byte (§b.4): every field at its offset, big-endian integers,
 * and the sizes the sealer refuses.
 */
import { HEADER_BYTES, OFF_SEQ } from '../../src/e2ev2/constants';
import { toHex } from '../../src/e2ev2/derive';
import {
  aadOf,
  decodeFlags,
  encodeFlags,
  readHeader,
  readU64,
  signatureInputOf,
  writeHeader,
  writeHeaderInto,
  type HeaderFields,
} from '../../src/e2ev2/header';
import { random } from './helpers';

const fields = (): HeaderFields => ({
  type: 2,
  flags: 0x18,
  ser: 3,
  kid: random(16),
  spk: random(32),
  sid: random(8),
  seq: 0x0102030405060708n,
  ts: 1_767_225_600_000n,
  xid: random(16),
  nonce: random(24),
});

describe('the header', () => {
  it('puts every field at its offset, with "W2", suite 1 and zero reserved bytes', () => {
    const f = fields();
    const h = writeHeader(f);
    expect(h).toHaveLength(HEADER_BYTES);
    expect(toHex(h.subarray(0, 8))).toBe('5732010218030000');
    expect(toHex(h.subarray(8, 24))).toBe(toHex(f.kid));
    expect(toHex(h.subarray(24, 56))).toBe(toHex(f.spk));
    expect(toHex(h.subarray(56, 64))).toBe(toHex(f.sid));
    expect(toHex(h.subarray(64, 72))).toBe('0102030405060708');
    expect(toHex(h.subarray(72, 80))).toBe('0000019b76daa800');
    expect(toHex(h.subarray(80, 96))).toBe(toHex(f.xid));
    expect(toHex(h.subarray(96, 120))).toBe(toHex(f.nonce));
  });

  it('reads back what it wrote, including u64 values beyond 2^53', () => {
    const f = { ...fields(), seq: (1n << 64n) - 1n, ts: (1n << 60n) + 3n };
    const back = readHeader(writeHeader(f));
    expect(back.seq).toBe(f.seq);
    expect(back.ts).toBe(f.ts);
    expect([back.type, back.flags, back.ser]).toEqual([f.type, f.flags, f.ser]);
    expect(toHex(back.kid)).toBe(toHex(f.kid));
  });

  it('reads a u64 as a number up to 2^53 - 1 and as a bigint beyond, the same value either way', () => {
    for (const v of [0n, 1n, 0xffff_ffffn, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n]) {
      const h = writeHeader({ ...fields(), seq: v });
      const n = readU64(h, OFF_SEQ);
      expect(typeof n).toBe(v < 1n << 53n ? 'number' : 'bigint');
      expect(BigInt(n)).toBe(v);
      // a number writes the same bytes
      const out = new Uint8Array(HEADER_BYTES);
      writeHeaderInto(out, { ...fields(), seq: n });
      expect(toHex(out.subarray(OFF_SEQ, OFF_SEQ + 8))).toBe(toHex(h.subarray(OFF_SEQ, OFF_SEQ + 8)));
    }
  });

  it.each([
    ['kid', { kid: random(15) }],
    ['spk', { spk: random(33) }],
    ['sid', { sid: random(7) }],
    ['xid', { xid: random(17) }],
    ['nonce', { nonce: random(12) }],
    ['seq', { seq: 1n << 64n }],
    ['ts', { ts: -1n }],
  ])('refuses a %s of the wrong size or range', (_what, over) => {
    expect(() => writeHeader({ ...fields(), ...over })).toThrow(expect.objectContaining({ reason: 'seal' }));
  });
});

describe('the flags byte', () => {
  it('has MORE, PADDED, INNER_URI, SIGNED, WRAPPED at bits 0..4 and the bucket at bits 5..6', () => {
    const none = { more: false, bucket: undefined, innerUri: false, signed: false, wrapped: false };
    expect(encodeFlags({ ...none, more: true })).toBe(0x01);
    expect(encodeFlags({ ...none, bucket: 0 })).toBe(0x02);
    expect(encodeFlags({ ...none, bucket: 2 })).toBe(0x42);
    expect(encodeFlags({ ...none, innerUri: true })).toBe(0x04);
    expect(encodeFlags({ ...none, signed: true })).toBe(0x08);
    expect(encodeFlags({ ...none, wrapped: true, signed: true })).toBe(0x18);
    for (let f = 0; f < 0x80; f++) {
      if ((f & 0x60) !== 0 && (f & 0x02) === 0) continue; // bucket bits without PADDED: not encodable
      expect(encodeFlags(decodeFlags(f))).toBe(f);
    }
  });
});

describe('AAD and signature input', () => {
  it('start with their 19-byte contexts, and a signature input is never 32 bytes long', () => {
    const u = Uint8Array.of(0, 1, 0x61);
    expect(Buffer.from(aadOf(u, new Uint8Array(120)).subarray(0, 19)).toString()).toBe('wampbox/e2e/v2 aad\0');
    const sig = signatureInputOf(u, new Uint8Array(136));
    expect(Buffer.from(sig.subarray(0, 19)).toString()).toBe('wampbox/e2e/v2 sig\0');
    // the shortest: empty URI, header and a bare tag: 19 + 2 + 120 + 16 = 157 bytes (a cryptosign challenge is 32)
    expect(signatureInputOf(Uint8Array.of(0, 0), new Uint8Array(136))).toHaveLength(157);
  });
});
