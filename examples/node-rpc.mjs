#!/usr/bin/env node
// RPC with wampbox: one session registers procedures, another calls them.
// Shows plain calls, progressive results, application errors and a call timeout.
//
//   node examples/node-rpc.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// Exits 0 when every call behaved as expected, 1 otherwise.
import { ApplicationError, Result, connect } from '@wampbox/wamp-client';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
// A namespace of this run, so that runs sharing a router do not collide on registrations.
const ns = `com.example.rpc.p${process.pid}`;

// Never hang: give up after 20 s.
setTimeout(() => fail(new Error('timed out')), 20_000).unref();

const sessions = [];
try {
  const callee = await connect({ url, realm });
  const caller = await connect({ url, realm });
  sessions.push(callee, caller);
  console.log(`connected to ${url} (${realm}): callee ${callee.id}, caller ${caller.id} (${caller.serializer})`);

  // A handler receives the invocation; its return value becomes args[0] of the result.
  await callee.register(`${ns}.add`, (inv) => inv.args[0] + inv.args[1]);

  // Return a Result for several values or keyword results; throw ApplicationError for an error URI.
  await callee.register(`${ns}.divide`, (inv) => {
    const [a, b] = inv.args;
    if (b === 0) throw new ApplicationError(`${ns}.error.division_by_zero`, ['cannot divide by zero'], { a });
    return new Result([Math.floor(a / b), a % b], { quotient: a / b });
  });

  // Progressive results: send some before the final one, if the caller asked for them.
  await callee.register(`${ns}.countdown`, async (inv) => {
    for (let n = inv.args[0]; n > 0; n--) {
      inv.progress([n]);
      await new Promise((r) => setTimeout(r, 50));
    }
    return 'liftoff';
  });

  // A slow procedure that stops when the caller gives up (its signal aborts on INTERRUPT).
  await callee.register(
    `${ns}.slow`,
    (inv) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve('too late'), 5000);
        inv.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      }),
  );

  const sum = await caller.call(`${ns}.add`, [2, 3]);
  console.log(`add(2, 3) = ${sum.args[0]}`);

  const div = await caller.call(`${ns}.divide`, [7, 2]);
  console.log(`divide(7, 2) = ${JSON.stringify(div.args)} ${JSON.stringify(div.kwargs)}`);

  try {
    await caller.call(`${ns}.divide`, [1, 0]);
    throw new Error('divide(1, 0) should have failed');
  } catch (e) {
    if (!(e instanceof ApplicationError)) throw e;
    console.log(`divide(1, 0) failed: ${e.uri} ${JSON.stringify(e.args)} ${JSON.stringify(e.kwargs)}`);
  }

  const steps = [];
  for await (const r of caller.callProgressive(`${ns}.countdown`, [3])) {
    steps.push(`${r.args[0]}${r.progress ? '' : ' (final)'}`);
  }
  console.log(`countdown: ${steps.join(', ')}`);

  try {
    await caller.call(`${ns}.slow`, [], {}, { timeoutMs: 200 });
    throw new Error('slow() should have timed out');
  } catch (e) {
    if (e.code !== 'ERR_TIMEOUT') throw e;
    console.log(`slow() gave up after 200 ms: ${e.code}`);
  }

  await Promise.all(sessions.map((s) => s.close()));
  console.log('node-rpc: ok');
} catch (e) {
  fail(e);
}

function fail(e) {
  console.error(`node-rpc: failed: ${e.code ?? e.name}: ${e.message}`);
  for (const s of sessions) s.abort();
  process.exit(1);
}
