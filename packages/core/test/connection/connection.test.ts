import { Connection, WampboxError, reconnectDelay } from '../../src/index';
import { MessageType as T } from '../../src/internal';
import type { ConnectionOptions, TransportFactory } from '../../src/index';
import { FakeTransport } from '../helpers/fake-transport';
import { Prng } from '../helpers/prng';
import { settledWithin, unhandledRejectionsDuring } from '../helpers/settle';

/** A fake router: answers HELLO, SUBSCRIBE, REGISTER, CALL and acknowledged PUBLISH on each transport. */
class FakeRouter {
  readonly transports: AutoTransport[] = [];
  failNext = 0;
  refuse: string | null = null;
  /** When set, SUBSCRIBE is answered with ERROR of this URI. */
  refuseSubscribe: string | null = null;
  /** When set, the next transport is handed out only once this promise resolves. */
  gate: Promise<void> | null = null;
  silent = false;
  private ids = 100;
  readonly factory: TransportFactory = async () => {
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('connection refused'), { code: 'ERR_TRANSPORT' });
    }
    if (this.gate) await this.gate;
    const t = new AutoTransport(this);
    this.transports.push(t);
    return t;
  };
  get current(): AutoTransport {
    return this.transports[this.transports.length - 1]!;
  }
  nextId(): number {
    return ++this.ids;
  }
}

class AutoTransport extends FakeTransport {
  constructor(private readonly router: FakeRouter) {
    super();
  }
  override send(frame: string | Uint8Array): void {
    super.send(frame);
    const m = frame as unknown as unknown[];
    if (this.router.silent && m[0] !== T.HELLO) return;
    queueMicrotask(() => this.answer(m));
  }
  private answer(m: unknown[]): void {
    if (this.closed) return;
    const r = this.router;
    switch (m[0]) {
      case T.HELLO:
        if (r.refuse) this.deliver([T.ABORT, { message: 'no' }, r.refuse]);
        else this.deliver([T.WELCOME, r.nextId(), { roles: { broker: {}, dealer: {} } }]);
        break;
      case T.SUBSCRIBE:
        if (r.refuseSubscribe) this.deliver([T.ERROR, T.SUBSCRIBE, m[1], {}, r.refuseSubscribe]);
        else this.deliver([T.SUBSCRIBED, m[1], r.nextId()]);
        break;
      case T.REGISTER:
        this.deliver([T.REGISTERED, m[1], r.nextId()]);
        break;
      case T.UNSUBSCRIBE:
        this.deliver([T.UNSUBSCRIBED, m[1]]);
        break;
      case T.UNREGISTER:
        this.deliver([T.UNREGISTERED, m[1]]);
        break;
      case T.CALL:
        if (m[3] !== 'com.x.hang') this.deliver([T.RESULT, m[1], {}, ['ok']]);
        break;
      case T.PUBLISH:
        if ((m[2] as Record<string, unknown>)['acknowledge']) this.deliver([T.PUBLISHED, m[1], r.nextId()]);
        break;
      case T.GOODBYE:
        this.deliver([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        break;
    }
  }
}

const fast: ConnectionOptions['reconnect'] = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 };
const base = { url: 'fake://', realm: 'realm1', heartbeat: false as const, reconnect: fast };

/** Resolves once `cond` holds (checked every 2 ms); rejects after one second. */
async function until(cond: () => boolean): Promise<void> {
  for (let waited = 0; !cond(); waited += 2) {
    if (waited > 1000) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function opened(c: Connection): Promise<void> {
  return new Promise((resolve) => c.once('open', () => resolve()));
}

describe('reconnectDelay', () => {
  it('grows exponentially up to the maximum, with the jitter fraction randomized', () => {
    const o = { initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((a) => reconnectDelay(a, o))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(reconnectDelay(1, { initialDelayMs: 100, jitter: 0.5 }, () => 1)).toBe(50);
    expect(reconnectDelay(1, { initialDelayMs: 100, jitter: 0.5 }, () => 0)).toBe(100);
    expect(reconnectDelay(1)).toBeLessThanOrEqual(500);
  });
});

describe('Connection', () => {
  it('re-establishes subscriptions and registrations with their options after a loss', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, base);
    await c.open();
    const seen: unknown[] = [];
    const sub = await c.subscribe('com.x.', (ev) => void seen.push(ev.args[0]), { match: 'prefix' });
    const reg = await c.register('com.x.proc', () => 1, { invoke: 'roundrobin' });
    const first = router.current;
    const events: string[] = [];
    for (const e of ['connecting', 'open', 'close', 'reconnecting', 'retry'] as const)
      c.on(e, () => void events.push(e));
    const reopened = opened(c);
    first.drop();
    await reopened;
    const second = router.current;
    expect(second).not.toBe(first);
    expect(second.last(T.SUBSCRIBE)!.slice(2)).toEqual([{ match: 'prefix' }, 'com.x.']);
    expect(second.last(T.REGISTER)!.slice(2)).toEqual([{ invoke: 'roundrobin' }, 'com.x.proc']);
    expect(events).toEqual(['close', 'reconnecting', 'retry', 'connecting', 'open']);
    expect(sub.id).toBe(second.last(T.SUBSCRIBE) && sub.id);
    second.deliver([T.EVENT, sub.id, 1, { topic: 'com.x.a' }, ['after']]);
    expect(seen).toEqual(['after']);
    expect(reg.id).toBeDefined();
    await c.close();
  });

  it('passes session errors to its error listener, or to the logger when there is none', async () => {
    const router = new FakeRouter();
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const c = new Connection(router.factory, { ...base, logger: { warn: (m, f) => void warnings.push([m, f]) } });
    await c.open();
    const sub = await c.subscribe('com.x.t', () => {
      throw new Error('secret 42');
    });
    router.current.deliver([T.EVENT, sub.id, 1, {}, []]);
    expect(warnings).toEqual([['connection error without an error listener', { name: 'Error' }]]);
    const errors: Error[] = [];
    c.on('error', (e) => void errors.push(e));
    router.current.deliver([T.EVENT, sub.id, 2, {}, []]);
    expect(errors.map((e) => e.message)).toEqual(['secret 42']);
    expect(warnings).toHaveLength(1);
    await c.close();
  });

  it('rejects in-flight calls at once, lets new calls wait for the reconnect, or fail fast by option', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, base);
    await c.open();
    const inflight = c.call('com.x.hang');
    router.failNext = 2;
    router.current.drop();
    await expect(inflight).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    expect(c.isOpen).toBe(false);
    const waiting = c.call('com.x.ok', [], {}, { timeoutMs: 5000 });
    const waitingPub = c.publish('com.x.t', [1], {}, { acknowledge: true });
    await expect(waiting).resolves.toMatchObject({ args: ['ok'] });
    await expect(waitingPub).resolves.toEqual(expect.any(Number));
    await c.close();

    const router2 = new FakeRouter();
    const c2 = new Connection(router2.factory, {
      ...base,
      callsWhileDisconnected: 'fail',
      publishesWhileDisconnected: 'fail',
    });
    await c2.open();
    router2.failNext = 1;
    router2.current.drop();
    await expect(c2.call('com.x.ok')).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    await expect(c2.publish('com.x.t')).rejects.toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    await c2.close();
  });

  it('bounds a waiting call by its timeout', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, { ...base, reconnect: { initialDelayMs: 10_000, jitter: 0 } });
    await c.open();
    router.current.drop();
    await expect(c.call('com.x.ok', [], {}, { timeoutMs: 30 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(c.waitingCount).toBe(0);
    await c.close();
  });

  it('retries with backoff and gives up after maxAttempts', async () => {
    const router = new FakeRouter();
    router.failNext = 100;
    const c = new Connection(router.factory, {
      ...base,
      reconnect: { initialDelayMs: 1, factor: 2, maxDelayMs: 8, jitter: 0, maxAttempts: 5 },
    });
    const delays: number[] = [];
    c.on('retry', (r) => void delays.push(r.delayMs));
    await expect(c.open()).rejects.toMatchObject({ message: 'connection refused' });
    expect(delays).toEqual([1, 2, 4, 8]);
    expect((await c.closed).reason).toBe('wamp.close.connect_failed');
  });

  it('never retries a refused login', async () => {
    const router = new FakeRouter();
    router.refuse = 'wamp.error.not_authorized';
    const c = new Connection(router.factory, base);
    let attempts = 0;
    c.on('connecting', () => void attempts++);
    await expect(c.open()).rejects.toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
    expect(attempts).toBe(1);
  });

  it('does not reconnect after close(), and fails waiting operations', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, { ...base, reconnect: { initialDelayMs: 10_000 } });
    await c.open();
    router.current.drop();
    const waiting = c.call('com.x.ok');
    await c.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    expect(router.transports).toHaveLength(1);
    await expect(c.subscribe('com.x.t')).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
  });

  it('closes when its AbortSignal aborts', async () => {
    const router = new FakeRouter();
    const ac = new AbortController();
    const c = new Connection(router.factory, { ...base, signal: ac.signal });
    await c.open();
    ac.abort();
    await expect(c.closed).resolves.toMatchObject({ clean: true });
    expect(c.isOpen).toBe(false);
  });

  it('detects an unresponsive router with the heartbeat and reconnects', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, { ...base, heartbeat: { intervalMs: 20, timeoutMs: 30 } });
    const errors: Error[] = [];
    c.on('error', (e) => void errors.push(e));
    await c.open();
    const first = router.current;
    router.silent = true;
    c.once('close', () => {
      router.silent = false;
    });
    await opened(c);
    expect(router.current).not.toBe(first);
    expect(errors.some((e) => /liveness/.test(e.message))).toBe(true);
    await c.close();
  });

  it('does not duplicate handlers or leak listeners over many reconnects', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, base);
    await c.open();
    let calls = 0;
    const sub = await c.subscribe('com.x.t', () => void calls++);
    for (let i = 0; i < 50; i++) {
      const reopened = opened(c);
      router.current.drop();
      await reopened;
    }
    router.current.deliver([T.EVENT, sub.id, 1, {}, []]);
    expect(calls).toBe(1);
    expect(router.current.sent.filter((m) => m[0] === T.SUBSCRIBE)).toHaveLength(1);
    expect(c.listenerCount('open')).toBe(0);
    expect(c.currentSession!.listenerCount('error')).toBe(1);
    await c.close();
  });

  it('keeps a durable subscription readable as an async iterator across reconnects', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, base);
    await c.open();
    const sub = await c.subscribe('com.x.t');
    const it = sub[Symbol.asyncIterator]();
    router.current.deliver([T.EVENT, sub.id, 1, {}, ['before']]);
    const reopened = opened(c);
    router.current.drop();
    await reopened;
    router.current.deliver([T.EVENT, sub.id, 2, {}, ['after']]);
    expect((await it.next()).value).toMatchObject({ args: ['before'] });
    expect((await it.next()).value).toMatchObject({ args: ['after'] });
    await it.return!();
    expect(sub.active).toBe(false);
    expect(router.current.last(T.UNSUBSCRIBE)).toBeDefined();
    await c.close();
  });

  it('drops a durable subscription the router refuses, and reports one it refuses after a reconnect', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, base);
    const errors: Error[] = [];
    c.on('error', (e) => void errors.push(e));
    await c.open();
    router.refuseSubscribe = 'wamp.error.not_authorized';
    await expect(c.subscribe('com.x.denied')).rejects.toMatchObject({
      code: 'ERR_APPLICATION',
      uri: 'wamp.error.not_authorized',
    });
    router.refuseSubscribe = null;
    await c.subscribe('com.x.kept');
    router.refuseSubscribe = 'wamp.error.not_authorized';
    let reopened = opened(c);
    router.current.drop();
    await reopened;
    // the refused subscription was forgotten; the kept one was tried again, refused, and reported
    expect(router.current.sent.filter((m) => m[0] === T.SUBSCRIBE).map((m) => m[3])).toEqual(['com.x.kept']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'ERR_APPLICATION',
      message: expect.stringMatching(/could not re-subscribe to com\.x\.kept/),
    });
    expect(c.isOpen).toBe(true);
    // and made again once the router allows it
    router.refuseSubscribe = null;
    reopened = opened(c);
    router.current.drop();
    await reopened;
    expect(router.current.last(T.SUBSCRIBE)![3]).toBe('com.x.kept');
    expect(errors).toHaveLength(1);
    await c.close();
  });

  it('gives up a connection attempt under way when closed, and closes the session it yields', async () => {
    const router = new FakeRouter();
    let release!: () => void;
    router.gate = new Promise((resolve) => (release = resolve));
    const c = new Connection(router.factory, base);
    const attempts: number[] = [];
    c.on('connecting', ({ attempt }) => void attempts.push(attempt));
    const first = c.open();
    await expect(c.close()).resolves.toMatchObject({ local: true });
    await expect(first).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    await expect(c.call('com.x.ok')).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    expect(router.transports).toHaveLength(0);
    release();
    // the transport that was still being opened joins, and is closed with GOODBYE at once
    await until(() => router.transports[0]?.closed != null);
    expect(router.transports).toHaveLength(1);
    expect(router.current.last(T.GOODBYE)).toBeDefined();
    expect(attempts).toEqual([0]);
    expect(c.isOpen).toBe(false);
  });

  it('bounds how many operations wait for a reconnect, and lets a signal withdraw one', async () => {
    const router = new FakeRouter();
    const c = new Connection(router.factory, {
      ...base,
      maxWaiting: 2,
      reconnect: { initialDelayMs: 10_000, jitter: 0 },
    });
    await c.open();
    router.current.drop();
    const ac = new AbortController();
    const withdrawn = c.call('com.x.ok', [], {}, { signal: ac.signal });
    const kept = c.call('com.x.ok');
    expect(c.waitingCount).toBe(2);
    await expect(c.call('com.x.ok')).rejects.toMatchObject({ code: 'ERR_BACKPRESSURE' });
    ac.abort(new Error('user gave up'));
    await expect(withdrawn).rejects.toMatchObject({ code: 'ERR_CANCELED', cause: { message: 'user gave up' } });
    expect(c.waitingCount).toBe(1);
    const aborted = new AbortController();
    aborted.abort();
    await expect(c.call('com.x.ok', [], {}, { signal: aborted.signal })).rejects.toMatchObject({
      code: 'ERR_CANCELED',
    });
    expect(c.waitingCount).toBe(1);
    await c.close();
    await expect(kept).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    expect(c.waitingCount).toBe(0);
  });

  it('does not connect at all when its AbortSignal aborted before open()', async () => {
    const router = new FakeRouter();
    const ac = new AbortController();
    ac.abort();
    const c = new Connection(router.factory, { ...base, signal: ac.signal });
    await expect(c.open()).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    await expect(c.closed).resolves.toMatchObject({ reason: 'wamp.close.aborted', clean: false });
    expect(router.transports).toHaveLength(0);
    // open() again answers the same way, and nothing waits forever
    await expect(c.open()).rejects.toMatchObject({ code: 'ERR_CANCELED' });
  });
});

describe('Connection against a router that drops, refuses and comes back at random', () => {
  it('settles every operation with a typed error, stops for good on close(), and calls no handler after it (100 seeds)', async () => {
    const unhandled = await unhandledRejectionsDuring(async () => {
      for (let seed = 1; seed <= 100; seed++) {
        const rng = new Prng(seed);
        const router = new FakeRouter();
        const c = new Connection(router.factory, {
          ...base,
          reconnect: { initialDelayMs: 1, maxDelayMs: 4, jitter: 0, maxAttempts: rng.pick([3, 50]) },
          maxWaiting: rng.pick([2, 1000]),
          callsWhileDisconnected: rng.pick(['wait', 'fail'] as const),
        });
        const errors: unknown[] = [];
        c.on('error', (e) => void errors.push(e));
        const ops: Promise<unknown>[] = [];
        const keep = (p: Promise<unknown>): void => {
          p.catch(() => undefined);
          ops.push(p);
        };
        let handlerCalls = 0;
        const timers: ReturnType<typeof setTimeout>[] = [];
        const durables: { unsubscribe?: () => Promise<void>; unregister?: () => Promise<void> }[] = [];
        keep(c.open());
        for (let step = 0; step < 40; step++) {
          switch (rng.int(10)) {
            case 0:
              router.current?.drop();
              break;
            case 1:
              router.failNext = rng.int(3);
              break;
            case 2:
              router.refuseSubscribe = rng.chance(0.5) ? 'wamp.error.not_authorized' : null;
              break;
            case 3:
              keep(c.subscribe(`com.x.t${rng.int(3)}`, () => void handlerCalls++).then((d) => void durables.push(d)));
              break;
            case 4:
              keep(c.register(`com.x.p${rng.int(3)}`, () => void handlerCalls++).then((d) => void durables.push(d)));
              break;
            case 5:
              if (durables.length > 0) {
                const d = rng.pick(durables);
                keep((d.unsubscribe ?? d.unregister)!.call(d));
              }
              break;
            case 6:
              keep(c.publish('com.x.t0', [1], {}, { acknowledge: rng.chance(0.5) }));
              break;
            case 7: {
              const ac = new AbortController();
              keep(
                c.call(
                  rng.pick(['com.x.ok', 'com.x.hang']),
                  [],
                  {},
                  { timeoutMs: rng.pick([undefined, 5, 50]), signal: ac.signal },
                ),
              );
              if (rng.chance(0.3)) timers.push(setTimeout(() => ac.abort(), rng.int(5)));
              break;
            }
            case 8: {
              // the router delivers an event to, or invokes, whatever is subscribed or registered now
              const t = router.current;
              const subscribed = t?.sent.filter((m) => m[0] === T.SUBSCRIBE).length ?? 0;
              if (t && !t.closed && subscribed > 0) t.deliver([T.EVENT, 101 + rng.int(20), 1, {}, []]);
              break;
            }
            default:
              await new Promise((r) => setTimeout(r, rng.int(4)));
          }
          if (rng.chance(0.5)) await new Promise((r) => setImmediate(r));
        }
        router.failNext = 0;
        router.refuseSubscribe = null;
        await c.close();
        timers.forEach(clearTimeout);
        const transports = router.transports.length;
        const outcomes = await settledWithin(ops, 3000);
        if (outcomes === 'hang') throw new Error(`seed ${seed}: an operation never settled`);
        for (const o of outcomes) {
          if (o.status === 'rejected' && !(o.reason instanceof WampboxError))
            throw new Error(`seed ${seed}: untyped rejection ${String(o.reason)}`);
        }
        for (const e of errors)
          if (!(e instanceof WampboxError)) throw new Error(`seed ${seed}: reported an untyped error ${String(e)}`);
        // closed for good: no new connection, nothing waits, no handler runs
        const calls = handlerCalls;
        for (const t of router.transports) if (!t.closed) t.deliver([T.EVENT, 101, 2, {}, []]);
        await new Promise((r) => setTimeout(r, 10));
        expect(router.transports.length).toBe(transports);
        expect(c.waitingCount).toBe(0);
        expect(c.isOpen).toBe(false);
        expect(handlerCalls).toBe(calls);
        await expect(c.call('com.x.ok')).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
      }
    });
    expect(unhandled).toEqual([]);
  });
});
