import { ApplicationError } from '@wampbox/core';
import type { Session } from '@wampbox/core';
import { MessageType as T, ScriptedRouter } from '@wampbox/core/testing';
import * as v from 'valibot';
import { z } from 'zod';
import { PayloadValidationError, defineProcedure, defineTopic, typed, withValidation } from '../src/index';
import type { Contract, ValidationOptions } from '../src/index';

const add = defineProcedure('com.example.add', {
  call: { args: z.tuple([z.number(), z.number()]) },
  call_result: { args: z.tuple([z.number()]) },
  call_result_progress: { args: v.tuple([v.number()]) },
  call_error: { 'com.example.error.overflow': { kwargs: z.object({ limit: z.coerce.number() }) } },
});
const order = defineTopic('com.example.order', { kwargs: z.object({ id: z.string(), n: z.number().default(1) }) });
// not idempotent: validating its output again would fail
const lengthOf = defineTopic('com.example.length', { args: z.tuple([z.string().transform((s) => s.length)]) });
const secret = 'SECRET-VALUE-123';
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function join(contracts?: readonly Contract[], opts?: ValidationOptions): Promise<[ScriptedRouter, Session]> {
  const router = new ScriptedRouter();
  const codec = contracts ? withValidation(undefined, contracts, opts) : undefined;
  return [router, await router.join({ realm: 'r', codec })];
}

describe('typed(api).call', () => {
  it('sends the payload and resolves with the validated result', async () => {
    const [router, session] = await join();
    const res = typed(session).call(add, { args: [2, 3] });
    const call = await router.next(T.CALL);
    expect(call.slice(3)).toEqual([add.uri, [2, 3]]);
    router.send([T.RESULT, call[1], {}, [5]]);
    await expect(res).resolves.toEqual({ args: [5], kwargs: {}, details: {}, progress: false });
  });

  it('rejects with PayloadValidationError for a refused result, naming paths, not values', async () => {
    const [router, session] = await join();
    const onInvalid = jest.fn();
    const res = typed(session, { onInvalid }).call(add, { args: [2, 3] });
    const call = await router.next(T.CALL);
    router.send([T.RESULT, call[1], {}, [secret]]);
    const err = (await res.catch((e: unknown) => e)) as PayloadValidationError;
    expect(err).toBeInstanceOf(PayloadValidationError);
    expect(err).toMatchObject({ kind: 'call_result', paths: ['args[0]'], target: add.uri });
    expect(err.message).not.toContain(secret);
    expect(onInvalid).toHaveBeenCalledWith(err);
  });

  it('checks an ERROR payload that has a schema, and passes others through', async () => {
    const [router, session] = await join();
    const api = typed(session);
    const ok = api.call(add, { args: [2, 3] });
    const c1 = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, c1[1], {}, 'com.example.error.overflow', [], { limit: '10' }]);
    await expect(ok).rejects.toMatchObject({ uri: 'com.example.error.overflow', kwargs: { limit: 10 } });
    const bad = api.call(add, { args: [2, 3] });
    const c2 = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, c2[1], {}, 'com.example.error.overflow', [], { limit: 'lots' }]);
    await expect(bad).rejects.toMatchObject({ code: 'ERR_PAYLOAD_INVALID', kind: 'call_error' });
    const other = api.call(add, { args: [2, 3] });
    const c3 = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, c3[1], {}, 'wamp.error.runtime_error', ['boom']]);
    await expect(other).rejects.toBeInstanceOf(ApplicationError);
  });

  it('delivers progressive results in order, then the final one', async () => {
    const [router, session] = await join();
    const seen: number[] = [];
    const res = typed(session).call(add, { args: [1, 1] }, { onProgress: (p) => seen.push(p.args[0]) });
    const call = await router.next(T.CALL);
    expect(call[2]).toEqual({ receive_progress: true });
    for (const n of [1, 2, 3]) router.send([T.RESULT, call[1], { progress: true }, [n]]);
    router.send([T.RESULT, call[1], {}, [2]]);
    await expect(res).resolves.toMatchObject({ args: [2] });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('cancels the call when a progressive result is refused, and rejects with that error', async () => {
    const [router, session] = await join();
    const seen: number[] = [];
    const res = typed(session).call(add, { args: [1, 1] }, { onProgress: (p) => seen.push(p.args[0]) });
    const call = await router.next(T.CALL);
    router.send([T.RESULT, call[1], { progress: true }, [1]]);
    router.send([T.RESULT, call[1], { progress: true }, ['x']]);
    await expect(res).rejects.toMatchObject({ kind: 'call_result_progress', paths: ['args[0]'] });
    expect((await router.next(T.CANCEL))[1]).toBe(call[1]);
    expect(seen).toEqual([1]);
  });

  it('still cancels through the caller’s signal when onProgress is given', async () => {
    const [router, session] = await join();
    const ac = new AbortController();
    const res = typed(session).call(add, { args: [1, 1] }, { signal: ac.signal, onProgress: () => undefined });
    const call = await router.next(T.CALL);
    ac.abort();
    await expect(res).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    expect((await router.next(T.CANCEL))[1]).toBe(call[1]);
  });

  it('keeps progressive results in order through an asynchronous schema', async () => {
    let wait = 30;
    const slow = defineProcedure('com.example.slow', {
      call_result_progress: {
        args: z.tuple([z.number()]).refine(async () => {
          await tick((wait = Math.max(0, wait - 10)));
          return true;
        }),
      },
    });
    const [router, session] = await join();
    const seen: unknown[] = [];
    const res = typed(session).call(slow, {}, { onProgress: (p) => seen.push(p.args[0]) });
    const call = await router.next(T.CALL);
    for (const n of [1, 2, 3]) router.send([T.RESULT, call[1], { progress: true }, [n]]);
    router.send([T.RESULT, call[1], {}, []]);
    await res;
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('typed(api).register', () => {
  it('answers a refused invocation with wamp.error.invalid_argument and paths only', async () => {
    const [router, session] = await join();
    const onInvalid = jest.fn();
    const handler = jest.fn(({ args: [a, b] }: { args: [number, number] }) => ({ args: [a + b] as [number] }));
    const reg = typed(session, { onInvalid }).register(add, handler);
    const regId = await router.acceptRegister();
    await reg;
    router.send([T.INVOCATION, 1, regId, {}, [1, secret]]);
    const err = await router.next(T.ERROR);
    expect(err[4]).toBe('wamp.error.invalid_argument');
    expect(err[5]).toEqual(['invalid call payload received for com.example.add at args[1]']);
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(handler).not.toHaveBeenCalled();
    expect(onInvalid).toHaveBeenCalledTimes(1);
    router.send([T.INVOCATION, 2, regId, {}, [1, 2]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 2, {}, [3]]);
  });

  it('gives the handler the details, progress and the signal, and passes its errors through', async () => {
    const [router, session] = await join();
    const reg = typed(session).register(add, (inv) => {
      expect(inv.procedure).toBe(add.uri);
      expect(inv.signal.aborted).toBe(false);
      inv.progress({ args: [0] });
      if (inv.args[0] === 0) throw new ApplicationError('com.example.error.zero');
      return { args: [inv.args[0] + inv.args[1]] };
    });
    const regId = await router.acceptRegister();
    await reg;
    router.send([T.INVOCATION, 3, regId, { receive_progress: true }, [1, 2]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 3, { progress: true }, [0]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 3, {}, [3]]);
    router.send([T.INVOCATION, 4, regId, {}, [0, 2]]);
    expect((await router.next(T.ERROR))[4]).toBe('com.example.error.zero');
  });

  it('handles asynchronous schemas and handlers; a handler returning nothing yields no payload', async () => {
    const later = defineProcedure('com.example.later', {
      call: { kwargs: z.object({ n: z.number() }).refine(async (k) => k.n > 0) },
    });
    const [router, session] = await join();
    const reg = typed(session).register(later, async () => undefined);
    const regId = await router.acceptRegister();
    await reg;
    router.send([T.INVOCATION, 5, regId, {}, [], { n: 1 }]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 5, {}]);
    router.send([T.INVOCATION, 6, regId, {}, [], { n: 0 }]);
    expect((await router.next(T.ERROR))[4]).toBe('wamp.error.invalid_argument');
  });
});

describe('typed(api).subscribe and publish', () => {
  it('publishes args and kwargs as given', async () => {
    const [router, session] = await join();
    const done = typed(session).publish(order, { kwargs: { id: 'a' } }, { acknowledge: true });
    const pub = await router.next(T.PUBLISH);
    expect(pub.slice(2)).toEqual([{ acknowledge: true }, order.uri, [], { id: 'a' }]);
    router.send([T.PUBLISHED, pub[1], 77]);
    await expect(done).resolves.toBe(77);
  });

  it('drops a refused event, reports it on the session, and delivers the schema output', async () => {
    const [router, session] = await join();
    const errors: unknown[] = [];
    session.on('error', (e) => errors.push(e));
    const seen: unknown[] = [];
    const sub = typed(session).subscribe(order, (ev) => void seen.push([ev.kwargs, ev.topic, ev.publication]));
    const subId = await router.acceptSubscribe();
    const handle = await sub;
    router.send([T.EVENT, subId, 1, {}, [], { id: 1 }]);
    router.send([T.EVENT, subId, 2, {}, [], { id: 'b' }]);
    await tick();
    expect(seen).toEqual([[{ id: 'b', n: 1 }, order.uri, 2]]);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID', kind: 'event' })]);
    const gone = handle.unsubscribe();
    const unsub = await router.next(T.UNSUBSCRIBE);
    router.send([T.UNSUBSCRIBED, unsub[1]]);
    await gone;
  });

  it('does not validate again what the session codec validated with the same contract', async () => {
    const [router, session] = await join([lengthOf]);
    const seen: unknown[] = [];
    const sub = typed(session).subscribe(lengthOf, (ev) => void seen.push(ev.args[0]));
    const subId = await router.acceptSubscribe();
    await sub;
    router.send([T.EVENT, subId, 1, {}, ['four']]);
    await tick();
    expect(seen).toEqual([4]);
  });

  it('validates nothing with validate: false', async () => {
    const [router, session] = await join();
    const seen: unknown[] = [];
    const sub = typed(session, { validate: false }).subscribe(lengthOf, (ev) => void seen.push(ev.args[0]));
    const subId = await router.acceptSubscribe();
    await sub;
    router.send([T.EVENT, subId, 1, {}, [42]]);
    await tick();
    expect(seen).toEqual([42]);
  });
});
