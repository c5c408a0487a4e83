#!/usr/bin/env node
/**
 * Cryptobox on its two libsodium bindings: sodium-native (the Node entry's choice where it is
 * installed) against libsodium's WebAssembly build, seal + open at 1 KiB and 16 KiB, with the
 * ratios from the same run.
 *
 *   node scripts/bench/cryptobox-native.mjs [--rounds 9] [--ms 300]
 *
 * Needs `npm run build` first and sodium-native installed. No network. Two parts:
 *
 * - "binding": the primitives alone, both bindings in this process, with a precomputed key:
 *   `bytes` = crypto_box_easy_afternm + crypto_box_open_easy_afternm of random bytes, and
 *   `text` = what the codec calls per message (the inner JSON text encoded to UTF-8 and sealed in
 *   cryptobox's layout, then opened and decoded back to a string);
 * - "codec": cryptobox(ring).encode on the caller's ring + .decode on the callee's (as for a CALL),
 *   for an object payload whose inner JSON is 1 KiB or 16 KiB; one child process per binding
 *   (WAMPBOX_SODIUM_BACKEND=wasm and =native), asked for one round in turn.
 *
 * Figures: µs of CPU (user + sys) per seal + open, median over rounds; wasm / native is the median
 * of the per-round ratios. Every loop is bounded by --ms per case and round.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';
import { timeLoop } from './lib/time-loop.mjs';

const SIZES = [1024, 16 * 1024];

function parseArgs(argv) {
  const o = { rounds: 9, ms: 300, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') o.rounds = Math.max(1, Math.min(50, Number(argv[++i])));
    else if (argv[i] === '--ms') o.ms = Math.max(20, Math.min(5000, Number(argv[++i])));
    else if (argv[i] === '--child') o.child = argv[++i];
    else if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write('usage: node scripts/bench/cryptobox-native.mjs [--rounds N] [--ms MS]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

/** An object whose inner cryptobox JSON ({uri, args: [it], kwargs: null}) is about `bytes` long. */
function objectPayload(uri, bytes) {
  const o = { id: 12345, name: 'sensor-7', tags: ['a', 'b', 'c'], ok: true, values: [] };
  let i = 0;
  while (JSON.stringify({ uri, args: [o], kwargs: null }).length < bytes - 8)
    o.values.push(Math.round(Math.sin(i++) * 1000) / 10);
  return o;
}

const URI = 'com.bench.secure.echo';

// ---- child: the codec on the binding WAMPBOX_SODIUM_BACKEND chooses, one round per request
async function child(opts) {
  const { KeyRing, cryptobox, generateKeyPair, sodiumBackend } = await import('@wampbox/cryptobox');
  const info = await sodiumBackend();
  if (info.binding !== opts.child) throw new Error(`asked for ${opts.child}, running on ${info.binding}`);
  const originator = await generateKeyPair();
  const responder = await generateKeyPair();
  const caller = cryptobox(
    new KeyRing().setKey('com.bench.secure.', {
      originatorPriv: originator.secretKey,
      responderPub: responder.publicKey,
    }),
  );
  const callee = cryptobox(
    new KeyRing().setKey('com.bench.secure.', {
      responderPriv: responder.secretKey,
      originatorPub: originator.publicKey,
    }),
  );
  const sendCtx = { uri: URI, messageType: 'CALL', originating: true, sending: true };
  const recvCtx = { uri: URI, messageType: 'INVOCATION', originating: false, sending: false };
  const cases = SIZES.map((size) => {
    const args = [objectPayload(URI, size)];
    const roundTrip = () => callee.decode(caller.encode({ args, kwargs: undefined }, sendCtx), recvCtx);
    if (JSON.stringify(roundTrip().args) !== JSON.stringify(args)) throw new Error('the codec did not round-trip');
    return { size, roundTrip };
  });
  process.send({ ready: true, library: info.library });
  process.on('message', (m) => {
    if (m.round === undefined) return process.exit(0);
    process.send({
      round: m.round,
      results: cases.map((c) => ({ size: c.size, ...timeLoop(c.roundTrip, opts.ms, 4) })),
    });
  });
}

// ---- parent
async function bindingPart(opts) {
  const dist = new URL('../../packages/cryptobox/dist/esm/internal/', import.meta.url);
  const { startWasmBinding, boxSealAfternm, boxOpenAfternm } = await import(new URL('wasm-binding.js', dist).href);
  const { loadNativeBinding } = await import(new URL('native-binding.js', dist).href);
  const wasm = await startWasmBinding();
  const native = await loadNativeBinding();
  const bindings = {
    wasm: { ...wasm, boxSealAfternm, boxOpenAfternm },
    native,
  };
  const key = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(24));
  const fillNonce = (t) => t.set(nonce); // fixed: the nonce source is not what is measured
  const cases = [];
  for (const size of SIZES) {
    const bytes = new Uint8Array(randomBytes(size));
    const text = JSON.stringify({ uri: URI, args: [objectPayload(URI, size)], kwargs: null });
    for (const [name, b] of Object.entries(bindings)) {
      cases.push({
        kind: 'bytes',
        size,
        binding: name,
        fn: () => b.boxOpenAfternm(b.boxSealAfternm(bytes, nonce, key), nonce, key),
      });
      cases.push({
        kind: 'text',
        size,
        binding: name,
        fn: () => b.openTextAfternm(b.sealTextAfternm(text, key, fillNonce), key),
      });
    }
  }
  // both bindings agree before anything is timed
  for (const c of cases) {
    const other = cases.find((o) => o.kind === c.kind && o.size === c.size && o.binding !== c.binding);
    const a = c.fn();
    const b = other.fn();
    if (typeof a === 'string' ? a !== b : Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0)
      throw new Error(`${c.kind} ${c.size}: the bindings disagree`);
  }
  const results = new Map();
  for (let round = 0; round < opts.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length]; // rotate the order from round to round
      const key = `${c.kind}|${c.size}|${c.binding}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(timeLoop(c.fn, opts.ms / 4, 4));
    }
  }
  return { results, kinds: ['bytes', 'text'], library: { wasm: wasm.info.library, native: native.info.library } };
}

async function codecPart(opts) {
  const self = fileURLToPath(import.meta.url);
  const children = {};
  for (const binding of ['wasm', 'native']) {
    const c = fork(self, ['--child', binding, '--ms', String(opts.ms / 2)], {
      env: { ...process.env, WAMPBOX_SODIUM_BACKEND: binding },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${binding}: the child did not start`)), 30_000);
      c.once('message', (m) => (clearTimeout(t), resolve(m)));
      c.once('exit', (code) => reject(new Error(`${binding}: the child exited (${code})`)));
    });
    children[binding] = { proc: c, library: ready.library };
  }
  const ask = (c, round) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('a child did not answer')), 60_000);
      c.proc.once('message', (m) => (clearTimeout(t), resolve(m.results)));
      c.proc.send({ round });
    });
  const results = new Map();
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 ? ['native', 'wasm'] : ['wasm', 'native'];
    for (const binding of order) {
      for (const r of await ask(children[binding], round)) {
        const key = `codec|${r.size}|${binding}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(r);
      }
    }
  }
  for (const c of Object.values(children)) c.proc.send({});
  return { results, kinds: ['codec'] };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) return child(opts);
  const started = performance.now();
  const binding = await bindingPart(opts);
  const codec = await codecPart(opts);
  const rows = [['part', 'payload', 'µs wasm', 'µs native', 'wasm / native', 'spread (native)']];
  for (const part of [binding, codec]) {
    for (const kind of part.kinds) {
      for (const size of SIZES) {
        const w = part.results.get(`${kind}|${size}|wasm`);
        const n = part.results.get(`${kind}|${size}|native`);
        const nc = n.map((r) => r.cpuUs);
        const ratio = median(w.map((r, i) => r.cpuUs / n[i].cpuUs));
        const spread = `±${(((Math.max(...nc) - Math.min(...nc)) / 2 / median(nc)) * 100).toFixed(0)}%`;
        const label = kind === 'codec' ? 'codec' : 'binding';
        rows.push([
          label,
          `${kind} ${size / 1024} KiB`,
          median(w.map((r) => r.cpuUs)).toFixed(2),
          median(nc).toFixed(2),
          ratio.toFixed(2),
          spread,
        ]);
      }
    }
  }
  const out = [
    `cryptobox seal+open on ${binding.library.native} and ${binding.library.wasm} (WebAssembly), ${opts.rounds} rounds; node ${process.version}`,
    'µs of CPU (user+sys) per seal + open, median over rounds; wasm / native = median of the per-round ratios',
    '',
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  rows.forEach((r, i) => {
    out.push(r.map((v, j) => (j < 2 ? String(v).padEnd(widths[j]) : String(v).padStart(widths[j]))).join('  '));
    if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  out.push('');
  out.push('binding: the primitives alone (bytes = crypto_box_easy_afternm + open; text = UTF-8 + seal in');
  out.push("cryptobox's layout + open + decode); codec = encode + decode of a CALL, one child process per binding");
  out.push(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  process.stdout.write(out.join('\n') + '\n');
}

await main();
