/**
 * Coexistence with cryptobox (§b.9): cryptobox prefixes sealed and opened by the cryptobox codec
 * inside an E2E v2 codec, strict both ways (no x_e2ev2 on a cryptobox prefix, no cryptobox on a v2
 * route), and a route migrating from cryptobox that still opens cryptobox until its deadline.
 */
import type { PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { cryptobox, generateKeyPair, KeyRing } from '../../src/index';
import { e2eV2 } from '../../src/e2ev2/codec';
import { identity, random, sodiumBothReady, type Identity } from './helpers';

const LEGACY = 'com.example.legacy.';
const V2 = 'com.example.v2.';
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;
const ctx = (messageType: PayloadContext['messageType'], uri: string, extra: Partial<PayloadContext> = {}) => ({
  uri,
  messageType,
  originating: messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT',
  sending: messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD',
  ...extra,
});
const run = <T>(f: () => T | Promise<T>): Promise<T> => Promise.resolve().then(f);

let ring: () => PayloadCodec;
let writer: Identity;
const key = random(32);
let now = 1_000;

beforeAll(async () => {
  await sodiumBothReady();
  const shared = (await generateKeyPair()).secretKeyBase64;
  ring = () => cryptobox(new KeyRing(shared));
  writer = identity();
});

function v2(withWriterTrust: boolean, until?: number): PayloadCodec {
  return e2eV2({
    identity: withWriterTrust ? { seed: random(32) } : { publicKey: writer.spk, secretKey: writer.secretKey },
    trust: withWriterTrust ? [{ spk: writer.spk, prefix: 'com.example.', roles: ['publish'] }] : [],
    groupKeys: [{ scope: 'com.example.', key, current: !withWriterTrust }],
    routes: [{ prefix: V2, carriage: 'transparent', acceptCryptoboxUntil: until }],
    cryptobox: { codec: ring(), prefixes: [LEGACY] },
    clock: () => now,
  });
}

describe('cryptobox prefixes inside an E2E v2 codec', () => {
  it('seal and open with cryptobox, interoperable with a plain cryptobox codec', async () => {
    const wire = await run(() => v2(false).encode({ args: ['old'] }, ctx('PUBLISH', `${LEGACY}t`)));
    expect(wire).toMatchObject({ kind: 'opaque', scheme: expect.stringMatching(/cryptobox/) as string });
    await expect(run(() => ring().decode(wire, ctx('EVENT', `${LEGACY}t`)))).resolves.toMatchObject({ args: ['old'] });
    const fromV1 = await run(() => ring().encode({ args: ['v1'] }, ctx('PUBLISH', `${LEGACY}t`)));
    await expect(run(() => v2(true).decode(fromV1, ctx('EVENT', `${LEGACY}t`)))).resolves.toMatchObject({
      args: ['v1'],
    });
  });

  it('refuse an x_e2ev2 payload on a cryptobox prefix, and a cryptobox payload on a v2 route', async () => {
    const sealedV2 = await run(() => v2(false).encode({}, ctx('PUBLISH', `${V2}t`)));
    await expect(run(() => v2(true).decode(sealedV2, ctx('EVENT', `${LEGACY}t`)))).rejects.toThrow(
      refusal('downgrade'),
    );
    const fromV1 = await run(() => ring().encode({}, ctx('PUBLISH', `${V2}t`)));
    await expect(run(() => v2(true).decode(fromV1, ctx('EVENT', `${V2}t`)))).rejects.toThrow(refusal('downgrade'));
  });

  it('on a migrating route: cryptobox opened until the deadline, an invocation so opened answered with cryptobox', async () => {
    const reader = v2(true, 2_000);
    const fromV1 = await run(() => ring().encode({ args: [1] }, ctx('PUBLISH', `${V2}t`)));
    now = 2_000;
    await expect(run(() => reader.decode(fromV1, ctx('EVENT', `${V2}t`)))).resolves.toMatchObject({ args: [1] });
    const exchange = { procedure: `${V2}p` };
    const call = await run(() =>
      ring().encode({ args: [2] }, ctx('CALL', `${V2}p`, { exchange: { procedure: `${V2}p` } })),
    );
    await expect(run(() => reader.decode(call, ctx('INVOCATION', `${V2}p`, { exchange })))).resolves.toMatchObject({
      args: [2],
    });
    const yieldCtx = ctx('YIELD', `${V2}p`, { exchange, requestWasOpaque: true });
    const answer: WirePayload = await run(() => reader.encode({ args: [3] }, yieldCtx));
    expect(answer).toMatchObject({ kind: 'opaque', scheme: expect.stringMatching(/cryptobox/) as string });
    // sent on it: E2E v2
    const sent = await run(() => v2(false, 2_000).encode({}, ctx('PUBLISH', `${V2}t`)));
    expect(sent).toMatchObject({ scheme: 'x_e2ev2' });
    now = 2_001;
    await expect(run(() => reader.decode(fromV1, ctx('EVENT', `${V2}t`)))).rejects.toThrow(refusal('downgrade'));
  });

  it('need the cryptobox codec when configured', () => {
    expect(() =>
      e2eV2({
        identity: { seed: random(32) },
        routes: [{ prefix: V2, carriage: 'argument', acceptCryptoboxUntil: 1 }],
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
