/**
 * Security properties of E2E v2 (§e.2) through the `x_e2ev2` codec, each a refusal with a typed
 * `E2eV2Error` naming the check, after which the legitimate payload still opens (the refusal left
 * the receiver's state as it was): one publisher cannot write another's topic even holding its group
 * key; a CALL wrapped for another callee scope is refused; plaintext, cryptobox and the other
 * carriage are refused on a v2 route in every receiving context; a publisher rotates its group key
 * without a flag day.
 */
import type { PayloadCodec, PayloadContext, PayloadExchange, WirePayload } from '@wampbox/core';
import { boxKeypair } from '../../src/sodium';
import { cryptobox, generateKeyPair, KeyRing } from '../../src/index';
import { e2eV2, type E2eV2Options } from '../../src/e2ev2/codec';
import type { Carriage } from '../../src/e2ev2/envelope';
import { identity, random, sodiumBothReady, type Identity } from './helpers';

beforeAll(sodiumBothReady);

const keyPair = (id: Identity): { publicKey: Uint8Array; secretKey: Uint8Array } => ({
  publicKey: id.spk,
  secretKey: id.secretKey,
});

function ctx(
  messageType: PayloadContext['messageType'],
  uri: string,
  extra: Partial<PayloadContext> = {},
): PayloadContext {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}

const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;

/** The reason `codec` refuses `wire` with, or `delivered`; anything but an `E2eV2Error` fails the test. */
async function verdict(codec: PayloadCodec, wire: WirePayload, c: PayloadContext): Promise<string> {
  try {
    await codec.decode(wire, c);
  } catch (err) {
    if (err instanceof Error && err.name === 'E2eV2Error') return (err as Error & { reason: string }).reason;
    throw err;
  }
  return 'delivered';
}

/** The sealed bytes of a wire payload, in either carriage. */
const bytesOf = (wire: WirePayload): Uint8Array =>
  wire.kind === 'opaque' ? wire.payload : (wire.args![0] as Uint8Array);

/** The same sealed bytes in the other carriage. */
function otherCarriage(wire: WirePayload): WirePayload {
  if (wire.kind === 'opaque') return { kind: 'plain', args: [wire.payload] };
  return {
    kind: 'opaque',
    payload: bytesOf(wire),
    scheme: 'x_e2ev2',
    serializer: 'json',
    cipher: 'xchacha20poly1305',
  };
}

describe('one publisher cannot write on another topic, even holding its group key (sender)', () => {
  it.each(['transparent', 'argument'] as const)('%s carriage', async (carriage: Carriage) => {
    const carol = identity(); // may publish on com.a.
    const bob = identity(); // may publish on com.b.
    const keyA = random(32);
    const keyB = random(32);
    const routes = [{ prefix: 'com.', carriage }];
    const publisher = (who: Identity): PayloadCodec =>
      e2eV2({
        identity: keyPair(who),
        groupKeys: [
          { scope: 'com.a.', key: keyA, current: true },
          { scope: 'com.b.', key: keyB, current: true },
        ],
        routes,
      });
    const reader = e2eV2({
      identity: { seed: random(32) },
      trust: [
        { spk: carol.spk, prefix: 'com.a.', roles: ['publish'] },
        { spk: bob.spk, prefix: 'com.b.', roles: ['publish'] },
      ],
      groupKeys: [
        { scope: 'com.a.', key: keyA },
        { scope: 'com.b.', key: keyB },
      ],
      routes,
    });
    const carolCodec = publisher(carol);
    const onB = await carolCodec.encode({ args: ['b by carol'] }, ctx('PUBLISH', 'com.b.prices'));
    await expect(async () => reader.decode(onB, ctx('EVENT', 'com.b.prices'))).rejects.toThrow(refusal('sender'));
    // moving carol's event from com.b. to her own com.a. does not help: the URI is signed and in the AAD
    expect(await verdict(reader, onB, ctx('EVENT', 'com.a.prices'))).toBe('signature');
    // carol on her own topic, and bob on his, are delivered afterwards
    const onA = await carolCodec.encode({ args: ['a by carol'] }, ctx('PUBLISH', 'com.a.prices'));
    expect((await reader.decode(onA, ctx('EVENT', 'com.a.prices'))).args).toEqual(['a by carol']);
    const bobs = await publisher(bob).encode({ args: ['b by bob'] }, ctx('PUBLISH', 'com.b.prices'));
    expect((await reader.decode(bobs, ctx('EVENT', 'com.b.prices'))).args).toEqual(['b by bob']);
  });
});

describe('a CALL wrapped for another callee scope is refused (wrong-recipient)', () => {
  it.each(['transparent', 'argument'] as const)('%s carriage', async (carriage: Carriage) => {
    const dave = identity();
    const ours = boxKeypair();
    const theirs = boxKeypair();
    const routes = [{ prefix: 'com.', carriage }];
    const caller = (scopePublicKey: Uint8Array): PayloadCodec =>
      e2eV2({ identity: keyPair(dave), calleeScopes: [{ prefix: 'com.rpc.', publicKey: scopePublicKey }], routes });
    const callee = e2eV2({
      identity: { seed: random(32) },
      trust: [{ spk: dave.spk, prefix: 'com.rpc.', roles: ['call'] }],
      calleeScopes: [{ prefix: 'com.rpc.', secretKey: ours.secretKey }],
      routes,
    });
    const invocation = (): PayloadContext =>
      ctx('INVOCATION', 'com.rpc.add', { exchange: { procedure: 'com.rpc.add' }, progress: false });
    const misdirected = await caller(theirs.publicKey).encode(
      { args: [1, 2] },
      ctx('CALL', 'com.rpc.add', { exchange: { procedure: 'com.rpc.add' }, progress: false }),
    );
    await expect(async () => callee.decode(misdirected, invocation())).rejects.toThrow(refusal('wrong-recipient'));
    const right = await caller(ours.publicKey).encode(
      { args: [3, 4] },
      ctx('CALL', 'com.rpc.add', { exchange: { procedure: 'com.rpc.add' }, progress: false }),
    );
    expect((await callee.decode(right, invocation())).args).toEqual([3, 4]);
  });
});

describe('downgrade: on a strict v2 route, plaintext, cryptobox and the other carriage are refused', () => {
  const PREFIX = 'com.example.';
  const PROC = 'com.example.rpc.add';
  const TOPIC = 'com.example.news';
  const ERROR_URI = 'com.example.error.failed';

  /** A cryptobox payload of the message the receiver expects, under a ring for the same prefix. */
  async function cryptoboxPayload(type: 'PUBLISH' | 'CALL' | 'YIELD' | 'ERROR', uri: string): Promise<WirePayload> {
    const originator = await generateKeyPair();
    const responder = await generateKeyPair();
    const ring = new KeyRing().setKey(PREFIX, {
      originatorPriv: originator.secretKey,
      responderPriv: responder.secretKey,
    });
    const c =
      type === 'ERROR'
        ? ctx('ERROR', uri, { procedure: PROC, originating: false, sending: true })
        : ctx(type, uri, { progress: false, requestWasOpaque: true });
    const wire = await cryptobox(ring).encode({ args: ['from cryptobox'] }, c);
    expect(wire.kind).toBe('opaque');
    return wire;
  }

  describe.each(['transparent', 'argument'] as const)('%s carriage', (carriage) => {
    let writer: PayloadCodec;
    let reader: PayloadCodec;
    beforeEach(() => {
      const w = identity();
      const r = identity();
      const groupKey = random(32);
      const scope = boxKeypair();
      const routes = [{ prefix: PREFIX, carriage, strict: true }];
      const common: Omit<E2eV2Options, 'identity'> = { routes };
      writer = e2eV2({
        ...common,
        identity: keyPair(w),
        trust: [{ spk: r.spk, prefix: PREFIX, roles: ['answer'] }],
        groupKeys: [{ scope: PREFIX, key: groupKey, current: true }],
        calleeScopes: [{ prefix: PREFIX, publicKey: scope.publicKey }],
      });
      reader = e2eV2({
        ...common,
        identity: keyPair(r),
        trust: [{ spk: w.spk, prefix: PREFIX, roles: ['publish', 'call'] }],
        groupKeys: [{ scope: PREFIX, key: groupKey }],
        calleeScopes: [{ prefix: PREFIX, secretKey: scope.secretKey }],
      });
    });

    /** Each downgrade of `legit` in context `c` is refused `downgrade`; then `legit` itself opens. */
    async function expectDowngradesRefused(
      receiver: PayloadCodec,
      legit: WirePayload,
      foreign: WirePayload,
      c: () => PayloadContext,
    ): Promise<void> {
      const attempts: [string, WirePayload][] = [
        ['plaintext', { kind: 'plain', args: ['plain'], kwargs: { k: 'v' } }],
        ['plaintext without arguments', { kind: 'plain' }],
        ['cryptobox', foreign],
        ['the other carriage', otherCarriage(legit)],
      ];
      const got: [string, string][] = [];
      for (const [what, wire] of attempts) got.push([what, await verdict(receiver, wire, c())]);
      expect(got).toEqual(attempts.map(([what]) => [what, 'downgrade']));
      expect((await receiver.decode(legit, c())).args).toEqual(['legit']);
    }

    it('EVENT', async () => {
      const legit = await writer.encode({ args: ['legit'] }, ctx('PUBLISH', TOPIC));
      await expectDowngradesRefused(reader, legit, await cryptoboxPayload('PUBLISH', TOPIC), () => ctx('EVENT', TOPIC));
    });

    it('INVOCATION', async () => {
      const legit = await writer.encode(
        { args: ['legit'] },
        ctx('CALL', PROC, { exchange: { procedure: PROC }, progress: false }),
      );
      await expectDowngradesRefused(reader, legit, await cryptoboxPayload('CALL', PROC), () =>
        ctx('INVOCATION', PROC, { exchange: { procedure: PROC }, progress: false }),
      );
    });

    /** A sealed call from the writer, invoked at the reader: the two ends of its exchange. */
    async function sealedCall(): Promise<{ callX: PayloadExchange; inv: PayloadExchange }> {
      const callX: PayloadExchange = { procedure: PROC };
      const inv: PayloadExchange = { procedure: PROC };
      const call = await writer.encode({ args: [] }, ctx('CALL', PROC, { exchange: callX, progress: false }));
      await reader.decode(call, ctx('INVOCATION', PROC, { exchange: inv, progress: false }));
      return { callX, inv };
    }

    it('RESULT', async () => {
      const { callX, inv } = await sealedCall();
      const legit = await reader.encode({ args: ['legit'] }, ctx('YIELD', PROC, { exchange: inv, progress: false }));
      await expectDowngradesRefused(writer, legit, await cryptoboxPayload('YIELD', PROC), () =>
        ctx('RESULT', PROC, { exchange: callX, progress: false }),
      );
    });

    it('ERROR', async () => {
      const { callX, inv } = await sealedCall();
      const legit = await reader.encode(
        { args: ['legit'] },
        ctx('ERROR', ERROR_URI, { exchange: inv, procedure: PROC, originating: false, sending: true }),
      );
      await expectDowngradesRefused(writer, legit, await cryptoboxPayload('ERROR', ERROR_URI), () =>
        ctx('ERROR', ERROR_URI, { exchange: callX, procedure: PROC, originating: true, sending: false }),
      );
    });
  });
});

describe('rotation: a publisher moves to a new group key (new kid)', () => {
  it.each(['transparent', 'argument'] as const)('%s carriage', async (carriage: Carriage) => {
    const p = identity();
    const oldKey = random(32);
    const newKey = random(32);
    const routes = [{ prefix: 'com.', carriage }];
    const trust = [{ spk: p.spk, prefix: 'com.news.', roles: ['publish' as const] }];
    const before = e2eV2({
      identity: keyPair(p),
      groupKeys: [{ scope: 'com.news.', key: oldKey, current: true }],
      routes,
    });
    // after rotating: publishes with the new key (a new counter instance), still holds the old one
    const after = e2eV2({
      identity: keyPair(p),
      groupKeys: [
        { scope: 'com.news.', key: oldKey },
        { scope: 'com.news.', key: newKey, current: true },
      ],
      routes,
    });
    const both = e2eV2({
      identity: { seed: random(32) },
      trust,
      groupKeys: [
        { scope: 'com.news.', key: oldKey },
        { scope: 'com.news.', key: newKey },
      ],
      routes,
    });
    const oldOnly = e2eV2({
      identity: { seed: random(32) },
      trust,
      groupKeys: [{ scope: 'com.news.', key: oldKey }],
      routes,
    });
    const event = (): PayloadContext => ctx('EVENT', 'com.news.today');
    const publish = async (codec: PayloadCodec, text: string): Promise<WirePayload> =>
      codec.encode({ args: [text] }, ctx('PUBLISH', 'com.news.today'));

    const o1 = await publish(before, 'old 1');
    const n1 = await publish(after, 'new 1');
    const o2 = await publish(before, 'old 2');
    const n2 = await publish(after, 'new 2');
    if (o1.kind === 'opaque' && n1.kind === 'opaque') expect(n1.keyId).not.toBe(o1.keyId);
    expect(bytesOf(n1).subarray(8, 24)).not.toEqual(bytesOf(o1).subarray(8, 24)); // the header's kid

    // interleaved, under both kids: a reader holding both keys opens all four
    for (const [wire, text] of [
      [o1, 'old 1'],
      [n1, 'new 1'],
      [o2, 'old 2'],
      [n2, 'new 2'],
    ] as const) {
      expect((await both.decode(wire, event())).args).toEqual([text]);
    }
    // a reader holding only the old key: the new kid is unknown_key, and refusing it changed nothing
    await expect(async () => oldOnly.decode(n1, event())).rejects.toThrow(refusal('unknown_key'));
    expect((await oldOnly.decode(o1, event())).args).toEqual(['old 1']);
    await expect(async () => oldOnly.decode(n2, event())).rejects.toThrow(refusal('unknown_key'));
    expect((await oldOnly.decode(o2, event())).args).toEqual(['old 2']);
    // once given the new key (a new codec in static mode), the same reader opens the new events
    const updated = e2eV2({
      identity: { seed: random(32) },
      trust,
      groupKeys: [
        { scope: 'com.news.', key: oldKey },
        { scope: 'com.news.', key: newKey },
      ],
      routes,
    });
    expect((await updated.decode(n1, event())).args).toEqual(['new 1']);
  });
});
