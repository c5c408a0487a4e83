import { anonymous } from '../../src/index';

describe('anonymous()', () => {
  it('offers the anonymous method without authid or authextra', () => {
    const a = anonymous();
    expect(a.method).toBe('anonymous');
    expect(a.authid).toBeUndefined();
    expect(a.authextra).toBeUndefined();
  });

  it('refuses to answer a CHALLENGE', () => {
    expect(() => anonymous().challenge({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
