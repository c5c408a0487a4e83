/**
 * The caller. A call made with `unordered`: its answer is opened at once even while an EVENT waits for an
 * asynchronous codec step, which is how a codec fetches what it needs to open that EVENT over the
 * same session. Without it the answer waits behind the EVENT, as every received message does.
 *
 * A call whose input is streamed in chunks (progressive call invocations): the CALLs it sends, how
 * its writer fails when the call ends early, canceling, progressive results, a codec seeing every
 * chunk, and a Connection's stream.
 */
import { Connection } from '../../src/index';
import type { CallResult, Payload, PayloadCodec, PayloadContext, Session, WirePayload } from '../../src/index';
import { MessageType as T, ScriptedRouter } from '../../src/testing/index';
import { unhandledRejectionsDuring } from '../helpers/settle';

/** A codec that holds every EVENT back until `release` is called, and passes everything else. */
function holdingCodec(): { codec: PayloadCodec; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const codec: PayloadCodec = {
    name: 'x_holding',
    encode: (p: Payload): WirePayload => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
    decode: (w: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> => {
      const p = { args: w.kind === 'plain' ? w.args : [], kwargs: w.kind === 'plain' ? w.kwargs : {} };
      return ctx.messageType === 'EVENT' ? held.then(() => p) : p;
    },
  };
  return { codec, release };
}

async function setUp(): Promise<{ router: ScriptedRouter; session: Session; release: () => void; seen: unknown[] }> {
  const router = new ScriptedRouter();
  const { codec, release } = holdingCodec();
  const session = await router.join({ realm: 'realm1', codec });
  const seen: unknown[] = [];
  const subscribing = session.subscribe('com.example.t', (ev) => void seen.push(ev.args[0]));
  const subId = await router.acceptSubscribe();
  await subscribing;
  router.send([T.EVENT, subId, router.id(), {}, ['held']]);
  return { router, session, release, seen };
}

describe('a call made with unordered', () => {
  it('settles while an earlier EVENT is held by the codec, and the EVENT is still delivered', async () => {
    const { router, session, release, seen } = await setUp();
    const calling = session.call('com.example.key', [], {}, { unordered: true });
    const call = await router.next(T.CALL);
    router.send([T.RESULT, call[1], {}, ['key']]);
    await expect(calling).resolves.toMatchObject({ args: ['key'] });
    expect(seen).toEqual([]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['held']);
  });

  it('gets its ERROR at once too', async () => {
    const { router, session } = await setUp();
    const calling = session.call('com.example.key', [], {}, { unordered: true });
    const call = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, call[1], {}, 'com.example.error.no_key']);
    await expect(calling).rejects.toMatchObject({ uri: 'com.example.error.no_key' });
  });

  it('is needed: an ordinary call waits behind the held EVENT', async () => {
    const { router, session, release, seen } = await setUp();
    let settled = false;
    const calling = session.call('com.example.key').then((r) => ((settled = true), r));
    const call = await router.next(T.CALL);
    router.send([T.RESULT, call[1], {}, ['key']]);
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    release();
    await expect(calling).resolves.toMatchObject({ args: ['key'] });
    expect(seen).toEqual(['held']);
  });

  it('must be a boolean', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1' });
    await expect(session.call('com.example.key', [], {}, { unordered: 1 as unknown as boolean })).rejects.toMatchObject(
      {
        code: 'ERR_INVALID_ARGUMENT',
      },
    );
  });
});

const PCI_ROLES = {
  broker: { features: {} },
  dealer: { features: { progressive_call_invocations: true, call_canceling: true, progressive_call_results: true } },
};

async function setUpStreams(options: { codec?: PayloadCodec; roles?: Record<string, unknown> } = {}): Promise<{
  router: ScriptedRouter;
  session: Session;
}> {
  const router = new ScriptedRouter({ roles: options.roles ?? PCI_ROLES });
  const session = await router.join({ realm: 'realm1', codec: options.codec });
  return { router, session };
}

/** The CALLs the session sent so far. */
function calls(router: ScriptedRouter): unknown[][] {
  return router.transport.sent.filter((m) => m[0] === T.CALL);
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('Session.callStream', () => {
  it('sends every chunk as a CALL with the same request id: progress on all but the last', async () => {
    const { router, session } = await setUpStreams();
    const stream = session.callStream('com.example.upload', ['a'], { n: 1 }, { discloseMe: true });
    stream.write(['b']);
    stream.write(undefined, { n: 3 });
    const ending = stream.end(['d']);
    const sent = calls(router);
    const id = sent[0]![1];
    expect(sent).toEqual([
      [T.CALL, id, { progress: true, disclose_me: true }, 'com.example.upload', ['a'], { n: 1 }],
      [T.CALL, id, { progress: true }, 'com.example.upload', ['b']],
      [T.CALL, id, { progress: true }, 'com.example.upload', [], { n: 3 }],
      [T.CALL, id, {}, 'com.example.upload', ['d']],
    ]);
    router.send([T.RESULT, id, {}, [4]]);
    await expect(ending).resolves.toMatchObject({ args: [4], progress: false });
    await expect(stream.result).resolves.toMatchObject({ args: [4] });
  });

  it('is refused before anything is sent when the router does not announce progressive_call_invocations', async () => {
    const { router, session } = await setUpStreams({ roles: { dealer: { features: { call_canceling: true } } } });
    expect(() => session.callStream('com.example.upload', ['a'])).toThrow(
      expect.objectContaining({ code: 'ERR_FEATURE_UNSUPPORTED' }),
    );
    expect(calls(router)).toEqual([]);
  });

  it('checks its arguments, the session and the signal before sending, and each chunk before sending it', async () => {
    const { router, session } = await setUpStreams();
    expect(() => session.callStream('bad uri#', [])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => session.callStream('com.example.x', 'no' as unknown as unknown[])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    const aborted = AbortSignal.abort();
    expect(() => session.callStream('com.example.x', [], {}, { signal: aborted })).toThrow(
      expect.objectContaining({ code: 'ERR_CANCELED' }),
    );
    expect(calls(router)).toEqual([]);
    const stream = session.callStream('com.example.x', [1]);
    expect(() => stream.write({} as unknown as unknown[])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    await expect(stream.end([], [] as unknown as Record<string, unknown>)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(calls(router)).toHaveLength(1);
    const closing = session.close();
    await router.next(T.GOODBYE);
    router.send([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await closing;
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    expect(() => session.callStream('com.example.x', [])).toThrow(
      expect.objectContaining({ code: 'ERR_SESSION_CLOSED' }),
    );
  });

  it('refuses a chunk after the last one', async () => {
    const { router, session } = await setUpStreams();
    const stream = session.callStream('com.example.x', [1]);
    const ending = stream.end([2]);
    expect(() => stream.write([3])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    await expect(stream.end()).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(calls(router)).toHaveLength(2);
    router.send([T.RESULT, calls(router)[0]![1], {}, ['ok']]);
    await expect(ending).resolves.toMatchObject({ args: ['ok'] });
  });

  it('fails its writer with the ApplicationError of a callee that answers ERROR mid-stream', async () => {
    const { router, session } = await setUpStreams();
    const stream = session.callStream('com.example.x', [1]);
    stream.write([2]);
    const id = calls(router)[0]![1];
    router.send([T.ERROR, T.CALL, id, {}, 'com.example.error.too_big', ['limit'], { max: 2 }]);
    await expect(stream.result).rejects.toMatchObject({
      code: 'ERR_APPLICATION',
      uri: 'com.example.error.too_big',
      args: ['limit'],
      kwargs: { max: 2 },
    });
    expect(() => stream.write([3])).toThrow(expect.objectContaining({ uri: 'com.example.error.too_big' }));
    await expect(stream.end([4])).rejects.toMatchObject({ uri: 'com.example.error.too_big' });
    expect(calls(router)).toHaveLength(2);
  });

  it('ends its writer when the callee answers before the last chunk', async () => {
    const { router, session } = await setUpStreams();
    const stream = session.callStream('com.example.x', [1]);
    router.send([T.RESULT, calls(router)[0]![1], {}, ['enough']]);
    await expect(stream.result).resolves.toMatchObject({ args: ['enough'] });
    expect(() => stream.write([2])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(calls(router)).toHaveLength(1);
  });

  it('is canceled by its signal mid-stream: CANCEL goes out, result and writer fail with ERR_CANCELED', async () => {
    const { router, session } = await setUpStreams();
    const ac = new AbortController();
    const stream = session.callStream('com.example.x', [1], {}, { signal: ac.signal, cancelMode: 'killnowait' });
    stream.write([2]);
    const id = calls(router)[0]![1];
    ac.abort();
    expect(await router.next(T.CANCEL)).toEqual([T.CANCEL, id, { mode: 'killnowait' }]);
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    expect(() => stream.write([3])).toThrow(expect.objectContaining({ code: 'ERR_CANCELED' }));
    // the router's late answer is swallowed
    router.send([T.ERROR, T.CALL, id, {}, 'wamp.error.canceled']);
    await tick();
    expect(calls(router)).toHaveLength(2);
  });

  it('times out like a call: ERR_TIMEOUT, CANCEL killnowait', async () => {
    const { router, session } = await setUpStreams();
    const stream = session.callStream('com.example.x', [1], {}, { timeoutMs: 5 });
    const id = calls(router)[0]![1];
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(await router.next(T.CANCEL)).toEqual([T.CANCEL, id, { mode: 'killnowait' }]);
    expect(() => stream.write([2])).toThrow(expect.objectContaining({ code: 'ERR_TIMEOUT' }));
  });

  it('receives progressive results while its input is still being written', async () => {
    const { router, session } = await setUpStreams();
    const seen: CallResult[] = [];
    const stream = session.callStream('com.example.echo', [1], {}, { onProgress: (r) => void seen.push(r) });
    const id = calls(router)[0]![1];
    expect(calls(router)[0]![2]).toEqual({ progress: true, receive_progress: true });
    router.send([T.RESULT, id, { progress: true }, ['got 1']]);
    await tick();
    stream.write([2]);
    router.send([T.RESULT, id, { progress: true }, ['got 2']]);
    await tick();
    const ending = stream.end([3]);
    router.send([T.RESULT, id, {}, ['done']]);
    await expect(ending).resolves.toMatchObject({ args: ['done'] });
    expect(seen.map((r) => r.args[0])).toEqual(['got 1', 'got 2']);
  });

  it('fails a call whose session ends mid-stream, and its writer with the same error', async () => {
    const { router, session } = await setUpStreams();
    const stream = session.callStream('com.example.x', [1]);
    router.transport.close();
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    expect(() => stream.write([2])).toThrow(expect.objectContaining({ code: 'ERR_CONNECTION_LOST' }));
  });

  it('never leaves a rejection unhandled when only write() sees the failure', async () => {
    const unhandled = await unhandledRejectionsDuring(async () => {
      const { router, session } = await setUpStreams();
      const stream = session.callStream('com.example.x', [1]);
      router.send([T.ERROR, T.CALL, calls(router)[0]![1], {}, 'com.example.error.no']);
      await tick();
      expect(() => stream.write([2])).toThrow(expect.objectContaining({ uri: 'com.example.error.no' }));
    });
    expect(unhandled).toEqual([]);
  });

  it('passes every chunk through the codec in one exchange, with the chunk progress flag', async () => {
    const seen: PayloadContext[] = [];
    const codec: PayloadCodec = {
      name: 'x_record',
      encode: (p: Payload, ctx) => {
        seen.push(ctx);
        return { kind: 'plain', args: p.args, kwargs: p.kwargs };
      },
      decode: (w) => (w.kind === 'plain' ? { args: w.args, kwargs: w.kwargs } : {}),
    };
    const { router, session } = await setUpStreams({ codec });
    const stream = session.callStream('com.example.x', [1]);
    stream.write([2]);
    const ending = stream.end([3]);
    await tick();
    expect(seen.map((c) => [c.messageType, c.progress, c.uri, c.originating])).toEqual([
      ['CALL', true, 'com.example.x', true],
      ['CALL', true, 'com.example.x', true],
      ['CALL', false, 'com.example.x', true],
    ]);
    expect(new Set(seen.map((c) => c.exchange)).size).toBe(1);
    expect(seen[0]!.exchange).toEqual({ procedure: 'com.example.x' });
    router.send([T.RESULT, calls(router)[0]![1], {}, ['ok']]);
    await expect(ending).resolves.toMatchObject({ args: ['ok'] });
  });

  it('fails the call when the codec refuses a chunk: CANCEL killnowait, the codec error', async () => {
    let n = 0;
    const codec: PayloadCodec = {
      name: 'x_second',
      encode: (p: Payload) => {
        if (++n === 2) throw new Error('chunk refused');
        return { kind: 'plain', args: p.args, kwargs: p.kwargs };
      },
      decode: (w) => (w.kind === 'plain' ? { args: w.args, kwargs: w.kwargs } : {}),
    };
    const { router, session } = await setUpStreams({ codec });
    const stream = session.callStream('com.example.x', [1]);
    stream.write([2]);
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_PAYLOAD_CODEC' });
    expect((await router.next(T.CANCEL))[2]).toEqual({ mode: 'killnowait' });
    expect(calls(router)).toHaveLength(1);
  });
});

describe('Connection.callStream', () => {
  it('streams on the open session, and throws ERR_CONNECTION_LOST while there is none', async () => {
    const router = new ScriptedRouter({ roles: PCI_ROLES });
    const conn = new Connection(() => Promise.resolve(router.transport), {
      url: 'memory://',
      realm: 'realm1',
      reconnect: false,
    });
    expect(() => conn.callStream('com.example.x', [1])).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTION_LOST' }),
    );
    const opening = conn.open();
    await router.next(T.HELLO);
    router.send([T.WELCOME, 1, { roles: PCI_ROLES }]);
    await opening;
    const stream = conn.callStream('com.example.x', [1]);
    const ending = stream.end([2]);
    const sent = calls(router);
    expect(sent.map((m) => m[2])).toEqual([{ progress: true }, {}]);
    router.send([T.RESULT, sent[0]![1], {}, ['ok']]);
    await expect(ending).resolves.toMatchObject({ args: ['ok'] });
    const closing = conn.close();
    await router.next(T.GOODBYE);
    router.send([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await closing;
  });
});
