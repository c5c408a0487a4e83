#!/usr/bin/env node
/**
 * Cryptobox codec micro-benchmark: seal + open of a 1 KiB payload through the cryptobox
 * PayloadCodec (encode on the caller's ring, decode on the callee's ring, as in a CALL), against
 * the least a client could do for the same wire result: JSON.stringify of {uri, args, kwargs},
 * UTF-8, libsodium crypto_box_easy_afternm with a precomputed key, and back with
 * crypto_box_open_easy_afternm, UTF-8 decode and JSON.parse.
 *
 *   node scripts/bench/cryptobox.mjs [--rounds 9] [--ms 300]
 *
 * Needs `npm run build` first. No network. Bounded by --rounds x --ms per case.
 *
 * Two payloads of about 1 KiB:
 * - "text": args = [a 1 KiB JSON-safe object]   (no binary: the codec's plain JSON path)
 * - "binary": args = [Uint8Array(1024)]          (the codec turns bytes into "\u0000" + base64
 *   inside the inner JSON; the baseline does the same with Buffer.toString('base64'))
 * The raw side runs on libsodium-wrappers (WebAssembly); the codec on the libsodium binding
 * cryptobox's Node entry picks (sodium-native where it is installed; WAMPBOX_SODIUM_BACKEND=wasm
 * for the WebAssembly build), named in the report. Both use a pooled 24-byte nonce source.
 */
import * as sodiumNamespace from 'libsodium-wrappers';
import { performance } from 'node:perf_hooks';
import { binPayload } from './payload.mjs';
import { timeLoop } from './lib/time-loop.mjs';

const sodium = sodiumNamespace.default ?? sodiumNamespace;

function parseArgs(argv) {
  const o = { rounds: 9, ms: 300 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') o.rounds = Math.max(1, Math.min(50, Number(argv[++i])));
    else if (argv[i] === '--ms') o.ms = Math.max(20, Math.min(5000, Number(argv[++i])));
    else if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write('usage: node scripts/bench/cryptobox.mjs [--rounds N] [--ms MS]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));

let wb;
try {
  wb = await import('@wampbox/wamp-client');
} catch (e) {
  process.stderr.write(`cannot load @wampbox/wamp-client (run \`npm run build\` first): ${e.message}\n`);
  process.exit(1);
}
const { KeyRing, cryptobox, generateKeyPair } = wb;
const { sodiumBackend } = await import('@wampbox/cryptobox');
await sodium.ready;
const codecBinding = await sodiumBackend();

const URI = 'com.bench.secure.echo';
const originator = await generateKeyPair();
const responder = await generateKeyPair();
const callerRing = new KeyRing().setKey('com.bench.secure.', {
  originatorPriv: originator.secretKey,
  responderPub: responder.publicKey,
});
const calleeRing = new KeyRing().setKey('com.bench.secure.', {
  responderPriv: responder.secretKey,
  originatorPub: originator.publicKey,
});
const callerCodec = cryptobox(callerRing);
const calleeCodec = cryptobox(calleeRing);
const sendCtx = { uri: URI, messageType: 'CALL', originating: true, sending: true };
const recvCtx = { uri: URI, messageType: 'INVOCATION', originating: false, sending: false };
const sharedKey = sodium.crypto_box_beforenm(responder.publicKey, originator.secretKey);

// ---- payloads
function textPayload() {
  // a record-like object whose inner JSON is about 1 KiB
  const o = { id: 12345, name: 'sensor-7', tags: ['a', 'b', 'c'], ok: true, values: [] };
  let i = 0;
  while (JSON.stringify({ uri: URI, args: [o], kwargs: null }).length < 1024 - 8)
    o.values.push(Math.round(Math.sin(i++) * 1000) / 10);
  return [o];
}
// ---- the baseline: JSON + precomputed-key crypto_box, nothing else
const NONCE = 24;
let pool = new Uint8Array(NONCE * 256);
let poolOff = pool.length;
function nonceInto(target) {
  if (poolOff === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOff = 0;
  }
  target.set(pool.subarray(poolOff, poolOff + NONCE));
  poolOff += NONCE;
}
const enc = new TextEncoder();
const dec = new TextDecoder();

function rawSeal(args, binary) {
  const a = binary
    ? args.map((b) => '\u0000' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'))
    : args;
  const pt = enc.encode(JSON.stringify({ uri: URI, args: a, kwargs: null }));
  const nonce = new Uint8Array(NONCE);
  nonceInto(nonce);
  const box = sodium.crypto_box_easy_afternm(pt, nonce, sharedKey);
  const out = new Uint8Array(NONCE + box.length);
  out.set(nonce, 0);
  out.set(box, NONCE);
  return out;
}
function rawOpen(sealed, binary) {
  const pt = sodium.crypto_box_open_easy_afternm(sealed.subarray(NONCE), sealed.subarray(0, NONCE), sharedKey);
  const inner = JSON.parse(dec.decode(pt));
  if (binary) inner.args = inner.args.map((s) => Buffer.from(s.slice(1), 'base64'));
  return inner;
}

// ---- the codec
function codecSeal(args) {
  const w = callerCodec.encode({ args, kwargs: undefined }, sendCtx);
  if (typeof w.then === 'function') throw new Error('codec returned a promise after libsodium was ready');
  return w;
}
function codecOpen(wire) {
  return calleeCodec.decode(wire, recvCtx);
}

// ---- checks: both paths round-trip, and each opens what the other sealed
for (const [kind, args] of [
  ['text', textPayload()],
  ['binary', [binPayload()]],
]) {
  const binary = kind === 'binary';
  const w = codecSeal(args);
  if (w.kind !== 'opaque') throw new Error('the codec did not seal');
  const a = codecOpen(w);
  const b = rawOpen(w.payload, binary);
  const c = codecOpen({ ...w, payload: rawSeal(args, binary) });
  const want = binary ? Buffer.from(args[0]).toString('hex') : JSON.stringify(args);
  const got = (p) => (binary ? Buffer.from(p.args[0]).toString('hex') : JSON.stringify(p.args));
  if (got(a) !== want || got(b) !== want || got(c) !== want) throw new Error(`${kind}: the paths disagree`);
}

// ---- measurement: alternate the cases within each round; median of per-round figures

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const cases = [];
for (const [kind, args] of [
  ['text', textPayload()],
  ['binary', [binPayload()]],
]) {
  const binary = kind === 'binary';
  const sealedCodec = codecSeal(args);
  const sealedRaw = rawSeal(args, binary);
  cases.push({
    kind,
    plaintextBytes: sealedRaw.length - NONCE - 16,
    fns: {
      'codec seal+open': () => codecOpen(codecSeal(args)),
      'raw seal+open': () => rawOpen(rawSeal(args, binary), binary),
      'codec seal': () => codecSeal(args),
      'raw seal': () => rawSeal(args, binary),
      'codec open': () => codecOpen(sealedCodec),
      'raw open': () => rawOpen(sealedRaw, binary),
    },
  });
}

const results = new Map();
const started = performance.now();
for (let round = 0; round < opts.rounds; round++) {
  for (const c of cases) {
    const names = Object.keys(c.fns);
    // rotate the order from round to round
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const r = timeLoop(c.fns[name], opts.ms / names.length);
      const key = `${c.kind}|${name}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(r);
    }
  }
}

const out = [];
out.push(
  `cryptobox seal+open, ${opts.rounds} rounds; node ${process.version}; codec on ${codecBinding.library}, raw on libsodium-wrappers (WebAssembly)`,
);
out.push(
  'µs per operation: CPU time (user+sys) and wall time, median over rounds; ± = half the min..max range of the CPU figures;',
);
out.push('codec / raw = median of the per-round CPU ratios');
out.push('');
const rows = [['payload', 'operation', 'µs CPU', 'spread', 'µs wall', 'codec / raw']];
for (const c of cases) {
  for (const op of ['seal+open', 'seal', 'open']) {
    for (const who of ['codec', 'raw']) {
      const rs = results.get(`${c.kind}|${who} ${op}`);
      const cpus = rs.map((r) => r.cpuUs);
      const m = median(cpus);
      const spread = `±${(((Math.max(...cpus) - Math.min(...cpus)) / 2 / m) * 100).toFixed(0)}%`;
      let ratio = '';
      if (who === 'codec') {
        const raw = results.get(`${c.kind}|raw ${op}`);
        ratio = median(rs.map((r, i) => r.cpuUs / raw[i].cpuUs)).toFixed(2);
      }
      rows.push([
        `${c.kind} (${c.plaintextBytes} B inner JSON)`,
        `${who} ${op}`,
        m.toFixed(2),
        spread,
        median(rs.map((r) => r.wallUs)).toFixed(2),
        ratio,
      ]);
    }
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
rows.forEach((r, i) => {
  out.push(r.map((v, j) => (j < 2 ? String(v).padEnd(widths[j]) : String(v).padStart(widths[j]))).join('  '));
  if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
});
out.push('');
out.push(
  `codec = cryptobox(ring).encode on the caller side + .decode on the callee side; raw = JSON + crypto_box_easy_afternm / crypto_box_open_easy_afternm with a precomputed key`,
);
out.push(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.stdout.write(out.join('\n') + '\n');
