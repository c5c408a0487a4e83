/**
 * Overlapping subscriptions: the copies of one publication a session receives (same publication
 * id, same sealed bytes) are all delivered; the same bytes under another publication id, or other
 * bytes under the same id, are still replays.
 */
import type { PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { e2eV2 } from '../../src/e2ev2/codec';
import { identity, random, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

const TOPIC = 'com.example.news.sports';
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;
const event = (publication: number | undefined): PayloadContext => ({
  uri: TOPIC,
  messageType: 'EVENT',
  originating: false,
  sending: false,
  publication,
});
const opened = (codec: PayloadCodec, wire: WirePayload, c: PayloadContext): Promise<unknown> =>
  Promise.resolve().then(() => codec.decode(wire, c));

describe.each(['transparent', 'argument'] as const)('copies of one publication (%s carriage)', (carriage) => {
  const key = random(32);
  let writer: ReturnType<typeof identity>;
  beforeAll(() => {
    writer = identity();
  });
  const routes = [{ prefix: 'com.example.', carriage }];
  const w = (): PayloadCodec =>
    e2eV2({
      identity: { publicKey: writer.spk, secretKey: writer.secretKey },
      groupKeys: [{ scope: 'com.example.', key, current: true }],
      routes,
    });
  const r = (): PayloadCodec =>
    e2eV2({
      identity: { seed: random(32) },
      trust: [{ spk: writer.spk, prefix: 'com.example.', roles: ['publish'] }],
      groupKeys: [{ scope: 'com.example.', key }],
      routes,
    });
  const publish: PayloadContext = { uri: TOPIC, messageType: 'PUBLISH', originating: true, sending: true };

  it('are each delivered, as separate objects', async () => {
    const [writerCodec, reader] = [w(), r()];
    const wire = await writerCodec.encode({ args: [{ n: 1 }] }, publish);
    const first = (await opened(reader, wire, event(7))) as { args: unknown[] };
    const second = (await opened(reader, wire, event(7))) as { args: unknown[] };
    expect(second).toEqual(first);
    expect(second.args[0]).not.toBe(first.args[0]);
  });

  it('are not confused with a replay under another publication id, or without one', async () => {
    const [writerCodec, reader] = [w(), r()];
    const wire = await writerCodec.encode({ args: [1] }, publish);
    await opened(reader, wire, event(7));
    await expect(opened(reader, wire, event(8))).rejects.toThrow(refusal('replay'));
    await expect(opened(reader, wire, event(undefined))).rejects.toThrow(refusal('replay'));
    const other = await writerCodec.encode({ args: [2] }, publish);
    await opened(reader, other, event(9));
    await expect(opened(reader, wire, event(9))).rejects.toThrow(refusal('replay'));
  });
});
