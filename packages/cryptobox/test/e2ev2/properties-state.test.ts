/**
 * "A refusal leaves receiver state unchanged" (§e intro, §b.6 step 10), for the refusals of the
 * security properties, at the receiver: a refused payload carrying the same sender stream and
 * sequence number (`spk`, `sid`, `seq`) as a legitimate one does not use that number up, so the
 * legitimate payload opened next is delivered, not refused as a replay; and neither the windows nor
 * the session cache grew.
 */
import { boxKeypair, signDetached } from '../../src/sodium';
import { E2eReceiver } from '../../src/e2ev2/receiver';
import { Freshness } from '../../src/e2ev2/freshness';
import { GroupKeyStore } from '../../src/e2ev2/group-keys';
import { ScopeKeyStore } from '../../src/e2ev2/scope-keys';
import { sealPayload } from '../../src/e2ev2/seal';
import { TrustStore } from '../../src/e2ev2/trust-store';
import { SIG_BYTES } from '../../src/e2ev2/constants';
import type { V2Envelope } from '../../src/e2ev2/envelope';
import { E2eV2Error } from '../../src/e2ev2/errors';
import { toHex } from '../../src/e2ev2/derive';
import type { Identity } from './helpers';
import { callInput, identity, publishInput, random, sodiumBothReady, T0 } from './helpers';

beforeAll(sodiumBothReady);

const opaque = (payload: Uint8Array): V2Envelope => ({
  kind: 'opaque',
  scheme: 'x_e2ev2',
  serializer: 'json',
  payload,
});

/** What `open` did: the refusal's reason, or `delivered`. */
function attempt(open: () => unknown): string {
  try {
    open();
  } catch (err) {
    if (err instanceof E2eV2Error) return err.reason;
    throw err;
  }
  return 'delivered';
}

describe('a refused EVENT does not use up its sequence number', () => {
  let carol: Identity; // publishes on com.a.
  let bob: Identity; // publishes on com.b.
  let keyA: Uint8Array;
  let keyB: Uint8Array;
  let legit: Uint8Array;
  const sid = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  beforeAll(async () => {
    await sodiumBothReady();
    [carol, bob, keyA, keyB] = [identity(), identity(), random(32), random(32)];
    legit = sealPayload(publishInput(carol, keyA, { uri: 'com.a.prices', sid, seq: 7 })).payload;
  });
  const subscriber = (): E2eReceiver =>
    new E2eReceiver({
      freshness: new Freshness({ clock: () => T0 }),
      // strict: transparent carriage only (the receiver's default accepts both)
      routes: [{ prefix: 'com.', scheme: 'x_e2ev2', carriages: ['transparent'] }],
      trust: new TrustStore([
        { spk: carol.spk, prefix: 'com.a.', roles: ['publish'] },
        { spk: bob.spk, prefix: 'com.b.', roles: ['publish'] },
      ]),
      groupKeys: new GroupKeyStore([
        { key: keyA, scope: 'com.a.' },
        { key: keyB, scope: 'com.b.' },
      ]),
    });

  const forged = (): Uint8Array => {
    const p = legit.slice();
    p.set(signDetached(random(32), carol.secretKey), p.length - SIG_BYTES); // a signature over 32 bytes
    return p;
  };
  const cases: [string, string, () => V2Envelope, string][] = [
    [
      'on another publisher’s topic, with its group key',
      'com.b.prices',
      () => opaque(sealPayload(publishInput(carol, keyB, { uri: 'com.b.prices', sid, seq: 7 })).payload),
      'sender',
    ],
    ['signed over a bare 32-byte message', 'com.a.prices', () => opaque(forged()), 'signature'],
    [
      'under a group key the reader does not hold (rotated)',
      'com.a.prices',
      () => opaque(sealPayload(publishInput(carol, random(32), { uri: 'com.a.prices', sid, seq: 7 })).payload),
      'unknown_key',
    ],
    ['in the other carriage (strict route)', 'com.a.prices', () => ({ kind: 'plain', args: [legit] }), 'downgrade'],
    ['in plaintext', 'com.a.prices', () => ({ kind: 'plain', args: ['x'] }), 'downgrade'],
  ];

  it.each(cases)('%s', (_what, uri, envelope, reason) => {
    const rx = subscriber();
    const before = [rx.windows.count, rx.windows.check(toHex(carol.spk), toHex(sid), 7n)];
    expect(attempt(() => rx.open({ wamp: 'EVENT', uri, envelope: envelope() }))).toBe(reason);
    expect([rx.windows.count, rx.windows.check(toHex(carol.spk), toHex(sid), 7n)]).toEqual(before);
    expect(attempt(() => rx.open({ wamp: 'EVENT', uri: 'com.a.prices', envelope: opaque(legit) }))).toBe('delivered');
    expect(attempt(() => rx.open({ wamp: 'EVENT', uri: 'com.a.prices', envelope: opaque(legit) }))).toBe('replay');
  });
});

describe('a CALL wrapped for another callee scope does not use up its number nor open a session', () => {
  it('is refused wrong-recipient; the call with the same stream and number then opens', () => {
    const dave = identity();
    const ours = boxKeypair();
    const theirs = boxKeypair();
    const callee = new E2eReceiver({
      freshness: new Freshness({ clock: () => T0 }),
      trust: new TrustStore([{ spk: dave.spk, prefix: 'com.rpc.', roles: ['call'] }]),
      scopeKeys: new ScopeKeyStore([{ prefix: 'com.rpc.', secretKey: ours.secretKey }]),
    });
    const sid = random(8);
    const call = (scopePublicKey: Uint8Array): Uint8Array => {
      const ks = random(32);
      const input = callInput(dave, ks, {
        uri: 'com.rpc.add',
        sid,
        seq: 3,
        signer: dave.secretKey,
        wrap: { sessionKey: ks, scopePublicKey },
      });
      return sealPayload(input).payload;
    };
    const open = (p: Uint8Array): string =>
      attempt(() => callee.open({ wamp: 'INVOCATION', uri: 'com.rpc.add', envelope: opaque(p) }));
    expect(open(call(theirs.publicKey))).toBe('wrong-recipient');
    expect([callee.windows.count, callee.sessions.size, callee.windows.check(toHex(dave.spk), toHex(sid), 3n)]).toEqual(
      [0, 0, true],
    );
    const right = call(ours.publicKey);
    expect(open(right)).toBe('delivered');
    expect([callee.windows.count, callee.sessions.size]).toEqual([1, 1]);
    expect(open(right)).toBe('replay');
  });
});
