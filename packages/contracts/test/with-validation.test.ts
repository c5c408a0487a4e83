import { ApplicationError, PAYLOAD_ERROR_URIS, PayloadCodecError } from '@wampbox/core';
import type { Payload, PayloadCodec, PayloadContext, Session, WirePayload } from '@wampbox/core';
import { MessageType as T, ScriptedRouter } from '@wampbox/core/testing';
import * as v from 'valibot';
import { z } from 'zod';
import { PayloadValidationError, defineProcedure, defineTopic, withValidation } from '../src/index';

const add = defineProcedure('com.example.add', {
  call: { args: z.tuple([z.number(), z.number()]) },
  call_result: { args: z.tuple([z.number()]) },
  call_result_progress: { kwargs: z.object({ done: z.number() }) },
  call_error: { 'com.example.error.overflow': { kwargs: z.object({ limit: z.number() }) } },
});
const order = defineTopic('com.example.order', {
  kwargs: z.object({ id: z.string(), total: z.coerce.number(), note: z.string().default('none') }),
});
const secret = 'SECRET-VALUE-123';

/** Errors the session emits on `error`. */
function errorsOf(session: Session): unknown[] {
  const errors: unknown[] = [];
  session.on('error', (e) => errors.push(e));
  return errors;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('withValidation, on a session', () => {
  it('answers an invalid INVOCATION with wamp.error.invalid_argument naming paths, never values', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'r', codec: withValidation(undefined, [add]) });
    const errors = errorsOf(session);
    const handler = jest.fn(() => 0);
    const reg = session.register(add.uri, handler);
    const regId = await router.acceptRegister();
    await reg;
    router.send([T.INVOCATION, 7, regId, {}, [1, secret]]);
    const err = await router.next(T.ERROR);
    expect(err.slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 7, {}, 'wamp.error.invalid_argument']);
    expect(err[5]).toEqual(['invalid call payload received for com.example.add at args[1]']);
    expect(JSON.stringify(err)).not.toContain(secret);
    expect(handler).not.toHaveBeenCalled();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PayloadValidationError);
    expect(errors[0]).toMatchObject({ code: 'ERR_PAYLOAD_INVALID', kind: 'call', paths: ['args[1]'] });
  });

  it('hands a valid INVOCATION to the handler as the schema output', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'r', codec: withValidation(undefined, [add]) });
    const reg = session.register(add.uri, (inv) => (inv.args[0] as number) + (inv.args[1] as number));
    const regId = await router.acceptRegister();
    await reg;
    router.send([T.INVOCATION, 8, regId, {}, [2, 3]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 8, {}, [5]]);
  });

  it('drops an invalid EVENT and reports it; delivers a valid one transformed, with defaults', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'r', codec: withValidation(undefined, [order]) });
    const errors = errorsOf(session);
    const seen: unknown[] = [];
    const sub = session.subscribe(order.uri, (ev) => void seen.push(ev.kwargs));
    const subId = await router.acceptSubscribe();
    await sub;
    router.send([T.EVENT, subId, 1, {}, [], { id: 7, total: secret }]);
    router.send([T.EVENT, subId, 2, {}, [], { id: 'a', total: '12.5' }]);
    await tick();
    expect(seen).toEqual([{ id: 'a', total: 12.5, note: 'none' }]);
    expect(errors).toHaveLength(1);
    const e = errors[0] as PayloadValidationError;
    expect(e).toMatchObject({ kind: 'event', target: order.uri, direction: 'inbound' });
    expect([...e.paths].sort()).toEqual(['kwargs.id', 'kwargs.total']);
    expect(e.message).not.toContain(secret);
    expect(Object.keys(e)).not.toContain('issues');
    expect(e.issues.length).toBe(2);
  });

  it('rejects a call whose RESULT, progressive RESULT or ERROR payload is invalid', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'r', codec: withValidation(undefined, [add]) });
    const bad = session.call(add.uri, [1, 2]);
    const c1 = await router.next(T.CALL);
    router.send([T.RESULT, c1[1], {}, ['three']]);
    await expect(bad).rejects.toMatchObject({ code: 'ERR_PAYLOAD_INVALID', kind: 'call_result', paths: ['args[0]'] });

    const progress: unknown[] = [];
    const prog = session.call(add.uri, [1, 2], {}, { onProgress: (r) => progress.push(r.kwargs) });
    const c2 = await router.next(T.CALL);
    router.send([T.RESULT, c2[1], { progress: true }, [], { done: 1 }]);
    router.send([T.RESULT, c2[1], { progress: true }, [], { done: 'x' }]);
    await expect(prog).rejects.toMatchObject({ kind: 'call_result_progress', paths: ['kwargs.done'] });
    expect(progress).toEqual([{ done: 1 }]);

    const failing = session.call(add.uri, [1, 2]);
    const c3 = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, c3[1], {}, 'com.example.error.overflow', [], { limit: 'big' }]);
    await expect(failing).rejects.toMatchObject({ kind: 'call_error', errorUri: 'com.example.error.overflow' });

    const other = session.call(add.uri, [1, 2]);
    const c4 = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, c4[1], {}, 'com.example.error.other', ['anything']]);
    await expect(other).rejects.toBeInstanceOf(ApplicationError);
  });

  it('awaits asynchronous schemas and keeps the order of events', async () => {
    let delay = 30;
    const slow = z.object({ n: z.number() }).refine(async () => {
      const ms = (delay = Math.max(0, delay - 10));
      await new Promise((r) => setTimeout(r, ms));
      return true;
    });
    const topic = defineTopic('com.example.slow', { kwargs: slow });
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'r', codec: withValidation(undefined, [topic]) });
    const seen: unknown[] = [];
    const sub = session.subscribe(topic.uri, (ev) => void seen.push(ev.kwargs['n']));
    const subId = await router.acceptSubscribe();
    await sub;
    for (let i = 0; i < 4; i++) router.send([T.EVENT, subId, i + 1, {}, [], { n: i }]);
    await new Promise((r) => setTimeout(r, 120));
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('with outbound checks, replaces a refused YIELD by wamp.error.runtime_error and refuses a PUBLISH', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({
      realm: 'r',
      codec: withValidation(undefined, [add, order], { outbound: true }),
    });
    const errors = errorsOf(session);
    const reg = session.register(add.uri, () => secret);
    const regId = await router.acceptRegister();
    await reg;
    router.send([T.INVOCATION, 9, regId, {}, [1, 2]]);
    const err = await router.next(T.ERROR);
    expect(err.slice(4)).toEqual([
      'wamp.error.runtime_error',
      ['invalid call_result payload to send for com.example.add at args[0]'],
    ]);
    expect(errors).toEqual([expect.objectContaining({ direction: 'outbound', kind: 'call_result' })]);
    await expect(session.publish(order.uri, [], { id: 1 })).rejects.toMatchObject({
      direction: 'outbound',
      kind: 'event',
    });
    expect(router.transport.sent.filter((m) => m[0] === T.PUBLISH)).toEqual([]);
  });

  it('never validates a payload the inner codec refused', async () => {
    const validate = jest.fn(() => ({ value: {} }));
    const spy = { '~standard': { version: 1 as const, vendor: 'spy', validate } };
    const refusing: PayloadCodec = {
      name: 'x_refusing',
      encode: (p) => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
      decode: () => {
        throw new PayloadCodecError('ERR_PAYLOAD_DECRYPT', PAYLOAD_ERROR_URIS.decrypt, 'cannot open');
      },
    };
    const topic = defineTopic('com.example.sealed', { kwargs: spy });
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'r', codec: withValidation(refusing, [topic]) });
    const errors = errorsOf(session);
    const sub = session.subscribe(topic.uri, () => undefined);
    const subId = await router.acceptSubscribe();
    await sub;
    router.send([T.EVENT, subId, 1, {}, [], { x: 1 }]);
    await tick();
    expect(validate).not.toHaveBeenCalled();
    expect(errors[0]).toMatchObject({ code: 'ERR_PAYLOAD_DECRYPT' });
  });
});

describe('withValidation, as a codec', () => {
  const ctx = (over: Partial<PayloadContext>): PayloadContext => ({
    uri: add.uri,
    messageType: 'INVOCATION',
    originating: false,
    sending: false,
    ...over,
  });
  const plain = (p: Payload): WirePayload => ({ kind: 'plain', ...p });

  it('answers synchronously when the inner codec and the schemas do', () => {
    const codec = withValidation(undefined, [add]);
    const out = codec.decode(plain({ args: [1, 2] }), ctx({}));
    expect(out).toEqual({ args: [1, 2], kwargs: {} });
  });

  it('waits for an asynchronous inner codec, then validates', async () => {
    const inner: PayloadCodec = {
      name: 'x_async',
      encode: (p) => Promise.resolve({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
      decode: (w) => Promise.resolve(w.kind === 'plain' ? { args: w.args, kwargs: w.kwargs } : {}),
    };
    const codec = withValidation(inner, [add]);
    await expect(codec.decode(plain({ args: [1, 'x'] }), ctx({}))).rejects.toBeInstanceOf(PayloadValidationError);
    await expect(codec.decode(plain({ args: [1, 2] }), ctx({}))).resolves.toEqual({ args: [1, 2], kwargs: {} });
    expect(codec.name).toBe('validated(x_async)');
  });

  it('leaves URIs and kinds without schemas alone', () => {
    const codec = withValidation(undefined, [add]);
    const w = plain({ args: ['anything'] });
    expect(codec.decode(w, ctx({ uri: 'com.example.other' }))).toBe(w);
    expect(codec.decode(w, ctx({ messageType: 'EVENT' }))).toBe(w);
    expect(codec.decode(w, ctx({ messageType: 'ERROR', uri: 'com.example.error.x', procedure: add.uri }))).toBe(w);
  });

  it('in report mode delivers the payload as received and tells onInvalid', () => {
    const onInvalid = jest.fn();
    const codec = withValidation(undefined, [add], { inbound: 'report', onInvalid });
    const w = plain({ args: [1, 'x'] });
    expect(codec.decode(w, ctx({}))).toBe(w);
    expect(onInvalid).toHaveBeenCalledWith(expect.any(PayloadValidationError));
  });

  it('ignores a throwing onInvalid', () => {
    const codec = withValidation(undefined, [add], {
      onInvalid: () => {
        throw new RangeError('observer failed');
      },
    });
    expect(() => codec.decode(plain({ args: [1, 'x'] }), ctx({}))).toThrow(PayloadValidationError);
  });

  it('can deliver the payload as received instead of the output', () => {
    const codec = withValidation(undefined, [order], { replaceWithOutput: false });
    const w = plain({ kwargs: { id: 'a', total: '1' } });
    expect(codec.decode(w, ctx({ uri: order.uri, messageType: 'EVENT' }))).toBe(w);
  });

  it('checks outgoing payloads only when asked, and sends them as given', async () => {
    const loose = withValidation(undefined, [add]);
    expect(loose.encode({ args: [1, 'x'] }, ctx({ messageType: 'CALL', sending: true }))).toEqual(
      plain({ args: [1, 'x'] }),
    );
    const strict = withValidation(undefined, [add, order], { outbound: true });
    expect(() => strict.encode({ args: [1, 'x'] }, ctx({ messageType: 'CALL', sending: true }))).toThrow(
      expect.objectContaining({ direction: 'outbound', uri: 'wamp.error.runtime_error', kind: 'call' }),
    );
    expect(() => strict.encode({ args: ['x'] }, ctx({ messageType: 'YIELD', sending: true }))).toThrow(
      expect.objectContaining({ kind: 'call_result' }),
    );
    const sent = strict.encode({ kwargs: { id: 'a', total: '3' } }, ctx({ uri: order.uri, messageType: 'PUBLISH' }));
    expect(sent).toEqual(plain({ kwargs: { id: 'a', total: '3' } }));
    const asyncSchema = defineTopic('com.example.a', { kwargs: z.object({ n: z.number() }).refine(async () => false) });
    const withAsync = withValidation(undefined, [asyncSchema], { outbound: true });
    await expect(
      withAsync.encode({ kwargs: { n: 1 } }, ctx({ uri: asyncSchema.uri, messageType: 'PUBLISH' })),
    ).rejects.toBeInstanceOf(PayloadValidationError);
  });

  it('takes progressive kinds from the envelope flag', () => {
    const codec = withValidation(undefined, [add]);
    expect(() =>
      codec.decode(plain({ kwargs: { done: 'x' } }), ctx({ messageType: 'RESULT', progress: true })),
    ).toThrow(expect.objectContaining({ kind: 'call_result_progress' }));
    const chunks = defineProcedure('com.example.chunks', { call_progress: { args: v.tuple([v.string()]) } });
    const c = withValidation(undefined, [chunks]);
    expect(() => c.decode(plain({ args: [1] }), ctx({ uri: chunks.uri, progress: true }))).toThrow(
      expect.objectContaining({ kind: 'call_progress' }),
    );
  });

  it('refuses an asynchronous schema under syncOnly', () => {
    const topic = defineTopic('com.example.a', { kwargs: z.object({ n: z.number() }).refine(async () => true) });
    const codec = withValidation(undefined, [topic], { syncOnly: true });
    expect(() => codec.decode(plain({ kwargs: { n: 1 } }), ctx({ uri: topic.uri, messageType: 'EVENT' }))).toThrow(
      expect.objectContaining({ code: 'ERR_PAYLOAD_CODEC' }),
    );
  });
});
