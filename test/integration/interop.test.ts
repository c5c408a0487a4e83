/**
 * Plaintext interoperability with Autobahn|Python through Crossbar.io: a TypeScript session and a
 * Python peer (test/interop/python/peer.py in driven mode) on the same transport and serializer
 * call each other, publish to each other, and raise errors to each other. Binary values travel
 * in both directions, at any depth.
 *
 * One long-lived Python peer per route, all started concurrently.
 */
import { ApplicationError, Result } from '@wampbox/wamp-client';
import type { EventData, Invocation, Session } from '@wampbox/wamp-client';
import { closeAll, open, routes, uniqueUri, waitFor } from './helpers';
import type { Route } from './helpers';
import { peerUrl, startPeer, stopAllPeers } from './python-peer';
import type { Peer } from './python-peer';
import { routerInfo } from './router';

const ROUTE_NAMES = [
  'websocket/json',
  'websocket/msgpack',
  'websocket/cbor',
  'rawsocket-tcp/msgpack',
  'rawsocket-unix/cbor',
];
const ROUTES: Route[] = ROUTE_NAMES.map((n) => {
  const r = routes().find((x) => x.name === n);
  if (!r) throw new Error(`the router offers no route ${n}`);
  return r;
});
const serializerOf = (r: Route): string => r.name.split('/')[1]!;

const BIN_PY = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
const BIN_TS = new Uint8Array([255, 0, 42, 0, 9]);
// payload values both runtimes represent the same way in every serializer
const ARGS = [1, 'two', 2.5, true, null, -7, BIN_PY, { nested: BIN_PY, list: [BIN_PY, 'x'] }, [BIN_PY]];
const KWARGS = { bin: BIN_PY, text: 'grüße ✓', list: [1, 2, 3], deep: { deeper: { b: BIN_PY } } };

const peers = new Map<string, Peer>();

beforeAll(async () => {
  const { realm } = routerInfo();
  const started = await Promise.allSettled(
    ROUTES.map((r) =>
      startPeer(['driven', '--url', peerUrl(r.url), '--realm', realm, '--serializer', serializerOf(r)], {
        name: r.name,
      }),
    ),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAllPeers();
    throw failed.reason;
  }
  started.forEach((s, i) => peers.set(ROUTES[i]!.name, (s as PromiseFulfilledResult<Peer>).value));
}, 60_000);

afterAll(async () => {
  await stopAllPeers();
  await closeAll();
});

/** A list of binary values checks as Uint8Array, not only as equal bytes. */
function expectBinary(value: unknown, bytes: Uint8Array): void {
  expect(value).toBeInstanceOf(Uint8Array);
  expect(Array.from(value as Uint8Array)).toEqual(Array.from(bytes));
}

describe.each(ROUTES.map((r) => [r.name, r] as const))(
  'plaintext interop with Autobahn|Python over %s',
  (name, route) => {
    let ts: Session;
    let py: Peer;
    beforeAll(async () => {
      py = peers.get(name)!;
      ts = await open(route);
    });

    it('a Python caller calls a TypeScript procedure: args, kwargs and binary both ways', async () => {
      const proc = uniqueUri('com.test.interop.tsproc');
      const seen: Invocation[] = [];
      await ts.register(proc, (inv) => {
        seen.push(inv);
        return new Result([...inv.args, BIN_TS], { ...inv.kwargs, fromTs: BIN_TS });
      });
      const res = await py.request({ op: 'call', procedure: proc, args: ARGS, kwargs: KWARGS });
      expect(res.event).toBe('result');
      expect(res['enc_algo']).toBeNull();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.args).toEqual(ARGS);
      expect(seen[0]!.kwargs).toEqual(KWARGS);
      expectBinary(seen[0]!.args[6], BIN_PY);
      expectBinary((seen[0]!.kwargs['deep'] as { deeper: { b: unknown } }).deeper.b, BIN_PY);
      expect(res['args']).toEqual([...ARGS, BIN_TS]);
      expect(res['kwargs']).toEqual({ ...KWARGS, fromTs: BIN_TS });
      expectBinary((res['args'] as unknown[])[ARGS.length], BIN_TS);
    });

    it('a Python subscriber receives TypeScript publications with binary', async () => {
      const topic = uniqueUri('com.test.interop.tstopic');
      await py.request({ op: 'subscribe', topic });
      const pubId = await ts.publish(
        topic,
        [BIN_TS, 'hello', { b: BIN_TS }],
        { bin: BIN_TS, n: 3 },
        { acknowledge: true, discloseMe: true },
      );
      const ev = await py.next((l) => l.event === 'event' && l['topic'] === topic);
      expect(ev['args']).toEqual([BIN_TS, 'hello', { b: BIN_TS }]);
      expect(ev['kwargs']).toEqual({ bin: BIN_TS, n: 3 });
      expectBinary((ev['args'] as unknown[])[0], BIN_TS);
      expect(ev['publication']).toBe(pubId);
      expect(ev['publisher']).toBe(ts.id);
      expect(ev['enc_algo']).toBeNull();
    });

    it('TypeScript calls a Python procedure: args, kwargs and binary both ways', async () => {
      const proc = uniqueUri('com.test.interop.pyproc');
      await py.request({ op: 'register', procedure: proc });
      const res = await ts.call(proc, ARGS, KWARGS, { discloseMe: true });
      expect(res.args).toEqual(ARGS);
      expect(res.kwargs).toEqual(KWARGS);
      expectBinary(res.args[6], BIN_PY);
      expectBinary((res.kwargs['deep'] as { deeper: { b: unknown } }).deeper.b, BIN_PY);
      const inv = await py.next((l) => l.event === 'invocation' && l['procedure'] === proc);
      expect(inv['args']).toEqual(ARGS);
      expect(inv['kwargs']).toEqual(KWARGS);
      expect(inv['caller']).toBe(ts.id);
    });

    it('a TypeScript subscriber receives Python publications with binary', async () => {
      const topic = uniqueUri('com.test.interop.pytopic');
      const got: EventData[] = [];
      await ts.subscribe(topic, (ev) => void got.push(ev));
      const published = await py.request({ op: 'publish', topic, args: ARGS, kwargs: KWARGS, acknowledge: true });
      expect(published.event).toBe('published');
      await waitFor(() => got.length === 1, 5000, 'event from Python');
      expect(got[0]!.args).toEqual(ARGS);
      expect(got[0]!.kwargs).toEqual(KWARGS);
      expectBinary(got[0]!.args[6], BIN_PY);
      expect(got[0]!.topic).toBe(topic);
      expect(got[0]!.publication).toBe(published['publication']);
    });

    it('progressive results flow both ways', async () => {
      // TypeScript calls Python with progressive results
      const pyProc = uniqueUri('com.test.interop.pyprog');
      await py.request({ op: 'register', procedure: pyProc });
      const results: { args: unknown[]; progress: boolean }[] = [];
      for await (const r of ts.callProgressive(pyProc, ['done', BIN_PY], { progress: 3 }))
        results.push({ args: r.args, progress: r.progress });
      expect(results).toEqual([
        { args: [0], progress: true },
        { args: [1], progress: true },
        { args: [2], progress: true },
        { args: ['done', BIN_PY], progress: false },
      ]);

      // Python calls TypeScript with progressive results
      const tsProc = uniqueUri('com.test.interop.tsprog');
      await ts.register(tsProc, (inv) => {
        expect(inv.receiveProgress).toBe(true);
        for (let i = 0; i < 3; i++) inv.progress([i, BIN_TS], { step: i });
        return new Result(['final'], { bin: BIN_TS });
      });
      const tag = py.command({ op: 'call', procedure: tsProc, receive_progress: true });
      const final = await py.next((l) => l['tag'] === tag && (l.event === 'result' || l.event === 'error'));
      expect(final.event).toBe('result');
      expect(final['args']).toEqual(['final']);
      expect(final['kwargs']).toEqual({ bin: BIN_TS });
      const progress = py.tagged(tag).filter((l) => l.event === 'progress');
      expect(progress.map((l) => [l['args'], l['kwargs']])).toEqual([0, 1, 2].map((i) => [[i, BIN_TS], { step: i }]));
    });

    it('an error raised in Python arrives as ApplicationError with uri, args and kwargs', async () => {
      const proc = uniqueUri('com.test.interop.pyerr');
      await py.request({ op: 'register', procedure: proc });
      const errUri = 'com.test.interop.error.from_python';
      const err = await ts.call(proc, ['bad input', BIN_PY], { raise: errUri, detail: { bin: BIN_PY } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationError);
      const ae = err as ApplicationError;
      expect(ae.uri).toBe(errUri);
      expect(ae.args).toEqual(['bad input', BIN_PY]);
      expect(ae.kwargs).toEqual({ raise: errUri, detail: { bin: BIN_PY } });
      expectBinary(ae.args[1], BIN_PY);
    });

    it('an error thrown in TypeScript arrives in Python with uri, args and kwargs', async () => {
      const proc = uniqueUri('com.test.interop.tserr');
      const errUri = 'com.test.interop.error.from_typescript';
      await ts.register(proc, (inv) => {
        if (inv.kwargs['plain'] === true) throw new Error('an ordinary failure');
        throw new ApplicationError(errUri, ['refused', BIN_TS], { code: 42, bin: BIN_TS });
      });
      const [app, runtime] = await Promise.all([
        py.request({ op: 'call', procedure: proc, args: [1] }),
        py.request({ op: 'call', procedure: proc, kwargs: { plain: true } }),
      ]);
      expect(app.event).toBe('error');
      expect(app['error']).toBe(errUri);
      expect(app['args']).toEqual(['refused', BIN_TS]);
      expect(app['kwargs']).toEqual({ code: 42, bin: BIN_TS });
      expect(runtime.event).toBe('error');
      expect(runtime['error']).toBe('wamp.error.runtime_error');
      expect(runtime['args']).toEqual(['an ordinary failure']);
    });
  },
);
