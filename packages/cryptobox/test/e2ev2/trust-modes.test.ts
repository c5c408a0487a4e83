/**
 * The authority and trust-on-first-use modes of the trust store (§b.8.2): grants from role
 * certificates of a pinned organisation key, expiring with their package; the first key an authid
 * signs with pinned only once its payload passed every check, another key refused and reported.
 */
import type { PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { e2eV2 } from '../../src/e2ev2/codec';
import { toHex } from '../../src/e2ev2/derive';
import { certifyKeyPackage, makeKeyPackage } from '../../src/e2ev2/key-package';
import { AuthorityTrustStore, TofuTrustStore, type TofuMismatch } from '../../src/e2ev2/trust-modes';
import { identity, random, sodiumBothReady, T0, type Identity } from './helpers';

beforeAll(sodiumBothReady);

const NEWS = 'com.example.news.';
const TOPIC = `${NEWS}sports`;
/** What `codec` makes of `wire`, as a promise (the codec answers synchronously once ready). */
const opened = (codec: PayloadCodec, wire: WirePayload, ctx: PayloadContext): Promise<unknown> =>
  Promise.resolve().then(() => codec.decode(wire, ctx));
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;

function packageOf(who: Identity, org: Identity | undefined, notAfter = T0 + 1000) {
  const pkg = makeKeyPackage({
    identity: { publicKey: who.spk, secretKey: who.secretKey },
    authid: 'dave',
    encPublicKey: random(32),
    notAfter,
    grants: [{ prefix: NEWS, roles: ['publish', 'read'] }],
  });
  return org === undefined ? pkg : certifyKeyPackage(pkg, { publicKey: org.spk, secretKey: org.secretKey });
}

describe('AuthorityTrustStore', () => {
  it('grants the roles of a certified package until it expires', () => {
    const [org, dave] = [identity(), identity()];
    let now = T0;
    const t = new AuthorityTrustStore(org.spk, { clock: () => now });
    const v = t.admit(packageOf(dave, org));
    expect(v).toMatchObject({ authid: 'dave', certified: true, notAfter: T0 + 1000 });
    expect(t.packageOf('dave')?.encPublicKey).toEqual(v.encPublicKey);
    expect(t.isAuthorized(dave.spk, TOPIC, 'publish')).toBe(true);
    expect(t.isAuthorized(dave.spk, TOPIC, 'call')).toBe(false);
    expect(t.isAuthorized(dave.spk, 'com.example.other', 'publish')).toBe(false);
    now = T0 + 1001;
    expect(t.isAuthorized(dave.spk, TOPIC, 'publish')).toBe(false);
  });

  it('refuses a package without a certificate, certified by another key, tampered with or expired, and changes nothing', () => {
    const [org, other, dave] = [identity(), identity(), identity()];
    const t = new AuthorityTrustStore(org.spk, { clock: () => T0 });
    const tampered = { ...packageOf(dave, org), grants: [{ prefix: '', roles: ['publish'] }] };
    for (const pkg of [
      packageOf(dave, undefined),
      packageOf(dave, other),
      tampered,
      packageOf(dave, org, T0 - 1),
      'x',
    ]) {
      expect(() => t.admit(pkg)).toThrow(refusal('keypkg'));
    }
    expect(t.isAuthorized(dave.spk, TOPIC, 'publish')).toBe(false);
    expect(t.packageOf('dave')).toBeUndefined();
  });

  it('takes a newer package of the same authid in place of the older one', () => {
    const [org, oldKey, newKey] = [identity(), identity(), identity()];
    const t = new AuthorityTrustStore(org.spk, { clock: () => T0 });
    t.admit(packageOf(oldKey, org));
    t.admit(packageOf(newKey, org));
    expect(t.isAuthorized(oldKey.spk, TOPIC, 'publish')).toBe(false);
    expect(t.isAuthorized(newKey.spk, TOPIC, 'publish')).toBe(true);
  });
});

describe('TofuTrustStore in a reader', () => {
  const key = random(32);
  const writer = (who: Identity): PayloadCodec =>
    e2eV2({
      identity: { publicKey: who.spk, secretKey: who.secretKey },
      groupKeys: [{ scope: NEWS, key, current: true }],
      routes: [{ prefix: NEWS, carriage: 'transparent' }],
    });
  const event = (authid: string | undefined): PayloadContext => ({
    uri: TOPIC,
    messageType: 'EVENT',
    originating: false,
    sending: false,
    disclosed: authid === undefined ? undefined : { authid },
  });
  const publish: PayloadContext = { uri: TOPIC, messageType: 'PUBLISH', originating: true, sending: true };

  function reader(mismatches: TofuMismatch[] = []): { codec: PayloadCodec; trust: TofuTrustStore } {
    const trust = new TofuTrustStore({
      scopes: [{ prefix: NEWS, roles: ['publish'] }],
      onMismatch: (m) => mismatches.push(m),
    });
    const codec = e2eV2({
      identity: { seed: random(32) },
      trust,
      groupKeys: [{ scope: NEWS, key }],
      routes: [{ prefix: NEWS, carriage: 'transparent' }],
    });
    return { codec, trust };
  }

  it('pins the first key of an authid and refuses (and reports) another key for it', async () => {
    const [alice, mallory] = [identity(), identity()];
    const mismatches: TofuMismatch[] = [];
    const { codec, trust } = reader(mismatches);
    const first = await writer(alice).encode({ args: [1] }, publish);
    await expect(opened(codec, first, event('alice'))).resolves.toMatchObject({ args: [1] });
    expect(trust.pins).toEqual([['alice', NEWS, toHex(alice.spk)]]);
    const forged = await writer(mallory).encode({ args: [2] }, publish);
    await expect(opened(codec, forged, event('alice'))).rejects.toThrow(refusal('tofu-mismatch'));
    expect(mismatches).toEqual([
      { authid: 'alice', prefix: NEWS, pinned: toHex(alice.spk), offered: toHex(mallory.spk) },
    ]);
    // mallory under its own authid is a new first use
    await expect(opened(codec, forged, event('mallory'))).resolves.toMatchObject({ args: [2] });
  });

  it('does not pin a key whose payload failed a later check, and trusts no one without an authid claim', async () => {
    const [alice, mallory] = [identity(), identity()];
    const { codec, trust } = reader();
    const wire = await writer(mallory).encode({ args: [1] }, publish);
    if (wire.kind !== 'opaque') throw new Error('expected an opaque payload');
    const broken = { ...wire, payload: wire.payload.slice() };
    broken.payload[broken.payload.length - 1]! ^= 1;
    await expect(opened(codec, broken, event('alice'))).rejects.toThrow(refusal('signature'));
    expect(trust.pins).toEqual([]);
    await expect(opened(codec, await writer(alice).encode({}, publish), event('alice'))).resolves.toBeDefined();
    await expect(opened(codec, await writer(alice).encode({}, publish), event(undefined))).rejects.toThrow(
      refusal('sender'),
    );
  });
});
