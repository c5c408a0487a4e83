/**
 * Replay after the window has moved (§e.2 "replay refused", §b.7), through the `x_e2ev2` codec: a
 * message below the sender stream's window is refused (`replay`) whether it was delivered before or
 * never seen, a message reordered inside the window is still accepted, and the refusals leave the
 * window as it was (the next message opens, the last one is still a replay).
 *
 * Also pinned: the documented cross-callee replay (two callee instances sharing the scope key each
 * accept a CALL once).
 *
 * The state bound ("one sender opens 10,000 streams") is tested on the receiver, not repeated here:
 * receiver.test.ts "an authorized caller opening 10,000 streams keeps its last 64 windows; another
 * caller keeps its own" and replay-window.test.ts "one sender with 10,000 streams keeps only its last
 * 64; other senders keep theirs" (the windows' count stays at the bound).
 */
import type { PayloadCodec, PayloadContext, PayloadExchange, WirePayload } from '@wampbox/core';
import { boxKeypair } from '../../src/sodium';
import { e2eV2 } from '../../src/e2ev2/codec';
import { identity, random, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

const PREFIX = 'com.example.';
const TOPIC = 'com.example.news';
const PROC = 'com.example.rpc.add';
/** The codec's default window: 1024 numbers below the highest accepted one. */
const WINDOW = 1024;
const LAST = WINDOW + 77;

function ctx(
  messageType: PayloadContext['messageType'],
  uri: string,
  extra: Partial<PayloadContext> = {},
): PayloadContext {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}

async function verdict(codec: PayloadCodec, wire: WirePayload, c: PayloadContext): Promise<string> {
  try {
    await codec.decode(wire, c);
  } catch (err) {
    if (err instanceof Error && err.name === 'E2eV2Error') return (err as Error & { reason: string }).reason;
    throw err;
  }
  return 'delivered';
}

let writer: PayloadCodec;
let reader: PayloadCodec;
/** A second callee instance of the same service: the same scope key, its own windows. */
let twin: PayloadCodec;
beforeEach(() => {
  const w = identity();
  const groupKey = random(32);
  const scope = boxKeypair();
  writer = e2eV2({
    identity: { publicKey: w.spk, secretKey: w.secretKey },
    groupKeys: [{ scope: PREFIX, key: groupKey, current: true }],
    calleeScopes: [{ prefix: PREFIX, publicKey: scope.publicKey }],
  });
  reader = e2eV2({
    identity: { seed: random(32) },
    trust: [{ spk: w.spk, prefix: PREFIX, roles: ['publish', 'call'] }],
    groupKeys: [{ scope: PREFIX, key: groupKey }],
    calleeScopes: [{ prefix: PREFIX, secretKey: scope.secretKey }],
  });
  twin = e2eV2({
    identity: { seed: random(32) },
    trust: [{ spk: w.spk, prefix: PREFIX, roles: ['call'] }],
    calleeScopes: [{ prefix: PREFIX, secretKey: scope.secretKey }],
  });
});

/** Messages 1..LAST+1 of one sender stream (index = seq). */
async function stream(make: (seq: number) => Promise<WirePayload>): Promise<WirePayload[]> {
  const out: WirePayload[] = [];
  for (let seq = 1; seq <= LAST + 1; seq++) out[seq] = await make(seq);
  return out;
}

it('EVENT: below the window refused, delivered or not; inside it reordering accepted; state unchanged', async () => {
  const events = await stream(async (seq) => writer.encode({ args: [seq] }, ctx('PUBLISH', TOPIC)));
  const event = (): PayloadContext => ctx('EVENT', TOPIC);
  expect((await reader.decode(events[1]!, event())).args).toEqual([1]);
  expect((await reader.decode(events[LAST]!, event())).args).toEqual([LAST]); // the window moves past 1..77
  const got = [
    await verdict(reader, events[1]!, event()), // delivered before, now below the window
    await verdict(reader, events[5]!, event()), // never delivered, below the window
    await verdict(reader, events[LAST - WINDOW]!, event()), // the first number below it
    await verdict(reader, events[LAST]!, event()), // the highest, again
  ];
  expect(got).toEqual(['replay', 'replay', 'replay', 'replay']);
  // inside the window: late but new, accepted once
  expect((await reader.decode(events[LAST - WINDOW + 1]!, event())).args).toEqual([LAST - WINDOW + 1]);
  expect((await reader.decode(events[100]!, event())).args).toEqual([100]);
  expect(await verdict(reader, events[100]!, event())).toBe('replay');
  // the refusals moved nothing: the next message opens
  expect((await reader.decode(events[LAST + 1]!, event())).args).toEqual([LAST + 1]);
});

it('CALL (wrapped and session): below the window refused; state unchanged', async () => {
  const callX: PayloadExchange = { procedure: PROC };
  const calls: WirePayload[] = [];
  calls[1] = await writer.encode({ args: [1] }, ctx('CALL', PROC, { exchange: callX, progress: false }));
  const inv: PayloadExchange = { procedure: PROC };
  const invocation = (x: PayloadExchange = { procedure: PROC }): PayloadContext =>
    ctx('INVOCATION', PROC, { exchange: x, progress: false });
  expect((await reader.decode(calls[1], invocation(inv))).args).toEqual([1]);
  // the answer confirms the session: later calls are not wrapped
  const answer = await reader.encode({ args: ['ok'] }, ctx('YIELD', PROC, { exchange: inv, progress: false }));
  await writer.decode(answer, ctx('RESULT', PROC, { exchange: callX, progress: false }));
  for (let seq = 2; seq <= LAST + 1; seq++) {
    calls[seq] = await writer.encode(
      { args: [seq] },
      ctx('CALL', PROC, { exchange: { procedure: PROC }, progress: false }),
    );
  }
  expect((await reader.decode(calls[LAST]!, invocation())).args).toEqual([LAST]);
  const got = [
    await verdict(reader, calls[1], invocation()), // the wrapped first call, delivered before
    await verdict(reader, calls[3]!, invocation()), // a session call never delivered, below the window
    await verdict(reader, calls[LAST]!, invocation()),
  ];
  expect(got).toEqual(['replay', 'replay', 'replay']);
  expect((await reader.decode(calls[LAST - 10]!, invocation())).args).toEqual([LAST - 10]);
  expect((await reader.decode(calls[LAST + 1]!, invocation())).args).toEqual([LAST + 1]);
});

it('cross-callee replay (documented limit, §b.7): a CALL given to two instances sharing the scope key opens at both', async () => {
  // callee instances share the scope key but not their windows, and no shared (spk, xid) store is
  // configured: each accepts the CALL once; the xid is what an application deduplicates on
  const call = await writer.encode(
    { args: ['transfer'] },
    ctx('CALL', PROC, { exchange: { procedure: PROC }, progress: false }),
  );
  const invocation = (): PayloadContext => ctx('INVOCATION', PROC, { exchange: { procedure: PROC }, progress: false });
  expect((await reader.decode(call, invocation())).args).toEqual(['transfer']);
  expect((await twin.decode(call, invocation())).args).toEqual(['transfer']);
  expect([await verdict(reader, call, invocation()), await verdict(twin, call, invocation())]).toEqual([
    'replay',
    'replay',
  ]);
});
