/** Dot-aware prefixes (Decision 4): the one matching rule of routes, grants, scopes and namespaces. */
import { covers, longestCovering } from '../../src/e2ev2/prefix';

describe('covers', () => {
  it.each([
    ['', 'anything', true],
    ['a.b.', 'a.b.c', true],
    ['a.b.', 'a.b', false],
    ['a.b.', 'a.bc.d', false],
    ['a.b', 'a.b', true],
    ['a.b', 'a.b.c', true],
    ['a.b', 'a.bx', false],
    ['a.b', 'a', false],
  ])('%j covers %j: %s', (prefix, uri, expected) => {
    expect(covers(prefix, uri)).toBe(expected);
  });
});

describe('longestCovering', () => {
  it('picks the longest covering prefix, and nothing when none covers', () => {
    const entries = [{ prefix: '' }, { prefix: 'a.' }, { prefix: 'a.b' }, { prefix: 'a.b.' }, { prefix: 'a.bx' }];
    expect(longestCovering(entries, 'a.b.c')?.prefix).toBe('a.b.');
    expect(longestCovering(entries, 'a.b')?.prefix).toBe('a.b');
    expect(longestCovering(entries, 'a.c')?.prefix).toBe('a.');
    expect(longestCovering(entries, 'z')?.prefix).toBe('');
    expect(longestCovering(entries.slice(1), 'z')).toBeUndefined();
  });
});
