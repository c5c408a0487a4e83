#!/usr/bin/env node
// Typed contracts and payload validation with @wampbox/contracts and zod.
// A procedure and a topic are defined once with their schemas; the callee's session validates
// what it receives (after decryption, were a codec like cryptobox underneath), the caller's call
// site validates the result. Refusals never carry the refused values.
//
//   node examples/typed-contracts.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// Exits 0 once every step went as expected, 1 otherwise.
import { connect } from '@wampbox/wamp-client';
import { defineProcedure, defineTopic, typed, withValidation } from '@wampbox/contracts';
import { z } from 'zod';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
// A namespace of this run, so that runs sharing a router do not see each other's calls.
const ns = `com.example.contracts.p${process.pid}`;

// Never hang: give up after 20 s.
setTimeout(() => fail(new Error('timed out')), 20_000).unref();

// The contracts: what each side sends and receives, once for both sides.
const Order = z.object({
  id: z.string().min(1),
  items: z.array(z.object({ sku: z.string(), price: z.number().nonnegative() })),
  note: z.string().default('none'), // a default: publishers may leave it out
});
const add = defineProcedure(`${ns}.add`, {
  call: { args: z.tuple([z.number(), z.number()]) },
  call_result: { args: z.tuple([z.number()]) },
});
const orderCreated = defineTopic(`${ns}.order.created`, { kwargs: Order });

const sessions = [];
try {
  // The receiving side validates in its codec: withValidation wraps any codec, here none (plaintext).
  const service = await connect({ url, realm, codec: withValidation(undefined, [add, orderCreated]) });
  const client = await connect({ url, realm });
  sessions.push(service, client);
  console.log(`connected to ${url} (${realm}): service ${service.id}, client ${client.id}`);

  const api = typed(service);
  await api.register(add, ({ args: [a, b] }) => ({ args: [a + b] }));

  // 1. A typed call: arguments and result are typed (and the result validated) from the schemas.
  const {
    args: [sum],
  } = await typed(client).call(add, { args: [2, 3] });
  console.log(`add(2, 3) = ${sum}`);

  // 2. An untyped caller sends a bad argument: the service answers wamp.error.invalid_argument.
  const refused = await client.call(add.uri, [2, 'three']).catch((e) => e);
  console.log(`add(2, "three") refused: ${refused.uri} ${refused.args[0].replace(ns, '<ns>')}`);

  // 3. Events: a valid one arrives as the schema's output (with its default); an invalid one is
  // dropped and reported on the service session's `error` event, with paths but no values.
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const seen = [];
  const check = () => seen.length === 2 && done();
  service.on('error', (e) => {
    seen.push(`event dropped: ${e.code} at ${e.paths.join(', ')}`);
    check();
  });
  await api.subscribe(orderCreated, ({ kwargs: order }) => {
    const total = order.items.reduce((s, i) => s + i.price, 0);
    seen.push(`order ${order.id}: total ${total} (note: ${order.note})`);
    check();
  });
  const items = [
    { sku: 'a', price: 2 },
    { sku: 'b', price: 3.5 },
  ];
  await typed(client).publish(orderCreated, { kwargs: { id: 'o-1', items } }, { acknowledge: true });
  await client.publish(orderCreated.uri, [], { id: 'o-2', items: [{ sku: 'c', price: -1 }] }, { acknowledge: true });
  await finished;
  for (const line of seen) console.log(line);

  await Promise.all(sessions.map((s) => s.close()));
  console.log('typed-contracts: ok');
} catch (e) {
  fail(e);
}

function fail(e) {
  console.error(`typed-contracts: failed: ${e.code ?? e.name}: ${e.message}`);
  for (const s of sessions) s.abort();
  process.exit(1);
}
