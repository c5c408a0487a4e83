/**
 * URI scrambling (§c.2, Decision 16) beyond the vectors' cases: the base32 alphabet, what each mode
 * refuses, and that a tag depends on what it should.
 */
import { base32, namespaceKey, scrambleUri, type Namespace } from '../../src/e2ev2/scramble';
import { random, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

const ns = (mode: 'chained' | 'positional'): Namespace => ({ prefix: 'com.x.s.', key: random(32), mode });

describe('base32', () => {
  it('is RFC 4648 in lower case without padding', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foobar', 'mzxw6ytboi'],
    ];
    for (const [text, b32] of cases) expect(base32(new TextEncoder().encode(text))).toBe(b32);
    expect(base32(new Uint8Array(10).fill(0xff))).toBe('7'.repeat(16));
  });
});

describe('scrambleUri', () => {
  it('gives 16-character tags valid under strict URI rules, and the prefix alone scrambles to itself', () => {
    for (const mode of ['chained', 'positional'] as const) {
      const n = ns(mode);
      const wire = scrambleUri(n, 'com.x.s.orders.created')!;
      expect(wire).toMatch(/^com\.x\.s\.[a-z2-7]{16}\.[a-z2-7]{16}$/);
      expect(scrambleUri(n, 'com.x.s.', { pattern: true })).toBe('com.x.s.');
      expect(scrambleUri(n, 'com.x.other')).toBeUndefined();
      expect(scrambleUri({ ...n, key: random(32) }, 'com.x.s.orders.created')).not.toBe(wire);
    }
  });

  it('chained: a tag depends on the path before it; wildcards and empty components are refused', () => {
    const n = ns('chained');
    const a = scrambleUri(n, 'com.x.s.a.c')!.split('.');
    const b = scrambleUri(n, 'com.x.s.b.c')!.split('.');
    expect(a[4]).not.toBe(b[4]);
    expect(scrambleUri(n, 'com.x.s.a.', { pattern: true })).toBe(`com.x.s.${a[3]!}.`);
    expect(scrambleUri(n, 'com.x.s..c', { pattern: true })).toBeUndefined();
    expect(scrambleUri(n, 'com.x.s.a..', { pattern: true })).toBeUndefined();
    expect(scrambleUri(n, 'com.x.s.a.')).toBeUndefined(); // not a pattern: no empty component
  });

  it('positional: a tag depends on its position only, so wildcards work; at most 255 components', () => {
    const n = ns('positional');
    const a = scrambleUri(n, 'com.x.s.a.c')!.split('.');
    const b = scrambleUri(n, 'com.x.s.b.c')!.split('.');
    const swapped = scrambleUri(n, 'com.x.s.c.a')!.split('.');
    expect(a[4]).toBe(b[4]);
    expect(swapped[3]).not.toBe(a[4]);
    expect(scrambleUri(n, 'com.x.s..c', { pattern: true })).toBe(`com.x.s..${a[4]!}`);
    expect(scrambleUri(n, 'com.x.s..c')).toBeUndefined();
    expect(scrambleUri(n, `com.x.s.${Array(255).fill('a').join('.')}`)).toBeDefined();
    expect(scrambleUri(n, `com.x.s.${Array(256).fill('a').join('.')}`)).toBeUndefined();
  });

  it('namespace keys differ per prefix and per master secret', () => {
    const master = random(32);
    const k = Buffer.from(namespaceKey(master, 'a.b.')).toString('hex');
    expect(Buffer.from(namespaceKey(master, 'a.c.')).toString('hex')).not.toBe(k);
    expect(Buffer.from(namespaceKey(random(32), 'a.b.')).toString('hex')).not.toBe(k);
  });
});
