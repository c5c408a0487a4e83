/**
 * The `x_e2ev2` payload codec: the codec conformance suite in both carriages (with the exchange and
 * progress bindings), and the properties E2E v2 exists for: a reader cannot forge as the writer
 * (where cryptobox lets it), replays are refused, and a result opens only for its own call.
 */
import { describePayloadCodecConformance } from '@wampbox/core/testing';
import type { PayloadCodec, PayloadContext, PayloadExchange, WirePayload } from '@wampbox/core';
import { boxKeypair } from '../../src/sodium';
import { cryptobox, generateKeyPair, KeyRing } from '../../src/index';
import { e2eV2 } from '../../src/e2ev2/codec';
import type { Carriage } from '../../src/e2ev2/envelope';
import { identity, random, sodiumBothReady, type Identity } from './helpers';

beforeAll(sodiumBothReady);

const PREFIX = 'com.example.';
const KEYED = 'com.example.secret';
const UNKEYED = 'org.other.plain';

interface World {
  writer: Identity;
  reader: Identity;
  groupKey: Uint8Array;
  scope: { publicKey: Uint8Array; secretKey: Uint8Array };
}

async function world(): Promise<World> {
  await sodiumBothReady();
  return { writer: identity(), reader: identity(), groupKey: random(32), scope: boxKeypair() };
}

const keyPair = (id: Identity): { publicKey: Uint8Array; secretKey: Uint8Array } => ({
  publicKey: id.spk,
  secretKey: id.secretKey,
});

/** The publisher and caller: publishes with the group key, calls the scope; trusts the reader's answers. */
function writerCodec(w: World, carriage: Carriage): PayloadCodec {
  return e2eV2({
    identity: keyPair(w.writer),
    trust: [{ spk: w.reader.spk, prefix: PREFIX, roles: ['answer'] }],
    groupKeys: [{ scope: PREFIX, key: w.groupKey, current: true }],
    calleeScopes: [{ prefix: PREFIX, publicKey: w.scope.publicKey }],
    routes: [{ prefix: PREFIX, carriage }],
  });
}

/** The subscriber and callee: reads with the group key, holds the scope key; trusts the writer. */
function readerCodec(w: World, carriage: Carriage, who: Identity = w.reader): PayloadCodec {
  return e2eV2({
    identity: keyPair(who),
    trust: [{ spk: w.writer.spk, prefix: PREFIX, roles: ['publish', 'call'] }],
    groupKeys: [{ scope: PREFIX, key: w.groupKey }],
    calleeScopes: [{ prefix: PREFIX, secretKey: w.scope.secretKey }],
    routes: [{ prefix: PREFIX, carriage }],
  });
}

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

for (const carriage of ['transparent', 'argument'] as const) {
  describePayloadCodecConformance(
    `x_e2ev2 (${carriage} carriage)`,
    async () => {
      const w = await world();
      return {
        sender: writerCodec(w, carriage),
        receiver: readerCodec(w, carriage),
        keyedUri: KEYED,
        unkeyedUri: UNKEYED,
        // argument carriage is a plain message with one binary argument
        expectOpaque: carriage === 'transparent',
        bindsExchange: true,
        bindsProgress: true,
      };
    },
    { describe, it, expect },
  );
}

describe('x_e2ev2 codec', () => {
  describe.each(['transparent', 'argument'] as const)('%s carriage', (carriage) => {
    let w: World;
    let writer: PayloadCodec;
    let reader: PayloadCodec;
    beforeEach(async () => {
      w = await world();
      writer = writerCodec(w, carriage);
      reader = readerCodec(w, carriage);
    });

    it('sends in its carriage, and refuses the other one and plaintext', async () => {
      const wire = await writer.encode({ args: [1] }, ctx('PUBLISH', KEYED));
      if (carriage === 'transparent') {
        expect(wire).toEqual(
          expect.objectContaining({
            kind: 'opaque',
            scheme: 'x_e2ev2',
            serializer: 'json',
            cipher: 'xchacha20poly1305',
          }),
        );
        expect((wire as { keyId?: string }).keyId).toMatch(/^[0-9a-f]{32}$/);
      } else {
        expect(wire.kind).toBe('plain');
        expect(wire.kind === 'plain' && wire.args?.length === 1 && wire.args[0] instanceof Uint8Array).toBe(true);
        expect(wire.kind === 'plain' && wire.kwargs).toBeUndefined();
      }
      const other: WirePayload =
        wire.kind === 'opaque'
          ? { kind: 'plain', args: [wire.payload] }
          : { kind: 'opaque', payload: wire.args![0] as Uint8Array, scheme: 'x_e2ev2', serializer: 'json' };
      await expect(async () => reader.decode(other, ctx('EVENT', KEYED))).rejects.toThrow(refusal('downgrade'));
      await expect(async () => reader.decode({ kind: 'plain', args: ['x'] }, ctx('EVENT', KEYED))).rejects.toThrow(
        refusal('downgrade'),
      );
    });

    it('a tampered payload is refused', async () => {
      const wire = await writer.encode({ args: [1] }, ctx('PUBLISH', KEYED));
      const bytes = (wire.kind === 'opaque' ? wire.payload : (wire.args![0] as Uint8Array)).slice();
      bytes[bytes.length - 70] = bytes[bytes.length - 70]! ^ 1;
      const tampered: WirePayload =
        wire.kind === 'opaque' ? { ...wire, payload: bytes } : { kind: 'plain', args: [bytes] };
      await expect(async () => reader.decode(tampered, ctx('EVENT', KEYED))).rejects.toThrow(refusal('signature'));
    });

    it('a subscriber holding the group key cannot publish as the writer: its EVENT is refused (sender)', async () => {
      const forger = e2eV2({
        identity: { seed: random(32) },
        groupKeys: [{ scope: PREFIX, key: w.groupKey, current: true }],
        routes: [{ prefix: PREFIX, carriage }],
      });
      const forged = await forger.encode({ args: ['sell everything'] }, ctx('PUBLISH', KEYED));
      await expect(async () => reader.decode(forged, ctx('EVENT', KEYED))).rejects.toThrow(refusal('sender'));
      // the writer's own event still opens
      const real = await writer.encode({ args: ['hold'] }, ctx('PUBLISH', KEYED));
      expect((await reader.decode(real, ctx('EVENT', KEYED))).args).toEqual(['hold']);
    });

    it('an EVENT delivered twice is refused the second time (replay)', async () => {
      const wire = await writer.encode({ args: [1] }, ctx('PUBLISH', KEYED));
      expect((await reader.decode(wire, ctx('EVENT', KEYED))).args).toEqual([1]);
      await expect(async () => reader.decode(wire, ctx('EVENT', KEYED))).rejects.toThrow(refusal('replay'));
    });

    it('a CALL delivered twice is refused the second time (replay), and its first delivery answers', async () => {
      const callerX: PayloadExchange = { procedure: KEYED };
      const wire = await writer.encode({ args: [2, 3] }, ctx('CALL', KEYED, { exchange: callerX, progress: false }));
      const first: PayloadExchange = { procedure: KEYED };
      expect((await reader.decode(wire, ctx('INVOCATION', KEYED, { exchange: first, progress: false }))).args).toEqual([
        2, 3,
      ]);
      const again = ctx('INVOCATION', KEYED, { exchange: { procedure: KEYED }, progress: false });
      await expect(async () => reader.decode(wire, again)).rejects.toThrow(refusal('replay'));
      const answer = await reader.encode({ args: [5] }, ctx('YIELD', KEYED, { exchange: first, progress: false }));
      expect((await writer.decode(answer, ctx('RESULT', KEYED, { exchange: callerX, progress: false }))).args).toEqual([
        5,
      ]);
    });

    it('a RESULT of another call is refused (exchange)', async () => {
      const callOne: PayloadExchange = { procedure: KEYED };
      const callTwo: PayloadExchange = { procedure: KEYED };
      const one = await writer.encode({ args: [1] }, ctx('CALL', KEYED, { exchange: callOne, progress: false }));
      await writer.encode({ args: [2] }, ctx('CALL', KEYED, { exchange: callTwo, progress: false }));
      const inv: PayloadExchange = { procedure: KEYED };
      await reader.decode(one, ctx('INVOCATION', KEYED, { exchange: inv, progress: false }));
      const answer = await reader.encode({ args: ['one'] }, ctx('YIELD', KEYED, { exchange: inv, progress: false }));
      await expect(async () =>
        writer.decode(answer, ctx('RESULT', KEYED, { exchange: callTwo, progress: false })),
      ).rejects.toThrow(refusal('exchange'));
    });

    it('calls are wrapped until an answer confirms the session, then not; after unknown_key, again', async () => {
      const size = (x: WirePayload): number => (x.kind === 'opaque' ? x.payload : (x.args![0] as Uint8Array)).length;
      const call = async (exchange: PayloadExchange = { procedure: KEYED }): Promise<WirePayload> =>
        writer.encode({ args: [1] }, ctx('CALL', KEYED, { exchange, progress: false }));
      const firstX: PayloadExchange = { procedure: KEYED };
      const first = await call(firstX);
      const unconfirmed = await call();
      expect(size(unconfirmed)).toBe(size(first));
      const inv: PayloadExchange = { procedure: KEYED };
      await reader.decode(first, ctx('INVOCATION', KEYED, { exchange: inv, progress: false }));
      const answer = await reader.encode({ args: [] }, ctx('YIELD', KEYED, { exchange: inv, progress: false }));
      await writer.decode(answer, ctx('RESULT', KEYED, { exchange: firstX, progress: false }));
      const callX: PayloadExchange = { procedure: KEYED };
      const second = await call(callX);
      expect(size(first) - size(second)).toBe(80 + 64);
      // a fresh callee has no session: it answers unknown_key, and the next call is wrapped again
      const restarted = readerCodec(w, carriage);
      await expect(async () =>
        restarted.decode(second, ctx('INVOCATION', KEYED, { exchange: { procedure: KEYED }, progress: false })),
      ).rejects.toThrow(refusal('unknown_key'));
      const unknownKey = ctx('ERROR', 'wamp.error.encryption.unknown_key', {
        exchange: callX,
        procedure: KEYED,
        originating: true,
        sending: false,
      });
      await writer.decode({ kind: 'plain', args: ['unknown key'] }, unknownKey);
      const third = await call();
      expect(size(third)).toBe(size(first));
      const opened = await restarted.decode(
        third,
        ctx('INVOCATION', KEYED, { exchange: { procedure: KEYED }, progress: false }),
      );
      expect(opened.args).toEqual([1]);
    });

    it('wamp.* URIs stay plain', async () => {
      expect(await writer.encode({ args: [1] }, ctx('PUBLISH', 'wamp.session.on_join'))).toEqual({
        kind: 'plain',
        args: [1],
        kwargs: undefined,
      });
    });

    it('uses the clock of the context: a payload from too far in the past is refused (stale)', async () => {
      const wire = await writer.encode({ args: [1] }, ctx('PUBLISH', KEYED, { now: () => Date.now() - 600_000 }));
      await expect(async () => reader.decode(wire, ctx('EVENT', KEYED))).rejects.toThrow(refusal('stale'));
      const late = await writer.encode({ args: [1] }, ctx('PUBLISH', KEYED));
      const later = ctx('EVENT', KEYED, { now: () => Date.now() + 600_000 });
      await expect(async () => reader.decode(late, later)).rejects.toThrow(refusal('stale'));
    });
  });

  it('refuses options of the wrong shape when it is made', async () => {
    const w = await world();
    const identity = keyPair(w.writer);
    const bad: unknown[] = [
      undefined,
      {},
      { identity: { seed: random(31) } },
      { identity: { publicKey: w.reader.spk, secretKey: w.writer.secretKey } },
      { identity, routes: [{ prefix: '', carriage: 'sideways' }] },
      { identity, serializer: 'xml' },
      { identity, groupKeys: [{ scope: PREFIX, key: random(16) }] },
      { identity, trust: [{ spk: w.reader.spk, prefix: PREFIX, roles: ['own'] }] },
      { identity, calleeScopes: [{ prefix: PREFIX }] },
    ];
    for (const options of bad) {
      expect(() => e2eV2(options as Parameters<typeof e2eV2>[0])).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error,
      );
    }
  });

  it('a callee answers in the carriage the call arrived in', async () => {
    const w = await world();
    const caller = e2eV2({
      identity: keyPair(w.writer),
      calleeScopes: [{ prefix: PREFIX, publicKey: w.scope.publicKey }],
      routes: [{ prefix: PREFIX, carriage: 'argument' }],
    });
    const callee = e2eV2({
      identity: keyPair(w.reader),
      trust: [{ spk: w.writer.spk, prefix: PREFIX, roles: ['call'] }],
      calleeScopes: [{ prefix: PREFIX, secretKey: w.scope.secretKey }],
      routes: [{ prefix: PREFIX, carriage: 'transparent', strict: false }],
    });
    const callX: PayloadExchange = { procedure: KEYED };
    const inv: PayloadExchange = { procedure: KEYED };
    const call = await caller.encode({ args: [1] }, ctx('CALL', KEYED, { exchange: callX, progress: false }));
    expect((await callee.decode(call, ctx('INVOCATION', KEYED, { exchange: inv, progress: false }))).args).toEqual([1]);
    const answer = await callee.encode({ args: [2] }, ctx('YIELD', KEYED, { exchange: inv, progress: false }));
    expect(answer.kind).toBe('plain');
    expect((await caller.decode(answer, ctx('RESULT', KEYED, { exchange: callX, progress: false }))).args).toEqual([2]);
  });

  it('under cryptobox, a subscriber holding the key CAN forge an event (why E2E v2 exists)', async () => {
    const publisher = await generateKeyPair();
    const subscriber = await generateKeyPair();
    const subscriberRing = new KeyRing().setKey(PREFIX, {
      responderPriv: subscriber.secretKey,
      originatorPub: publisher.publicKey,
    });
    // with only what it holds (its own secret key, the publisher's public key), the roles swapped
    const forgerRing = new KeyRing().setKey(PREFIX, {
      originatorPriv: subscriber.secretKey,
      responderPub: publisher.publicKey,
    });
    const forged = await cryptobox(forgerRing).encode({ args: ['sell everything'] }, ctx('PUBLISH', KEYED));
    const delivered = await cryptobox(subscriberRing).decode(forged, ctx('EVENT', KEYED));
    expect(delivered.args).toEqual(['sell everything']);
  });
});
