#!/usr/bin/env node
// E2E v2 (x_e2ev2) between wampbox and Python through the router: reading and writing are separate rights.
//
// Three identities: a TypeScript writer (granted `publish` on the news topic), the Python subscriber
// examples/e2ev2_subscriber.py (started here as a child process; it holds the group key, so it can
// read) and a TypeScript forger that holds the same group key, like every reader, but has no grant.
// The writer's events are delivered in Python; the forger's event is refused there (`sender`) and
// never delivered. The other way, the Python side publishes a receipt where this side grants it
// `publish`. The router routes every message by URI but sees only ciphertext.
//
//   node examples/e2ev2-with-python.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// The subscriber runs with the router venv's Python (`node scripts/router/router.mjs python ...`),
// or with the Python in E2EV2_PYTHON (which needs PyNaCl and Autobahn|Python). WebSocket URLs only.
// Exits 0 when the events went through, the forgery was refused and the receipt came back, 1 otherwise.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, cryptosignKeyPair } from '@wampbox/wamp-client';
import { e2eV2 } from '@wampbox/wamp-client/e2ev2';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
// The sealed prefix and its two topics. Grants name prefixes; `a.b` covers `a.b` and `a.b.*`.
const prefix = `com.example.e2ev2.p${process.pid}.`;
const news = `${prefix}news`;
const receipts = `${prefix}receipts`;

const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
const hex = (b) => Buffer.from(b).toString('hex');
const short = (k) => `${k.publicKeyHex.slice(0, 8)}...`;

let subscriber;
const sessions = [];
// Never hang: give up after 90 s (the first start of the subscriber may check the router venv).
setTimeout(() => fail(new Error('timed out')), 90_000).unref();

try {
  // Identities are Ed25519 key pairs (`npx wampbox keygen identity` makes one; its seed is also a
  // cryptosign seed), the group key is 32 random bytes (`npx wampbox keygen group-key`). Here this
  // process makes them all and hands the subscriber its seed and the group key, through the environment.
  const pythonSeed = random(32);
  const [writer, forger, python] = await Promise.all([
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(pythonSeed),
  ]);
  const groupKey = random(32);
  console.log(
    `node: identities: writer ${short(writer)}, forger ${short(forger)}, python ${short(python)}; a group key for ${prefix}*`,
  );

  // The Python subscriber's configuration: its identity, the group key (reading), and its trust
  // store: only the writer may publish on the news topic.
  subscriber = startSubscriber({
    seed: hex(pythonSeed),
    group_keys: [{ key: hex(groupKey), scope: prefix }],
    trust: [{ spk: writer.publicKeyHex, prefix: news, roles: ['publish'] }],
  });
  await subscriber.line((l) => l.startsWith('python: ready'));

  // The writer publishes with the group key (`current: true`) and trusts the Python side to publish receipts.
  const writing = await open('writer', {
    identity: { publicKey: writer.publicKey, secretKey: writer.secretKey },
    trust: [{ spk: python.publicKey, prefix: receipts, roles: ['publish'] }],
    groupKeys: [{ scope: prefix, key: groupKey, current: true }],
    routes: [{ prefix, carriage: 'transparent' }],
  });
  let gotReceipt;
  const receipt = new Promise((resolve) => (gotReceipt = resolve));
  await writing.subscribe(receipts, (ev) => gotReceipt(ev.kwargs));
  await writing.publish(news, ['kick-off'], { minute: 0 }, { acknowledge: true });
  await writing.publish(news, ['goal'], { minute: 17, score: '1-0' }, { acknowledge: true });
  console.log(`node: the writer published 2 events on ${news} (sealed, signed)`);
  await subscriber.line((l) => l.includes("['goal']"));

  // The forger holds the group key, as every reader does, so it can seal an event. It signs with
  // its own identity, which no one granted `publish`.
  const forging = await open('forger', {
    identity: { publicKey: forger.publicKey, secretKey: forger.secretKey },
    groupKeys: [{ scope: prefix, key: groupKey, current: true }],
    routes: [{ prefix, carriage: 'transparent' }],
  });
  await forging.publish(news, ['goal'], { minute: 90, score: '0-3', forged: true }, { acknowledge: true });
  console.log(`node: the forger (group key, no publish grant) published on ${news}`);
  // The forged event says `forged: true`, so a line that shows it delivered would show that.
  const seen = await subscriber.line((l) => l.startsWith('python: refused') || l.includes('forged'));
  if (!seen.startsWith('python: refused')) throw new Error('the Python subscriber delivered the forged event');
  if (!seen.includes(': sender ')) throw new Error(`refused for another reason: ${seen}`);

  // The receipt, from the only identity this side lets publish there.
  const { delivered, refused } = await receipt;
  console.log(`node: receipt from python on ${receipts}: ${delivered} delivered, refused: ${refused.join(', ')}`);
  const code = await subscriber.exited;
  if (code !== 0) throw new Error(`the Python subscriber exited with ${code}`);
  if (subscriber.lines.some((l) => l.startsWith('python: event') && l.includes('forged'))) {
    throw new Error('the Python subscriber delivered the forged event');
  }
  if (delivered !== 2 || refused.join() !== 'sender') {
    throw new Error('the receipt does not say 2 delivered, 1 refused');
  }
  await Promise.all(sessions.map((s) => s.close()));
  console.log('e2ev2-with-python: ok');
} catch (e) {
  fail(e);
}

/** Connect with an E2E v2 codec; a payload this session refuses is reported on its `error` event. */
async function open(name, options) {
  const session = await connect({ url, realm, codec: e2eV2(options) });
  session.on('error', (err) => console.log(`node: ${name} refused a payload: ${err.message}`));
  sessions.push(session);
  return session;
}

/** Start examples/e2ev2_subscriber.py; its lines are echoed, `line(test)` waits for one. */
function startSubscriber(config) {
  const script = fileURLToPath(new URL('e2ev2_subscriber.py', import.meta.url));
  const routerScript = fileURLToPath(new URL('../scripts/router/router.mjs', import.meta.url));
  const [cmd, ...pre] = process.env.E2EV2_PYTHON
    ? [process.env.E2EV2_PYTHON]
    : [process.execPath, routerScript, 'python'];
  const child = spawn(cmd, [...pre, script, url, realm, prefix], {
    env: { ...process.env, E2EV2_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = [];
  const waiting = [];
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(line);
    lines.push(line);
    for (const w of waiting.filter((w) => w.test(line))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    }
  });
  child.on('error', fail);
  exited.then((code) => {
    for (const w of waiting) w.reject(new Error(`the Python subscriber exited with ${code}`));
  });
  /** The first line (seen or to come) that passes `test`. */
  const line = (test) =>
    new Promise((resolve, reject) => {
      const seen = lines.find(test);
      if (seen !== undefined) resolve(seen);
      else waiting.push({ test, resolve, reject });
    });
  return { child, lines, line, exited };
}

function fail(e) {
  console.error(`e2ev2-with-python: failed: ${e.code ?? e.name}: ${e.message}`);
  subscriber?.child.kill();
  for (const s of sessions) s.abort();
  process.exit(1);
}
