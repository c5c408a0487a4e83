/**
 * URI scrambling in the codec (§c): clear URIs in, tags on the wire, the clear URI sealed inside
 * and given back on receipt; chained wildcards refused; a URI in a namespace that was not scrambled
 * here refused before it is sent; a forged inner URI refused; no tag collision among 10^6 random
 * components.
 */
import type { PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { e2eV2, type E2eV2Codec } from '../../src/e2ev2/codec';
import { sealPayload } from '../../src/e2ev2/seal';
import { namespaceKey, scrambleUri } from '../../src/e2ev2/scramble';
import { identity, publishInput, random, sodiumBothReady, T0, type Identity } from './helpers';

beforeAll(sodiumBothReady);

const NS = 'com.example.s.';
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;
const ctx = (messageType: PayloadContext['messageType'], uri: string): PayloadContext => ({
  uri,
  messageType,
  originating: messageType === 'PUBLISH',
  sending: messageType === 'PUBLISH',
  now: () => T0,
});
const opened = (codec: PayloadCodec, wire: WirePayload, c: PayloadContext): Promise<unknown> =>
  Promise.resolve().then(() => codec.decode(wire, c));

function pair(mode: 'chained' | 'positional' = 'chained') {
  const [writer, reader] = [identity(), identity()];
  const [key, master] = [random(32), random(32)];
  const common = {
    routes: [{ prefix: 'com.example.', carriage: 'transparent' as const }],
    scramble: [{ prefix: NS, master, mode }],
    clock: () => T0,
  };
  const codec = (who: Identity, extra: object): E2eV2Codec =>
    e2eV2({ identity: { publicKey: who.spk, secretKey: who.secretKey }, ...common, ...extra });
  return {
    writer,
    key,
    master,
    w: codec(writer, { groupKeys: [{ scope: 'com.example.', key, current: true }] }),
    r: codec(reader, {
      groupKeys: [{ scope: 'com.example.', key }],
      trust: [{ spk: writer.spk, prefix: 'com.example.', roles: ['publish'] }],
    }),
  };
}

describe('a scrambled namespace', () => {
  it('sends tags and gives the reader the clear URI back', async () => {
    const { w, r } = pair();
    const wire = await w.scramble(`${NS}orders.created`);
    expect(wire).toMatch(/^com\.example\.s\.[a-z2-7]{16}\.[a-z2-7]{16}$/);
    const sealed = await w.encode({ args: [1] }, ctx('PUBLISH', wire));
    await expect(opened(r, sealed, ctx('EVENT', wire))).resolves.toMatchObject({ args: [1] });
    expect(r.clearUri(wire)).toBe(`${NS}orders.created`);
    expect(await w.scramble('com.example.plain')).toBe('com.example.plain');
    expect(await w.scramble(NS)).toBe(NS);
  });

  it('scrambles dot-terminated prefixes in both modes and wildcards only in positional mode', async () => {
    const chained = pair('chained').w;
    const positional = pair('positional').w;
    expect(await chained.scramble(`${NS}orders.`, { pattern: true })).toMatch(/^com\.example\.s\.[a-z2-7]{16}\.$/);
    await expect(chained.scramble(`${NS}.created`, { pattern: true })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('positional') as string,
    });
    expect(await positional.scramble(`${NS}.created`, { pattern: true })).toMatch(/^com\.example\.s\.\.[a-z2-7]{16}$/);
    await expect(chained.scramble(`${NS}a..b`)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('refuses to send a URI of the namespace that was not scrambled here (a clear name would leak)', async () => {
    const { w } = pair();
    await expect(Promise.resolve().then(() => w.encode({}, ctx('PUBLISH', `${NS}orders.created`)))).rejects.toThrow(
      refusal('seal'),
    );
  });

  it('refuses an event whose sealed clear URI does not scramble to the wire URI', async () => {
    const { w, r, writer, key, master } = pair();
    const ns = { prefix: NS, key: namespaceKey(master, NS), mode: 'chained' as const };
    const wire = scrambleUri(ns, `${NS}orders.created`)!;
    const forged = sealPayload(publishInput(writer, key, { uri: wire, clearUri: `${NS}orders.cancelled` }));
    const envelope: WirePayload = {
      kind: 'opaque',
      scheme: 'x_e2ev2',
      serializer: 'json',
      payload: forged.payload,
    };
    await expect(opened(r, envelope, ctx('EVENT', wire))).rejects.toThrow(refusal('uri'));
    expect(r.clearUri(wire)).toBe(wire);
    // the honest sender's event on the same URI still opens
    const honest = await w.encode({ args: [2] }, ctx('PUBLISH', await w.scramble(`${NS}orders.created`)));
    await expect(opened(r, honest, ctx('EVENT', wire))).resolves.toMatchObject({ args: [2] });
  });

  it('gives no two of 10^6 random components the same tag', () => {
    const ns = { prefix: NS, key: random(32), mode: 'positional' as const };
    const tags = new Set<string>();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) tags.add(scrambleUri(ns, `${NS}c${i.toString(36)}x${(i * 7919) % 104729}`)!);
    expect(tags.size).toBe(n);
  }, 120_000);
});
