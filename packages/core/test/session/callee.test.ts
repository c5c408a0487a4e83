/**
 * A streamed call's input at the callee (progressive call invocations): the handler runs once, on
 * the first INVOCATION, and reads every chunk from `invocation.chunks()`; INTERRUPT, the session's
 * end, an early answer and a codec that refuses a chunk each end the input.
 */
import type { Invocation, InvocationChunk, Payload, PayloadCodec, PayloadContext, Session } from '../../src/index';
import { MessageType as T, ScriptedRouter } from '../../src/testing/index';

const ROLES = { dealer: { features: { progressive_call_invocations: true, call_canceling: true } } };

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function registered(
  handler: (inv: Invocation) => unknown,
  codec?: PayloadCodec,
): Promise<{ router: ScriptedRouter; session: Session; regId: number; errors: unknown[] }> {
  const router = new ScriptedRouter({ roles: ROLES });
  const session = await router.join({ realm: 'realm1', codec });
  const errors: unknown[] = [];
  session.on('error', (e) => void errors.push(e));
  const registering = session.register('com.example.upload', handler);
  const regId = await router.acceptRegister();
  await registering;
  return { router, session, regId, errors };
}

/** Read every chunk of an invocation, then answer with what was read. */
async function readAll(inv: Invocation, into: InvocationChunk[]): Promise<unknown[]> {
  for await (const c of inv.chunks()) into.push(c);
  return into.map((c) => c.args[0]);
}

describe('invocation.chunks()', () => {
  it('gives a streamed input chunk by chunk to one run of the handler, then the answer goes out once', async () => {
    let runs = 0;
    const chunks: InvocationChunk[] = [];
    const { router, regId } = await registered(async (inv) => {
      runs++;
      return (await readAll(inv, chunks)).join('');
    });
    router.send([T.INVOCATION, 9, regId, { progress: true }, ['a'], { k: 1 }]);
    router.send([T.INVOCATION, 9, regId, { progress: true }, ['b']]);
    await tick();
    expect(router.transport.sent.filter((m) => m[0] === T.YIELD)).toEqual([]);
    router.send([T.INVOCATION, 9, regId, { progress: false }, ['c']]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 9, {}, ['abc']]);
    expect(runs).toBe(1);
    expect(chunks.map((c) => [c.args, c.kwargs, c.progress])).toEqual([
      [['a'], { k: 1 }, true],
      [['b'], {}, true],
      [['c'], {}, false],
    ]);
  });

  it('gives the only chunk of an ordinary invocation', async () => {
    const chunks: InvocationChunk[] = [];
    const { router, regId } = await registered((inv) => readAll(inv, chunks));
    router.send([T.INVOCATION, 3, regId, {}, ['only']]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 3, {}, [['only']]]);
    expect(chunks).toEqual([{ args: ['only'], kwargs: {}, details: {}, progress: false }]);
  });

  it('lets the handler send progressive results while the input still arrives', async () => {
    const { router, regId } = await registered(async (inv) => {
      let n = 0;
      for await (const c of inv.chunks()) inv.progress([`got ${String(c.args[0])}`, ++n]);
      return n;
    });
    router.send([T.INVOCATION, 4, regId, { progress: true, receive_progress: true }, [1]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 4, { progress: true }, ['got 1', 1]]);
    router.send([T.INVOCATION, 4, regId, { progress: false }, [2]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 4, { progress: true }, ['got 2', 2]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 4, {}, [2]]);
  });

  it('ends with ERR_CANCELED on INTERRUPT (the caller left): the signal aborts, killnowait sends nothing', async () => {
    let failure: unknown;
    let signal: AbortSignal | undefined;
    const { router, regId } = await registered(async (inv) => {
      signal = inv.signal;
      try {
        for await (const c of inv.chunks()) void c;
      } catch (e) {
        failure = e;
        throw e;
      }
    });
    router.send([T.INVOCATION, 5, regId, { progress: true }, [1]]);
    await tick();
    router.send([T.INTERRUPT, 5, { mode: 'killnowait' }]);
    await tick();
    expect(failure).toMatchObject({ code: 'ERR_CANCELED' });
    expect(signal?.aborted).toBe(true);
    expect(router.transport.sent.filter((m) => m[0] === T.ERROR || m[0] === T.YIELD)).toEqual([]);
  });

  it('answers INTERRUPT (kill) of a streamed call with wamp.error.canceled', async () => {
    const { router, regId } = await registered(async (inv) => {
      for await (const c of inv.chunks()) void c;
    });
    router.send([T.INVOCATION, 6, regId, { progress: true }, [1]]);
    await tick();
    router.send([T.INTERRUPT, 6, { mode: 'kill' }]);
    expect((await router.next(T.ERROR)).slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 6, {}, 'wamp.error.canceled']);
  });

  it('drops the chunks that arrive after the handler answered, without running it again', async () => {
    let runs = 0;
    const { router, regId } = await registered((inv) => {
      runs++;
      return inv.args[0];
    });
    router.send([T.INVOCATION, 7, regId, { progress: true }, ['first']]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 7, {}, ['first']]);
    router.send([T.INVOCATION, 7, regId, { progress: true }, ['late']]);
    router.send([T.INVOCATION, 7, regId, {}, ['last']]);
    await tick();
    expect(runs).toBe(1);
    expect(router.transport.sent.filter((m) => m[0] === T.YIELD || m[0] === T.ERROR)).toHaveLength(1);
    // once the last chunk is in, the id is free again: a new INVOCATION with it is a new call
    router.send([T.INVOCATION, 7, regId, {}, ['again']]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 7, {}, ['again']]);
    expect(runs).toBe(2);
  });

  it("ends a reader that waits for chunks with the session's error when the session ends", async () => {
    let failure: unknown;
    const { router, regId } = await registered(async (inv) => {
      try {
        for await (const c of inv.chunks()) void c;
      } catch (e) {
        failure = e;
      }
    });
    router.send([T.INVOCATION, 8, regId, { progress: true }, [1]]);
    await tick();
    router.transport.close();
    await tick();
    expect(failure).toMatchObject({ code: 'ERR_CONNECTION_LOST' });
  });

  it('opens every chunk with the codec in the exchange of the first, with the chunk progress flag', async () => {
    const seen: PayloadContext[] = [];
    const codec: PayloadCodec = {
      name: 'x_record',
      encode: (p: Payload) => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
      decode: (w, ctx) => {
        if (ctx.messageType === 'INVOCATION') seen.push(ctx);
        // asynchronous, so that order across chunks is kept by the session, not by luck
        return Promise.resolve(w.kind === 'plain' ? { args: w.args, kwargs: w.kwargs } : {});
      },
    };
    const chunks: InvocationChunk[] = [];
    const { router, regId } = await registered((inv) => readAll(inv, chunks), codec);
    router.send([T.INVOCATION, 10, regId, { progress: true }, [1]]);
    router.send([T.INVOCATION, 10, regId, { progress: true }, [2]]);
    router.send([T.INVOCATION, 10, regId, {}, [3]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, 10, {}, [[1, 2, 3]]]);
    expect(seen.map((c) => [c.progress, c.uri])).toEqual([
      [true, 'com.example.upload'],
      [true, 'com.example.upload'],
      [false, 'com.example.upload'],
    ]);
    expect(new Set(seen.map((c) => c.exchange)).size).toBe(1);
  });

  it('fails the reader when the codec refuses a chunk, and reports it', async () => {
    const codec: PayloadCodec = {
      name: 'x_picky',
      encode: (p: Payload) => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
      decode: (w) => {
        if (w.kind === 'plain' && w.args?.[0] === 'bad') throw new Error('refused');
        return w.kind === 'plain' ? { args: w.args, kwargs: w.kwargs } : {};
      },
    };
    const { router, regId, errors } = await registered(async (inv) => {
      for await (const c of inv.chunks()) void c;
    }, codec);
    router.send([T.INVOCATION, 11, regId, { progress: true }, ['good']]);
    router.send([T.INVOCATION, 11, regId, { progress: true }, ['bad']]);
    const error = await router.next(T.ERROR);
    expect(error.slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 11, {}, 'wamp.error.runtime_error']);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_PAYLOAD_CODEC' })]);
  });
});
