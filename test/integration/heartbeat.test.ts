/**
 * Dead-peer detection over RawSocket against the real Crossbar. Crossbar's RawSocket (Autobahn's
 * Twisted one) does not implement PING frames: it reads a PING's prefix as a 16 MiB message and
 * drops the connection. Liveness checks over `rs://` are WAMP round trips, which it answers, and
 * which still find a router that stopped answering.
 */
import * as fs from 'node:fs';
import { cbor, connect, connection } from '@wampbox/wamp-client';
import type { Connection, WampboxError } from '@wampbox/wamp-client';
import { routerInfo, startPrivateRouter } from './router';
import type { PrivateRouter } from './router';
import { sleep, uniqueUri } from './helpers';

jest.setTimeout(120_000);

// the router this file freezes starts while the first tests run against the shared one
let privateRouter: Promise<PrivateRouter>;
const conns: Connection[] = [];

beforeAll(() => {
  privateRouter = startPrivateRouter();
  privateRouter.catch(() => undefined); // reported by the test that needs it
});

afterAll(async () => {
  await Promise.all(conns.splice(0).map((c) => c.close()));
  const router = await privateRouter.catch(() => undefined);
  await router?.stop();
}, 60_000);

/** What the router logged since `offset` (its log file is appended to). */
function logSince(file: string, offset: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

describe('RawSocket heartbeat on Crossbar', () => {
  it('an idle rs:// connection with a 1 s heartbeat stays up for 20 s: probed, never closed', async () => {
    const info = routerInfo();
    const logStart = fs.statSync(info.logFile).size;
    const c = connection({
      url: info.rsUrl,
      realm: info.realm,
      serializers: [cbor()],
      heartbeat: { intervalMs: 1000, timeoutMs: 5000 },
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    conns.push(c);
    const events: string[] = [];
    for (const name of ['close', 'reconnecting', 'retry'] as const) c.on(name, () => void events.push(name));
    c.on('error', (e) => void events.push(`error ${(e as WampboxError).code}: ${e.message}`));
    const session = await c.open();
    const probes = jest.spyOn(session, 'ping');

    await sleep(20_000);

    expect(events).toEqual([]);
    expect(c.currentSession).toBe(session);
    expect(session.isOpen).toBe(true);
    // the heartbeat did probe the idle router (about every other second), and every probe was answered
    expect(probes.mock.calls.length).toBeGreaterThanOrEqual(8);
    await Promise.all(probes.mock.results.map((r) => expect(r.value).resolves.toEqual(expect.any(Number))));
    expect(logSince(info.logFile, logStart)).not.toContain('PayloadExceededError');
    await c.close();
  });

  it('session.ping() over rs:// resolves and the session stays usable', async () => {
    const info = routerInfo();
    const session = await connect({ url: info.rsUrl, realm: info.realm, serializers: [cbor()] });
    try {
      const rtts = [await session.ping(5000), await session.ping(5000)];
      expect(rtts).toEqual([expect.any(Number), expect.any(Number)]);
      const uri = uniqueUri('com.test.heartbeat.echo');
      await session.register(uri, (inv) => inv.args[0]);
      expect((await session.call(uri, ['still here'])).args).toEqual(['still here']);
      expect(session.isOpen).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('a frozen router (SIGSTOP) is still found by the heartbeat within its interval and timeout', async () => {
    const router = await privateRouter;
    const heartbeat = { intervalMs: 1000, timeoutMs: 2000 };
    const c = connection({
      url: router.rsUrl,
      realm: router.realm,
      serializers: [cbor()],
      heartbeat,
      reconnect: { initialDelayMs: 100, maxDelayMs: 500, jitter: 0 },
    });
    conns.push(c);
    await c.open();
    const errors: Error[] = [];
    c.on('error', (e) => void errors.push(e));
    const lost = new Promise<number>((resolve) => c.once('close', () => resolve(Date.now())));
    const reopened = new Promise<void>((resolve) => c.once('open', () => resolve()));
    const frozenAt = Date.now();
    process.kill(-router.pid, 'SIGSTOP');
    try {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), 15_000)));
      const detectedAt = await Promise.race([lost, gaveUp]);
      clearTimeout(timer);
      expect(detectedAt).toBeGreaterThan(0);
      // at most one interval of silence, then the probe's timeout (plus timer slack)
      expect(detectedAt - frozenAt).toBeLessThan(heartbeat.intervalMs + heartbeat.timeoutMs + 1500);
      expect(errors[0]).toMatchObject({ code: 'ERR_CONNECTION_LOST', message: expect.stringContaining('liveness') });
    } finally {
      process.kill(-router.pid, 'SIGCONT');
    }
    await reopened;
    expect(await c.currentSession!.ping(5000)).toEqual(expect.any(Number));
    await c.close();
  });
});
