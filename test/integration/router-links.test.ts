/**
 * What crosses a Crossbar.io router link ("rlink") between two nodes, and what does not.
 *
 * Node B's realm1 holds a router link to node A's realm1 that forwards registrations and
 * subscriptions both ways (scripts/router/linked-config.json, docs/testing.md). The link is a pair
 * of Autobahn|Python sessions inside node B's router worker, one joined to each node, which
 * register, subscribe, call and publish again on the other node. They have no payload codec, so:
 *
 * - plain calls and events cross both ways, binary values included, on JSON and CBOR;
 * - an opaque binary as the one positional argument, without options (what E2E v2's argument
 *   carriage puts on the wire), crosses byte for byte both ways;
 * - a payload in transparent carriage (`enc_algo`, here the cryptobox codec) does not: a sealed
 *   call is answered `wamp.error.no_payload_codec` by the link and a sealed event is dropped, and
 *   node B's log says why;
 * - the same sealed call and event between sessions of one node work (the control);
 * - an application error does not cross either: the link answers the caller with a result [null];
 * - a callee on the other node gets the caller's session id, but its authrole as `caller_authid`.
 */
import { randomBytes } from 'node:crypto';
import {
  ApplicationError,
  KeyRing,
  Result,
  cbor,
  connect,
  cryptobox,
  generateKeyPair,
  json,
} from '@wampbox/wamp-client';
import type { EventData, Invocation, KeyPair, PayloadCodec, Serializer, Session } from '@wampbox/wamp-client';
import { sleep, waitFor } from './helpers';
import { startLinkedRouters } from './router';
import type { LinkedRouters } from './router';

type Node = 'a' | 'b';
type Ser = 'json' | 'cbor';
const SERIALIZERS: Record<Ser, () => Serializer> = { json, cbor };
/** [far, near]: the first node serves (callee, publisher), the second uses it (caller, subscriber). */
const DIRECTIONS: [Node, Node][] = [
  ['a', 'b'],
  ['b', 'a'],
];

const PREFIX = `com.test.rlink.${process.pid}.${Date.now().toString(36)}.`;
/** Every URI under this prefix is keyed for cryptobox. */
const E2E = `${PREFIX}e2e.`;
const BIN = new Uint8Array([0, 1, 2, 3, 127, 128, 254, 255]);

/** What the link's Autobahn sessions answer or log when a payload is sealed (Autobahn's wording). */
const NO_CODEC_URI = 'wamp.error.no_payload_codec';
const NO_KEYRING_INVOCATION = 'received encrypted INVOCATION payload, but no keyring active';
const EVENT_IGNORED =
  'received encoded payload with enc_algo=cryptobox, but no payload codec active - ignoring encoded payload!';

let pair: LinkedRouters | undefined;
let O: KeyPair; // originator pair (publishers, callers)
let R: KeyPair; // responder pair (subscribers, callees)
const sessions: Session[] = [];
const meta = new Map<Node, Session>();
let counter = 0;

const uri = (prefix: string, name: string): string => `${prefix}${name}.${++counter}`;
const hex = (v: unknown): string =>
  v instanceof Uint8Array
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')
    : `not binary: ${String(v)}`;
const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;
const linked = (): LinkedRouters => {
  if (!pair) throw new Error('the linked routers did not start (see the error of beforeAll)');
  return pair;
};
const logOfB = (): string => linked().b.readLog();

const originatorRing = (): KeyRing =>
  new KeyRing().setKey(E2E, { originatorPriv: O.secretKeyBase64, responderPub: R.publicKeyBase64 });
const responderRing = (): KeyRing =>
  new KeyRing().setKey(E2E, { responderPriv: R.secretKeyBase64, originatorPub: O.publicKeyBase64 });

async function join(node: Node, ser: Ser, codec?: PayloadCodec): Promise<Session> {
  const r = linked()[node];
  const s = await connect({
    url: r.wsUrl,
    realm: r.realm,
    serializers: [SERIALIZERS[ser]()],
    ...(codec ? { codec } : {}),
  });
  sessions.push(s);
  return s;
}

/** Poll a WAMP meta procedure on `node` until it answers with something other than null. */
async function lookup(node: Node, procedure: string, target: string, what: string): Promise<void> {
  const s = meta.get(node)!;
  const until = Date.now() + 10_000;
  while ((await s.call(procedure, [target])).args[0] == null) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
/** The link has forwarded a registration: `procedure` is registered on `node` too. */
const registeredOn = (node: Node, procedure: string): Promise<void> =>
  lookup(node, 'wamp.registration.lookup', procedure, `the link to register ${procedure} on node ${node}`);
/** The link has forwarded a subscription: `topic` has a subscriber on `node` too. */
const subscribedOn = (node: Node, topic: string): Promise<void> =>
  lookup(node, 'wamp.subscription.lookup', topic, `the link to subscribe ${topic} on node ${node}`);

/** The message came through the link: its last forwarder is the link's session. */
function expectForwardedByLink(details: Record<string, unknown>): void {
  const forwardFor = details['forward_for'] as { authid?: unknown }[] | undefined;
  expect(Array.isArray(forwardFor)).toBe(true);
  expect(forwardFor!.at(-1)?.authid).toBe(linked().linkAuthid);
}

beforeAll(async () => {
  [O, R, pair] = await Promise.all([generateKeyPair(), generateKeyPair(), startLinkedRouters()]);
  for (const node of ['a', 'b'] as const) meta.set(node, await join(node, 'json'));
}, 300_000);

afterAll(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await pair?.stop();
}, 120_000);

describe.each(['json', 'cbor'] as const)('across the router link on %s', (ser) => {
  it.each(DIRECTIONS)('a callee on node %s answers a caller on node %s, binary values included', async (far, near) => {
    const callee = await join(far, ser);
    const caller = await join(near, ser);
    const proc = uri(PREFIX, 'echo');
    const seen: Invocation[] = [];
    await callee.register(proc, (inv) => {
      seen.push(inv);
      return new Result(['echo', ...inv.args], { ...inv.kwargs, from: far });
    });
    await registeredOn(near, proc);

    const res = await caller.call(proc, ['text', 42, BIN, { nested: BIN }], { bin: BIN, n: 1.5 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.args).toEqual(['text', 42, BIN, { nested: BIN }]);
    expect(seen[0]!.args[2]).toBeInstanceOf(Uint8Array);
    expect(seen[0]!.kwargs).toEqual({ bin: BIN, n: 1.5 });
    expectForwardedByLink(seen[0]!.details);
    // the caller's session id crosses, but in caller_authid the link puts the caller's authrole
    expect(seen[0]!.details['caller']).toBe(caller.id);
    expect(caller.welcome.authid).not.toBe(caller.welcome.authrole);
    expect(seen[0]!.details['caller_authid']).toBe(caller.welcome.authrole);
    expect(res.args).toEqual(['echo', 'text', 42, BIN, { nested: BIN }]);
    expect(res.args[3]).toBeInstanceOf(Uint8Array);
    expect(res.kwargs).toEqual({ bin: BIN, n: 1.5, from: far });
  });

  it.each(DIRECTIONS)('an event published on node %s reaches a subscriber on node %s once', async (far, near) => {
    const subscriber = await join(near, ser);
    const publisher = await join(far, ser);
    const topic = uri(PREFIX, 'topic');
    const got: EventData[] = [];
    await subscriber.subscribe(topic, (ev) => void got.push(ev));
    await subscribedOn(far, topic);

    await publisher.publish(topic, ['text', BIN, { nested: BIN }], { bin: BIN }, { acknowledge: true });
    await waitFor(() => got.length === 1, 5000, `the event from node ${far}`);
    await sleep(200); // and no second copy
    expect(got).toHaveLength(1);
    expect(got[0]!.args).toEqual(['text', BIN, { nested: BIN }]);
    expect(got[0]!.args[1]).toBeInstanceOf(Uint8Array);
    expect(got[0]!.kwargs).toEqual({ bin: BIN });
    expectForwardedByLink(got[0]!.details);
    expect(got[0]!.details['publisher']).toBe(publisher.id);
    expect(got[0]!.details['publisher_authid']).toBe(publisher.welcome.authid);
  });

  it.each(DIRECTIONS)(
    'an opaque binary as the one argument, without options, crosses byte for byte from node %s to node %s',
    async (far, near) => {
      // what E2E v2's argument carriage puts on the wire: args = [bytes], no kwargs, no options
      const request = new Uint8Array(randomBytes(200));
      const reply = new Uint8Array(randomBytes(200));
      const event = new Uint8Array(randomBytes(200));

      const callee = await join(far, ser);
      const caller = await join(near, ser);
      const proc = uri(PREFIX, 'opaque.proc');
      const seen: Invocation[] = [];
      await callee.register(proc, (inv) => {
        seen.push(inv);
        return reply;
      });
      await registeredOn(near, proc);
      const res = await caller.call(proc, [request]);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.args).toHaveLength(1);
      expect(hex(seen[0]!.args[0])).toBe(hex(request));
      expect(seen[0]!.kwargs).toEqual({});
      expect(seen[0]!.details['enc_algo']).toBeUndefined();
      expectForwardedByLink(seen[0]!.details);
      expect(res.args).toHaveLength(1);
      expect(hex(res.args[0])).toBe(hex(reply));
      expect(res.kwargs).toEqual({});

      const publisher = await join(far, ser);
      const subscriber = await join(near, ser);
      const topic = uri(PREFIX, 'opaque.topic');
      const got: EventData[] = [];
      await subscriber.subscribe(topic, (ev) => void got.push(ev));
      await subscribedOn(far, topic);
      await publisher.publish(topic, [event]);
      await waitFor(() => got.length === 1, 5000, `the opaque event from node ${far}`);
      await sleep(200);
      expect(got).toHaveLength(1);
      expect(got[0]!.args).toHaveLength(1);
      expect(hex(got[0]!.args[0])).toBe(hex(event));
      expect(got[0]!.kwargs).toEqual({});
      expect(got[0]!.details['enc_algo']).toBeUndefined();
      expectForwardedByLink(got[0]!.details);
    },
  );
});

describe('transparent carriage (cryptobox) at the router link', () => {
  it.each(DIRECTIONS)(
    'a sealed call to a callee on node %s from node %s fails with wamp.error.no_payload_codec; on one node it works',
    async (far, near) => {
      const callee = await join(far, 'json', cryptobox(responderRing()));
      const remoteCaller = await join(near, 'cbor', cryptobox(originatorRing()));
      const localCaller = await join(far, 'cbor', cryptobox(originatorRing()));
      const proc = uri(E2E, 'echo');
      const seen: Invocation[] = [];
      await callee.register(proc, (inv) => {
        seen.push(inv);
        return new Result(inv.args);
      });
      await registeredOn(near, proc);
      const warnings = occurrences(logOfB(), NO_KEYRING_INVOCATION);

      const err = await remoteCaller.call(proc, ['sealed', BIN]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationError);
      expect((err as ApplicationError).uri).toBe(NO_CODEC_URI);
      expect((err as ApplicationError).args).toEqual([NO_KEYRING_INVOCATION]);
      expect(seen).toEqual([]);
      // the link's session that received the INVOCATION (in node B's router worker) logs it
      await waitFor(
        () => occurrences(logOfB(), NO_KEYRING_INVOCATION) > warnings,
        10_000,
        `"${NO_KEYRING_INVOCATION}" in node B's log`,
      );

      // the control: the same sealed call from a session of the callee's node
      const res = await localCaller.call(proc, ['sealed', BIN]);
      expect(res.args).toEqual(['sealed', BIN]);
      expect(res.details['enc_algo']).toBe('cryptobox');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.details['enc_algo']).toBe('cryptobox');
    },
  );

  it.each(DIRECTIONS)(
    'a sealed event published on node %s never reaches a subscriber on node %s; on one node it does',
    async (far, near) => {
      const subscriber = await join(near, 'json', cryptobox(responderRing()));
      const remotePublisher = await join(far, 'cbor', cryptobox(originatorRing()));
      const localPublisher = await join(near, 'cbor', cryptobox(originatorRing()));
      const topic = uri(E2E, 'topic');
      const got: EventData[] = [];
      const errors: Error[] = [];
      subscriber.on('error', (e: Error) => void errors.push(e));
      await subscriber.subscribe(topic, (ev) => void got.push(ev));
      await subscribedOn(far, topic);
      const warnings = occurrences(logOfB(), EVENT_IGNORED);

      // acknowledged: the publishing node accepted it (and handed it to the link)
      await remotePublisher.publish(topic, ['sealed', BIN], undefined, { acknowledge: true });
      await waitFor(
        () => occurrences(logOfB(), EVENT_IGNORED) > warnings,
        10_000,
        `"${EVENT_IGNORED}" in node B's log`,
      );

      // the control: the same sealed event from a session of the subscriber's node
      await localPublisher.publish(topic, ['sealed here', BIN], undefined, { acknowledge: true });
      await waitFor(() => got.length >= 1, 5000, 'the sealed event from the same node');
      await sleep(300);
      expect(got.map((ev) => ev.args)).toEqual([['sealed here', BIN]]);
      expect(got[0]!.details['enc_algo']).toBe('cryptobox');
      expect(got[0]!.details['forward_for']).toBeUndefined();
      expect(errors).toEqual([]);
    },
  );
});

describe('application errors at the router link', () => {
  it.each(DIRECTIONS)(
    'an error raised by a callee on node %s reaches a caller on node %s as a result [null], not as the error',
    async (far, near) => {
      // Crossbar 26.10.1: the link's session catches the error of its forwarded call, logs
      // "FAILED TO CALL 1: ..." and answers the INVOCATION as if the procedure had returned None
      const callee = await join(far, 'json');
      const remoteCaller = await join(near, 'json');
      const localCaller = await join(far, 'json');
      const proc = uri(PREFIX, 'fails');
      const errorUri = uri(PREFIX, 'error.refused');
      await callee.register(proc, () => {
        throw new ApplicationError(errorUri, ['refused'], { code: 7 });
      });
      await registeredOn(near, proc);

      const res = await remoteCaller.call(proc, ['x']);
      expect(res.args).toEqual([null]);
      expect(res.kwargs).toEqual({});
      await waitFor(
        () =>
          logOfB()
            .split('\n')
            .some((l) => l.includes('FAILED TO CALL 1') && l.includes(errorUri)),
        10_000,
        `"FAILED TO CALL 1" with ${errorUri} in node B's log`,
      );

      // the control: on one node the caller gets the error
      const err = await localCaller.call(proc, ['x']).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationError);
      expect((err as ApplicationError).uri).toBe(errorUri);
      expect((err as ApplicationError).args).toEqual(['refused']);
      expect((err as ApplicationError).kwargs).toEqual({ code: 7 });
    },
  );
});
