import { describePaths, issuePath, MAX_PATHS } from '../src/paths';

describe('issue paths', () => {
  it('writes keys as dotted names, indexes in brackets, other keys quoted', () => {
    expect(issuePath({ message: 'm', path: ['items', 3, 'price'] }, 'kwargs')).toBe('kwargs.items[3].price');
    expect(issuePath({ message: 'm', path: [{ key: 0 }] }, 'args')).toBe('args[0]');
    expect(issuePath({ message: 'm', path: ['a b', Symbol('s')] }, 'kwargs')).toBe('kwargs["a b"][symbol]');
    expect(issuePath({ message: 'm' }, 'args')).toBe('args');
  });

  it('starts a whole-payload path at args or kwargs', () => {
    expect(issuePath({ message: 'm', path: ['kwargs', 'id'] }, '')).toBe('kwargs.id');
    expect(issuePath({ message: 'm', path: [] }, '')).toBe('payload');
  });

  it('cuts long keys', () => {
    expect(issuePath({ message: 'm', path: ['k'.repeat(100)] }, 'kwargs')).toBe(`kwargs.${'k'.repeat(64)}…`);
  });

  it('names each path once, at most MAX_PATHS of them', () => {
    expect(describePaths(['args[0]', 'args[0]', 'kwargs.a'])).toBe('args[0], kwargs.a');
    const many = Array.from({ length: MAX_PATHS + 3 }, (_, i) => `args[${i}]`);
    expect(describePaths(many)).toMatch(/args\[19\] and 3 more$/);
  });
});
