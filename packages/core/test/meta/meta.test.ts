import { MetaApi, UnexpectedResultError } from '../../src/meta';
import { Session, WampboxError } from '../../src/index';
import type { Dict, WampApi } from '../../src/index';
import { MessageType as T } from '../../src/internal';
import { FakeTransport } from '../helpers/fake-transport';

/** A WampApi that records calls and answers each with the next of `answers`. */
function fakeApi(answers: unknown[]): { api: WampApi; calls: [string, unknown[] | undefined, Dict | undefined][] } {
  const calls: [string, unknown[] | undefined, Dict | undefined][] = [];
  const api = {
    call: (procedure: string, args?: unknown[], kwargs?: Dict) => {
      calls.push([procedure, args, kwargs]);
      const a = answers.shift();
      return Promise.resolve({ args: a === undefined ? [] : [a], kwargs: {}, details: {}, progress: false });
    },
  } as unknown as WampApi;
  return { api, calls };
}

describe('meta procedures', () => {
  it('send the arguments in the shapes Crossbar reads', async () => {
    const { api, calls } = fakeApi([3, [1, 2], 7, [], 1, [5], null, null, 2, { exact: [1], prefix: [], wildcard: [] }]);
    const meta = new MetaApi(api);
    expect(await meta.session.count()).toBe(3);
    expect(await meta.session.list(['user'])).toEqual([1, 2]);
    expect(
      await meta.session.addTestament('com.x.t', undefined, undefined, { publish: { excludeAuthid: ['a'] } }),
    ).toBe(7);
    expect(await meta.session.killByAuthid('a', { reason: 'com.x.kick' })).toEqual([]);
    expect(await meta.session.flushTestaments('detached')).toBe(1);
    expect(await meta.subscription.match('com.x.t')).toEqual([5]);
    expect(await meta.subscription.match('com.x.u')).toEqual([]); // Crossbar's null
    expect(await meta.registration.lookup('com.x.', { match: 'prefix' })).toBeNull();
    expect(await meta.registration.countCallees(9)).toBe(2);
    expect(await meta.registration.list(4)).toEqual({ exact: [1], prefix: [], wildcard: [] });
    await meta.subscription.removeSubscriber(8, 9, 'com.x.why');
    expect(calls).toEqual([
      ['wamp.session.count', undefined, undefined],
      ['wamp.session.list', [['user']], undefined],
      ['wamp.session.add_testament', ['com.x.t', [], {}], { publish_options: { exclude_authid: ['a'] } }],
      ['wamp.session.kill_by_authid', ['a'], { reason: 'com.x.kick' }],
      ['wamp.session.flush_testaments', undefined, { scope: 'detached' }],
      ['wamp.subscription.match', ['com.x.t'], undefined],
      ['wamp.subscription.match', ['com.x.u'], undefined],
      ['wamp.registration.lookup', ['com.x.', { match: 'prefix' }], undefined],
      ['wamp.registration.count_callees', [9], undefined],
      ['wamp.registration.list', [4], undefined],
      ['wamp.subscription.remove_subscriber', [8, 9], { reason: 'com.x.why' }],
    ]);
  });

  it('refuse bad arguments with ERR_INVALID_ARGUMENT before anything is sent', async () => {
    const { api, calls } = fakeApi([]);
    const meta = new MetaApi(api);
    const bad = [
      () => meta.session.get(1.5),
      () => meta.session.get(undefined as unknown as number),
      () => meta.session.count('user' as unknown as string[]),
      () => meta.session.kill(1, { message: 3 as unknown as string }),
      () => meta.session.killByAuthrole(''),
      () => meta.session.addTestament('com.x.t', 'a' as unknown as unknown[]),
      () => meta.session.addTestament('com.x.t', [], {}, { publish: { exclude: ['x'] as unknown as number[] } }),
      () => meta.subscription.lookup('com..x'),
      () => meta.subscription.lookup('com.x', { match: 'fuzzy' as 'exact' }),
      () => meta.registration.removeCallee(1, -2),
      () => meta.registration.list(-1),
    ];
    for (const f of bad) await expect(f()).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(calls).toEqual([]);
  });

  it('reject an answer of another shape with UnexpectedResultError (ERR_UNEXPECTED_RESULT)', async () => {
    const { api } = fakeApi([
      'three',
      [1, 'x'],
      { session: 1, authid: 'a' },
      { id: 1, created: 'c', uri: 'u', match: 'exact' },
      null,
    ]);
    const meta = new MetaApi(api);
    const results = [
      meta.session.count(),
      meta.session.list(),
      meta.session.get(1),
      meta.registration.get(1), // no invoke
      meta.subscription.list(),
    ];
    for (const p of results) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnexpectedResultError);
      expect(err).toBeInstanceOf(WampboxError);
      expect(err).toMatchObject({ code: 'ERR_UNEXPECTED_RESULT', name: 'UnexpectedResultError' });
    }
    await expect(new MetaApi(fakeApi([[1, 'x']]).api).session.list()).rejects.toThrow(
      'wamp.session.list: unexpected result[1]',
    );
  });
});

describe('meta events', () => {
  async function joined(): Promise<{ t: FakeTransport; s: Session }> {
    const t = new FakeTransport();
    const p = Session.join(t, { realm: 'realm1' });
    t.deliver([T.WELCOME, 42, { roles: { broker: {}, dealer: {} } }]);
    return { t, s: await p };
  }
  const event = (sub: number, args: unknown[]): unknown[] => [T.EVENT, sub, 1, {}, args];

  it('reach the handler typed, and report an event of another shape on the session', async () => {
    const { t, s } = await joined();
    const errors: unknown[] = [];
    s.on('error', (e) => void errors.push(e));
    const seen: unknown[] = [];
    const p = new MetaApi(s).subscription.onUnsubscribe((e) => void seen.push(e));
    expect(t.last(T.SUBSCRIBE)!.slice(2)).toEqual([{}, 'wamp.subscription.on_unsubscribe']);
    t.deliver([T.SUBSCRIBED, t.last(T.SUBSCRIBE)![1], 5]);
    const events = await p;
    expect(events.topic).toBe('wamp.subscription.on_unsubscribe');
    t.deliver(event(5, [11, 12]));
    t.deliver(event(5, [null, 13]));
    t.deliver(event(5, ['x', 14]));
    expect(seen).toEqual([
      { session: 11, id: 12 },
      { session: null, id: 13 },
    ]);
    expect(errors).toEqual([expect.any(UnexpectedResultError)]);
  });

  it('read as an async iterator: typed values, a wrong shape thrown, a break unsubscribes', async () => {
    const { t, s } = await joined();
    const p = new MetaApi(s).session.onLeave();
    t.deliver([T.SUBSCRIBED, t.last(T.SUBSCRIBE)![1], 6]);
    const leaves = await p;
    t.deliver(event(6, [21]));
    t.deliver(event(6, [22, 'bob', 'user']));
    const got: unknown[] = [];
    void t.next(T.UNSUBSCRIBE).then((m) => t.deliver([T.UNSUBSCRIBED, m[1]]));
    for await (const l of leaves) {
      got.push(l);
      if (got.length === 2) break;
    }
    expect(got).toEqual([{ session: 21 }, { session: 22, authid: 'bob', authrole: 'user' }]);
    expect(t.last(T.UNSUBSCRIBE)![2]).toBe(6);

    const q = new MetaApi(s).session.onJoin();
    t.deliver([T.SUBSCRIBED, t.last(T.SUBSCRIBE)![1], 7]);
    const joins = await q;
    t.deliver(event(7, [{ session: 'nope' }]));
    const it = joins[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toBeInstanceOf(UnexpectedResultError);
  });
});
