/**
 * Memory hygiene of E2E v2 (§e.2): after a whole exchange through the `x_e2ev2` codec (an event, a
 * wrapped call, a signed result and a signed error, sealed and opened), the WebAssembly heap holds
 * none of the new secrets: group key, session key, reply keys, identity secrets, callee scope key,
 * plaintexts. The whole heap is scanned (libsodium's stack and allocations included), not only the
 * bindings' scratch regions, for every 16-byte window of each secret.
 */
import type { PayloadContext, PayloadExchange, WirePayload } from '@wampbox/core';
import { boxKeypair, sodiumReady } from '../../src/sodium';
import { boxSealOpen } from '../../src/sodium-v2';
import { lib } from '../../src/internal/v2-scratch';
import { e2eV2 } from '../../src/e2ev2/codec';
import { OFF_XID, HEADER_BYTES, WRAP_BYTES, XID_BYTES } from '../../src/e2ev2/constants';
import { replyKey } from '../../src/e2ev2/derive';
import { identity, random, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

const PREFIX = 'com.example.';
const TOPIC = 'com.example.news';
const PROC = 'com.example.rpc.add';
const ERROR_URI = 'com.example.error.failed';

function ctx(
  messageType: PayloadContext['messageType'],
  uri: string,
  extra: Partial<PayloadContext> = {},
): PayloadContext {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}

const bytesOf = (wire: WirePayload): Uint8Array =>
  wire.kind === 'opaque' ? wire.payload : (wire.args![0] as Uint8Array);

/** A copy of the whole WebAssembly heap. */
const snapshot = (): Buffer => Buffer.from(lib().HEAPU8.slice());

/** Where in `heap` 16-byte windows of `secret` occur. */
function foundInHeap(secret: Uint8Array, heap: Buffer = snapshot()): number[] {
  const hits: number[] = [];
  for (let i = 0; i + 16 <= secret.length; i += 8) {
    const at = heap.indexOf(Buffer.from(secret.subarray(i, i + 16)));
    if (at >= 0) hits.push(at);
  }
  return hits;
}

it('scans the heap the bindings use', async () => {
  await sodiumReady();
  // the canary: bytes written into the heap are found, so a clean scan means something
  const canary = random(32);
  const m = lib();
  const p = m._malloc(32);
  m.HEAPU8.set(canary, p);
  expect(foundInHeap(canary)).not.toEqual([]);
  m.HEAPU8.fill(0, p, p + 32);
  m._free(p);
  expect(foundInHeap(canary)).toEqual([]);
});

describe.each(['transparent', 'argument'] as const)('%s carriage', (carriage) => {
  it('leaves no key, identity secret or plaintext in the WebAssembly heap after seal and open', async () => {
    const writer = identity();
    const callee = identity();
    const groupKey = random(32);
    const scope = boxKeypair();
    const routes = [{ prefix: PREFIX, carriage }];
    const w = e2eV2({
      identity: { publicKey: writer.spk, secretKey: writer.secretKey },
      trust: [{ spk: callee.spk, prefix: PREFIX, roles: ['answer'] }],
      groupKeys: [{ scope: PREFIX, key: groupKey, current: true }],
      calleeScopes: [{ prefix: PREFIX, publicKey: scope.publicKey }],
      routes,
      signReplies: true,
    });
    const r = e2eV2({
      identity: { publicKey: callee.spk, secretKey: callee.secretKey },
      trust: [{ spk: writer.spk, prefix: PREFIX, roles: ['publish', 'call'] }],
      groupKeys: [{ scope: PREFIX, key: groupKey }],
      calleeScopes: [{ prefix: PREFIX, secretKey: scope.secretKey }],
      routes,
      signReplies: true,
    });
    const texts = {
      event: 'the event text that must not linger in the heap',
      call: 'the call arguments that must not linger in the heap',
      result: 'the result text that must not linger in the heap',
      error: 'the error text that must not linger in the heap',
    };

    const event = await w.encode({ args: [texts.event] }, ctx('PUBLISH', TOPIC));
    expect((await r.decode(event, ctx('EVENT', TOPIC))).args).toEqual([texts.event]);

    const callOne: PayloadExchange = { procedure: PROC };
    const invOne: PayloadExchange = { procedure: PROC };
    const first = await w.encode({ args: [texts.call] }, ctx('CALL', PROC, { exchange: callOne, progress: false }));
    expect((await r.decode(first, ctx('INVOCATION', PROC, { exchange: invOne, progress: false }))).args).toEqual([
      texts.call,
    ]);
    const result = await r.encode({ args: [texts.result] }, ctx('YIELD', PROC, { exchange: invOne, progress: false }));
    expect((await w.decode(result, ctx('RESULT', PROC, { exchange: callOne, progress: false }))).args).toEqual([
      texts.result,
    ]);

    const callTwo: PayloadExchange = { procedure: PROC };
    const invTwo: PayloadExchange = { procedure: PROC };
    const second = await w.encode({ args: [texts.call] }, ctx('CALL', PROC, { exchange: callTwo, progress: false }));
    await r.decode(second, ctx('INVOCATION', PROC, { exchange: invTwo, progress: false }));
    const error = await r.encode(
      { args: [texts.error] },
      ctx('ERROR', ERROR_URI, { exchange: invTwo, procedure: PROC, originating: false, sending: true }),
    );
    const errorCtx = ctx('ERROR', ERROR_URI, { exchange: callTwo, procedure: PROC, originating: true, sending: false });
    expect((await w.decode(error, errorCtx)).args).toEqual([texts.error]);

    // the heap as the exchange left it, before this test derives the secrets to look for (which
    // itself runs libsodium: BLAKE2b leaves its last digest on libsodium's stack)
    const heap = snapshot();
    // the session key from the first call's wrap, and the reply keys of both calls
    const firstBytes = bytesOf(first);
    const sessionKey = boxSealOpen(
      firstBytes.subarray(HEADER_BYTES, HEADER_BYTES + WRAP_BYTES),
      scope.publicKey,
      scope.secretKey,
    )!;
    expect(sessionKey).toHaveLength(32);
    const xidOf = (wire: WirePayload): Uint8Array => bytesOf(wire).subarray(OFF_XID, OFF_XID + XID_BYTES);
    const secrets: Record<string, Uint8Array> = {
      'group key': groupKey,
      'session key': sessionKey,
      'reply key of call 1': replyKey(sessionKey, xidOf(first)),
      'reply key of call 2': replyKey(sessionKey, xidOf(second)),
      "writer's identity seed": writer.secretKey.subarray(0, 32),
      "callee's identity seed": callee.secretKey.subarray(0, 32),
      'callee scope secret key': scope.secretKey,
      ...Object.fromEntries(Object.entries(texts).map(([k, t]) => [`${k} plaintext`, Buffer.from(t)])),
    };
    const found = Object.entries(secrets).map(([name, secret]) => [name, foundInHeap(secret, heap)]);
    expect(found).toEqual(Object.keys(secrets).map((name) => [name, []]));
  });
});
