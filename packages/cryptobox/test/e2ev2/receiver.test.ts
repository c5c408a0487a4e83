/**
 * The receiver (§b.6) end to end with the sealer, beyond the vectors: publish/subscribe and a whole
 * call with progressive results, the order of the checks when a payload has several faults,
 * exhaustive bit flips, the injectable clock, revocation, and memory hygiene.
 */
import { boxKeypair, scratchForTesting } from '../../src/sodium';
import { scratchV2ForTesting } from '../../src/sodium-v2';
import { toHex } from '../../src/e2ev2/derive';
import { CalleeExchange, CallerExchange } from '../../src/e2ev2/exchange';
import { GroupKeyStore } from '../../src/e2ev2/group-keys';
import { E2eReceiver, type OpenedPayload } from '../../src/e2ev2/receiver';
import { Freshness } from '../../src/e2ev2/freshness';
import { ScopeKeyStore } from '../../src/e2ev2/scope-keys';
import { sealPayload, type SealInput } from '../../src/e2ev2/seal';
import { TrustStore } from '../../src/e2ev2/trust-store';
import type { V2Envelope } from '../../src/e2ev2/envelope';
import { callInput, identity, publishInput, random, sodiumBothReady, T0, type Identity } from './helpers';

beforeAll(sodiumBothReady);

const opaque = (payload: Uint8Array, serializer = 'json', keyId?: string): V2Envelope => ({
  kind: 'opaque',
  scheme: 'x_e2ev2',
  serializer,
  payload,
  keyId,
});
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;
const sealed = (o: OpenedPayload): Extract<OpenedPayload, { kind: 'sealed' }> => {
  if (o.kind !== 'sealed') throw new Error('expected a sealed payload');
  return o;
};

interface World {
  alice: Identity;
  dave: Identity;
  erin: Identity;
  kg: Uint8Array;
  scope: { publicKey: Uint8Array; secretKey: Uint8Array };
  now: { ms: number };
  subscriber: E2eReceiver;
  callee: E2eReceiver;
  caller: E2eReceiver;
}

function world(options: { maxSkewMs?: number } = {}): World {
  const [alice, dave, erin] = [identity(), identity(), identity()];
  const kg = random(32);
  const scope = boxKeypair();
  const now = { ms: T0 + 2000 };
  const freshness = (): Freshness => new Freshness({ clock: () => now.ms, maxSkewMs: options.maxSkewMs });
  const subscriber = new E2eReceiver({
    freshness: freshness(),
    trust: new TrustStore([{ spk: alice.spk, prefix: 'com.example.news.', roles: ['publish'] }]),
    groupKeys: new GroupKeyStore([{ key: kg, scope: 'com.example.news.' }]),
  });
  const callee = new E2eReceiver({
    freshness: freshness(),
    trust: new TrustStore([{ spk: dave.spk, prefix: 'com.example.rpc.', roles: ['call'] }]),
    scopeKeys: new ScopeKeyStore([{ prefix: 'com.example.rpc.', secretKey: scope.secretKey }]),
  });
  const caller = new E2eReceiver({
    freshness: freshness(),
    trust: new TrustStore([{ spk: erin.spk, prefix: 'com.example.rpc.', roles: ['answer'] }]),
  });
  return { alice, dave, erin, kg, scope, now, subscriber, callee, caller };
}

describe('publish and subscribe', () => {
  it('delivers a signed event with its author, in either carriage, once', () => {
    const w = world();
    const s = sealPayload(publishInput(w.alice, w.kg, { args: [Uint8Array.of(1, 2)], kwargs: { é: true } }));
    const event = { wamp: 'EVENT', uri: 'com.example.news.sports' } as const;
    const o = sealed(w.subscriber.open({ ...event, envelope: opaque(s.payload, 'json', toHex(s.kid)) }));
    expect(o).toMatchObject({ args: [Uint8Array.of(1, 2)], kwargs: { é: true }, uri: 'com.example.news.sports' });
    expect(o).toMatchObject({ signed: true, more: false, stale: false, carriage: 'transparent' });
    expect(o.author).toEqual(w.alice.spk);
    // the same bytes as one binary argument are the same message: a replay
    expect(() => w.subscriber.open({ ...event, envelope: { kind: 'plain', args: [s.payload] } })).toThrow(
      refusal('replay'),
    );
    const s2 = sealPayload(publishInput(w.alice, w.kg, { seq: 2 }));
    const o2 = sealed(w.subscriber.open({ ...event, envelope: { kind: 'plain', args: [s2.payload], kwargs: {} } }));
    expect(o2.carriage).toBe('argument');
  });

  it('refuses every single-bit flip of a signed event, leaving the window as it was', () => {
    const w = world();
    const s = sealPayload(publishInput(w.alice, w.kg));
    const reasons = new Set<string>();
    for (let i = 0; i < s.payload.length * 8; i++) {
      const bad = s.payload.slice();
      bad[i >> 3] = bad[i >> 3]! ^ (1 << (i & 7));
      try {
        w.subscriber.open({ wamp: 'EVENT', uri: 'com.example.news.sports', envelope: opaque(bad) });
        throw new Error(`bit ${i} was accepted`);
      } catch (err) {
        expect(err).toMatchObject({ name: 'E2eV2Error' });
        reasons.add((err as { reason: string }).reason);
      }
    }
    // forgeries are refused by parsing, binding, authorization or the signature: never decrypted
    const beforeDecryption = ['malformed', 'magic', 'suite', 'reserved', 'unsigned', 'flags', 'header', 'type'];
    beforeDecryption.push('serializer', 'progress', 'sender', 'signature');
    expect([...reasons].filter((r) => !beforeDecryption.includes(r))).toEqual([]);
    expect(reasons).toContain('signature');
    // nothing was committed: the original is accepted
    expect(w.subscriber.open({ wamp: 'EVENT', uri: 'com.example.news.sports', envelope: opaque(s.payload) }).kind).toBe(
      'sealed',
    );
  });

  it('refuses a payload with several faults for the first in the order of §b.6', () => {
    const w = world();
    const s = sealPayload(publishInput(w.alice, w.kg));
    const open = (
      p: Uint8Array,
      over: Partial<{ uri: string; serializer: string; wamp: 'INVOCATION' }> = {},
    ): unknown => {
      try {
        w.subscriber.open({
          wamp: over.wamp ?? 'EVENT',
          uri: over.uri ?? 'com.example.news.sports',
          envelope: opaque(p, over.serializer),
        });
        return 'accepted';
      } catch (err) {
        return (err as { reason: string }).reason;
      }
    };
    const edit = (f: (p: Uint8Array) => void): Uint8Array => {
      const p = s.payload.slice();
      f(p);
      return p;
    };
    // magic and suite both wrong: magic; suite and reserved: suite
    expect(open(edit((p) => ((p[0] = 0), (p[2] = 9))))).toBe('magic');
    expect(open(edit((p) => ((p[2] = 2), (p[7] = 1))))).toBe('suite');
    // a short payload is malformed before its magic is read
    expect(open(edit((p) => (p[0] = 0)).subarray(0, 199))).toBe('malformed');
    // type (a PUBLISH as INVOCATION) and serializer both wrong: type; serializer and a moved topic: serializer
    expect(open(s.payload, { wamp: 'INVOCATION', serializer: 'cbor' })).toBe('type');
    // seq 0 (a header rule) and a wrong type: header (step 1 before step 2)
    expect(
      open(
        edit((p) => (p[71] = 0)),
        { wamp: 'INVOCATION' },
      ),
    ).toBe('header');
    expect(open(s.payload, { serializer: 'cbor', uri: 'com.example.news.weather' })).toBe('serializer');
    // an unauthorized topic and a bad signature: sender (no signature is verified)
    expect(
      open(
        edit((p) => (p[p.length - 1] = p[p.length - 1]! ^ 1)),
        { uri: 'com.example.other.x' },
      ),
    ).toBe('sender');
  });

  it('uses the injected clock: |now - ts| = maxSkew passes, one more is stale; 0 turns the check off', () => {
    const w = world({ maxSkewMs: 1000 });
    const at = (ts: number, seq: number): Uint8Array => sealPayload(publishInput(w.alice, w.kg, { ts, seq })).payload;
    const open = (p: Uint8Array): string => {
      try {
        return w.subscriber.open({ wamp: 'EVENT', uri: 'com.example.news.sports', envelope: opaque(p) }).kind;
      } catch (err) {
        return (err as { reason: string }).reason;
      }
    };
    w.now.ms = T0 + 1000;
    expect(open(at(T0, 1))).toBe('sealed');
    expect(open(at(T0 + 2000, 2))).toBe('sealed');
    expect(open(at(T0 - 1, 3))).toBe('stale');
    expect(open(at(T0 + 2001, 4))).toBe('stale');
    const noClock = world({ maxSkewMs: 0 });
    noClock.now.ms = 0;
    const old = sealPayload(publishInput(noClock.alice, noClock.kg, { ts: T0 }));
    expect(
      noClock.subscriber.open({ wamp: 'EVENT', uri: 'com.example.news.sports', envelope: opaque(old.payload) }).kind,
    ).toBe('sealed');
  });
});

describe('a call', () => {
  function firstCall(
    w: World,
    over: Partial<SealInput> = {},
  ): { ks: Uint8Array; input: SealInput; payload: Uint8Array } {
    const ks = random(32);
    const input = callInput(w.dave, ks, {
      signer: w.dave.secretKey,
      wrap: { sessionKey: ks, scopePublicKey: w.scope.publicKey },
      ...over,
    });
    return { ks, input, payload: sealPayload(input).payload };
  }

  it('wraps a session, answers with progressive results under the reply key, and closes the exchange', () => {
    const w = world();
    const { ks, input, payload } = firstCall(w);
    const inv = new CalleeExchange();
    const o = sealed(
      w.callee.open({ wamp: 'INVOCATION', uri: 'com.example.rpc.add', envelope: opaque(payload), exchange: inv }),
    );
    expect(o.author).toEqual(w.dave.spk);
    expect(inv.call?.caller).toEqual(w.dave.spk);
    expect(inv.final).toBe(true);
    // a later call of the session: no wrap, no signature, authenticated by the session key
    const later = sealPayload(callInput(w.dave, ks, { sid: input.sid, seq: 2, args: [4] }));
    const o2 = sealed(
      w.callee.open({ wamp: 'INVOCATION', uri: 'com.example.rpc.add', envelope: opaque(later.payload) }),
    );
    expect(o2).toMatchObject({ args: [4], signed: false });
    expect(o2.author).toEqual(w.dave.spk);

    const pending = new CallerExchange({ xid: input.xid, sessionKey: ks, procedure: 'com.example.rpc.add' });
    expect(inv.replyKey).toEqual(pending.replyKey);
    const reply = (
      seq: number,
      more: boolean,
      type: 'YIELD' | 'ERROR' = 'YIELD',
      uri = 'com.example.rpc.add',
    ): Uint8Array =>
      sealPayload({ ...callInput(w.erin, inv.replyKey!), type, uri, xid: input.xid, seq, more, args: [seq] }).payload;
    const result = (p: Uint8Array, progress: boolean): OpenedPayload =>
      w.caller.open({ wamp: 'RESULT', envelope: opaque(p), exchange: pending, progress });
    expect(sealed(result(reply(1, true), true))).toMatchObject({ args: [1], more: true, author: null });
    expect(() => result(reply(1, true), true)).toThrow(refusal('replay'));
    expect(sealed(result(reply(3, true), true)).args).toEqual([3]); // gaps are allowed
    expect(sealed(result(reply(4, false), false)).more).toBe(false);
    expect(pending.closed).toBe(true);
    expect(() => result(reply(5, false), false)).toThrow(refusal('exchange'));
  });

  it('refuses plaintext answers to a sealed call, except a router error, which passes unauthenticated', () => {
    const w = world();
    const { ks, input } = firstCall(w);
    const pending = new CallerExchange({ xid: input.xid, sessionKey: ks, procedure: 'com.example.rpc.add' });
    const plain: V2Envelope = { kind: 'plain', args: ['x'] };
    expect(() => w.caller.open({ wamp: 'RESULT', envelope: plain, exchange: pending })).toThrow(refusal('downgrade'));
    expect(() =>
      w.caller.open({ wamp: 'ERROR', uri: 'com.example.error.x', envelope: plain, exchange: pending }),
    ).toThrow(refusal('downgrade'));
    expect(w.caller.open({ wamp: 'ERROR', uri: 'wamp.error.canceled', envelope: plain, exchange: pending })).toEqual({
      kind: 'plain',
      args: ['x'],
      kwargs: {},
    });
    // and a call that was not sealed has no exchange: its plain result passes, a sealed one cannot be opened
    expect(w.caller.open({ wamp: 'RESULT', envelope: plain }).kind).toBe('plain');
  });

  it('refuses the calls of a revoked caller on its session from the next call on', () => {
    const w = world();
    const { ks, input, payload } = firstCall(w);
    w.callee.open({ wamp: 'INVOCATION', uri: 'com.example.rpc.add', envelope: opaque(payload) });
    w.callee.trust.revoke(w.dave.spk);
    const later = sealPayload(callInput(w.dave, ks, { sid: input.sid, seq: 2 }));
    expect(() =>
      w.callee.open({ wamp: 'INVOCATION', uri: 'com.example.rpc.add', envelope: opaque(later.payload) }),
    ).toThrow(refusal('sender'));
  });

  it('takes inconsistent requests as programming errors, not as refusals of the payload', () => {
    const w = world();
    const invalid = expect.objectContaining({ name: 'InvalidArgumentError' });
    const env = opaque(random(300));
    expect(() => w.caller.open({ wamp: 'RESULT', envelope: env, exchange: new CalleeExchange() })).toThrow(invalid);
    expect(() =>
      w.callee.open({ wamp: 'INVOCATION', uri: 'a.b', envelope: env, exchange: {} as CalleeExchange }),
    ).toThrow(invalid);
    expect(() => w.subscriber.open({ wamp: 'EVENT', envelope: env })).toThrow(invalid);
  });
});

describe('state bounds', () => {
  it('an authorized caller opening 10,000 streams keeps its last 64 windows; another caller keeps its own', () => {
    const w = world();
    const fred = identity();
    w.callee.trust.grant({ spk: fred.spk, prefix: 'com.example.rpc.', roles: ['call'] });
    const open = (p: Uint8Array): string => {
      try {
        return w.callee.open({ wamp: 'INVOCATION', uri: 'com.example.rpc.add', envelope: opaque(p) }).kind;
      } catch (err) {
        return (err as { reason: string }).reason;
      }
    };
    const wrapped = (who: Identity, ks: Uint8Array): Uint8Array =>
      sealPayload(
        callInput(who, ks, { signer: who.secretKey, wrap: { sessionKey: ks, scopePublicKey: w.scope.publicKey } }),
      ).payload;
    const fredsCall = wrapped(fred, random(32));
    expect(open(fredsCall)).toBe('sealed');
    const ks = random(32);
    expect(open(wrapped(w.dave, ks))).toBe('sealed');
    const first = sealPayload(callInput(w.dave, ks, { sid: random(8) })).payload;
    expect(open(first)).toBe('sealed');
    for (let i = 0; i < 10_000; i++) {
      expect(open(sealPayload(callInput(w.dave, ks, { sid: random(8) })).payload)).toBe('sealed');
    }
    expect(w.callee.windows.countFor(toHex(w.dave.spk))).toBe(64);
    expect(w.callee.windows.count).toBe(65);
    expect(open(fredsCall)).toBe('replay'); // the other caller's window is intact
    expect(open(first)).toBe('sealed'); // dave's evicted window is forgotten: the documented replay-once
  });
});

describe('memory hygiene', () => {
  it('leaves no content key, unwrapped session key or plaintext in either scratch after opening', () => {
    const w = world();
    const ks = random(32);
    const text = 'plaintext that must not linger in the heap';
    const s = sealPayload(
      callInput(w.dave, ks, {
        args: [text],
        signer: w.dave.secretKey,
        wrap: { sessionKey: ks, scopePublicKey: w.scope.publicKey },
      }),
    );
    w.callee.open({ wamp: 'INVOCATION', uri: 'com.example.rpc.add', envelope: opaque(s.payload) });
    const heap = [scratchV2ForTesting(), scratchForTesting()].flatMap((x) => [x.fixed, x.data]);
    for (const secret of [ks, w.scope.secretKey, s.plaintext.subarray(0, 32)]) {
      for (const region of heap) expect(Buffer.from(region).indexOf(Buffer.from(secret))).toBe(-1);
    }
  });
});
