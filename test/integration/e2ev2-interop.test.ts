/**
 * Live `x_e2ev2` (preview) between the TypeScript client and the independent Python implementation
 * (test/interop/python/e2ev2/peer_e2ev2.py, driven through e2ev2-py-peer.ts) through Crossbar.io:
 *
 * - events and calls (progressive results, a sealed application error) both ways, in transparent
 *   and argument carriage, with the TypeScript session and the Python peer on every pair of
 *   serializers (json, msgpack, cbor): the router converts each message between the two, and a
 *   sealed payload must arrive byte for byte, also through JSON's "\0" + base64 binary strings;
 * - the key service of §b.8.3 between two Python peers (on CBOR and JSON): a reader meets an event
 *   under a key it lacks (`unknown_key`, with the kid), is refused by the service without a `read`
 *   grant, then fetches the key (`key.get`) once granted and opens the next event.
 *
 * One Python peer per serializer serves every interop test; the key service test starts its own two.
 */
import { ApplicationError, Result, cryptosignKeyPair, generateKeyPair } from '@wampbox/wamp-client';
import type { CallResult, CryptosignKeyPair, EventData, KeyPair, PayloadCodec, Session } from '@wampbox/wamp-client';
import { e2eV2 } from '@wampbox/cryptobox/e2ev2';
import { closeAll, open, routes, uniqueUri, waitFor } from './helpers';
import type { Route } from './helpers';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PY_E2EV2_PEER, answer, hex, startPyPeer } from './e2ev2-py-peer';
import { routerInfo } from './router';
import type { PyPeer, PySer } from './e2ev2-py-peer';

type Ser = PySer;
type Carriage = 'transparent' | 'argument';

const SERS: readonly Ser[] = ['json', 'msgpack', 'cbor'];
const IP = `com.test.e2ev2py.${process.pid}.${Date.now().toString(36)}.`;
const CARRIAGE_PREFIX: Record<Carriage, string> = { transparent: `${IP}t.`, argument: `${IP}a.` };
const ERR = `${IP}error.refused`;
const BIN = new Uint8Array([0, 1, 2, 250, 255]);

const random = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));
const wsRoute = (s: Ser): Route => {
  const r = routes().find((x) => x.name === `websocket/${s}`);
  if (!r) throw new Error(`the router offers no websocket/${s} route`);
  return r;
};

let writer: CryptosignKeyPair;
let reader: CryptosignKeyPair;
let python: CryptosignKeyPair;
let pythonSeed: Uint8Array;
let scope: KeyPair;
let groupKey: Uint8Array;
const peers = new Map<Ser, PyPeer>();
const peer = (s: Ser): PyPeer => {
  const p = peers.get(s);
  if (!p) throw new Error(`the Python peer on ${s} did not start (see the error of beforeAll)`);
  return p;
};

const routesOf = (): { prefix: string; carriage: Carriage }[] =>
  (['transparent', 'argument'] as const).map((c) => ({ prefix: CARRIAGE_PREFIX[c], carriage: c }));

/** TypeScript publisher and caller; trusts the Python peer's answers. */
const tsWriter = (): PayloadCodec =>
  e2eV2({
    identity: { publicKey: writer.publicKey, secretKey: writer.secretKey },
    trust: [{ spk: python.publicKey, prefix: IP, roles: ['answer'] }],
    groupKeys: [{ scope: IP, key: groupKey, current: true }],
    calleeScopes: [{ prefix: IP, publicKey: scope.publicKey }],
    routes: routesOf(),
  });
/** TypeScript subscriber and callee; trusts the Python peer to publish and call. */
const tsReader = (): PayloadCodec =>
  e2eV2({
    identity: { publicKey: reader.publicKey, secretKey: reader.secretKey },
    trust: [{ spk: python.publicKey, prefix: IP, roles: ['publish', 'call'] }],
    groupKeys: [{ scope: IP, key: groupKey }],
    calleeScopes: [{ prefix: IP, secretKey: scope.secretKey }],
    routes: routesOf(),
  });

/** The Python peer: publishes and calls like the TypeScript writer, answers like the reader. */
const pyConfig = (): Record<string, unknown> => ({
  seed: hex(pythonSeed),
  trust: [
    { spk: hex(writer.publicKey), prefix: IP, roles: ['publish', 'call'] },
    { spk: hex(reader.publicKey), prefix: IP, roles: ['answer'] },
  ],
  // one group key for the prefix: the peer and the TypeScript writer both have a publish grant
  group_keys: [{ key: hex(groupKey), scope: IP }],
  scope_keys: [{ prefix: IP, x25519_sk: hex(scope.secretKey) }],
  callee_scopes: [{ prefix: IP, x25519_pk: hex(scope.publicKey) }],
  routes: [
    { prefix: CARRIAGE_PREFIX.transparent, scheme: 'x_e2ev2', carriages: ['transparent'] },
    { prefix: CARRIAGE_PREFIX.argument, scheme: 'x_e2ev2', carriages: ['argument'] },
    { prefix: '', scheme: 'plaintext', carriages: [] },
  ],
});

beforeAll(async () => {
  pythonSeed = random(32);
  [writer, reader, python, scope] = await Promise.all([
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(pythonSeed),
    generateKeyPair(),
  ]);
  groupKey = random(32);
  const config = pyConfig();
  const started = await Promise.all(SERS.map((s) => startPyPeer(s, config)));
  SERS.forEach((s, i) => peers.set(s, started[i]!));
}, 60_000);

afterAll(async () => {
  await closeAll();
  await Promise.all([...peers.values()].map((p) => p.stop()));
}, 30_000);

const matrix = SERS.flatMap((tsSer) =>
  SERS.flatMap((pySer) => (['transparent', 'argument'] as const).map((c) => [tsSer, pySer, c] as const)),
);

describe.each(matrix)(
  'x_e2ev2 interop: TypeScript on %s, Python on %s, %s carriage',
  (tsSer: Ser, pySer: Ser, carriage: Carriage) => {
    const base = (): string => CARRIAGE_PREFIX[carriage];
    let ts: Session;
    let tsCallee: Session;
    beforeAll(async () => {
      [ts, tsCallee] = await Promise.all([
        open(wsRoute(tsSer), { codec: tsWriter() }),
        open(wsRoute(tsSer), { codec: tsReader() }),
      ]);
    });

    it('TypeScript publisher → Python subscriber, and Python publisher → TypeScript subscriber', async () => {
      const py = peer(pySer);
      const toPy = uniqueUri(`${base()}to_py`);
      await answer(py, { op: 'subscribe', topic: toPy }, ['subscribed']);
      await ts.publish(toPy, ['from ts', BIN], { k: 'v' }, { acknowledge: true });
      const ev = await py.wait(
        'the event at the peer',
        (l) => (l.event === 'event' && l['topic'] === toPy) || (l.event === 'refused' && l['uri'] === toPy),
      );
      expect(ev.event).toBe('event');
      expect(ev['args']).toEqual(['from ts', BIN]);
      expect(ev['kwargs']).toEqual({ k: 'v' });
      expect(ev['carriage']).toBe(carriage);
      expect(ev['author']).toBe(hex(writer.publicKey));

      const toTs = uniqueUri(`${base()}to_ts`);
      const got: EventData[] = [];
      await tsCallee.subscribe(toTs, (e) => void got.push(e));
      const pub = await answer(
        py,
        { op: 'publish', topic: toTs, args: ['from python', BIN], kwargs: { n: 1 }, acknowledge: true, carriage },
        ['published', 'error', 'command_failed'],
      );
      expect(pub.event).toBe('published');
      await waitFor(() => got.length === 1, 5000, 'the event from the peer');
      expect(got[0]!.args).toEqual(['from python', BIN]);
      expect(got[0]!.kwargs).toEqual({ n: 1 });
    });

    it('TypeScript caller → Python callee: result, progressive results, sealed error', async () => {
      const py = peer(pySer);
      const proc = uniqueUri(`${base()}py_proc`);
      await answer(py, { op: 'register', procedure: proc }, ['registered']);
      const res = await ts.call(proc, ['x', BIN], { k: 'v' });
      expect(res.args).toEqual(['x', BIN]);
      expect(res.kwargs).toEqual({ k: 'v' });
      const results: CallResult[] = [];
      for await (const r of ts.callProgressive(proc, ['last'], { progress: 2 })) results.push(r);
      expect(results.map((r) => [r.args, r.progress])).toEqual([
        [[0], true],
        [[1], true],
        [['last'], false],
      ]);
      const err = await ts.call(proc, ['no'], { raise: ERR }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationError);
      expect((err as ApplicationError).uri).toBe(ERR);
    });

    it('Python caller → TypeScript callee: result, progressive results, sealed error', async () => {
      const py = peer(pySer);
      const proc = uniqueUri(`${base()}ts_proc`);
      await tsCallee.register(proc, (inv) => {
        if (inv.kwargs['fail'] === true) throw new ApplicationError(ERR, ['nope', BIN], { code: 7 });
        if (inv.receiveProgress) for (let i = 0; i < 2; i++) inv.progress([i]);
        return new Result([...inv.args, 'done'], { from: 'typescript' });
      });
      const res = await answer(py, { op: 'call', procedure: proc, args: ['y', BIN], kwargs: {}, carriage }, [
        'result',
        'error',
        'command_failed',
      ]);
      expect(res.event).toBe('result');
      expect(res['args']).toEqual(['y', BIN, 'done']);
      expect(res['kwargs']).toEqual({ from: 'typescript' });
      expect(res['carriage']).toBe(carriage);

      const t = py.send({ op: 'call', procedure: proc, args: ['p'], kwargs: {}, receive_progress: true, carriage });
      const final = await py.wait(
        'the progressive call',
        (l) => l['tag'] === t && ['result', 'error', 'command_failed'].includes(l.event),
      );
      expect(final.event).toBe('result');
      expect(final['args']).toEqual(['p', 'done']);
      expect(py.lines.filter((l) => l['tag'] === t && l.event === 'progress').map((l) => l['args'])).toEqual([
        [0],
        [1],
      ]);

      const err = await answer(py, { op: 'call', procedure: proc, args: [], kwargs: { fail: true }, carriage }, [
        'result',
        'error',
        'command_failed',
      ]);
      expect(err.event).toBe('error');
      expect(err['error']).toBe(ERR);
      expect(err['authenticated']).not.toBe(false);
      expect(err['args']).toEqual(['nope', BIN]);
    });
  },
);

describe('x_e2ev2 key service (key.get) between two Python peers', () => {
  const KS = `${IP}keys.`;
  const KEY_GET = `${KS}e2e.key.get`;
  const NOT_ENTITLED = 'wampbox.e2e.error.not_entitled';
  const NO_SUCH_KEY = 'wampbox.e2e.error.no_such_key';
  let service: PyPeer; // holds the keys, publishes under them, serves key.get
  let reader: PyPeer; // meets an unknown kid, fetches it
  let readerPk: Uint8Array;

  beforeAll(async () => {
    const [serviceSeed, readerSeed] = [random(32), random(32)];
    const [servicePair, readerPair] = await Promise.all([
      cryptosignKeyPair(serviceSeed),
      cryptosignKeyPair(readerSeed),
    ]);
    readerPk = readerPair.publicKey;
    const routes = [
      { prefix: KS, scheme: 'x_e2ev2', carriages: ['transparent', 'argument'] },
      { prefix: '', scheme: 'plaintext', carriages: [] },
    ];
    // the reader may call the service, but no one has granted it `read` yet
    [service, reader] = await Promise.all([
      startPyPeer('cbor', {
        seed: hex(serviceSeed),
        trust: [{ spk: hex(readerPk), prefix: KEY_GET, roles: ['call'] }],
        scope_keys: [{ prefix: KS, x25519_sk: hex(scope.secretKey) }],
        routes,
      }),
      startPyPeer('json', {
        seed: hex(readerSeed),
        trust: [{ spk: hex(servicePair.publicKey), prefix: KS, roles: ['publish', 'answer'] }],
        callee_scopes: [{ prefix: KS, x25519_pk: hex(scope.publicKey) }],
        routes,
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([service?.stop(), reader?.stop()]);
  }, 30_000);

  it('the decisions of the service and the reader pass their unit tests (test_keyservice.py, no router)', () => {
    const r = spawnSync(routerInfo().venvPython, ['-m', 'unittest', 'test_keyservice'], {
      cwd: path.dirname(PY_E2EV2_PEER),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: r.status, output: r.stderr.trim().split('\n').slice(-3) }).toEqual({
      status: 0,
      output: [expect.stringMatching(/^Ran \d+ tests/), '', 'OK'],
    });
  });

  it.each(['transparent', 'argument'] as const)(
    '%s carriage: a reader meets an unknown kid, is refused without a read grant, then fetches the key and opens the next event',
    async (carriage) => {
      const scopeOf = `${KS}${carriage}.`;
      const topic = uniqueUri(`${scopeOf}news`);
      const key = { key: hex(random(32)), scope: scopeOf };
      const serving = await answer(service, { op: 'serve_keys', procedure: KEY_GET, keys: [key] }, ['serving']);
      const kid = (serving['kids'] as string[])[0]!;
      await answer(reader, { op: 'subscribe', topic }, ['subscribed']);
      const publish = { op: 'publish', topic, group_key: key, acknowledge: true, carriage };
      const published = await answer(service, { ...publish, args: ['first'] }, ['published']);
      expect(published['kid']).toBe(kid);
      const unknown = await reader.wait('the refusal', (l) => l.event === 'refused' && l['uri'] === topic);
      expect(unknown).toEqual(expect.objectContaining({ error: 'unknown_key', kid }));

      const fetch = { op: 'fetch_key', procedure: KEY_GET, kid, uri: topic, carriage };
      const outcomes = ['key_fetched', 'key_fetch_failed', 'command_failed'];
      const refused = await answer(reader, fetch, outcomes);
      expect(refused).toEqual(expect.objectContaining({ event: 'key_fetch_failed', error: NOT_ENTITLED, kid }));
      const atService = await service.wait(
        'the refusal at the service',
        (l) => l.event === 'key_refused' && l['uri'] === topic,
      );
      expect(atService).toEqual(expect.objectContaining({ error: NOT_ENTITLED, reader: hex(readerPk), kid }));

      // grant `read` on the scope: the same request is now served; an unknown kid is not
      await answer(
        service,
        { op: 'serve_keys', procedure: KEY_GET, readers: [{ spk: hex(readerPk), prefix: scopeOf }] },
        ['serving'],
      );
      const missing = await answer(reader, { ...fetch, kid: '00'.repeat(16) }, outcomes);
      expect(missing).toEqual(expect.objectContaining({ event: 'key_fetch_failed', error: NO_SUCH_KEY }));
      const fetched = await answer(reader, fetch, outcomes);
      expect(fetched).toEqual(expect.objectContaining({ event: 'key_fetched', kid, scope: scopeOf, not_after: null }));
      expect(JSON.stringify(fetched)).not.toContain(key.key);
      const served = await service.wait('the key served', (l) => l.event === 'key_served' && l['uri'] === topic);
      expect(JSON.stringify(served)).not.toContain(key.key);

      await answer(service, { ...publish, args: ['second', BIN] }, ['published']);
      const ev = await reader.wait(
        'the event under the fetched key',
        (l) => l.event === 'event' && l['topic'] === topic,
      );
      expect(ev).toEqual(expect.objectContaining({ args: ['second', BIN], carriage }));
    },
  );
});
