import { passthrough } from '../../src/index';
import type { PayloadCodec } from '../../src/index';
import { MemoryTransport, MessageType as T, ScriptedRouter } from '../../src/testing/index';

describe('ScriptedRouter', () => {
  it('joins a session and plays the router for a call, a subscription and an invocation', async () => {
    const router = new ScriptedRouter({ sessionId: 77 });
    const session = await router.join({ realm: 'realm1' });
    expect(session.id).toBe(77);
    expect(session.payloadDialect).toBe('transparency');

    const result = session.call('com.example.add', [2, 3]);
    const call = await router.next(T.CALL);
    expect(call).toEqual([T.CALL, expect.any(Number), {}, 'com.example.add', [2, 3]]);
    router.send([T.RESULT, call[1], {}, [5]]);
    await expect(result).resolves.toMatchObject({ args: [5] });

    const seen: unknown[] = [];
    const subscribing = session.subscribe('com.example.tick', (ev) => void seen.push(ev.args));
    const subId = await router.acceptSubscribe();
    await subscribing;
    router.send([T.EVENT, subId, router.id(), {}, [1]]);
    expect(seen).toEqual([[1]]);

    const registering = session.register('com.example.twice', (inv) => (inv.args[0] as number) * 2);
    const regId = await router.acceptRegister();
    await registering;
    const invocation = router.id();
    router.send([T.INVOCATION, invocation, regId, {}, [21]]);
    expect(await router.next(T.YIELD)).toEqual([T.YIELD, invocation, {}, [42]]);
  });

  it('runs a codec between the application and the wire, in the dialect WELCOME announced', async () => {
    const upper: PayloadCodec = {
      ...passthrough(),
      encode: (p) => ({ kind: 'plain', args: (p.args ?? []).map((a) => String(a).toUpperCase()) }),
    };
    const router = new ScriptedRouter({ roles: { broker: { features: { payload_passthru_mode: true } }, dealer: {} } });
    const session = await router.join({ realm: 'realm1', codec: upper });
    expect(session.payloadDialect).toBe('passthru');
    void session.publish('com.example.topic', ['hi']);
    expect(await router.next(T.PUBLISH)).toEqual([T.PUBLISH, expect.any(Number), {}, 'com.example.topic', ['HI']]);
  });

  it('records what the session sends on a MemoryTransport, and reports its close', async () => {
    const t = new MemoryTransport();
    expect(t.protocol).toBe('wamp.2.identity');
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1' });
    const closing = session.close();
    expect(router.transport.last(T.GOODBYE)).toEqual([T.GOODBYE, {}, 'wamp.close.close_realm']);
    router.send([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await expect(closing).resolves.toMatchObject({ clean: true });
    expect(router.transport.closed).toMatchObject({ local: true });
  });
});
