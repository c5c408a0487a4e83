import { isValidUri } from '../../src/index';
import { uriProblem } from '../../src/protocol/uri';

describe('WAMP URI rules', () => {
  const table: [uri: string, loose: boolean, strict: boolean, prefix: boolean, wildcard: boolean][] = [
    ['com.example.add', true, true, true, true],
    ['a', true, true, true, true],
    ['com.Example.Add', true, false, true, true],
    ['com.example.add-one', true, false, true, true],
    ['com.example.ü', true, false, true, true],
    ['a..b', false, false, false, true],
    ['.a', false, false, false, true],
    ['a.', false, false, true, true],
    ['a.b.', false, false, true, true],
    ['..', false, false, false, true],
    ['a b', false, false, false, false],
    ['a\tb', false, false, false, false],
    ['a#b', false, false, false, false],
    ['a.b\n', false, false, false, false],
    ['', false, false, false, false],
  ];

  it.each(table)(
    '%j: loose %s, strict %s, prefix pattern %s, wildcard pattern %s',
    (uri, loose, strict, prefix, wildcard) => {
      expect(isValidUri(uri)).toBe(loose);
      expect(isValidUri(uri, 'strict')).toBe(strict);
      expect(isValidUri(uri, 'loose', 'prefix')).toBe(prefix);
      expect(isValidUri(uri, 'loose', 'wildcard')).toBe(wildcard);
    },
  );

  it('applies the strict character set to patterns too', () => {
    expect(isValidUri('com..add', 'strict', 'wildcard')).toBe(true);
    expect(isValidUri('com..Add', 'strict', 'wildcard')).toBe(false);
    expect(isValidUri('com.', 'strict', 'prefix')).toBe(true);
    expect(isValidUri('Com.', 'strict', 'prefix')).toBe(false);
  });

  it('is never valid for a non-string', () => {
    for (const v of [undefined, null, 5, {}, ['a'], Symbol('a')]) expect(isValidUri(v)).toBe(false);
  });

  it('says why a URI is refused, and never echoes more than 80 characters', () => {
    expect(uriProblem(5)).toBe('must be a string, got number');
    expect(uriProblem(null)).toBe('must be a string, got null');
    expect(uriProblem('')).toBe('must not be empty');
    expect(uriProblem('a b')).toContain('whitespace');
    expect(uriProblem('a..b')).toContain('empty component');
    expect(uriProblem('A.b', 'strict')).toContain('not a strict URI');
    expect(uriProblem(`${'x'.repeat(200)} y`).length).toBeLessThan(140);
  });

  it('checks a long URI in linear time', () => {
    const long = `${'a'.repeat(100_000)}#`;
    const started = performance.now();
    for (const form of ['exact', 'prefix', 'wildcard'] as const) expect(isValidUri(long, 'loose', form)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
