/**
 * Fault tests: a router of the test's own is killed and restarted during a stream of calls and
 * publishes; connections must settle everything, reconnect on their own and restore their
 * subscriptions and registrations. A soak test reconnects many times against a live router.
 */
import { WampboxError, cbor, connection, json } from '@wampbox/wamp-client';
import type { Connection } from '@wampbox/wamp-client';
import { startPrivateRouter } from './router';
import type { PrivateRouter } from './router';
import { sleep, uniqueUri, waitFor } from './helpers';

jest.setTimeout(180_000);

let router: PrivateRouter;
const conns: Connection[] = [];

beforeAll(async () => {
  router = await startPrivateRouter();
}, 180_000);

afterAll(async () => {
  await Promise.all(conns.splice(0).map((c) => c.close()));
  await router?.stop();
});

function open(url: string, serializer = json()): Connection {
  const c = connection({
    url,
    realm: router.realm,
    serializers: [serializer],
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.3 },
    heartbeat: { intervalMs: 2000, timeoutMs: 2000 },
  });
  conns.push(c);
  return c;
}

describe('router killed and restarted', () => {
  it.each([
    ['websocket', () => router.wsUrl, json],
    ['rawsocket', () => router.rsUrl, cbor],
  ] as const)('over %s: every pending operation settles and everything comes back', async (_name, url, ser) => {
    const callee = open(url(), ser());
    const caller = open(url(), ser());
    await Promise.all([callee.open(), caller.open()]);
    const base = uniqueUri('com.test.fault');
    const invocations = new Map<number, number>();
    await callee.register(`${base}.proc`, (inv) => {
      const n = inv.args[0] as number;
      invocations.set(n, (invocations.get(n) ?? 0) + 1);
      return n * 2;
    });
    const events: string[] = [];
    await callee.subscribe(`${base}.topic`, (ev) => void events.push(ev.topic), { match: 'prefix' });

    // a stream of calls and publishes
    const outcomes = new Map<number, string>();
    const pending = new Set<number>();
    let stop = false;
    let n = 0;
    const loop = (async () => {
      while (!stop && n < 100_000) {
        const i = ++n;
        pending.add(i);
        const p = caller.call(`${base}.proc`, [i], {}, { timeoutMs: 15_000 }).then(
          (r) => outcomes.set(i, r.args[0] === i * 2 ? 'ok' : 'wrong'),
          (e: unknown) => outcomes.set(i, e instanceof WampboxError ? e.code : 'untyped'),
        );
        void caller.publish(`${base}.topic.sub`, [i]).catch(() => undefined);
        void p.finally(() => pending.delete(i));
        await sleep(40);
      }
    })();
    await waitFor(() => [...outcomes.values()].filter((o) => o === 'ok').length >= 10, 10_000, 'calls before the kill');

    let lost = 0;
    caller.on('close', () => void lost++);
    await router.kill('SIGKILL');
    await waitFor(() => lost > 0, 10_000, 'the caller to notice the loss');
    const beforeRestart = n;
    await sleep(500);
    await router.restart();

    // the caller loop resumes on its own: calls issued after the restart succeed
    await waitFor(
      () => [...outcomes.entries()].some(([i, o]) => i > beforeRestart && o === 'ok'),
      60_000,
      'calls after the restart',
    );
    stop = true;
    await loop;
    await waitFor(() => pending.size === 0, 20_000, 'every call to settle');

    const codes = new Set(outcomes.values());
    // typed outcomes only: lost in flight, timed out or over the waiting bound while the router was down
    for (const c of codes)
      expect(['ok', 'ERR_CONNECTION_LOST', 'ERR_TIMEOUT', 'ERR_BACKPRESSURE', 'ERR_APPLICATION']).toContain(c);
    expect(codes.has('wrong')).toBe(false);
    expect(codes.has('untyped')).toBe(false);

    // the pattern subscription still matches, and no handler runs twice
    events.length = 0;
    await caller.publish(`${base}.topic.after`, ['x'], {}, { acknowledge: true });
    await waitFor(() => events.includes(`${base}.topic.after`), 10_000, 'a prefix-matched event after the restart');
    for (const count of invocations.values()) expect(count).toBe(1);
  });
});

describe('dead-peer detection', () => {
  it.each([
    ['websocket (ws ping)', () => router.wsUrl],
    ['rawsocket (PING frame)', () => router.rsUrl],
  ] as const)(
    'over %s: a frozen router is detected within the heartbeat, and the connection comes back',
    async (_name, url) => {
      const c = connection({
        url: url(),
        realm: router.realm,
        reconnect: { initialDelayMs: 100, maxDelayMs: 500, jitter: 0 },
        heartbeat: { intervalMs: 500, timeoutMs: 1000 },
      });
      conns.push(c);
      await c.open();
      const uri = uniqueUri('com.test.frozen');
      await c.register(uri, () => 'alive');
      const lost = new Promise<number>((resolve) => c.once('close', () => resolve(Date.now())));
      const frozenAt = Date.now();
      process.kill(-router.pid, 'SIGSTOP');
      try {
        const detectedAt = await Promise.race([lost, sleep(10_000).then(() => -1)]);
        expect(detectedAt).toBeGreaterThan(0);
        // silence for one interval, then the probe's timeout (plus timer slack)
        expect(detectedAt - frozenAt).toBeLessThan(500 + 1000 + 1500);
      } finally {
        process.kill(-router.pid, 'SIGCONT');
      }
      const res = await c.call(uri, [], {}, { timeoutMs: 30_000 });
      expect(res.args).toEqual(['alive']);
      await c.close();
    },
  );
});

describe('soak', () => {
  it('reconnects many times without growth in listeners, timers or heap', async () => {
    const c = open(router.wsUrl);
    await c.open();
    const base = uniqueUri('com.test.soak');
    let calls = 0;
    let events = 0;
    await c.register(`${base}.proc`, () => ++calls);
    await c.subscribe(`${base}.topic`, () => void events++);
    const reopen = (): Promise<void> => new Promise((resolve) => c.once('open', () => resolve()));

    const resources = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const cycle = async (): Promise<void> => {
      const back = reopen();
      c.currentSession!.abort('soak');
      await back;
    };
    for (let i = 0; i < 5; i++) await cycle();
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const timers0 = resources();
    const listeners0 = c.listenerCount('error') + c.listenerCount('open') + c.listenerCount('close');

    for (let i = 0; i < 60; i++) await cycle();
    // still works, exactly once per call and event
    const r = await c.call(`${base}.proc`);
    expect(r.args[0]).toBe(calls);
    expect(calls).toBe(1);
    await c.publish(`${base}.topic`, [], {}, { acknowledge: true, excludeMe: false });
    await waitFor(() => events === 1, 5000, 'one event');
    await sleep(100);
    expect(events).toBe(1);

    global.gc?.();
    const heapGrowth = process.memoryUsage().heapUsed - heap0;
    expect(resources()).toBeLessThanOrEqual(timers0 + 2);
    expect(c.listenerCount('error') + c.listenerCount('open') + c.listenerCount('close')).toBe(listeners0);
    expect(c.currentSession!.listenerCount('error')).toBe(1);
    expect(heapGrowth).toBeLessThan(20 * 1024 * 1024);
  });
});
