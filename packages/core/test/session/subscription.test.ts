/** A subscription read through its async iterator keeps a bounded buffer and says when it overflows. */
import { Connection, SlowConsumerError } from '../../src/index';
import type { Transport } from '../../src/index';
import { MessageType as T, ScriptedRouter } from '../../src/testing/index';

describe('a subscription read by an iterator that does not keep up', () => {
  it('buffers maxBuffered events, drops and counts the rest, and reports each overflow once', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1' });
    const errors: Error[] = [];
    session.on('error', (e) => void errors.push(e));
    const subscribing = session.subscribe('com.example.fast', undefined, { maxBuffered: 3 });
    const subId = await router.acceptSubscribe();
    const sub = await subscribing;
    for (let i = 1; i <= 5; i++) router.send([T.EVENT, subId, router.id(), {}, [i]]);
    expect(sub.dropped).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SlowConsumerError);
    expect(errors[0]).toMatchObject({ code: 'ERR_SLOW_CONSUMER', topic: 'com.example.fast', dropped: 1 });

    const it = sub[Symbol.asyncIterator]();
    const read: unknown[] = [];
    for (let i = 0; i < 3; i++) read.push((await it.next()).value.args[0]);
    expect(read).toEqual([1, 2, 3]);
    // room again: the next event is kept, and a later overflow is reported anew
    for (let i = 6; i <= 10; i++) router.send([T.EVENT, subId, router.id(), {}, [i]]);
    expect(sub.dropped).toBe(4);
    expect(errors).toHaveLength(2);
    expect((await it.next()).value.args[0]).toBe(6);
  });

  it('hands every event to a handler whatever the iterator buffer holds', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1' });
    session.on('error', () => undefined);
    const seen: unknown[] = [];
    const subscribing = session.subscribe('com.example.fast', (ev) => void seen.push(ev.args[0]), { maxBuffered: 1 });
    const subId = await router.acceptSubscribe();
    const sub = await subscribing;
    sub[Symbol.asyncIterator](); // an iterator that never reads
    for (let i = 1; i <= 4; i++) router.send([T.EVENT, subId, router.id(), {}, [i]]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(sub.dropped).toBe(3);
  });

  it('bounds a durable subscription of a Connection the same way, reported on the connection', async () => {
    const router = new ScriptedRouter();
    const conn = new Connection(() => Promise.resolve(router.transport as Transport), {
      url: 'ws://x',
      realm: 'realm1',
      reconnect: false,
      closeTimeoutMs: 1,
    });
    const errors: Error[] = [];
    conn.on('error', (e) => void errors.push(e));
    const opening = conn.open();
    await router.next(T.HELLO);
    router.send([T.WELCOME, 1, { roles: { broker: {}, dealer: {} } }]);
    await opening;
    const subscribing = conn.subscribe('com.example.fast', undefined, { maxBuffered: 2 });
    const subId = await router.acceptSubscribe();
    const sub = await subscribing;
    for (let i = 1; i <= 4; i++) router.send([T.EVENT, subId, router.id(), {}, [i]]);
    expect(sub.dropped).toBe(2);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_SLOW_CONSUMER' })]);
    await conn.close();
  });

  it('refuses a maxBuffered that is not a positive integer (or Infinity)', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1' });
    for (const maxBuffered of [0, -1, 1.5, Number.NaN, '10']) {
      await expect(
        session.subscribe('com.example.t', undefined, { maxBuffered: maxBuffered as number }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    void session.subscribe('com.example.t', undefined, { maxBuffered: Number.POSITIVE_INFINITY });
    expect(router.transport.last(T.SUBSCRIBE)).toEqual([T.SUBSCRIBE, expect.any(Number), {}, 'com.example.t']);
  });
});
