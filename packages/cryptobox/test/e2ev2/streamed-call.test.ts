/**
 * A streamed call (progressive call invocations) under E2E v2: every chunk continues the exchange
 * of the first (same exchange id and session, wrapped and signed once), the callee accepts them in
 * order and answers under the call's reply key; a chunk of another call, or after the final one,
 * is refused.
 */
import type { PayloadCodec, PayloadContext, PayloadExchange, WirePayload } from '@wampbox/core';
import { boxKeypair } from '../../src/sodium';
import { e2eV2 } from '../../src/e2ev2/codec';
import { identity, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

const PROC = 'com.example.rpc.upload';
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;
const run = <T>(f: () => T | Promise<T>): Promise<T> => Promise.resolve().then(f);

function pair(): { caller: PayloadCodec; callee: PayloadCodec } {
  const [c, e, scope] = [identity(), identity(), boxKeypair()];
  const routes = [{ prefix: 'com.example.', carriage: 'transparent' as const }];
  return {
    caller: e2eV2({
      identity: { publicKey: c.spk, secretKey: c.secretKey },
      trust: [{ spk: e.spk, prefix: 'com.example.', roles: ['answer'] }],
      calleeScopes: [{ prefix: 'com.example.', publicKey: scope.publicKey }],
      routes,
    }),
    callee: e2eV2({
      identity: { publicKey: e.spk, secretKey: e.secretKey },
      trust: [{ spk: c.spk, prefix: 'com.example.', roles: ['call'] }],
      calleeScopes: [{ prefix: 'com.example.', secretKey: scope.secretKey }],
      routes,
    }),
  };
}

const call = (exchange: PayloadExchange, progress: boolean): PayloadContext => ({
  uri: PROC,
  messageType: 'CALL',
  originating: true,
  sending: true,
  exchange,
  progress,
});
const invocation = (exchange: PayloadExchange, progress: boolean): PayloadContext => ({
  uri: PROC,
  messageType: 'INVOCATION',
  originating: false,
  sending: false,
  exchange,
  progress,
});

describe('a streamed call', () => {
  it('sends its chunks in one exchange, accepted in order, answered under the reply key', async () => {
    const { caller, callee } = pair();
    const [cx, ex] = [{ procedure: PROC }, { procedure: PROC }];
    const chunks: WirePayload[] = [];
    for (const [i, more] of [true, true, false].entries()) {
      chunks.push(await run(() => caller.encode({ args: [i] }, call(cx, more))));
    }
    const sizes = chunks.map((w) => (w.kind === 'opaque' ? w.payload.length : 0));
    expect(sizes[1]).toBeLessThan(sizes[0]!); // the wrap and the signature go with the first chunk only
    for (const [i, more] of [true, true, false].entries()) {
      await expect(run(() => callee.decode(chunks[i]!, invocation(ex, more)))).resolves.toMatchObject({ args: [i] });
    }
    const answer = await run(() =>
      callee.encode(
        { args: ['done'] },
        { uri: PROC, messageType: 'YIELD', originating: false, sending: true, exchange: ex, progress: false },
      ),
    );
    const result: PayloadContext = {
      uri: PROC,
      messageType: 'RESULT',
      originating: true,
      sending: false,
      exchange: cx,
      procedure: PROC,
      progress: false,
    };
    await expect(run(() => caller.decode(answer, result))).resolves.toMatchObject({ args: ['done'] });
  });

  it('refuses a chunk of another call, and a chunk after the final one', async () => {
    const { caller, callee } = pair();
    const [a, b, ea] = [{ procedure: PROC }, { procedure: PROC }, { procedure: PROC }];
    const first = await run(() => caller.encode({ args: [1] }, call(a, true)));
    const other = await run(() => caller.encode({ args: [2] }, call(b, false)));
    await run(() => callee.decode(first, invocation(ea, true)));
    await expect(run(() => callee.decode(other, invocation(ea, false)))).rejects.toThrow(refusal('exchange'));
    const last = await run(() => caller.encode({ args: [3] }, call(a, false)));
    await run(() => callee.decode(last, invocation(ea, false)));
    const late = await run(() => caller.encode({ args: [4] }, call(a, false)));
    await expect(run(() => callee.decode(late, invocation(ea, false)))).rejects.toThrow(refusal('exchange'));
  });
});
