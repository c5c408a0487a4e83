#!/usr/bin/env node
// A reconnecting connection: registrations and subscriptions made through it come back by
// themselves after the transport is lost, and calls made while it is down wait for it.
// The example cuts its own transport to show this without touching the router.
//
//   node examples/reconnecting-connection.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// Exits 0 once a call succeeded after the reconnect, 1 otherwise.
import { connection } from '@wampbox/wamp-client';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
const ns = `com.example.reconnect.p${process.pid}`;

// Never hang: give up after 30 s.
setTimeout(() => fail(new Error('timed out')), 30_000).unref();

// Every delay is in milliseconds. Defaults: 500 ms first retry, factor 2, 30 s cap, jitter 0.5,
// no limit on attempts; a heartbeat probes a silent router every 30 s.
const conn = connection({
  url,
  realm,
  reconnect: { initialDelayMs: 200, factor: 2, maxDelayMs: 5_000, jitter: 0.5, maxAttempts: 20 },
  heartbeat: { intervalMs: 10_000, timeoutMs: 5_000 },
  callsWhileDisconnected: 'wait', // calls made while down wait for the next session
});

// Lifecycle events replace callbacks such as onopen/onclose.
conn.on('open', (session) => console.log(`open: session ${session.id}`));
conn.on('close', (info) => console.log(`close: ${info.reason}${info.willReconnect ? ', will reconnect' : ''}`));
conn.on('retry', ({ attempt, delayMs }) => console.log(`retry: attempt ${attempt} in ${delayMs} ms`));
conn.on('error', (err) => console.error(`error: ${err.code} ${err.message}`));

try {
  await conn.open(); // resolves with the first session; rejects if the router refuses the login

  let events = 0;
  await conn.register(`${ns}.echo`, (inv) => inv.args[0]);
  await conn.subscribe(`${ns}.ping`, () => {
    events++;
  });

  const before = await conn.call(`${ns}.echo`, ['before']);
  console.log(`echo: ${before.args[0]}`);

  // Simulate a network failure: drop the transport under the current session.
  const firstSession = conn.currentSession;
  const reopened = new Promise((resolve) => conn.once('open', resolve));
  firstSession.abort('simulated network failure');

  // This call is made while disconnected: it waits for the reconnect (bounded by timeoutMs).
  const after = await conn.call(`${ns}.echo`, ['after'], {}, { timeoutMs: 10_000 });
  const secondSession = await reopened;
  console.log(`echo: ${after.args[0]} (session ${firstSession.id} -> ${secondSession.id}, registration restored)`);

  // The subscription was restored too: publish to ourselves (excludeMe: false) and wait for it.
  await conn.publish(`${ns}.ping`, [], {}, { acknowledge: true, excludeMe: false });
  for (let i = 0; i < 50 && events === 0; i++) await new Promise((r) => setTimeout(r, 20));
  if (events !== 1) throw new Error(`expected 1 event after the reconnect, got ${events}`);
  console.log('event: received on the restored subscription');

  await conn.close(); // GOODBYE, and no more reconnects
  console.log('reconnecting-connection: ok');
} catch (e) {
  fail(e);
}

function fail(e) {
  console.error(`reconnecting-connection: failed: ${e.code ?? e.name}: ${e.message}`);
  conn.currentSession?.abort();
  process.exit(1);
}
