#!/usr/bin/env node
// URI scrambling with E2E v2: the application uses clear URIs, the router routes keyed tags.
// Two sessions share a namespace secret; one subscribes to a prefix and registers a procedure,
// the other publishes and calls. Handlers see clear URIs; the router never sees the names below
// the namespace's clear prefix.
//
//   node examples/scrambled-uris.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// Exits 0 once every step went as expected, 1 otherwise.
import { ApplicationError, connect, cryptosignKeyPair, generateKeyPair } from '@wampbox/wamp-client';
import { e2eV2, scrambled } from '@wampbox/wamp-client/e2ev2';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
// The clear routing prefix stays readable (the router's permissions name it); this run's own.
const NS = `com.example.shop${process.pid}.`;

setTimeout(() => fail(new Error('timed out')), 20_000).unref();

const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
const [alice, bob, scope] = await Promise.all([
  cryptosignKeyPair(random(32)),
  cryptosignKeyPair(random(32)),
  generateKeyPair(),
]);
const master = random(32); // the namespace secret both sides hold
const groupKey = random(32);

/** Each side trusts the other to publish, call and answer in the namespace. */
const codecFor = (me, other) =>
  e2eV2({
    identity: { publicKey: me.publicKey, secretKey: me.secretKey },
    trust: [{ spk: other.publicKey, prefix: NS, roles: ['publish', 'call', 'answer'] }],
    groupKeys: [{ scope: NS, key: groupKey, current: true }],
    calleeScopes: [{ prefix: NS, secretKey: scope.secretKey }],
    routes: [{ prefix: NS, carriage: 'transparent' }],
    scramble: [{ prefix: NS, master }],
  });

const sessions = [];
try {
  const [codecA, codecB] = [codecFor(alice, bob), codecFor(bob, alice)];
  const [a, b] = await Promise.all([connect({ url, realm, codec: codecA }), connect({ url, realm, codec: codecB })]);
  sessions.push(a, b);
  const shop = scrambled(a, codecA);
  const client = scrambled(b, codecB);
  console.log(`connected to ${url} (${realm})`);

  // 1. A prefix subscription on clear names; the handler sees the clear topic.
  let got;
  const arrived = new Promise((resolve) => (got = resolve));
  await shop.subscribe(`${NS}orders.`, (ev) => got(ev), { match: 'prefix' });
  await client.publish(`${NS}orders.created`, [{ id: 'o-1' }], {}, { acknowledge: true });
  const ev = await arrived;
  const wireTopic = await codecB.scramble(`${NS}orders.created`);
  console.log(`event on ${ev.topic.replace(NS, '<ns>')}: order ${ev.args[0].id}`);
  console.log(`the router routed ${wireTopic.replace(NS, '<ns>').replace(/[a-z2-7]{16}/g, '<tag>')}`);

  // 2. A procedure and an application error, both in the namespace.
  await shop.register(`${NS}orders.pay`, (inv) => {
    if (inv.args[0] > 100) throw new ApplicationError(`${NS}error.declined`, ['over the limit']);
    return `paid ${inv.args[0]} via ${inv.procedure.replace(NS, '<ns>')}`;
  });
  console.log((await client.call(`${NS}orders.pay`, [42])).args[0]);
  const declined = await client.call(`${NS}orders.pay`, [500]).catch((e) => e);
  console.log(`declined: ${declined.uri.replace(NS, '<ns>')} (${declined.args[0]})`);

  console.log('scrambled-uris: ok');
  await Promise.all(sessions.map((s) => s.close()));
  process.exit(0);
} catch (e) {
  fail(e);
}

function fail(e) {
  console.error(`scrambled-uris: failed: ${e?.code ?? ''} ${e?.message ?? e}`);
  for (const s of sessions) s.close().catch(() => undefined);
  process.exit(1);
}
