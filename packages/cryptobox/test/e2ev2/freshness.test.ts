/** Freshness (Decision 7): the bound in both directions, the injected clock, and turning it off. */
import { Freshness } from '../../src/e2ev2/freshness';

describe('Freshness', () => {
  it('accepts |now - ts| up to maxSkew inclusive, in the past and the future, from the injected clock', () => {
    let now = 1_000_000;
    const f = new Freshness({ maxSkewMs: 1000, clock: () => now });
    expect(f.now()).toBe(1_000_000);
    expect(f.isFresh(999_000n, f.now())).toBe(true);
    expect(f.isFresh(1_001_000n, f.now())).toBe(true);
    expect(f.isFresh(998_999n, f.now())).toBe(false);
    expect(f.isFresh(1_001_001n, f.now())).toBe(false);
    now = 2_000_000;
    expect(f.isFresh(999_000n, f.now())).toBe(false);
  });

  it('defaults to five minutes and Date.now; 0 turns the check off (clockless devices)', () => {
    const f = new Freshness();
    const now = f.now();
    expect(Math.abs(now - Date.now())).toBeLessThan(1000);
    expect(f.isFresh(BigInt(now - 300_000), now)).toBe(true);
    expect(f.isFresh(BigInt(now - 300_001), now)).toBe(false);
    expect(new Freshness({ maxSkewMs: 0 }).isFresh(0n, now)).toBe(true);
    expect(new Freshness({ maxSkewMs: 0 }).isFresh((1n << 64n) - 1n, now)).toBe(true);
  });

  it('takes ts as a number (what the parse step gives up to 2^53 - 1) with the same verdicts', () => {
    const f = new Freshness({ maxSkewMs: 1000, clock: () => 1_000_000 });
    const at = (ts: number): boolean[] => [f.isFresh(ts, f.now()), f.isFresh(BigInt(ts), f.now())];
    expect(at(999_000)).toEqual([true, true]);
    expect(at(1_001_000)).toEqual([true, true]);
    expect(at(998_999)).toEqual([false, false]);
    expect(at(1_001_001)).toEqual([false, false]);
    expect(at(Number.MAX_SAFE_INTEGER)).toEqual([false, false]);
    expect(f.isFresh((1n << 64n) - 1n, f.now())).toBe(false);
    expect(f.isFresh(999_000, 1_000_000.7)).toBe(true);
  });

  it('refuses a negative or fractional bound', () => {
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => new Freshness({ maxSkewMs: -1 })).toThrow(invalid);
    expect(() => new Freshness({ maxSkewMs: 1.5 })).toThrow(invalid);
  });
});
