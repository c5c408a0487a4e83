import { z } from 'zod';
import { defineProcedure, defineTopic } from '../src/index';

describe('contracts', () => {
  it('keeps the URI and the schemas, frozen', () => {
    const call = { args: z.tuple([z.number()]) };
    const p = defineProcedure('com.example.p', { call });
    expect(p).toEqual({ type: 'procedure', uri: 'com.example.p', schemas: { call } });
    expect(Object.isFrozen(p)).toBe(true);
    const t = defineTopic('com.example.t', call);
    expect(t).toEqual({ type: 'topic', uri: 'com.example.t', schemas: { event: call } });
  });

  it('refuses an invalid URI', () => {
    expect(() => defineProcedure('com..bad', {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => defineTopic('', {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
