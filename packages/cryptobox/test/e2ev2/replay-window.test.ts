/**
 * Replay windows (Decision 6): the sliding-window verdicts, that a check never changes anything,
 * and the memory bounds, including one sender opening 10,000 streams.
 */
import { ReplayWindows } from '../../src/e2ev2/replay-window';

const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);
const sid = (n: number): string => n.toString(16).padStart(16, '0');

/** Check, then accept when it passes; what a receiver does for one payload that passed everything else. */
function offer(w: ReplayWindows, spk: string, s: string, seq: bigint | number): boolean {
  if (!w.check(spk, s, seq)) return false;
  w.accept(spk, s, seq);
  return true;
}

describe('one window', () => {
  it('gives the same verdicts for numbers and bigints, across 2^53', () => {
    const w = new ReplayWindows();
    const safe = Number.MAX_SAFE_INTEGER;
    expect(offer(w, A, sid(1), 10)).toBe(true);
    expect(offer(w, A, sid(1), 10n)).toBe(false);
    expect(offer(w, A, sid(1), 9n)).toBe(true);
    expect(offer(w, A, sid(1), 9)).toBe(false);
    expect(offer(w, A, sid(1), safe - 1)).toBe(true);
    expect(offer(w, A, sid(1), BigInt(safe) + 2n)).toBe(true); // a bigint top, 3 above
    expect(offer(w, A, sid(1), safe)).toBe(true); // inside, as a number
    expect(offer(w, A, sid(1), BigInt(safe))).toBe(false);
    expect(offer(w, A, sid(1), safe - 1)).toBe(false);
    expect(offer(w, A, sid(1), BigInt(safe) + 1n)).toBe(true);
    expect(offer(w, A, sid(1), safe + 2 - 1024)).toBe(false); // 1024 below the top
    expect(offer(w, A, sid(1), safe + 3 - 1024)).toBe(true);
    expect(offer(w, A, sid(1), (1n << 64n) - 1n)).toBe(true); // a jump past the window
    expect(offer(w, A, sid(1), BigInt(safe) + 1n)).toBe(false);
  });

  it('accepts new numbers, reordering inside the window, and nothing twice or below it', () => {
    const w = new ReplayWindows();
    expect(offer(w, A, sid(1), 2000n)).toBe(true);
    expect(offer(w, A, sid(1), 976n)).toBe(false); // 2000 - 976 = 1024: below the window
    expect(offer(w, A, sid(1), 977n)).toBe(true); // 1023 below: inside
    expect(offer(w, A, sid(1), 977n)).toBe(false);
    expect(offer(w, A, sid(1), 2000n)).toBe(false);
    expect(offer(w, A, sid(1), 1999n)).toBe(true);
    expect(offer(w, A, sid(1), 5000n)).toBe(true); // a jump past the window forgets it
    expect(offer(w, A, sid(1), 3977n)).toBe(true);
    expect(offer(w, A, sid(1), 3976n)).toBe(false);
  });

  it('keeps streams and senders apart, and handles u64 numbers', () => {
    const w = new ReplayWindows();
    expect(offer(w, A, sid(1), 5n)).toBe(true);
    expect(offer(w, A, sid(2), 5n)).toBe(true);
    expect(offer(w, B, sid(1), 5n)).toBe(true);
    expect(offer(w, A, sid(1), 3n)).toBe(true);
    expect(offer(w, A, sid(1), 5n)).toBe(false);
    const max = (1n << 64n) - 1n;
    expect(offer(w, A, sid(3), max)).toBe(true);
    expect(offer(w, A, sid(3), max)).toBe(false);
    expect(offer(w, A, sid(3), max - 1n)).toBe(true);
  });

  it('clears the bits it moves over, so a number a full window later is new', () => {
    const w = new ReplayWindows({ size: 32 });
    for (let n = 1n; n <= 32n; n++) expect(offer(w, A, sid(1), n)).toBe(true);
    expect(offer(w, A, sid(1), 40n)).toBe(true);
    for (let n = 33n; n < 40n; n++) expect(w.check(A, sid(1), n)).toBe(true);
    expect(w.check(A, sid(1), 8n)).toBe(false); // 40 - 8 = 32: below
    expect(w.check(A, sid(1), 9n)).toBe(false); // accepted before
  });

  it('check() changes nothing: neither the verdict nor which window is evicted next', () => {
    const w = new ReplayWindows({ perSender: 2 });
    offer(w, A, sid(1), 1n);
    offer(w, A, sid(2), 1n);
    for (let i = 0; i < 3; i++) expect(w.check(A, sid(1), 1n)).toBe(false); // does not touch sid 1
    offer(w, A, sid(3), 1n); // evicts the least recently *accepted*: sid 1
    expect(w.check(A, sid(1), 1n)).toBe(true);
    expect(w.check(A, sid(2), 1n)).toBe(false);
  });
});

describe('memory bounds', () => {
  it('one sender with 10,000 streams keeps only its last 64; other senders keep theirs', () => {
    const w = new ReplayWindows();
    expect(offer(w, B, sid(0), 7n)).toBe(true);
    for (let i = 1; i <= 10_000; i++) expect(offer(w, A, sid(i), 1n)).toBe(true);
    expect(w.countFor(A)).toBe(64);
    expect(w.count).toBe(65);
    expect(w.check(A, sid(10_000), 1n)).toBe(false); // recent: remembered
    expect(w.check(A, sid(9_937), 1n)).toBe(false); // the 64th most recent
    expect(w.check(A, sid(9_936), 1n)).toBe(true); // evicted: forgotten, as after a restart
    expect(w.check(B, sid(0), 7n)).toBe(false); // the other sender's window survived
  });

  it('bounds the windows overall, least recently used first', () => {
    const w = new ReplayWindows({ total: 100 });
    const spk = (i: number): string => i.toString(16).padStart(64, '0');
    for (let i = 0; i < 1000; i++) offer(w, spk(i), sid(1), 1n);
    expect(w.count).toBe(100);
    expect(w.check(spk(999), sid(1), 1n)).toBe(false);
    expect(w.check(spk(899), sid(1), 1n)).toBe(true);
    expect(w.countFor(spk(0))).toBe(0);
  });

  it('refuses bounds that are not positive (and a window size that is not a multiple of 32)', () => {
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => new ReplayWindows({ size: 100 })).toThrow(invalid);
    expect(() => new ReplayWindows({ perSender: 0 })).toThrow(invalid);
    expect(() => new ReplayWindows({ total: -1 })).toThrow(invalid);
  });

  it('clear() forgets everything (what a restart does)', () => {
    const w = new ReplayWindows();
    offer(w, A, sid(1), 1n);
    w.clear();
    expect(w.count).toBe(0);
    expect(w.check(A, sid(1), 1n)).toBe(true);
  });
});
