/**
 * Live end-to-end encryption between wampbox's cryptobox codec and Autobahn|Python's cryptobox,
 * through Crossbar.io, with key pairs made for this run:
 *
 * - originator pair O (publishers, callers) and responder pair R (subscribers, callees) for the
 *   prefix PREFIX; a TypeScript publisher/caller holds { O secret, R public }, a TypeScript
 *   subscriber/callee holds { R secret, O public }, and each Python peer holds both secrets (it
 *   plays both roles in one session);
 * - pub/sub and RPC in both directions, with results, errors sealed under the prefix and
 *   progressive results, on json, msgpack and cbor, and across serializers;
 * - a session without keys never sees plaintext; strict mode refuses plaintext on keyed URIs;
 *   wrong keys are refused on both sides;
 * - a private router at log level "trace" shows that the plaintext never crosses it.
 *
 * Python peers run in driven mode (test/interop/python/peer.py), one long-lived peer per
 * key configuration, all started concurrently with the trace router.
 *
 * On Node the codec runs on sodium-native (the package's Node entry, where it is installed);
 * `WAMPBOX_SODIUM_BACKEND=wasm` runs the same tests on libsodium's WebAssembly build.
 */
import {
  ApplicationError,
  KeyRing,
  PayloadCodecError,
  Result,
  connect,
  cryptobox,
  generateKeyPair,
  json,
} from '@wampbox/wamp-client';
import type { CallResult, EventData, Invocation, KeyPair, Session } from '@wampbox/wamp-client';
import { sodiumBackend } from '@wampbox/cryptobox';
import { closeAll, open, routes, sleep, uniqueUri, waitFor } from './helpers';
import type { Route } from './helpers';
import { startPeer, stopAllPeers } from './python-peer';
import type { Peer } from './python-peer';
import { routerInfo, startPrivateRouter } from './router';
import type { PrivateRouter } from './router';

type Ser = 'json' | 'msgpack' | 'cbor';
const SERIALIZERS: Ser[] = ['json', 'msgpack', 'cbor'];

const wsRoute = (s: Ser): Route => {
  const r = routes().find((x) => x.name === `websocket/${s}`);
  if (!r) throw new Error(`the router offers no websocket/${s} route`);
  return r;
};

/** Every keyed URI of this file lives under this prefix (error URIs too, so errors are sealed). */
const PREFIX = `com.test.e2e.${process.pid}.${Date.now().toString(36)}.`;
const ERR_PY = `${PREFIX}error.from_python`;
const ERR_TS = `${PREFIX}error.from_typescript`;
const BIN_A = new Uint8Array([0, 1, 2, 3, 250, 255]);
const BIN_B = new Uint8Array([9, 8, 0, 7]);

let O: KeyPair; // originator pair
let R: KeyPair; // responder pair
let X: KeyPair; // a pair nobody else knows (wrong keys)

/** TypeScript sessions per serializer: originator (publisher/caller), responder (subscriber/callee), no keys. */
const tsOrig = new Map<Ser, Session>();
const tsResp = new Map<Ser, Session>();
const tsNoKey = new Map<Ser, Session>();
/** Python peers: keyed per serializer, plus one without keys and one with a wrong originator key. */
const pyKeyed = new Map<Ser, Peer>();
let pyNoKey: Peer;
let pyWrongKey: Peer;

let traceRouter: Promise<PrivateRouter> | undefined;

const originatorRing = (): KeyRing =>
  new KeyRing().setKey(PREFIX, { originatorPriv: O.secretKeyBase64, responderPub: R.publicKeyBase64 });
const responderRing = (): KeyRing =>
  new KeyRing().setKey(PREFIX, { responderPriv: R.secretKeyBase64, originatorPub: O.publicKeyBase64 });

/** Collect what a session reports on its 'error' event while `fn` runs (and `settleMs` after). */
async function collectErrors(
  session: Session,
  fn: () => Promise<void>,
  until: (errs: Error[]) => boolean,
  what: string,
): Promise<Error[]> {
  const errs: Error[] = [];
  const onError = (e: Error): void => void errs.push(e);
  session.on('error', onError);
  try {
    await fn();
    await waitFor(() => until(errs), 5000, what);
    await sleep(50);
  } finally {
    session.off('error', onError);
  }
  return errs;
}

beforeAll(async () => {
  // the trace router starts in the background (about 15 s) while the other tests run
  traceRouter = startPrivateRouter({ loglevel: 'trace' });
  traceRouter.catch(() => undefined);

  [O, R, X] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
  const { wsUrl, realm } = routerInfo();
  const base = ['driven', '--url', wsUrl, '--realm', realm];
  const keyed = ['--key-prefix', PREFIX, '--originator-priv', O.secretKeyBase64, '--responder-priv', R.secretKeyBase64];
  const started = await Promise.allSettled([
    ...SERIALIZERS.map((s) => startPeer([...base, '--serializer', s, ...keyed], { name: `keyed/${s}` })),
    startPeer([...base, '--serializer', 'json'], { name: 'no keys/json' }),
    // a publisher/caller whose originator key pair is not the one the other side trusts
    startPeer(
      [
        ...base,
        '--serializer',
        'msgpack',
        '--key-prefix',
        PREFIX,
        '--originator-priv',
        X.secretKeyBase64,
        '--responder-pub',
        R.publicKeyBase64,
      ],
      {
        name: 'wrong key/msgpack',
      },
    ),
  ]);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAllPeers();
    throw failed.reason;
  }
  const value = (i: number): Peer => (started[i] as PromiseFulfilledResult<Peer>).value;
  SERIALIZERS.forEach((s, i) => pyKeyed.set(s, value(i)));
  pyNoKey = value(3);
  pyWrongKey = value(4);

  for (const s of SERIALIZERS) {
    const [o, r, n] = await Promise.all([
      open(wsRoute(s), { codec: cryptobox(originatorRing()) }),
      open(wsRoute(s), { codec: cryptobox(responderRing()) }),
      open(wsRoute(s)),
    ]);
    tsOrig.set(s, o);
    tsResp.set(s, r);
    tsNoKey.set(s, n);
  }
}, 90_000);

afterAll(async () => {
  await stopAllPeers();
  await closeAll();
  const router = await traceRouter?.catch(() => undefined);
  await router?.stop();
}, 60_000);

/** TypeScript publishes sealed; a Python subscriber opens it; a TypeScript session without keys gets nothing. */
async function tsPublishesToPython(pubSer: Ser, subSer: Ser): Promise<void> {
  const topic = uniqueUri(`${PREFIX}ts2py`);
  const py = pyKeyed.get(subSer)!;
  const noKey = tsNoKey.get(pubSer)!;
  await py.request({ op: 'subscribe', topic });
  const delivered: EventData[] = [];
  await noKey.subscribe(topic, (ev) => void delivered.push(ev));
  const marker = `secret-${Math.random().toString(36).slice(2)}`;
  const errs = await collectErrors(
    noKey,
    async () => {
      await tsOrig
        .get(pubSer)!
        .publish(topic, [marker, BIN_A, { nested: BIN_A }], { bin: BIN_B, n: 1.5 }, { acknowledge: true });
      const ev = await py.next((l) => l.event === 'event' && l['topic'] === topic);
      expect(ev['enc_algo']).toBe('cryptobox');
      expect(ev['args']).toEqual([marker, BIN_A, { nested: BIN_A }]);
      expect(ev['kwargs']).toEqual({ bin: BIN_B, n: 1.5 });
    },
    (e) => e.length >= 1,
    'the keyless session to report the sealed event',
  );
  expect(delivered).toEqual([]);
  expect(errs).toHaveLength(1);
  expect(errs[0]).toBeInstanceOf(PayloadCodecError);
  expect((errs[0] as PayloadCodecError).code).toBe('ERR_PAYLOAD_UNSUPPORTED');
  expect(errs[0]!.message).not.toContain(marker);
}

/** Python publishes sealed; a TypeScript subscriber opens it. */
async function pythonPublishesToTs(pubSer: Ser, subSer: Ser): Promise<void> {
  const topic = uniqueUri(`${PREFIX}py2ts`);
  const got: EventData[] = [];
  await tsResp.get(subSer)!.subscribe(topic, (ev) => void got.push(ev));
  const published = await pyKeyed.get(pubSer)!.request({
    op: 'publish',
    topic,
    args: ['from python', BIN_A],
    kwargs: { bin: BIN_B, list: [BIN_A] },
    acknowledge: true,
  });
  expect(published.event).toBe('published');
  await waitFor(() => got.length === 1, 5000, 'the sealed event from Python');
  expect(got[0]!.args).toEqual(['from python', BIN_A]);
  expect(got[0]!.kwargs).toEqual({ bin: BIN_B, list: [BIN_A] });
  expect(got[0]!.args[1]).toBeInstanceOf(Uint8Array);
  expect(got[0]!.details['enc_algo']).toBe('cryptobox');
  expect(got[0]!.publication).toBe(published['publication']);
}

/** TypeScript calls a Python callee: sealed result, sealed error, sealed progressive results. */
async function tsCallsPython(callerSer: Ser, calleeSer: Ser): Promise<void> {
  const py = pyKeyed.get(calleeSer)!;
  const caller = tsOrig.get(callerSer)!;
  const proc = uniqueUri(`${PREFIX}ts2py.proc`);
  await py.request({ op: 'register', procedure: proc });

  const res = await caller.call(proc, ['x', BIN_A, { b: BIN_A }], { bin: BIN_B, k: 'v' });
  expect(res.args).toEqual(['x', BIN_A, { b: BIN_A }]);
  expect(res.kwargs).toEqual({ bin: BIN_B, k: 'v' });
  expect(res.details['enc_algo']).toBe('cryptobox');
  const inv = await py.next((l) => l.event === 'invocation' && l['procedure'] === proc);
  expect(inv['enc_algo']).toBe('cryptobox');
  expect(inv['args']).toEqual(['x', BIN_A, { b: BIN_A }]);

  const err = await caller.call(proc, ['refused', BIN_A], { raise: ERR_PY, why: { bin: BIN_B } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationError);
  const ae = err as ApplicationError;
  expect(ae.uri).toBe(ERR_PY);
  expect(ae.args).toEqual(['refused', BIN_A]);
  expect(ae.kwargs).toEqual({ raise: ERR_PY, why: { bin: BIN_B } });
  expect(ae.details['enc_algo']).toBe('cryptobox');

  const results: CallResult[] = [];
  for await (const r of caller.callProgressive(proc, ['last', BIN_A], { progress: 3 })) results.push(r);
  expect(results.map((r) => [r.args, r.progress])).toEqual([
    [[0], true],
    [[1], true],
    [[2], true],
    [['last', BIN_A], false],
  ]);
  for (const r of results) expect(r.details['enc_algo']).toBe('cryptobox');
}

/** Python calls a TypeScript callee: sealed result, sealed error, sealed progressive results. */
async function pythonCallsTs(callerSer: Ser, calleeSer: Ser): Promise<void> {
  const py = pyKeyed.get(callerSer)!;
  const callee = tsResp.get(calleeSer)!;
  const proc = uniqueUri(`${PREFIX}py2ts.proc`);
  const seen: Invocation[] = [];
  await callee.register(proc, (inv) => {
    seen.push(inv);
    if (inv.kwargs['fail'] === true) throw new ApplicationError(ERR_TS, ['nope', BIN_B], { code: 7, bin: BIN_A });
    if (inv.receiveProgress) for (let i = 0; i < 3; i++) inv.progress([i, BIN_B], { step: i });
    return new Result([...inv.args, BIN_B], { ...inv.kwargs, from: 'typescript' });
  });

  const res = await py.request({ op: 'call', procedure: proc, args: ['y', BIN_A], kwargs: { bin: BIN_A } });
  expect(res.event).toBe('result');
  expect(res['enc_algo']).toBe('cryptobox');
  expect(res['args']).toEqual(['y', BIN_A, BIN_B]);
  expect(res['kwargs']).toEqual({ bin: BIN_A, from: 'typescript' });
  expect(seen[0]!.args).toEqual(['y', BIN_A]);
  expect(seen[0]!.details['enc_algo']).toBe('cryptobox');

  const err = await py.request({ op: 'call', procedure: proc, args: [], kwargs: { fail: true } });
  expect(err.event).toBe('error');
  expect(err['error']).toBe(ERR_TS);
  expect(err['enc_algo']).toBe('cryptobox');
  expect(err['args']).toEqual(['nope', BIN_B]);
  expect(err['kwargs']).toEqual({ code: 7, bin: BIN_A });

  const tag = py.command({ op: 'call', procedure: proc, args: ['p'], receive_progress: true });
  const final = await py.next((l) => l['tag'] === tag && (l.event === 'result' || l.event === 'error'));
  expect(final.event).toBe('result');
  expect(final['enc_algo']).toBe('cryptobox');
  expect(final['args']).toEqual(['p', BIN_B]);
  const progress = py.tagged(tag).filter((l) => l.event === 'progress');
  expect(progress.map((l) => [l['args'], l['kwargs'], l['enc_algo']])).toEqual(
    [0, 1, 2].map((i) => [[i, BIN_B], { step: i }, 'cryptobox']),
  );
}

describe.each(SERIALIZERS)('cryptobox interop with Autobahn|Python on %s', (s) => {
  it('TypeScript publisher → Python subscriber; a session without keys gets ERR_PAYLOAD_UNSUPPORTED', () =>
    tsPublishesToPython(s, s));
  it('Python publisher → TypeScript subscriber', () => pythonPublishesToTs(s, s));
  it('TypeScript caller → Python callee: result, sealed error, progressive results', () => tsCallsPython(s, s));
  it('Python caller → TypeScript callee: result, sealed error, progressive results', () => pythonCallsTs(s, s));
});

describe('the libsodium binding under these tests', () => {
  it('is sodium-native on Node, unless WAMPBOX_SODIUM_BACKEND=wasm asks for WebAssembly', async () => {
    const info = await sodiumBackend();
    expect(info.binding).toBe(process.env['WAMPBOX_SODIUM_BACKEND'] === 'wasm' ? 'wasm' : 'native');
  });
});

describe('cryptobox interop across serializers', () => {
  it('TypeScript publisher on json → Python subscriber on cbor', () => tsPublishesToPython('json', 'cbor'));
  it('Python publisher on json → TypeScript subscriber on cbor', () => pythonPublishesToTs('json', 'cbor'));
  it('Python caller on cbor → TypeScript callee on msgpack', () => pythonCallsTs('cbor', 'msgpack'));
  it('TypeScript caller on cbor → Python callee on msgpack', () => tsCallsPython('cbor', 'msgpack'));
});

describe('cryptobox interop: pattern URIs, empty payloads and unkeyed error URIs', () => {
  it('prefix subscriptions open events with the concrete topic, in both directions', async () => {
    const base = uniqueUri(`${PREFIX}pattern.topic`);
    const py = pyKeyed.get('msgpack')!;
    await py.request({ op: 'subscribe', topic: `${base}.py`, match: 'prefix' });
    await tsOrig.get('msgpack')!.publish(`${base}.py.deeper`, ['to python'], {}, { acknowledge: true });
    const ev = await py.next((l) => l.event === 'event' && l['topic'] === `${base}.py.deeper`);
    expect(ev['enc_algo']).toBe('cryptobox');
    expect(ev['args']).toEqual(['to python']);

    const got: EventData[] = [];
    await tsResp.get('msgpack')!.subscribe(`${base}.ts`, (e) => void got.push(e), { match: 'prefix' });
    await py.request({ op: 'publish', topic: `${base}.ts.deeper`, args: ['to typescript'], acknowledge: true });
    await waitFor(() => got.length === 1, 5000, 'the event on the prefix subscription');
    expect(got[0]!.topic).toBe(`${base}.ts.deeper`);
    expect(got[0]!.args).toEqual(['to typescript']);
    expect(got[0]!.details['enc_algo']).toBe('cryptobox');
  });

  it('prefix registrations open calls with the concrete procedure, in both directions', async () => {
    const base = uniqueUri(`${PREFIX}pattern.proc`);
    const py = pyKeyed.get('cbor')!;
    await py.request({ op: 'register', procedure: `${base}.py`, match: 'prefix' });
    const res = await tsOrig.get('cbor')!.call(`${base}.py.echo`, ['to python']);
    expect(res.args).toEqual(['to python']);
    expect(res.details['enc_algo']).toBe('cryptobox');

    await tsResp
      .get('cbor')!
      .register(`${base}.ts`, (inv) => new Result([inv.procedure, ...inv.args]), { match: 'prefix' });
    const r = await py.request({ op: 'call', procedure: `${base}.ts.echo`, args: ['to typescript'] });
    expect(r.event).toBe('result');
    expect(r['enc_algo']).toBe('cryptobox');
    expect(r['args']).toEqual([`${base}.ts.echo`, 'to typescript']);
  });

  it('empty payloads and single return values', async () => {
    const py = pyKeyed.get('json')!;
    // TypeScript publishes nothing but the topic; Python sees empty args and kwargs
    const topic = uniqueUri(`${PREFIX}empty`);
    await py.request({ op: 'subscribe', topic });
    await tsOrig.get('json')!.publish(topic, undefined, undefined, { acknowledge: true });
    const ev = await py.next((l) => l.event === 'event' && l['topic'] === topic);
    expect(ev['enc_algo']).toBe('cryptobox');
    expect(ev['args']).toEqual([]);
    expect(ev['kwargs']).toEqual({});

    // TypeScript callees returning a single value and nothing
    const single = uniqueUri(`${PREFIX}single`);
    const none = uniqueUri(`${PREFIX}none`);
    const seen: Invocation[] = [];
    await tsResp.get('json')!.register(single, (inv) => {
      seen.push(inv);
      return { answer: BIN_A };
    });
    await tsResp.get('json')!.register(none, () => undefined);
    const [a, b] = await Promise.all([
      py.request({ op: 'call', procedure: single }),
      py.request({ op: 'call', procedure: none }),
    ]);
    expect(seen[0]!.args).toEqual([]);
    expect(seen[0]!.kwargs).toEqual({});
    expect([a.event, a['enc_algo'], a['args'], a['kwargs']]).toEqual(['result', 'cryptobox', [{ answer: BIN_A }], {}]);
    expect([b.event, b['enc_algo'], b['args'], b['kwargs']]).toEqual(['result', 'cryptobox', [], {}]);

    // a Python callee answering an empty call
    const proc = uniqueUri(`${PREFIX}pyempty`);
    await py.request({ op: 'register', procedure: proc });
    const res = await tsOrig.get('json')!.call(proc);
    expect(res.args).toEqual([]);
    expect(res.kwargs).toEqual({});
    expect(res.details['enc_algo']).toBe('cryptobox');
  });

  it('errors on URIs outside the keyed prefix travel in plaintext, in both directions', async () => {
    const py = pyKeyed.get('json')!;
    const plainErr = 'com.test.e2e.unkeyed.error';
    const proc = uniqueUri(`${PREFIX}plainerr.py`);
    await py.request({ op: 'register', procedure: proc });
    const err = await tsOrig
      .get('json')!
      .call(proc, ['visible'], { raise: plainErr })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ApplicationError);
    expect((err as ApplicationError).uri).toBe(plainErr);
    expect((err as ApplicationError).args).toEqual(['visible']);
    expect((err as ApplicationError).details['enc_algo']).toBeUndefined();

    const tsProc = uniqueUri(`${PREFIX}plainerr.ts`);
    await tsResp.get('json')!.register(tsProc, (inv) => {
      if (inv.kwargs['runtime'] === true) throw new Error('boom');
      throw new ApplicationError(plainErr, ['visible too']);
    });
    const [app, runtime] = await Promise.all([
      py.request({ op: 'call', procedure: tsProc }),
      py.request({ op: 'call', procedure: tsProc, kwargs: { runtime: true } }),
    ]);
    expect([app.event, app['error'], app['enc_algo'], app['args']]).toEqual(['error', plainErr, null, ['visible too']]);
    expect([runtime.event, runtime['error'], runtime['enc_algo'], runtime['args']]).toEqual([
      'error',
      'wamp.error.runtime_error',
      null,
      ['boom'],
    ]);
  });
});

describe('refusals', () => {
  /** A sealed event from the keyed Python peer still gets through (the subscription works). */
  async function expectDeliveredFromKeyedPeer(topic: string, got: EventData[]): Promise<void> {
    await pyKeyed.get('json')!.request({ op: 'publish', topic, args: ['legit'], acknowledge: true });
    await waitFor(() => got.length === 1, 5000, 'the legitimate sealed event');
    expect(got[0]!.args).toEqual(['legit']);
  }

  it('strict mode: plaintext from a Python publisher without keys is refused on a keyed topic', async () => {
    const sub = tsResp.get('json')!;
    const topic = uniqueUri(`${PREFIX}strict`);
    const got: EventData[] = [];
    await sub.subscribe(topic, (ev) => void got.push(ev));
    const errs = await collectErrors(
      sub,
      async () => {
        const p = await pyNoKey.request({
          op: 'publish',
          topic,
          args: ['forged', 'plaintext'],
          kwargs: { amount: 1e6 },
          acknowledge: true,
        });
        expect(p.event).toBe('published');
      },
      (e) => e.length >= 1,
      'the plaintext refusal',
    );
    expect(got).toEqual([]);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toBeInstanceOf(PayloadCodecError);
    expect((errs[0] as PayloadCodecError).code).toBe('ERR_PAYLOAD_PLAINTEXT_REFUSED');
    await expectDeliveredFromKeyedPeer(topic, got);
  });

  it('a Python publisher with another key pair is refused with ERR_PAYLOAD_DECRYPT', async () => {
    const sub = tsResp.get('cbor')!;
    const topic = uniqueUri(`${PREFIX}wrongkey`);
    const got: EventData[] = [];
    await sub.subscribe(topic, (ev) => void got.push(ev));
    const errs = await collectErrors(
      sub,
      async () => {
        const p = await pyWrongKey.request({
          op: 'publish',
          topic,
          args: ['sealed with the wrong key'],
          acknowledge: true,
        });
        expect(p.event).toBe('published');
      },
      (e) => e.length >= 1,
      'the decrypt refusal',
    );
    expect(got).toEqual([]);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toBeInstanceOf(PayloadCodecError);
    expect((errs[0] as PayloadCodecError).code).toBe('ERR_PAYLOAD_DECRYPT');
    await expectDeliveredFromKeyedPeer(topic, got);
  });

  it('a TypeScript caller with a wrong key gets wamp.error.encryption.decrypt_error from the Python callee', async () => {
    const py = pyKeyed.get('msgpack')!;
    const proc = uniqueUri(`${PREFIX}wrongcaller`);
    await py.request({ op: 'register', procedure: proc });
    const wrong = await open(wsRoute('msgpack'), {
      codec: cryptobox(
        new KeyRing().setKey(PREFIX, { originatorPriv: X.secretKeyBase64, responderPub: R.publicKeyBase64 }),
      ),
    });
    const err = await wrong.call(proc, ['never read']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationError);
    expect((err as ApplicationError).uri).toBe('wamp.error.encryption.decrypt_error');
    // the callee's handler never ran; the right key still works
    const ok = await tsOrig.get('msgpack')!.call(proc, ['read']);
    expect(ok.args).toEqual(['read']);
    const invocations = py.lines.filter((l) => l.event === 'invocation' && l['procedure'] === proc);
    expect(invocations.map((l) => l['args'])).toEqual([['read']]);
  });
});

interface WampLogEntry {
  direction: 'Receive' | 'Transmit';
  /** PUBLISH, EVENT, CALL, ... */
  type: string;
  text: string;
}

/**
 * The WAMP messages in a trace-level Crossbar log. Each is logged as a block:
 * `WAMP-Receive(session, authid) <<` / `WAMP-Transmit(...) >>`, then `  TYPE::` and the message
 * as a Python literal, then a line holding `<<` / `>>`.
 */
function wampMessages(log: string): WampLogEntry[] {
  const out: WampLogEntry[] = [];
  const block = /WAMP-(Receive|Transmit)\([^)]*\) (<<|>>)\n\s*([A-Z_]+)::\n([\s\S]*?)\n\2(?:\n|$)/g;
  for (const m of log.matchAll(block))
    out.push({ direction: m[1] as WampLogEntry['direction'], type: m[3]!, text: m[4]! });
  return out;
}

describe('the plaintext never crosses the router', () => {
  let router: PrivateRouter;
  const sessions: Session[] = [];
  const join = async (ring?: KeyRing): Promise<Session> => {
    const s = await connect({
      url: router.wsUrl,
      realm: router.realm,
      serializers: [json()],
      ...(ring ? { codec: cryptobox(ring) } : {}),
    });
    sessions.push(s);
    return s;
  };
  beforeAll(async () => {
    router = await traceRouter!;
  }, 120_000);
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
  });

  it('a trace-level router log shows the sealed messages but never their plaintext', async () => {
    const pub = await join(originatorRing());
    const sub = await join(responderRing());
    const callee = await join(responderRing());
    const caller = await join(originatorRing());
    const secret = `SECRET-MARKER-${Math.random().toString(36).slice(2)}`;
    const visible = `VISIBLE-MARKER-${Math.random().toString(36).slice(2)}`;
    const topic = uniqueUri(`${PREFIX}trace.topic`);
    const proc = uniqueUri(`${PREFIX}trace.proc`);
    const plainTopic = uniqueUri('com.test.trace.plain');

    const events: EventData[] = [];
    await sub.subscribe(topic, (ev) => void events.push(ev));
    await sub.subscribe(plainTopic, (ev) => void events.push(ev));
    await callee.register(proc, (inv) => new Result([`${String(inv.args[0])}/${secret}`], { echo: inv.kwargs['s'] }));

    await pub.publish(topic, [secret], { s: secret }, { acknowledge: true });
    const res = await caller.call(proc, [secret], { s: secret });
    await pub.publish(plainTopic, [visible], { s: visible }, { acknowledge: true });
    await waitFor(() => events.length === 2, 5000, 'both events');

    // the key holders read everything
    expect(events[0]!.args).toEqual([secret]);
    expect(events[0]!.kwargs).toEqual({ s: secret });
    expect(res.args).toEqual([`${secret}/${secret}`]);
    expect(res.kwargs).toEqual({ echo: secret });
    expect(events[1]!.args).toEqual([visible]);

    // Crossbar writes its log asynchronously: wait for the last message to show up
    await waitFor(
      () => wampMessages(router.readLog()).some((m) => m.type === 'EVENT' && m.text.includes(visible)),
      10_000,
      'the plaintext EVENT in the router log',
    );
    const log = router.readLog();
    const messages = wampMessages(log);
    const sealed = (type: string): WampLogEntry[] =>
      messages.filter((m) => m.type === type && m.text.includes("'enc_algo': 'cryptobox'"));

    // the control: a plaintext payload does appear in the log, in the PUBLISH and in the EVENT
    expect(messages.some((m) => m.type === 'PUBLISH' && m.text.includes(plainTopic) && m.text.includes(visible))).toBe(
      true,
    );
    expect(messages.some((m) => m.type === 'EVENT' && m.text.includes(visible))).toBe(true);
    // every sealed message crossed the router and was logged, with its URI, enc_algo and a binary payload
    expect(sealed('PUBLISH').filter((m) => m.text.includes(topic))).toHaveLength(1);
    expect(sealed('CALL').filter((m) => m.text.includes(proc))).toHaveLength(1);
    for (const type of ['PUBLISH', 'EVENT', 'CALL', 'INVOCATION', 'YIELD', 'RESULT']) {
      expect({ type, sealed: sealed(type).length }).toEqual({ type, sealed: 1 });
      expect(sealed(type)[0]!.text).toMatch(/\bb['"]/); // the payload is logged as Python bytes
    }
    // ... but their plaintext never did, anywhere in the log
    for (const m of messages) expect(m.text).not.toContain(secret);
    expect(log).not.toContain(secret);
  }, 60_000);
});
