#!/usr/bin/env node
// PubSub with wampbox: one session subscribes, another publishes.
// Shows a handler, a prefix (pattern) subscription and a subscription read as an async iterator.
//
//   node examples/node-pubsub.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// Exits 0 once every event arrived, 1 otherwise.
import { connect } from '@wampbox/wamp-client';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
// A namespace of this run, so that runs sharing a router do not see each other's events.
const ns = `com.example.pubsub.p${process.pid}`;

// Never hang: give up after 20 s.
setTimeout(() => fail(new Error('timed out')), 20_000).unref();

const sessions = [];
try {
  const subscriber = await connect({ url, realm });
  const publisher = await connect({ url, realm });
  sessions.push(subscriber, publisher);
  console.log(`connected to ${url} (${realm}): subscriber ${subscriber.id}, publisher ${publisher.id}`);

  // 1. A handler for one topic. An event carries args (an array) and kwargs (an object).
  let news;
  const gotNews = new Promise((resolve) => {
    news = resolve;
  });
  await subscriber.subscribe(`${ns}.news`, (ev) => {
    console.log(`news: ${ev.args[0]} ${JSON.stringify(ev.kwargs)} (publisher ${ev.details.publisher})`);
    news();
  });

  // 2. A prefix subscription: every topic under `${ns}.alerts.`; ev.topic names the concrete one.
  const alerts = [];
  let allAlerts;
  const gotAlerts = new Promise((resolve) => {
    allAlerts = resolve;
  });
  await subscriber.subscribe(
    `${ns}.alerts.`,
    (ev) => {
      alerts.push(ev.topic.slice(ns.length + 1));
      if (alerts.length === 2) allAlerts();
    },
    { match: 'prefix' },
  );

  // 3. No handler: the subscription is an async iterator. Leaving the loop unsubscribes.
  const ticks = await subscriber.subscribe(`${ns}.ticks`);
  const readTicks = (async () => {
    const seen = [];
    for await (const ev of ticks) {
      seen.push(ev.args[0]);
      if (seen.length === 3) break;
    }
    return seen;
  })();

  // Publish. acknowledge: true resolves once the router accepted the publication.
  await publisher.publish(
    `${ns}.news`,
    ['wampbox 0.1.0 is out'],
    { tags: ['release'] },
    { acknowledge: true, discloseMe: true },
  );
  await publisher.publish(`${ns}.alerts.disk`, [], { free: '5%' });
  await publisher.publish(`${ns}.alerts.cpu`, [], { load: 0.97 });
  for (let i = 1; i <= 3; i++) await publisher.publish(`${ns}.ticks`, [i]);

  await gotNews;
  await gotAlerts;
  console.log(`alerts: ${alerts.sort().join(', ')}`);
  console.log(`ticks: ${(await readTicks).join(', ')}`);

  await Promise.all(sessions.map((s) => s.close()));
  console.log('node-pubsub: ok');
} catch (e) {
  fail(e);
}

function fail(e) {
  console.error(`node-pubsub: failed: ${e.code ?? e.name}: ${e.message}`);
  for (const s of sessions) s.abort();
  process.exit(1);
}
