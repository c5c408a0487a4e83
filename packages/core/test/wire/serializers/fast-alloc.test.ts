import { copyToPooled, pooledBytes } from '../../../src/wire/serializers/fast-alloc';

describe('pooledBytes()', () => {
  it('gives small and large sizes a buffer of their own', () => {
    for (const n of [0, 1, 64, 4097, 20000]) {
      const bytes = pooledBytes(n);
      expect(bytes.byteLength).toBe(n);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(n);
    }
  });

  it('carves mid sizes out of shared slabs, zero-filled, 8-byte aligned and never overlapping', () => {
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const bytes = pooledBytes(65 + ((i * 397) % 4032));
      expect(bytes.every((b) => b === 0)).toBe(true);
      expect(bytes.byteOffset % 8).toBe(0);
      bytes.fill(i & 0xff);
      taken.push(bytes);
    }
    expect(new Set(taken.map((b) => b.buffer)).size).toBeLessThan(taken.length);
    taken.forEach((bytes, i) => expect(bytes.every((b) => b === (i & 0xff))).toBe(true));
  });
});

describe('copyToPooled()', () => {
  it('copies a range, so later writes to the source do not show', () => {
    const source = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    for (const [start, end] of [
      [0, 10],
      [5, 1029],
      [100, 3000],
    ] as const) {
      const copy = copyToPooled(source, start, end);
      expect([...copy]).toStrictEqual([...source.subarray(start, end)]);
    }
    const copy = copyToPooled(source, 0, 500);
    source.fill(0);
    expect(copy[499]).toBe(499 & 0xff);
  });
});
