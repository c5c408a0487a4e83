/**
 * Live `x_e2ev2` (preview) between TypeScript sessions through Crossbar.io, on JSON and CBOR, in
 * transparent and argument carriage:
 *
 * - PUBLISH/EVENT from a writer (publish right, current group key) to a reader (group key only);
 * - CALL/RESULT with progressive results and a sealed application ERROR, from a caller holding the
 *   callee scope's public key to a callee holding its key pair;
 * - a second subscriber holding the group key but no publish right forges an event: the reader
 *   refuses it (`sender`, reported on the session's `error` event) and never delivers it;
 * - in argument carriage, a session without keys copies a sealed event and publishes it again: the
 *   reader refuses the copy (`replay`);
 * - through two linked routers (a Crossbar router link), argument carriage: events and calls cross
 *   the link end to end, both ways; an application error, which the link turns into a RESULT
 *   `[null]`, is refused by the caller as a downgrade instead of being delivered.
 *
 * Interop with the independent Python implementation is in e2ev2-interop.test.ts.
 */
import {
  ApplicationError,
  Result,
  cbor,
  connect,
  cryptosignKeyPair,
  generateKeyPair,
  json,
} from '@wampbox/wamp-client';
import type { CallResult, CryptosignKeyPair, EventData, KeyPair, PayloadCodec, Session } from '@wampbox/wamp-client';
import { e2eV2 } from '@wampbox/cryptobox/e2ev2';
import { closeAll, open, routes, sleep, uniqueUri, waitFor } from './helpers';
import type { Route } from './helpers';
import { startLinkedRouters } from './router';
import type { LinkedRouters } from './router';

type Ser = 'json' | 'cbor';
type Carriage = 'transparent' | 'argument';

const PREFIX = `com.test.e2ev2.${process.pid}.${Date.now().toString(36)}.`;
const ERR = `${PREFIX}error.refused`;
const BIN = new Uint8Array([0, 1, 2, 250, 255]);

const random = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

let writer: CryptosignKeyPair;
let reader: CryptosignKeyPair;
let forger: CryptosignKeyPair;
let scope: KeyPair;
let groupKey: Uint8Array;

const wsRoute = (s: Ser): Route => {
  const r = routes().find((x) => x.name === `websocket/${s}`);
  if (!r) throw new Error(`the router offers no websocket/${s} route`);
  return r;
};

/** Publisher and caller: the current group key, the scope's public key; trusts the callee's answers. */
function writerCodec(carriage: Carriage): PayloadCodec {
  return e2eV2({
    identity: { publicKey: writer.publicKey, secretKey: writer.secretKey },
    trust: [{ spk: reader.publicKey, prefix: PREFIX, roles: ['answer'] }],
    groupKeys: [{ scope: PREFIX, key: groupKey, current: true }],
    calleeScopes: [{ prefix: PREFIX, publicKey: scope.publicKey }],
    routes: [{ prefix: PREFIX, carriage }],
  });
}

/** Subscriber and callee: the group key (to read), the scope's key pair; trusts the writer only. */
function readerCodec(carriage: Carriage): PayloadCodec {
  return e2eV2({
    identity: { publicKey: reader.publicKey, secretKey: reader.secretKey },
    trust: [{ spk: writer.publicKey, prefix: PREFIX, roles: ['publish', 'call'] }],
    groupKeys: [{ scope: PREFIX, key: groupKey }],
    calleeScopes: [{ prefix: PREFIX, secretKey: scope.secretKey }],
    routes: [{ prefix: PREFIX, carriage }],
  });
}

/** A reader that also holds the group key, and marks it as its own to publish with: no right to. */
function forgerCodec(carriage: Carriage): PayloadCodec {
  return e2eV2({
    identity: { publicKey: forger.publicKey, secretKey: forger.secretKey },
    trust: [{ spk: writer.publicKey, prefix: PREFIX, roles: ['publish'] }],
    groupKeys: [{ scope: PREFIX, key: groupKey, current: true }],
    routes: [{ prefix: PREFIX, carriage }],
  });
}

beforeAll(async () => {
  [writer, reader, forger, scope] = await Promise.all([
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    generateKeyPair(),
  ]);
  groupKey = random(32);
});

afterAll(closeAll);

describe.each([
  ['json', 'transparent'],
  ['json', 'argument'],
  ['cbor', 'transparent'],
  ['cbor', 'argument'],
] as const)('x_e2ev2 live over %s, %s carriage', (ser: Ser, carriage: Carriage) => {
  let pub: Session;
  let sub: Session;
  let bad: Session;

  beforeAll(async () => {
    [pub, sub, bad] = await Promise.all([
      open(wsRoute(ser), { codec: writerCodec(carriage) }),
      open(wsRoute(ser), { codec: readerCodec(carriage) }),
      open(wsRoute(ser), { codec: forgerCodec(carriage) }),
    ]);
  });

  it('PUBLISH → EVENT', async () => {
    const topic = uniqueUri(`${PREFIX}topic`);
    const got: EventData[] = [];
    await sub.subscribe(topic, (ev) => void got.push(ev));
    await pub.publish(topic, ['hello', BIN, { n: 1 }], { bin: BIN, k: 'v' }, { acknowledge: true });
    await waitFor(() => got.length === 1, 5000, 'the event');
    expect(got[0]!.args).toEqual(['hello', BIN, { n: 1 }]);
    expect(got[0]!.kwargs).toEqual({ bin: BIN, k: 'v' });
    if (carriage === 'transparent') expect(got[0]!.details['enc_algo']).toBe('x_e2ev2');
  });

  it('CALL → RESULT, progressive results and a sealed application ERROR', async () => {
    const proc = uniqueUri(`${PREFIX}proc`);
    await sub.register(proc, (inv) => {
      if (inv.kwargs['fail'] === true) throw new ApplicationError(ERR, ['nope', BIN], { code: 7 });
      if (inv.receiveProgress) for (let i = 0; i < 3; i++) inv.progress([i, BIN], { step: i });
      return new Result([...inv.args, 'done'], { echoed: inv.kwargs });
    });

    const res = await pub.call(proc, ['x', BIN], { k: 'v' });
    expect(res.args).toEqual(['x', BIN, 'done']);
    expect(res.kwargs).toEqual({ echoed: { k: 'v' } });
    // a second call of the same session (confirmed by the first answer: no wrap)
    expect((await pub.call(proc, [2])).args).toEqual([2, 'done']);

    const err = await pub.call(proc, [], { fail: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationError);
    expect((err as ApplicationError).uri).toBe(ERR);
    expect((err as ApplicationError).args).toEqual(['nope', BIN]);
    expect((err as ApplicationError).kwargs).toEqual({ code: 7 });

    const results: CallResult[] = [];
    for await (const r of pub.callProgressive(proc, ['last'], {})) results.push(r);
    expect(results.map((r) => [r.args, r.progress])).toEqual([
      [[0, BIN], true],
      [[1, BIN], true],
      [[2, BIN], true],
      [['last', 'done'], false],
    ]);
  });

  it('a subscriber with the group key but no publish right forges an event: refused (sender), never delivered', async () => {
    const topic = uniqueUri(`${PREFIX}forged`);
    const got: EventData[] = [];
    const errors: Error[] = [];
    const onError = (e: Error): void => void errors.push(e);
    sub.on('error', onError);
    try {
      await sub.subscribe(topic, (ev) => void got.push(ev));
      await bad.publish(topic, ['sell everything'], {}, { acknowledge: true });
      await waitFor(() => errors.length > 0, 5000, 'the refusal');
      await pub.publish(topic, ['genuine'], {}, { acknowledge: true });
      await waitFor(() => got.length === 1, 5000, 'the genuine event');
      await sleep(50);
    } finally {
      sub.off('error', onError);
    }
    expect(got.map((e) => e.args)).toEqual([['genuine']]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual(expect.objectContaining({ name: 'E2eV2Error', reason: 'sender' }));
  });

  // argument carriage is an ordinary message: anyone on the topic can copy its one binary argument
  if (carriage === 'argument')
    it('a sealed event captured and published again by a session without keys is refused (replay)', async () => {
      const eavesdropper = await open(wsRoute(ser));
      const topic = uniqueUri(`${PREFIX}replayed`);
      const got: EventData[] = [];
      const copies: EventData[] = [];
      const errors: Error[] = [];
      const onError = (e: Error): void => void errors.push(e);
      sub.on('error', onError);
      try {
        await sub.subscribe(topic, (ev) => void got.push(ev));
        await eavesdropper.subscribe(topic, (ev) => void copies.push(ev));
        await pub.publish(topic, ['once'], {}, { acknowledge: true });
        await waitFor(() => got.length === 1 && copies.length === 1, 5000, 'the event and its copy');
        expect(copies[0]!.args).toHaveLength(1);
        expect(copies[0]!.args[0]).toBeInstanceOf(Uint8Array);
        await eavesdropper.publish(topic, copies[0]!.args, {}, { acknowledge: true });
        await waitFor(() => errors.length > 0, 5000, 'the refusal');
        await sleep(50);
      } finally {
        sub.off('error', onError);
      }
      expect(got.map((e) => e.args)).toEqual([['once']]);
      expect(errors[0]).toEqual(expect.objectContaining({ name: 'E2eV2Error', reason: 'replay' }));
    });
});

describe('x_e2ev2 across two linked routers (argument carriage)', () => {
  type Node = 'a' | 'b';
  let pair: LinkedRouters | undefined;
  const joined: Session[] = [];
  const meta = new Map<Node, Session>();

  const linked = (): LinkedRouters => {
    if (!pair) throw new Error('the linked routers did not start (see the error of beforeAll)');
    return pair;
  };
  async function join(node: Node, ser: Ser, codec?: PayloadCodec): Promise<Session> {
    const r = linked()[node];
    const serializer = ser === 'json' ? json() : cbor();
    const s = await connect({ url: r.wsUrl, realm: r.realm, serializers: [serializer], ...(codec ? { codec } : {}) });
    joined.push(s);
    return s;
  }
  /** Poll a meta procedure on `node` until the link has forwarded `target` there. */
  async function forwarded(node: Node, procedure: string, target: string): Promise<void> {
    const until = Date.now() + 10_000;
    while ((await meta.get(node)!.call(procedure, [target])).args[0] == null) {
      if (Date.now() > until) throw new Error(`timed out waiting for the link to forward ${target}`);
      await sleep(20);
    }
  }

  beforeAll(async () => {
    pair = await startLinkedRouters();
    for (const node of ['a', 'b'] as const) meta.set(node, await join(node, 'json'));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(joined.splice(0).map((s) => s.close()));
    await pair?.stop();
  }, 120_000);

  describe.each(['json', 'cbor'] as const)('on %s', (ser) => {
    it.each([
      ['a', 'b'],
      ['b', 'a'],
    ] as const)('an event published on node %s opens at a subscriber on node %s', async (far, near) => {
      const sub = await join(near, ser, readerCodec('argument'));
      const pub = await join(far, ser, writerCodec('argument'));
      const topic = uniqueUri(`${PREFIX}linked.topic`);
      const got: EventData[] = [];
      await sub.subscribe(topic, (ev) => void got.push(ev));
      await forwarded(far, 'wamp.subscription.lookup', topic);
      await pub.publish(topic, ['across', BIN], { k: 'v' }, { acknowledge: true });
      await waitFor(() => got.length === 1, 5000, 'the event across the link');
      expect(got[0]!.args).toEqual(['across', BIN]);
      expect(got[0]!.kwargs).toEqual({ k: 'v' });
    });

    it.each([
      ['a', 'b'],
      ['b', 'a'],
    ] as const)(
      'a callee on node %s answers a caller on node %s; an application error is refused',
      async (far, near) => {
        const callee = await join(far, ser, readerCodec('argument'));
        const caller = await join(near, ser, writerCodec('argument'));
        const proc = uniqueUri(`${PREFIX}linked.proc`);
        await callee.register(proc, (inv) => {
          if (inv.kwargs['fail'] === true) throw new ApplicationError(ERR, ['nope']);
          return new Result([...inv.args, 'done'], { echoed: inv.kwargs });
        });
        await forwarded(near, 'wamp.registration.lookup', proc);
        const res = await caller.call(proc, ['x', BIN], { k: 'v' });
        expect(res.args).toEqual(['x', BIN, 'done']);
        expect(res.kwargs).toEqual({ echoed: { k: 'v' } });
        expect((await caller.call(proc, [2])).args).toEqual([2, 'done']);
        // the link answers an ERROR with a plain RESULT [null]: after a sealed call, a downgrade
        const err = await caller.call(proc, [], { fail: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toEqual(expect.objectContaining({ name: 'E2eV2Error', reason: 'downgrade' }));
      },
    );
  });
});
