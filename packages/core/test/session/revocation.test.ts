import { Connection, Session } from '../../src/index';
import { MessageType as T } from '../../src/internal';
import type { Revocation, TransportFactory } from '../../src/index';
import { FakeTransport } from '../helpers/fake-transport';

const ROLES = { broker: { features: {} }, dealer: { features: {} } };

async function joined(): Promise<{ t: FakeTransport; s: Session }> {
  const t = new FakeTransport();
  const p = Session.join(t, { realm: 'realm1' });
  t.deliver([T.WELCOME, 42, { roles: ROLES }]);
  return { t, s: await p };
}

/** Resolves once `t` has sent a message of type `type` (checked every millisecond, for at most a second). */
async function sent(t: FakeTransport, type: number): Promise<void> {
  for (let waited = 0; !t.last(type); waited++) {
    if (waited > 1000) throw new Error('nothing sent within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Answers the pending SUBSCRIBE or REGISTER of `t` with `id`. */
function confirm(t: FakeTransport, type: typeof T.SUBSCRIBE | typeof T.REGISTER, id: number): void {
  t.deliver([type === T.SUBSCRIBE ? T.SUBSCRIBED : T.REGISTERED, t.last(type)![1], id]);
}

describe('revocation by the router', () => {
  it('announces subscription_revocation and registration_revocation in HELLO', () => {
    const t = new FakeTransport();
    void Session.join(t, { realm: 'realm1' }).catch(() => undefined);
    const roles = (t.sent[0]![2] as { roles: Record<string, { features: Record<string, unknown> }> }).roles;
    expect(roles['subscriber']!.features['subscription_revocation']).toBe(true);
    expect(roles['callee']!.features['registration_revocation']).toBe(true);
    t.drop();
  });

  it('emits revoked on every local subscription sharing the router subscription, then ends their iterators', async () => {
    const { t, s } = await joined();
    const a = s.subscribe('com.x.t', () => undefined);
    confirm(t, T.SUBSCRIBE, 31);
    const b = s.subscribe('com.x.t');
    confirm(t, T.SUBSCRIBE, 31);
    const [subA, subB] = await Promise.all([a, b]);
    const seen: [string, Revocation, boolean][] = [];
    subA.on('revoked', (r) => void seen.push(['a', r, subA.active]));
    subB.on('revoked', (r) => void seen.push(['b', r, subB.active]));
    const it = subB[Symbol.asyncIterator]();
    const details = { subscription: 31, reason: 'wamp.error.not_authorized' };
    t.deliver([T.UNSUBSCRIBED, 0, details]);
    expect(seen).toEqual([
      ['a', { reason: 'wamp.error.not_authorized', details }, false],
      ['b', { reason: 'wamp.error.not_authorized', details }, false],
    ]);
    expect((await it.next()).done).toBe(true);
    // no UNSUBSCRIBE goes out for a revoked subscription, and events for it go nowhere
    const sent = t.sent.length;
    await subA.unsubscribe();
    expect(t.sent.length).toBe(sent);
    t.deliver([T.EVENT, 31, 1, {}, ['late']]);
    expect(s.isOpen).toBe(true);
  });

  it('emits revoked on a registration, with no reason when the router gives none', async () => {
    const { t, s } = await joined();
    const p = s.register('com.x.p', () => 1);
    confirm(t, T.REGISTER, 21);
    const reg = await p;
    const seen: Revocation[] = [];
    reg.on('revoked', (r) => void seen.push(r));
    t.deliver([T.UNREGISTERED, 0, { registration: 21 }]);
    expect(seen).toEqual([{ reason: undefined, details: { registration: 21 } }]);
    expect(reg.active).toBe(false);
    t.deliver([T.INVOCATION, 5, 21, {}, []]);
    expect(t.last(T.ERROR)!.slice(0, 5)).toEqual([T.ERROR, T.INVOCATION, 5, {}, 'wamp.error.no_such_registration']);
  });

  it('ignores revocations of unknown ids and ones without an id, and does not emit after unsubscribe', async () => {
    const { t, s } = await joined();
    const p = s.subscribe('com.x.t', () => undefined);
    confirm(t, T.SUBSCRIBE, 7);
    const sub = await p;
    let revoked = 0;
    sub.on('revoked', () => void revoked++);
    t.deliver([T.UNSUBSCRIBED, 0, { subscription: 8 }]);
    t.deliver([T.UNSUBSCRIBED, 0, {}]);
    t.deliver([T.UNREGISTERED, 0, { registration: 7 }]);
    expect(sub.active).toBe(true);
    const u = sub.unsubscribe();
    t.deliver([T.UNSUBSCRIBED, t.last(T.UNSUBSCRIBE)![1]]);
    await u;
    t.deliver([T.UNSUBSCRIBED, 0, { subscription: 7 }]);
    expect(revoked).toBe(0);
    // the session's end does not emit revoked either
    const reg = s.register('com.x.p', () => 1);
    confirm(t, T.REGISTER, 9);
    (await reg).on('revoked', () => void revoked++);
    t.drop();
    expect(revoked).toBe(0);
  });

  it('reports a revoked listener that throws on the session, and still runs the others', async () => {
    const { t, s } = await joined();
    const errors: unknown[] = [];
    s.on('error', (e) => void errors.push(e));
    const p = s.register('com.x.p', () => 1);
    confirm(t, T.REGISTER, 3);
    const reg = await p;
    let second = false;
    reg.on('revoked', () => {
      throw new Error('listener broke');
    });
    reg.on('revoked', () => void (second = true));
    t.deliver([T.UNREGISTERED, 0, { registration: 3, reason: 'x.y' }]);
    expect(second).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ message: 'listener broke' })]);
    expect(s.isOpen).toBe(true);
  });
});

describe('revocation of durable subscriptions and registrations', () => {
  /** A fake transport that answers HELLO and GOODBYE; everything else is answered by hand. */
  class Welcoming extends FakeTransport {
    override send(frame: string | Uint8Array): void {
      super.send(frame);
      const type = (frame as unknown as unknown[])[0];
      if (type === T.HELLO) queueMicrotask(() => this.deliver([T.WELCOME, 1, { roles: ROLES }]));
      if (type === T.GOODBYE) queueMicrotask(() => this.deliver([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']));
    }
  }
  function router(): { factory: TransportFactory; transports: FakeTransport[] } {
    const transports: FakeTransport[] = [];
    const factory: TransportFactory = () => {
      const t = new Welcoming();
      transports.push(t);
      return Promise.resolve(t);
    };
    return { factory, transports };
  }
  const options = { url: 'fake://', realm: 'realm1', heartbeat: false as const };
  const reconnect = { initialDelayMs: 1, maxDelayMs: 1, jitter: 0 };

  it('ends a durable subscription for good: revoked is emitted, the iterator finishes, no re-subscribe after a reconnect', async () => {
    const r = router();
    const c = new Connection(r.factory, { ...options, reconnect });
    await c.open();
    const t = r.transports[0]!;
    const p = c.subscribe('com.x.t');
    await sent(t, T.SUBSCRIBE);
    confirm(t, T.SUBSCRIBE, 11);
    const sub = await p;
    const seen: Revocation[] = [];
    sub.on('revoked', (x) => void seen.push(x));
    const it = sub[Symbol.asyncIterator]();
    t.deliver([T.UNSUBSCRIBED, 0, { subscription: 11, reason: 'wamp.error.not_authorized' }]);
    expect(seen.map((x) => x.reason)).toEqual(['wamp.error.not_authorized']);
    expect(sub.active).toBe(false);
    expect(sub.id).toBeUndefined();
    expect((await it.next()).done).toBe(true);
    // a registration made before stays durable: it is re-made, the revoked subscription is not
    const q = c.register('com.x.p', () => 1);
    await sent(t, T.REGISTER);
    confirm(t, T.REGISTER, 12);
    await q;
    const reopened = new Promise((resolve) => c.once('open', resolve));
    t.drop();
    for (let waited = 0; r.transports.length < 2; waited++) {
      if (waited > 1000) throw new Error('no reconnect within 1 s');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const t2 = r.transports[1]!;
    await sent(t2, T.REGISTER);
    confirm(t2, T.REGISTER, 13);
    await reopened;
    expect(t2.last(T.SUBSCRIBE)).toBeUndefined();
    await c.close();
  });

  it('ends a durable registration for good and reports a throwing listener on the connection', async () => {
    const r = router();
    const c = new Connection(r.factory, { ...options, reconnect: false });
    const errors: unknown[] = [];
    c.on('error', (e) => void errors.push(e));
    await c.open();
    const t = r.transports[0]!;
    const p = c.register('com.x.p', () => 1);
    await sent(t, T.REGISTER);
    confirm(t, T.REGISTER, 5);
    const reg = await p;
    reg.on('revoked', () => {
      throw new Error('listener broke');
    });
    t.deliver([T.UNREGISTERED, 0, { registration: 5 }]);
    expect(reg.active).toBe(false);
    expect(reg.id).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ message: 'listener broke' })]);
    await expect(reg.unregister()).resolves.toBeUndefined();
    expect(t.last(T.UNREGISTER)).toBeUndefined();
  });
});
