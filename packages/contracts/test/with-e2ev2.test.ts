/**
 * Validation after decryption with E2E v2 underneath: the schema sees (and refuses) the opened
 * payload, never the sealed bytes, and a payload E2E v2 refuses never reaches the schema.
 */
import type { PayloadCodec, PayloadContext } from '@wampbox/core';
import { e2eV2 } from '@wampbox/cryptobox/e2ev2';
import { signSeedKeypair, sodiumReady } from '../../cryptobox/src/sodium';
import { sodiumV2Ready } from '../../cryptobox/src/sodium-v2';
import { z } from 'zod';
import { PayloadValidationError, defineTopic, withValidation } from '../src/index';

const order = defineTopic('com.example.order', { kwargs: z.object({ id: z.string(), total: z.number() }) });
const ctx = (messageType: 'PUBLISH' | 'EVENT'): PayloadContext => ({
  uri: order.uri,
  messageType,
  originating: messageType === 'PUBLISH',
  sending: messageType === 'PUBLISH',
});
const random = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

describe('withValidation over the x_e2ev2 codec', () => {
  let writer: PayloadCodec;
  let reader: PayloadCodec;
  let forger: PayloadCodec;
  beforeAll(async () => {
    await Promise.all([sodiumReady(), sodiumV2Ready()]);
    const key = random(32);
    const w = signSeedKeypair(random(32));
    const routes = [{ prefix: 'com.example.', carriage: 'transparent' as const }];
    writer = e2eV2({ identity: w, groupKeys: [{ scope: 'com.example.', key, current: true }], routes });
    forger = e2eV2({
      identity: { seed: random(32) },
      groupKeys: [{ scope: 'com.example.', key, current: true }],
      routes,
    });
    const inner = e2eV2({
      identity: { seed: random(32) },
      trust: [{ spk: w.publicKey, prefix: 'com.example.', roles: ['publish'] }],
      groupKeys: [{ scope: 'com.example.', key }],
      routes,
    });
    reader = withValidation(inner, [order]);
  });

  const open = async (from: PayloadCodec, kwargs: Record<string, unknown>): Promise<unknown> => {
    const wire = await from.encode({ kwargs }, ctx('PUBLISH'));
    return reader.decode(wire, ctx('EVENT'));
  };

  it('delivers a sealed payload the schema accepts, and refuses one it does not', async () => {
    await expect(open(writer, { id: 'o1', total: 3 })).resolves.toMatchObject({ kwargs: { id: 'o1', total: 3 } });
    const refused = open(writer, { id: 'o2', total: 'three' });
    await expect(refused).rejects.toBeInstanceOf(PayloadValidationError);
    await expect(refused).rejects.toMatchObject({ paths: ['kwargs.total'] });
  });

  it('leaves a payload E2E v2 refuses (a forgery) to E2E v2: the schema never sees it', async () => {
    await expect(open(forger, { id: 'o3', total: 1 })).rejects.toMatchObject({ name: 'E2eV2Error', reason: 'sender' });
  });
});
