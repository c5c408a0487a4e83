/**
 * Live `x_e2ev2` key distribution through Crossbar.io (§b.8.3): a publisher serves its own group
 * keys over WAMP (`‹ns›.e2e.key.get`, a sealed procedure) and rotates them; readers that meet a key
 * id they do not hold fetch it over the same session and open the event, in order; a session
 * without the `read` grant gets no key and no event. Across implementations: a TypeScript reader
 * fetches from the independent Python key service, and a Python reader from a TypeScript one.
 */
import { cryptosignKeyPair, generateKeyPair } from '@wampbox/wamp-client';
import type { CryptosignKeyPair, EventData, KeyPair, Session } from '@wampbox/wamp-client';
import { e2eV2, serveGroupKeys, type E2eV2Codec, type KeyRequestEvent } from '@wampbox/cryptobox/e2ev2';
import { closeAll, open, routes, uniqueUri, waitFor } from './helpers';
import type { Route } from './helpers';
import { answer, hex, startPyPeer } from './e2ev2-py-peer';
import type { PyPeer } from './e2ev2-py-peer';

const NS = `com.test.e2ekeys.${process.pid}.${Date.now().toString(36)}.`;
const NEWS = `${NS}news.`;
const KEYS = `${NS}e2e.`;
/** A key service procedure of its own per test (sessions stay open until the end). */
const keyGet = (): string => `${uniqueUri(`${KEYS}s`)}.key.get`;
const ROUTES = [{ prefix: NS, carriage: 'transparent' as const }];

const random = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));
const pair = (k: CryptosignKeyPair): { publicKey: Uint8Array; secretKey: Uint8Array } => ({
  publicKey: k.publicKey,
  secretKey: k.secretKey,
});

let publisher: CryptosignKeyPair;
let reader: CryptosignKeyPair;
let outsider: CryptosignKeyPair;
let scope: KeyPair;

const route = (ser: 'json' | 'cbor'): Route => routes().find((r) => r.name === `websocket/${ser}`)!;

beforeAll(async () => {
  [publisher, reader, outsider, scope] = await Promise.all([
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    generateKeyPair(),
  ]);
});

afterAll(closeAll);

/** The publisher, which serves its keys: `readers` may read the news, everyone it trusts may call. */
function publisherCodec(readers: Uint8Array[], callers: Uint8Array[]): E2eV2Codec {
  return e2eV2({
    identity: pair(publisher),
    trust: [
      ...readers.map((spk) => ({ spk, prefix: NEWS, roles: ['read' as const] })),
      ...callers.map((spk) => ({ spk, prefix: KEYS, roles: ['call' as const] })),
    ],
    groupKeys: [{ scope: NEWS, key: random(32), current: true }],
    calleeScopes: [{ prefix: KEYS, secretKey: scope.secretKey }],
    routes: ROUTES,
  });
}

/** A reader without keys: trusts the publisher to publish and to answer key requests. */
function readerCodec(who: CryptosignKeyPair, service = publisher.publicKey): E2eV2Codec {
  return e2eV2({
    identity: pair(who),
    trust: [
      { spk: publisher.publicKey, prefix: NEWS, roles: ['publish'] },
      { spk: service, prefix: KEYS, roles: ['answer'] },
    ],
    calleeScopes: [{ prefix: KEYS, publicKey: scope.publicKey }],
    routes: ROUTES,
  });
}

async function subscribed(s: Session, topic: string): Promise<{ seen: unknown[]; errors: Error[] }> {
  const seen: unknown[] = [];
  const errors: Error[] = [];
  s.on('error', (e) => void errors.push(e));
  await s.subscribe(topic, (ev: EventData) => void seen.push(ev.args[0]));
  return { seen, errors };
}

describe.each(['json', 'cbor'] as const)('x_e2ev2 key service between TypeScript sessions on %s', (ser) => {
  it('readers fetch each new key once and get every event in order, across a rotation; an outsider gets none', async () => {
    const KEY_GET = keyGet();
    const requests: KeyRequestEvent[] = [];
    const codec = publisherCodec([reader.publicKey], [reader.publicKey, outsider.publicKey]);
    const pub = await open(route(ser), { codec });
    await serveGroupKeys(pub, codec, { procedure: KEY_GET, onRequest: (e) => void requests.push(e) });
    const topic = uniqueUri(`${NEWS}t`);
    const readerCodecs = [readerCodec(reader), readerCodec(outsider)];
    const [r, o] = await Promise.all(readerCodecs.map((c) => open(route(ser), { codec: c })));
    readerCodecs[0]!.fetchKeysFrom(r!, { procedure: KEY_GET });
    readerCodecs[1]!.fetchKeysFrom(o!, { procedure: KEY_GET });
    const [atReader, atOutsider] = await Promise.all([subscribed(r!, topic), subscribed(o!, topic)]);

    for (let i = 1; i <= 5; i++) await pub.publish(topic, [i], {}, { acknowledge: true });
    await codec.rotate(NEWS);
    for (let i = 6; i <= 10; i++) await pub.publish(topic, [i], {}, { acknowledge: true });
    await waitFor(() => atReader.seen.length === 10, 10_000, 'ten events at the reader');
    expect(atReader.seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(atReader.errors).toEqual([]);
    expect(requests.filter((e) => e.outcome === 'served')).toHaveLength(2);

    await waitFor(() => atOutsider.errors.length >= 1, 10_000, 'the outsider refused');
    expect(atOutsider.seen).toEqual([]);
    expect(atOutsider.errors[0]).toMatchObject({ name: 'E2eV2Error', reason: 'unknown_key' });
    expect(requests).toContainEqual(
      expect.objectContaining({
        outcome: 'refused',
        error: 'wampbox.e2e.error.not_entitled',
        reader: hex(outsider.publicKey),
      }),
    );
  });
});

describe('x_e2ev2 key service across implementations', () => {
  let py: PyPeer;
  let pyIdentity: CryptosignKeyPair;

  beforeAll(async () => {
    const seed = random(32);
    pyIdentity = await cryptosignKeyPair(seed);
    py = await startPyPeer('msgpack', {
      seed: hex(seed),
      trust: [
        { spk: hex(publisher.publicKey), prefix: NEWS, roles: ['publish'] },
        { spk: hex(publisher.publicKey), prefix: KEYS, roles: ['answer'] },
        { spk: hex(reader.publicKey), prefix: KEYS, roles: ['call'] },
      ],
      scope_keys: [{ prefix: KEYS, x25519_sk: hex(scope.secretKey) }],
      callee_scopes: [{ prefix: KEYS, x25519_pk: hex(scope.publicKey) }],
      routes: [
        { prefix: NS, scheme: 'x_e2ev2', carriages: ['transparent'] },
        { prefix: '', scheme: 'plaintext', carriages: [] },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await py?.stop();
  }, 30_000);

  it('a Python reader fetches the key from a TypeScript service and opens the events', async () => {
    const KEY_GET = keyGet();
    const codec = publisherCodec([pyIdentity.publicKey], [pyIdentity.publicKey]);
    const pub = await open(route('json'), { codec });
    await serveGroupKeys(pub, codec, { procedure: KEY_GET });
    const topic = uniqueUri(`${NEWS}to_py`);
    const kid = (await codec.rotate(NEWS)).kid;
    await answer(py, { op: 'subscribe', topic }, ['subscribed']);
    await pub.publish(topic, ['first'], {}, { acknowledge: true });
    const refused = await py.wait('the unknown key', (l) => l.event === 'refused' && l['uri'] === topic);
    expect(refused).toEqual(expect.objectContaining({ error: 'unknown_key', kid }));
    const outcomes = ['key_fetched', 'key_fetch_failed', 'command_failed'];
    const fetched = await answer(py, { op: 'fetch_key', procedure: KEY_GET, kid, uri: topic }, outcomes);
    expect(fetched).toEqual(expect.objectContaining({ event: 'key_fetched', kid, scope: NEWS }));
    await pub.publish(topic, ['second'], {}, { acknowledge: true });
    const ev = await py.wait('the event', (l) => l.event === 'event' && l['topic'] === topic);
    expect(ev).toEqual(expect.objectContaining({ args: ['second'] }));
  });

  it('a TypeScript reader fetches the key from the Python service and opens the event it held back', async () => {
    const KEY_GET = keyGet();
    const key = { key: hex(random(32)), scope: NEWS };
    const serving = await answer(
      py,
      { op: 'serve_keys', procedure: KEY_GET, keys: [key], readers: [{ spk: hex(reader.publicKey), prefix: NEWS }] },
      ['serving'],
    );
    const codec = readerCodec(reader, pyIdentity.publicKey);
    codec.trust.grant({ spk: pyIdentity.publicKey, prefix: NEWS, roles: ['publish'] });
    const r = await open(route('cbor'), { codec });
    codec.fetchKeysFrom(r, { procedure: KEY_GET });
    const topic = uniqueUri(`${NEWS}from_py`);
    const at = await subscribed(r, topic);
    await answer(py, { op: 'publish', topic, group_key: key, args: ['held'], acknowledge: true }, ['published']);
    await answer(py, { op: 'publish', topic, group_key: key, args: ['next'], acknowledge: true }, ['published']);
    await waitFor(() => at.seen.length === 2, 10_000, 'both events at the reader');
    expect(at.seen).toEqual(['held', 'next']);
    expect(at.errors).toEqual([]);
    const served = await py.wait('the key served', (l) => l.event === 'key_served' && l['uri'] === topic);
    expect(served).toEqual(
      expect.objectContaining({ reader: hex(reader.publicKey), kid: (serving['kids'] as string[])[0] }),
    );
  });
});
