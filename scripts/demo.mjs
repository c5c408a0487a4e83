#!/usr/bin/env node
// The wampbox demo: starts a Crossbar.io router, then shows RPC and PubSub between two sessions
// with end-to-end encryption, and what a third session without keys (and the router) can see.
import {
  ApplicationError,
  KeyRing,
  Result,
  connect,
  cryptobox,
  cryptosignKeyPair,
  generateKeyPair,
  json,
  cbor,
} from '@wampbox/wamp-client';
import { e2eV2 } from '@wampbox/cryptobox/e2ev2';
import { startRouter } from './router/router.mjs';

const hex = (b) => Buffer.from(b).toString('hex');
const show = (who, what) => console.log(`${who.padEnd(13)} ${what}`);

console.log('Starting a Crossbar.io router (the first run installs it into a cache; this can take a minute)...');
const router = await startRouter();
console.log(`Router: ${router.wsUrl} (WebSocket), ${router.rsUrl} (RawSocket)\n`);

const sessions = [];
try {
  // Keys: the originator (publisher, caller) and the responder (subscriber, callee) each have a pair.
  const originator = await generateKeyPair();
  const responder = await generateKeyPair();
  const PREFIX = 'com.demo.secure.';

  const senderRing = new KeyRing();
  senderRing.setKey(PREFIX, { originatorPriv: originator.secretKey, responderPub: responder.publicKey });
  const receiverRing = new KeyRing();
  receiverRing.setKey(PREFIX, { responderPriv: responder.secretKey, originatorPub: originator.publicKey });

  // An eavesdropper: a session without keys, with a tiny custom codec that shows opaque payloads as bytes.
  const peek = {
    name: 'x_peek',
    encode: (p) => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
    decode: (w) =>
      w.kind === 'opaque'
        ? { args: [`<${w.scheme} ${w.payload.length} bytes: ${hex(w.payload.subarray(0, 24))}...>`] }
        : w,
  };

  const alice = await connect({
    url: router.wsUrl,
    realm: router.realm,
    serializers: [json()],
    codec: cryptobox(senderRing),
  });
  const bob = await connect({
    url: router.rsUrl,
    realm: router.realm,
    serializers: [cbor()],
    codec: cryptobox(receiverRing),
  });
  const eve = await connect({ url: router.wsUrl, realm: router.realm, codec: peek });
  sessions.push(alice, bob, eve);
  show('alice', `session ${alice.id} over WebSocket/${alice.serializer}, holds the originator keys`);
  show('bob', `session ${bob.id} over RawSocket/${bob.serializer}, holds the responder keys`);
  show('eve', `session ${eve.id} over WebSocket/${eve.serializer}, holds no keys\n`);

  // PubSub
  const events = [];
  await bob.subscribe(`${PREFIX}chat`, (ev) => {
    show('bob', `received on ${ev.topic}: ${JSON.stringify(ev.args)} ${JSON.stringify(ev.kwargs)}`);
    events.push(ev);
  });
  await eve.subscribe('com.demo.', (ev) => show('eve', `saw on ${ev.topic}: ${ev.args[0]}`), { match: 'prefix' });
  bob.on('error', (e) => show('bob', `refused a payload: ${e.code}`));

  show('alice', `publishes "Hello, Bob!" on ${PREFIX}chat (encrypted for bob)`);
  await alice.publish(`${PREFIX}chat`, ['Hello, Bob!'], { mood: 'cheerful' }, { acknowledge: true });
  show('alice', 'publishes "public news" on com.demo.public (no key: plaintext)');
  await alice.publish('com.demo.public', ['public news'], {}, { acknowledge: true });
  show('eve', 'tries to inject a plaintext event on the encrypted topic');
  await eve.publish(`${PREFIX}chat`, ['forged by eve'], {}, { acknowledge: true, excludeMe: false });
  await new Promise((r) => setTimeout(r, 300));

  // RPC
  console.log('');
  await bob.register(`${PREFIX}add`, (inv) => {
    show('bob', `invoked with ${JSON.stringify(inv.args)} (decrypted)`);
    return new Result([inv.args[0] + inv.args[1]], { by: 'bob' });
  });
  await bob.register(`${PREFIX}fail`, () => {
    throw new ApplicationError(`${PREFIX}error.refused`, ['bob says no']);
  });
  const res = await alice.call(`${PREFIX}add`, [2, 3]);
  show('alice', `called ${PREFIX}add(2, 3) -> ${JSON.stringify(res.args)} ${JSON.stringify(res.kwargs)}`);
  const err = await alice.call(`${PREFIX}fail`).catch((e) => e);
  show('alice', `called ${PREFIX}fail -> ${err.uri} ${JSON.stringify(err.args)} (the error was encrypted too)`);
  const evesTry = await eve.call(`${PREFIX}add`, [1, 1]).catch((e) => e);
  show('eve', `called ${PREFIX}add in plaintext -> refused: ${evesTry.uri}`);

  console.log('\nThe router routed every message by URI, but only alice and bob could read the payloads.');

  // Why E2E v2: under cryptobox, whoever can read a topic can also write it as the writer.
  console.log('\nA reader forges as the writer: cryptobox, then E2E v2 (preview)\n');
  const mallory = await connect({
    url: router.wsUrl,
    realm: router.realm,
    // mallory is a second reader: she holds what bob holds (the responder's secret key, alice's
    // public key); with the roles swapped in her ring she can seal as alice
    codec: cryptobox(
      new KeyRing().setKey(PREFIX, { originatorPriv: responder.secretKey, responderPub: originator.publicKey }),
    ),
  });
  sessions.push(mallory);
  show('mallory', `session ${mallory.id}: a reader of ${PREFIX}chat, like bob`);
  show('mallory', `publishes "sell everything" on ${PREFIX}chat, sealed as if by alice`);
  await mallory.publish(`${PREFIX}chat`, ['sell everything'], {}, { acknowledge: true });
  await new Promise((r) => setTimeout(r, 300));
  show('bob', "accepted it above as alice's: cryptobox cannot tell a reader from the writer\n");

  // E2E v2: alice signs what she publishes; readers trust her key for writing, and hold the group
  // key for reading only.
  const V2 = 'com.demo.v2.';
  const aliceId = await cryptosignKeyPair(crypto.getRandomValues(new Uint8Array(32)));
  const readerId = () => ({ seed: crypto.getRandomValues(new Uint8Array(32)) });
  const groupKey = crypto.getRandomValues(new Uint8Array(32));
  const reader = (name) =>
    connect({
      url: router.wsUrl,
      realm: router.realm,
      codec: e2eV2({
        identity: readerId(),
        trust: [{ spk: aliceId.publicKey, prefix: V2, roles: ['publish'] }],
        groupKeys: [{ scope: V2, key: groupKey, current: name === 'mallory' }],
        routes: [{ prefix: V2, carriage: 'transparent' }],
      }),
    });
  const alice2 = await connect({
    url: router.wsUrl,
    realm: router.realm,
    codec: e2eV2({
      identity: { publicKey: aliceId.publicKey, secretKey: aliceId.secretKey },
      groupKeys: [{ scope: V2, key: groupKey, current: true }],
      routes: [{ prefix: V2, carriage: 'transparent' }],
    }),
  });
  const bob2 = await reader('bob');
  const mallory2 = await reader('mallory');
  sessions.push(alice2, bob2, mallory2);
  bob2.on('error', (e) => show('bob', `refused an event: ${e.code} (${e.reason ?? e.message})`));
  await bob2.subscribe(`${V2}chat`, (ev) => show('bob', `received on ${ev.topic}: ${JSON.stringify(ev.args)}`));
  show('alice', `publishes "hold" on ${V2}chat (signed, sealed with the group key)`);
  await alice2.publish(`${V2}chat`, ['hold'], {}, { acknowledge: true });
  show('mallory', `holds the group key too, and publishes "sell everything" on ${V2}chat`);
  await mallory2.publish(`${V2}chat`, ['sell everything'], {}, { acknowledge: true });
  await new Promise((r) => setTimeout(r, 300));
  console.log('\nUnder E2E v2 a reader can read but not write: bob took only what alice signed.');
} finally {
  await Promise.all(sessions.map((s) => s.close()));
  await router.stop();
}
