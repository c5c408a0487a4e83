/**
 * The key service and the fetching reader (§b.8.3): a reader that meets an unknown key id fetches
 * the key with a sealed call signed by itself and opens the event; only readers with a `read` grant
 * get keys; rotation and rekeying change what is served; the waiting is bounded in count and time.
 */
import { ApplicationError, type CallResult, type WampApi } from '@wampbox/core';
import { boxKeypair } from '../../src/sodium';
import { e2eV2, type E2eV2Codec } from '../../src/e2ev2/codec';
import { keyId, toHex } from '../../src/e2ev2/derive';
import { KEY_SERVICE_ERRORS, serveGroupKeys, type KeyRequestEvent } from '../../src/e2ev2/key-service';
import { parseKeyReply } from '../../src/e2ev2/key-fetch';
import { CodecLoop } from './codec-loop';
import { identity, random, sodiumBothReady, type Identity } from './helpers';

beforeAll(sodiumBothReady);

const NEWS = 'com.example.news.';
const TOPIC = `${NEWS}sports`;
const KEYS = 'com.example.e2e.';
const KEY_GET = `${KEYS}key.get`;
const ROUTES = [{ prefix: 'com.example.', carriage: 'transparent' as const }];

interface World {
  publisher: Identity;
  reader: Identity;
  outsider: Identity;
  scope: { publicKey: Uint8Array; secretKey: Uint8Array };
}

function world(): World {
  return { publisher: identity(), reader: identity(), outsider: identity(), scope: boxKeypair() };
}

const pair = (id: Identity): { publicKey: Uint8Array; secretKey: Uint8Array } => ({
  publicKey: id.spk,
  secretKey: id.secretKey,
});

/** The publisher, which serves its own keys: the reader may read, the outsider may only call. */
function publisherCodec(w: World, key = random(32)): E2eV2Codec {
  return e2eV2({
    identity: pair(w.publisher),
    trust: [
      { spk: w.reader.spk, prefix: KEYS, roles: ['call'] },
      { spk: w.reader.spk, prefix: NEWS, roles: ['read'] },
      { spk: w.outsider.spk, prefix: KEYS, roles: ['call'] },
    ],
    groupKeys: [{ scope: NEWS, key, current: true }],
    calleeScopes: [{ prefix: KEYS, secretKey: w.scope.secretKey }],
    routes: ROUTES,
  });
}

/** A reader without keys: trusts the publisher to publish and to answer key requests. */
function readerCodec(w: World, who: Identity): E2eV2Codec {
  return e2eV2({
    identity: pair(who),
    trust: [{ spk: w.publisher.spk, prefix: 'com.example.', roles: ['publish', 'answer'] }],
    calleeScopes: [{ prefix: KEYS, publicKey: w.scope.publicKey }],
    routes: ROUTES,
  });
}

async function served(w: World, reader: Identity, events: KeyRequestEvent[] = []) {
  const publisher = publisherCodec(w);
  const codec = readerCodec(w, reader);
  const loop = new CodecLoop(codec, publisher);
  await serveGroupKeys(loop.calleeApi, publisher, { procedure: KEY_GET, onRequest: (e) => void events.push(e) });
  codec.fetchKeysFrom(loop.callerApi, { procedure: KEY_GET });
  return { publisher, reader: codec, loop, events };
}

const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;

describe('a reader that meets an unknown key id', () => {
  it('fetches the key once from the service and opens the event and the next ones', async () => {
    const w = world();
    const { publisher, reader, loop, events } = await served(w, w.reader);
    await expect(loop.deliver(publisher, reader, TOPIC, { args: [1] })).resolves.toMatchObject({ args: [1] });
    await expect(loop.deliver(publisher, reader, TOPIC, { args: [2] })).resolves.toMatchObject({ args: [2] });
    expect(loop.calls).toEqual([KEY_GET]);
    expect(events).toEqual([{ outcome: 'served', reader: toHex(w.reader.spk), kid: expect.any(String), uri: TOPIC }]);
  });

  it('without a read grant is refused by the service, and the event is refused (unknown_key)', async () => {
    const w = world();
    const { publisher, reader, loop, events } = await served(w, w.outsider);
    const opening = loop.deliver(publisher, reader, TOPIC, { args: [1] });
    await expect(opening).rejects.toThrow(refusal('unknown_key'));
    await expect(opening).rejects.toMatchObject({ cause: { uri: KEY_SERVICE_ERRORS.notEntitled } });
    expect(events).toEqual([expect.objectContaining({ outcome: 'refused', error: KEY_SERVICE_ERRORS.notEntitled })]);
  });

  it('after a revocation of the read grant is refused keys from then on', async () => {
    const w = world();
    const { publisher, reader, loop } = await served(w, w.reader);
    publisher.trust.revoke(w.reader.spk);
    await expect(loop.deliver(publisher, reader, TOPIC, {})).rejects.toThrow(refusal('unknown_key'));
  });

  it('fetches the new key after a rotation, and the previous key still opens within the grace', async () => {
    const w = world();
    const { publisher, reader, loop } = await served(w, w.reader);
    const before = await publisher.encode(
      { args: ['old'] },
      { uri: TOPIC, messageType: 'PUBLISH', originating: true, sending: true },
    );
    const info = await publisher.rotate(NEWS, { graceMs: 60_000 });
    await expect(loop.deliver(publisher, reader, TOPIC, { args: ['new'] })).resolves.toMatchObject({ args: ['new'] });
    const ctx = { uri: TOPIC, messageType: 'EVENT' as const, originating: false, sending: false };
    await expect(reader.decode(before, ctx)).resolves.toMatchObject({ args: ['old'] });
    expect(loop.calls).toEqual([KEY_GET, KEY_GET]);
    expect(info).toEqual({ kid: expect.stringMatching(/^[0-9a-f]{32}$/), scope: NEWS, notAfter: undefined });
  });

  it('after a rekey cannot get the previous key any more', async () => {
    const w = world();
    const key = random(32);
    const publisher = publisherCodec(w, key);
    const codec = readerCodec(w, w.reader);
    const loop = new CodecLoop(codec, publisher);
    await serveGroupKeys(loop.calleeApi, publisher, { procedure: KEY_GET });
    const ask = (): Promise<CallResult> => loop.call(KEY_GET, [], { kid: keyId(key), uri: TOPIC });
    await expect(ask()).resolves.toMatchObject({ kwargs: { scope: NEWS } });
    await publisher.rekey(NEWS);
    await expect(ask()).rejects.toMatchObject({ uri: KEY_SERVICE_ERRORS.noSuchKey });
  });
});

describe('the key service', () => {
  it('hands the key to the authenticated reader, as authorize sees it', async () => {
    const w = world();
    const key = random(32);
    const publisher = publisherCodec(w, key);
    const loop = new CodecLoop(readerCodec(w, w.reader), publisher);
    const seen: Uint8Array[] = [];
    await serveGroupKeys(loop.calleeApi, publisher, {
      procedure: KEY_GET,
      authorize: (r) => (seen.push(r.reader), r.scope === NEWS),
    });
    const r = await loop.call(KEY_GET, [], { kid: keyId(key), uri: TOPIC });
    expect(toHex(r.kwargs['key'] as Uint8Array)).toBe(toHex(key));
    expect(r.kwargs).toMatchObject({ scope: NEWS, not_after: null });
    expect(seen.map(toHex)).toEqual([toHex(w.reader.spk)]);
  });

  it.each([
    ['args', [1], { kid: new Uint8Array(16), uri: TOPIC }],
    ['a short kid', [], { kid: new Uint8Array(15), uri: TOPIC }],
    ['no uri', [], { kid: new Uint8Array(16) }],
    ['an extra field', [], { kid: new Uint8Array(16), uri: TOPIC, x: 1 }],
  ])('refuses a request with %s (invalid_request)', async (_, args, kwargs) => {
    const w = world();
    const publisher = publisherCodec(w);
    const loop = new CodecLoop(readerCodec(w, w.reader), publisher);
    await serveGroupKeys(loop.calleeApi, publisher, { procedure: KEY_GET });
    await expect(loop.call(KEY_GET, args, kwargs)).rejects.toMatchObject({ uri: KEY_SERVICE_ERRORS.invalidRequest });
  });

  it('answers not_entitled for a key outside the uri asked for, and no_such_key for an unknown id', async () => {
    const w = world();
    const key = random(32);
    const publisher = publisherCodec(w, key);
    const loop = new CodecLoop(readerCodec(w, w.reader), publisher);
    await serveGroupKeys(loop.calleeApi, publisher, { procedure: KEY_GET });
    await publisher.addGroupKey({ scope: 'com.example.newsroom.', key: random(32) });
    publisher.trust.grant({ spk: w.reader.spk, prefix: 'com.example.', roles: ['read'] });
    const other = keyId(random(32));
    await expect(loop.call(KEY_GET, [], { kid: other, uri: TOPIC })).rejects.toMatchObject({
      uri: KEY_SERVICE_ERRORS.noSuchKey,
    });
    await expect(loop.call(KEY_GET, [], { kid: keyId(key), uri: 'com.example.newsroom.x' })).rejects.toMatchObject({
      uri: KEY_SERVICE_ERRORS.notEntitled,
    });
  });

  it('is refused for a codec it did not make and for a procedure that would travel in the clear', async () => {
    const w = world();
    const api = new CodecLoop(readerCodec(w, w.reader), publisherCodec(w)).calleeApi;
    const notV2 = { ...publisherCodec(w) };
    await expect(serveGroupKeys(api, notV2, { procedure: KEY_GET })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    for (const procedure of ['org.other.key.get', 'wamp.key.get']) {
      await expect(serveGroupKeys(api, publisherCodec(w), { procedure })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
    }
  });
});

describe('fetching is bounded', () => {
  /** A reader whose key service answers when told to (or fails). */
  function slowService(answer: () => Promise<CallResult>): { api: WampApi; calls: number[] } {
    const calls: number[] = [];
    const api = { call: () => (calls.push(1), answer()) } as unknown as WampApi;
    return { api, calls };
  }

  it('refuses at once the events beyond maxWaiting, and a key id whose fetch failed until retryAfterMs', async () => {
    const w = world();
    const publisher = publisherCodec(w);
    const reader = readerCodec(w, w.reader);
    let fail!: (e: Error) => void;
    const { api, calls } = slowService(() => new Promise((_, reject) => (fail = reject)));
    reader.fetchKeysFrom(api, { procedure: KEY_GET, maxWaiting: 1, retryAfterMs: 60_000 });
    const loop = new CodecLoop(reader, publisher);
    const first = loop.deliver(publisher, reader, TOPIC, { args: [1] });
    const second = loop.deliver(publisher, reader, TOPIC, { args: [2] });
    await expect(second).rejects.toThrow(refusal('unknown_key'));
    await new Promise((r) => setTimeout(r, 0));
    fail(new ApplicationError('wamp.error.timeout'));
    await expect(first).rejects.toThrow(refusal('unknown_key'));
    await expect(loop.deliver(publisher, reader, TOPIC, { args: [3] })).rejects.toThrow(refusal('unknown_key'));
    expect(calls).toHaveLength(1);
  });

  it('refuses a reply whose key is not the one asked for (key-commitment), and checks its shape', () => {
    const key = random(32);
    const kid = keyId(key);
    expect(parseKeyReply({ kid, key, scope: NEWS, not_after: null }, kid)).toMatchObject({ scope: NEWS });
    expect(() => parseKeyReply({ kid, key: random(32), scope: NEWS }, kid)).toThrow(refusal('key-commitment'));
    expect(() => parseKeyReply({ kid: keyId(random(32)), key, scope: NEWS }, kid)).toThrow(refusal('key-commitment'));
    expect(() => parseKeyReply({ kid, key, scope: 1 }, kid)).toThrow(refusal('keypkg'));
    expect(() => parseKeyReply({ kid, key, scope: NEWS, writers: [new Uint8Array(3)] }, kid)).toThrow(
      refusal('keypkg'),
    );
  });
});
