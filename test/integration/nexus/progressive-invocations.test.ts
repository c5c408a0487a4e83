/**
 * Progressive call invocations (a caller streaming its input) through gammazero/nexus, which
 * announces `progressive_call_invocations` (the pinned Crossbar.io does not: see
 * ../progressive-invocations.test.ts): wampbox to wampbox on every serializer, progressive results
 * in the same call, a callee failing mid-stream, canceling, a caller that leaves, shared
 * registrations, a reconnecting Connection, and wampy as caller and as callee.
 */
import WebSocket from 'ws';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { ApplicationError, connection, json } from '@wampbox/wamp-client';
import type { CallResult, Invocation, InvocationChunk, Session } from '@wampbox/wamp-client';
import { open, uniqueUri, waitFor } from '../helpers';
import { nexusRoute, useNexus } from './nexus';

const nexus = useNexus();

/** A handler that reads every chunk (into `seen`, if given) and answers with their first arguments, joined. */
function joining(seen?: InvocationChunk[]): (inv: Invocation) => Promise<string> {
  return async (inv) => {
    const chunks = seen ?? [];
    for await (const c of inv.chunks()) chunks.push(c);
    return chunks.map((c) => String(c.args[0])).join('');
  };
}

describe.each(['websocket/json', 'websocket/msgpack', 'rawsocket-tcp/cbor'])('nexus over %s', (name) => {
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    const route = nexusRoute(name);
    [a, b] = await Promise.all([open(route), open(route)]);
  });

  it('announces progressive_call_invocations, and delivers every chunk to one run of the handler', async () => {
    const dealer = (a.welcome.roles as Record<string, { features?: Record<string, unknown> }>)['dealer'];
    expect(dealer?.features?.['progressive_call_invocations']).toBe(true);
    const uri = uniqueUri('com.test.pci.join');
    const seen: InvocationChunk[] = [];
    let runs = 0;
    const handler = joining(seen);
    await b.register(uri, (inv) => (runs++, handler(inv)));
    const stream = a.callStream(uri, ['a'], { first: true });
    stream.write(['b']);
    stream.write([new Uint8Array([1, 2])]);
    const res = await stream.end(['d']);
    expect(res.args).toEqual(['ab1,2d']);
    expect(runs).toBe(1);
    expect(seen.map((c) => c.progress)).toEqual([true, true, true, false]);
    expect(seen[0]!.kwargs).toEqual({ first: true });
    expect(seen[2]!.args[0]).toBeInstanceOf(Uint8Array);
  });

  it('streams both ways: progressive results while the input is still being written', async () => {
    const uri = uniqueUri('com.test.pci.echo');
    await b.register(uri, async (inv) => {
      let n = 0;
      for await (const c of inv.chunks()) inv.progress([`echo ${String(c.args[0])}`, ++n]);
      return n;
    });
    const seen: unknown[] = [];
    const stream = a.callStream(uri, [1], {}, { onProgress: (r) => void seen.push(r.args[0]) });
    await waitFor(() => seen.length === 1, 5000, 'the first progressive result');
    stream.write([2]);
    await waitFor(() => seen.length === 2, 5000, 'the second progressive result');
    const res = await stream.end([3]);
    expect(seen).toEqual(['echo 1', 'echo 2', 'echo 3']);
    expect(res.args).toEqual([3]);
  });
});

describe('nexus over websocket/json', () => {
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    const route = nexusRoute('websocket/json');
    [a, b] = await Promise.all([open(route), open(route)]);
  });

  it('fails the writer with the callee’s ApplicationError when it answers ERROR mid-stream', async () => {
    const uri = uniqueUri('com.test.pci.limit');
    await b.register(uri, async (inv) => {
      let n = 0;
      for await (const c of inv.chunks()) {
        void c;
        if (++n === 2) throw new ApplicationError('com.test.pci.too_many', ['two is the limit']);
      }
    });
    const stream = a.callStream(uri, [1]);
    stream.write([2]);
    await expect(stream.result).rejects.toMatchObject({
      code: 'ERR_APPLICATION',
      uri: 'com.test.pci.too_many',
      args: ['two is the limit'],
    });
    expect(() => stream.write([3])).toThrow(ApplicationError);
  });

  it('cancels mid-stream: the callee’s input ends with ERR_CANCELED and its signal aborts', async () => {
    const uri = uniqueUri('com.test.pci.cancel');
    let failure: unknown;
    let signal: AbortSignal | undefined;
    let started = false;
    await b.register(uri, async (inv) => {
      signal = inv.signal;
      started = true;
      try {
        for await (const c of inv.chunks()) void c;
      } catch (e) {
        failure = e;
        throw e;
      }
    });
    const ac = new AbortController();
    const stream = a.callStream(uri, [1], {}, { signal: ac.signal, cancelMode: 'kill' });
    await waitFor(() => started, 5000, 'the invocation');
    ac.abort();
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    await waitFor(() => failure !== undefined, 5000, 'the INTERRUPT');
    expect(failure).toMatchObject({ code: 'ERR_CANCELED' });
    expect(signal?.aborted).toBe(true);
  });

  it('fails the stream of a caller that leaves mid-stream (nexus v3.3.0 does not interrupt the callee then)', async () => {
    // The spec has the router send INTERRUPT (killnowait) to the callee when the caller leaves
    // mid-stream; nexus v3.3.0 only forgets the call, so the callee's input stays open until its
    // own session ends. How the callee takes that INTERRUPT is tested with the scripted router
    // (packages/core/test/session/callee.test.ts).
    const uri = uniqueUri('com.test.pci.gone');
    let started = false;
    let failure: unknown;
    await b.register(uri, async (inv) => {
      started = true;
      try {
        for await (const c of inv.chunks()) void c;
      } catch (e) {
        failure = e;
      }
    });
    const leaving = await open(nexusRoute('websocket/json'));
    const stream = leaving.callStream(uri, [1]);
    await waitFor(() => started, 5000, 'the invocation');
    await leaving.close();
    await expect(stream.result).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    expect(() => stream.write([2])).toThrow(expect.objectContaining({ code: 'ERR_SESSION_CLOSED' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(failure).toBeUndefined();
  });

  it('routes every chunk of a call to the same callee of a shared registration', async () => {
    const uri = uniqueUri('com.test.pci.shared');
    const c = await open(nexusRoute('websocket/json'));
    const byCallee = (who: string) => async (inv: Invocation) => {
      const parts: string[] = [];
      for await (const chunk of inv.chunks()) parts.push(`${who}:${String(chunk.args[0])}`);
      return parts;
    };
    await b.register(uri, byCallee('b'), { invoke: 'roundrobin' });
    await c.register(uri, byCallee('c'), { invoke: 'roundrobin' });
    const results: CallResult[] = [];
    for (let i = 0; i < 4; i++) {
      const stream = a.callStream(uri, [1]);
      stream.write([2]);
      results.push(await stream.end([3]));
    }
    const owners = results.map((r) => new Set((r.args[0] as string[]).map((p) => p.split(':')[0])));
    for (const o of owners) expect(o.size).toBe(1);
    expect(new Set(owners.map((o) => [...o][0]))).toEqual(new Set(['b', 'c']));
  });

  it('streams through a Connection as through a Session once it is open', async () => {
    const uri = uniqueUri('com.test.pci.connection');
    await b.register(uri, joining());
    const conn = connection({ url: nexus().wsUrl, realm: nexus().realm, serializers: [json()] });
    try {
      expect(() => conn.callStream(uri, ['a'])).toThrow(expect.objectContaining({ code: 'ERR_CONNECTION_LOST' }));
      await conn.open();
      const stream = conn.callStream(uri, ['x']);
      stream.write(['y']);
      await expect(stream.end(['z'])).resolves.toMatchObject({ args: ['xyz'] });
    } finally {
      await conn.close();
    }
  });
});

/** A wampy client that announces progressive call invocations (wampy 8 implements, but does not announce, them). */
async function wampy(): Promise<Wampy> {
  const w = new Wampy(nexus().wsUrl, {
    realm: nexus().realm,
    ws: WebSocket as never, // wampy types a browser-like constructor
    serializer: new JsonSerializer(),
    autoReconnect: false,
    debug: false,
  });
  const roles = (w as unknown as { _wamp_features: { roles: Record<string, { features: Record<string, boolean> }> } })
    ._wamp_features.roles;
  roles['caller']!.features['progressive_call_invocations'] = true;
  // nexus sends a progressive call only to a callee that can be interrupted
  Object.assign(roles['callee']!.features, { progressive_call_invocations: true, call_canceling: true });
  await w.connect();
  return w;
}

describe('interop with wampy through nexus', () => {
  let session: Session;
  let w: Wampy;
  beforeAll(async () => {
    session = await open(nexusRoute('websocket/json'));
    w = await wampy();
  });
  afterAll(async () => {
    await w?.disconnect();
  });

  it('a wampy caller streams to a wampbox callee', async () => {
    const uri = uniqueUri('com.test.pci.wampy_to_wampbox');
    const seen: InvocationChunk[] = [];
    await session.register(uri, joining(seen));
    const call = w.progressiveCall(uri, ['a']);
    call.sendData(['b']);
    call.sendData({ argsList: ['c'], argsDict: { last: true } }, { progress: false });
    const res = (await call.result) as { argsList: unknown[] };
    expect(res.argsList).toEqual(['abc']);
    expect(seen.map((c) => [c.args[0], c.progress])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    expect(seen[2]!.kwargs).toEqual({ last: true });
  });

  it('a wampbox caller streams to a wampy callee, which answers each chunk (progressive, then final)', async () => {
    const uri = uniqueUri('com.test.pci.wampbox_to_wampy');
    const received: [unknown, unknown][] = [];
    await w.register(uri, ({ argsList, details }) => {
      received.push([argsList?.[0], details['progress']]);
      // wampy answers every INVOCATION: a progressive YIELD until the last chunk
      return details['progress'] === true
        ? { options: { progress: true }, argsList: [`got ${String(argsList?.[0])}`] }
        : { argsList: [received.length] };
    });
    const progress: unknown[] = [];
    const stream = session.callStream(uri, [1], {}, { onProgress: (r) => void progress.push(r.args[0]) });
    stream.write([2]);
    const res = await stream.end([3]);
    expect(res.args).toEqual([3]);
    expect(received).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(progress).toEqual(['got 1', 'got 2']);
  });
});
