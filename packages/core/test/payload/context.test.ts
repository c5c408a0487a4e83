/**
 * What a codec learns about each payload (PayloadContext): the exchange a CALL shares with its
 * results and an INVOCATION with its answers, the envelope's progress flag, retained events, the
 * router's disclosure claims, and the session's clock.
 */
import { Result } from '../../src/index';
import type { PayloadCodec, PayloadContext } from '../../src/index';
import { MessageType as T, ScriptedRouter } from '../../src/testing/index';

/** A codec that hands payloads through plain and records every context it sees. */
function recording(): { codec: PayloadCodec; seen: PayloadContext[] } {
  const seen: PayloadContext[] = [];
  const codec: PayloadCodec = {
    name: 'x_recording',
    encode: (p, ctx) => {
      seen.push(ctx);
      return { kind: 'plain', args: p.args, kwargs: p.kwargs };
    },
    decode: (w, ctx) => {
      seen.push(ctx);
      if (w.kind !== 'plain') throw new Error('unexpected opaque payload');
      return { args: w.args, kwargs: w.kwargs };
    },
  };
  return { codec, seen };
}

const of = (seen: PayloadContext[], type: string): PayloadContext[] => seen.filter((c) => c.messageType === type);

describe('PayloadContext', () => {
  it('gives a CALL and its progressive and final RESULTs one exchange, distinct per call, with their progress flags', async () => {
    const { codec, seen } = recording();
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1', codec, clock: () => 1234 });
    const first = session.call('com.example.count', [], {}, { onProgress: () => undefined });
    const second = session.call('com.example.count');
    const [c1, c2] = [await router.next(T.CALL), await router.next(T.CALL)];
    router.send([T.RESULT, c1[1], { progress: true }, [1]]);
    router.send([T.RESULT, c1[1], {}, [2]]);
    router.send([T.ERROR, T.CALL, c2[1], {}, 'com.example.error.no']);
    await first;
    await expect(second).rejects.toMatchObject({ uri: 'com.example.error.no' });

    const calls = of(seen, 'CALL');
    expect(calls.map((c) => [c.progress, c.sending, c.originating])).toEqual([
      [false, true, true],
      [false, true, true],
    ]);
    expect(calls[0]!.exchange).toEqual({ procedure: 'com.example.count' });
    expect(calls[0]!.exchange).not.toBe(calls[1]!.exchange);
    const results = of(seen, 'RESULT');
    expect(results.map((c) => c.progress)).toEqual([true, false]);
    for (const r of results) expect(r.exchange).toBe(calls[0]!.exchange);
    const error = of(seen, 'ERROR')[0]!;
    expect(error.exchange).toBe(calls[1]!.exchange);
    expect(error.progress).toBeUndefined();
    expect(seen.every((c) => c.now?.() === 1234)).toBe(true);
  });

  it('gives an INVOCATION and its YIELDs one exchange, and tells who the router says called', async () => {
    const { codec, seen } = recording();
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1', codec });
    const registering = session.register('com.example.count', (inv) => {
      inv.progress([1]);
      return new Result([2]);
    });
    const regId = await router.acceptRegister();
    await registering;
    router.send([
      T.INVOCATION,
      7,
      regId,
      { receive_progress: true, caller: 99, caller_authid: 'alice', caller_authrole: 'user' },
      [],
    ]);
    router.send([T.INVOCATION, 8, regId, {}, []]);
    await router.next(T.YIELD);

    const invocations = of(seen, 'INVOCATION');
    expect(invocations[0]!.disclosed).toEqual({ session: 99, authid: 'alice', authrole: 'user' });
    expect(invocations[1]!.disclosed).toBeUndefined();
    expect(invocations[0]!.exchange).not.toBe(invocations[1]!.exchange);
    const yields = of(seen, 'YIELD');
    expect(yields.map((c) => c.progress)).toEqual([true, false, false]);
    expect(yields[0]!.exchange).toBe(invocations[0]!.exchange);
    expect(yields[1]!.exchange).toBe(invocations[0]!.exchange);
    expect(yields[2]!.exchange).toBe(invocations[1]!.exchange);
    expect(invocations[0]!.now).toBe(Date.now);
  });

  it('tells a callee ERROR its exchange, and an EVENT whether it was retained and who published it', async () => {
    const { codec, seen } = recording();
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1', codec });
    const registering = session.register('com.example.fail', () => {
      throw new Error('no');
    });
    const regId = await router.acceptRegister();
    await registering;
    router.send([T.INVOCATION, 7, regId, {}, []]);
    await router.next(T.ERROR);
    expect(of(seen, 'ERROR')[0]!.exchange).toBe(of(seen, 'INVOCATION')[0]!.exchange);

    const subscribing = session.subscribe('com.example.news', () => undefined);
    const subId = await router.acceptSubscribe();
    await subscribing;
    router.send([T.EVENT, subId, 1, { retained: true, publisher: 5 }, ['old']]);
    router.send([T.EVENT, subId, 2, {}, ['new']]);
    const events = of(seen, 'EVENT');
    expect(events.map((c) => [c.retained, c.disclosed, c.exchange])).toEqual([
      [true, { session: 5, authid: undefined, authrole: undefined }, undefined],
      [false, undefined, undefined],
    ]);
  });
});
