import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';
import { checkPayload } from '../src/check-payload';

function schema(validate: (v: unknown) => unknown): StandardSchemaV1<never, never> {
  return { '~standard': { version: 1, vendor: 'test', validate } } as never;
}
const opts = { target: 'com.example.x' };

describe('checkPayload', () => {
  it('gives schemas [] and {} for absent parts, and returns their output', () => {
    const seen: unknown[] = [];
    const spy = schema((v) => (seen.push(v), { value: v }));
    expect(checkPayload({ args: spy, kwargs: spy }, {}, opts)).toEqual({ ok: true, payload: { args: [], kwargs: {} } });
    expect(seen).toEqual([[], {}]);
  });

  it('collects the paths of both parts', () => {
    const out = checkPayload(
      { args: z.tuple([z.number()]), kwargs: z.object({ a: z.string() }) },
      { args: ['x'] },
      opts,
    );
    expect(out).toMatchObject({ ok: false, paths: ['args[0]', 'kwargs.a'] });
  });

  it('runs a whole-payload schema on { args, kwargs }', () => {
    const whole = z.object({ args: z.tuple([z.string()]), kwargs: z.object({ n: z.coerce.number() }) });
    expect(checkPayload({ payload: whole }, { args: ['a'], kwargs: { n: '2' } }, opts)).toEqual({
      ok: true,
      payload: { args: ['a'], kwargs: { n: 2 } },
    });
    expect(checkPayload({ payload: whole }, { args: [1] }, opts)).toMatchObject({ paths: ['args[0]', 'kwargs.n'] });
    const partial = schema(() => ({ value: {} }));
    expect(checkPayload({ payload: partial }, {}, opts)).toEqual({ ok: true, payload: { args: [], kwargs: {} } });
  });

  it('returns a promise only when a schema does', async () => {
    const later = schema((v) => Promise.resolve({ value: v }));
    const out = checkPayload({ kwargs: later }, { kwargs: { a: 1 } }, opts);
    expect(out).toBeInstanceOf(Promise);
    await expect(out).resolves.toEqual({ ok: true, payload: { args: [], kwargs: { a: 1 } } });
    await expect(checkPayload({ payload: later }, {}, opts)).resolves.toMatchObject({ ok: true });
  });

  it('refuses with ERR_PAYLOAD_CODEC a schema that throws, answers late under syncOnly, or returns no payload', () => {
    const throwing = schema(() => {
      throw new RangeError('value was SECRET');
    });
    expect(() => checkPayload({ args: throwing }, {}, opts)).toThrow(
      expect.objectContaining({
        code: 'ERR_PAYLOAD_CODEC',
        message: 'the schema for com.example.x threw while validating',
      }),
    );
    const later = schema(() => Promise.reject(new RangeError('late')));
    expect(() => checkPayload({ args: later }, {}, { ...opts, syncOnly: true })).toThrow(/syncOnly/);
    expect(() => checkPayload({ args: schema(() => ({ value: 'x' })) }, {}, opts)).toThrow(/args that are not a list/);
    expect(() => checkPayload({ kwargs: schema(() => ({ value: [] })) }, {}, opts)).toThrow(/not a dictionary/);
    expect(() => checkPayload({ payload: schema(() => ({ value: 1 })) }, {}, opts)).toThrow(/not \{ args, kwargs \}/);
  });
});
