/**
 * E2E v2 bench, shared setup: the built packages, identities and keys, the codec configurations of
 * a publisher/caller and a subscriber/callee (as packages/cryptobox/test/e2ev2/codec.test.ts), a
 * cryptobox pair for comparison, the 1 KiB JSON payload, and payload contexts.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST = path.join(ROOT, 'packages/cryptobox/dist/esm');

/**
 * The built modules; exits with a hint when there is no build. `cryptoboxDist`: another ESM build of
 * packages/cryptobox (a directory with `internal.js`, say an earlier revision's, to compare against);
 * the x_e2ev2 codec and the bindings the primitives are timed through come from it.
 */
export async function loadModules(cryptoboxDist = DIST) {
  const dist = (p) => import(pathToFileURL(path.join(path.resolve(cryptoboxDist), p)).href);
  try {
    const wb = await import('@wampbox/wamp-client');
    const internal = await dist('internal.js');
    const core = await import('@wampbox/core');
    const sodium = await dist('sodium.js');
    const v2 = await dist('sodium-v2.js');
    const scratch = await dist('internal/v2-scratch.js');
    const constants = await dist('e2ev2/constants.js');
    await sodium.sodiumReady();
    await v2.sodiumV2Ready();
    return { wb, internal, core, sodium, v2, scratch, constants };
  } catch (e) {
    process.stderr.write(`cannot load the built packages (run \`npm run build\` first): ${e.message}\n`);
    process.exit(1);
  }
}

export const PREFIX = 'com.bench.secure.';
export const URI = 'com.bench.secure.echo';

/** A record-like object whose inner JSON (`{"args":[o],"kwargs":{}}`) is about 1 KiB. */
export function textPayload() {
  const o = { id: 12345, name: 'sensor-7', tags: ['a', 'b', 'c'], ok: true, values: [] };
  let i = 0;
  while (JSON.stringify({ args: [o], kwargs: {} }).length < 1024 - 8)
    o.values.push(Math.round(Math.sin(i++) * 1000) / 10);
  return [o];
}

/** Keys for one world: a writer (publisher, caller), a reader (subscriber, callee), a group key, a callee scope. */
export function makeWorld(m) {
  const rnd = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  const writer = m.sodium.signSeedKeypair(rnd(32));
  const reader = m.sodium.signSeedKeypair(rnd(32));
  return { writer, reader, groupKey: rnd(32), scope: m.sodium.boxKeypair() };
}

/** The publisher and caller's codec. */
export function writerCodec(m, w, prefix = PREFIX) {
  return m.internal.e2eV2({
    identity: { publicKey: w.writer.publicKey, secretKey: w.writer.secretKey },
    trust: [{ spk: w.reader.publicKey, prefix, roles: ['answer'] }],
    groupKeys: [{ scope: prefix, key: w.groupKey, current: true }],
    calleeScopes: [{ prefix, publicKey: w.scope.publicKey }],
    routes: [{ prefix, carriage: 'transparent' }],
  });
}

/** The subscriber and callee's codec. */
export function readerCodec(m, w, prefix = PREFIX) {
  return m.internal.e2eV2({
    identity: { publicKey: w.reader.publicKey, secretKey: w.reader.secretKey },
    trust: [{ spk: w.writer.publicKey, prefix, roles: ['publish', 'call'] }],
    groupKeys: [{ scope: prefix, key: w.groupKey }],
    calleeScopes: [{ prefix, secretKey: w.scope.secretKey }],
    routes: [{ prefix, carriage: 'transparent' }],
  });
}

/** A cryptobox pair on the same prefix: originator (caller, publisher) and responder (callee, subscriber). */
export async function cryptoboxPair(m, prefix = PREFIX) {
  const { KeyRing, cryptobox, generateKeyPair } = m.wb;
  const originator = await generateKeyPair();
  const responder = await generateKeyPair();
  const send = new KeyRing().setKey(prefix, {
    originatorPriv: originator.secretKey,
    responderPub: responder.publicKey,
  });
  const recv = new KeyRing().setKey(prefix, {
    responderPriv: responder.secretKey,
    originatorPub: originator.publicKey,
  });
  return { sender: cryptobox(send), receiver: cryptobox(recv) };
}

/** A payload context as the session builds it. */
export function ctx(messageType, uri, extra = {}) {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}

/** The codec's result, which must be synchronous once libsodium is ready. */
export function sync(x) {
  if (x && typeof x.then === 'function') throw new Error('the codec returned a promise after libsodium was ready');
  return x;
}
