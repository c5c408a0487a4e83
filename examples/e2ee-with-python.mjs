#!/usr/bin/env node
// End-to-end encryption between wampbox and Autobahn|Python through the router.
//
// This side is the originator of the prefix (it calls and publishes); examples/e2ee_peer.py,
// started here as a child process, is the responder (it is called and subscribes). The router
// routes every message by URI but sees only ciphertext.
//
//   node examples/e2ee-with-python.mjs [url] [realm]     (or WAMPBOX_URL / WAMPBOX_REALM)
//
// The peer runs with the router venv's Python (`node scripts/router/router.mjs python ...`), or
// with the Python in E2EE_PYTHON (which needs `autobahn[encryption]`). WebSocket URLs only.
// Exits 0 when the encrypted call and event went through both ways, 1 otherwise.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KeyRing, connect, cryptobox, generateKeyPair } from '@wampbox/wamp-client';

const url = process.argv[2] ?? process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.argv[3] ?? process.env.WAMPBOX_REALM ?? 'realm1';
// The keyed prefix; ending it with a dot makes it a namespace (lookup is by raw string prefix).
const prefix = `com.example.e2ee.p${process.pid}.`;

let peer;
let session;
// Never hang: give up after 90 s (the first start of the peer may check the router venv).
setTimeout(() => fail(new Error('timed out')), 90_000).unref();

try {
  // Two key pairs. In a real deployment each side makes its own pair (`npx wampbox keygen`) and
  // only the public keys are exchanged; here this process makes both and hands the responder's
  // secret key to the peer it starts, through the environment.
  const originator = await generateKeyPair();
  const responder = await generateKeyPair();

  peer = startPeer({
    E2EE_RESPONDER_SECRET: responder.secretKeyBase64,
    E2EE_ORIGINATOR_PUBLIC: originator.publicKeyBase64,
  });
  await peer.ready;

  // The originator holds its own secret key and the responder's public key.
  const ring = new KeyRing().setKey(prefix, {
    originatorPriv: originator.secretKey,
    responderPub: responder.publicKey,
  });
  // Strict mode (the default) refuses plaintext on keyed URIs, so an answer that arrives at all was sealed.
  session = await connect({ url, realm, codec: cryptobox(ring) });
  console.log(`node: connected as session ${session.id} (${session.serializer}), keys for ${prefix}*`);

  const res = await session.call(`${prefix}greet`, ['wampbox']);
  console.log(`node: ${prefix}greet -> ${JSON.stringify(res.args[0])} (sealed both ways)`);

  await session.publish(`${prefix}news`, ['end-to-end encrypted'], { from: 'node' }, { acknowledge: true });
  console.log(`node: published on ${prefix}news (sealed)`);

  const code = await peer.exited;
  if (code !== 0) throw new Error(`the Python peer exited with ${code}`);
  await session.close();
  console.log('e2ee-with-python: ok');
} catch (e) {
  fail(e);
}

/** Start examples/e2ee_peer.py; its lines are echoed, `ready` resolves on "python: ready". */
function startPeer(keys) {
  const script = fileURLToPath(new URL('e2ee_peer.py', import.meta.url));
  const routerScript = fileURLToPath(new URL('../scripts/router/router.mjs', import.meta.url));
  const [cmd, ...pre] = process.env.E2EE_PYTHON
    ? [process.env.E2EE_PYTHON]
    : [process.execPath, routerScript, 'python'];
  const child = spawn(cmd, [...pre, script, url, realm, prefix], {
    env: { ...process.env, ...keys },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const ready = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (line === 'python: ready') resolve();
    });
    exited.then((code) => reject(new Error(`the Python peer exited with ${code} before it was ready`)));
    child.on('error', reject);
  });
  return { child, ready, exited };
}

function fail(e) {
  console.error(`e2ee-with-python: failed: ${e.code ?? e.name}: ${e.message}`);
  peer?.child.kill();
  session?.abort();
  process.exit(1);
}
