#!/usr/bin/env node
/**
 * E2E v2 (`x_e2ev2`) benchmark, in one run:
 *
 * 1. Library only: seal + open of a 1 KiB JSON payload per message kind (PUBLISH→EVENT, a
 *    session's first CALL, a later CALL, YIELD→RESULT) against the sum of the libsodium primitives
 *    that message calls (counted, then timed alone on inputs of the same sizes, in the same
 *    rounds), and cryptobox seal + open for comparison. Target of the design: at most 20 % over
 *    the primitives.
 * 2. How many EVENTs a subscriber opens per second (signature verification included).
 * 3. Through Crossbar.io (`startRouter()`): RPC round trips per second, sequential and with 100 in
 *    flight, and events per second, for plaintext, cryptobox and x_e2ev2, interleaved rounds.
 *    Target: v2 at least 0.75 x cryptobox once a session key exists.
 *
 *   node scripts/bench/e2ev2.mjs [--rounds 7] [--ms 150] [--warmup-ms 800]
 *                                [--router-rounds 7] [--cell-ms 500] [--router-warmup-ms 1500]
 *                                [--no-router] [--no-pin] [--json FILE] [--budget-s 400]
 *
 * Needs `npm run build` first. See scripts/bench/README.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { median, renderTable } from './lib/stats.mjs';
import { buildMicro, describeCounts, primitiveSum, timeCase } from './e2ev2/micro.mjs';
import { loadModules } from './e2ev2/setup.mjs';

function parseArgs(argv) {
  const o = {
    rounds: 7,
    ms: 150,
    warmupMs: 800,
    router: true,
    routerRounds: 7,
    cellMs: 500,
    routerWarmupMs: 1500,
    pin: true,
    json: null,
    budgetS: 400,
  };
  const num = (i, lo, hi) => {
    const x = Number(argv[i]);
    if (!Number.isFinite(x)) throw new Error(`${argv[i - 1]} needs a number`);
    return Math.max(lo, Math.min(hi, x));
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') o.rounds = num(++i, 1, 50);
    else if (a === '--ms') o.ms = num(++i, 20, 5000);
    else if (a === '--warmup-ms') o.warmupMs = num(++i, 0, 10000);
    else if (a === '--router-rounds') o.routerRounds = num(++i, 1, 50);
    else if (a === '--cell-ms') o.cellMs = num(++i, 50, 10000);
    else if (a === '--router-warmup-ms') o.routerWarmupMs = num(++i, 0, 20000);
    else if (a === '--no-router') o.router = false;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--budget-s') o.budgetS = num(++i, 10, 7200);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node scripts/bench/e2ev2.mjs [--rounds N] [--ms MS] [--warmup-ms MS] [--router-rounds N]\n' +
          '         [--cell-ms MS] [--router-warmup-ms MS] [--no-router] [--no-pin] [--json FILE] [--budget-s S]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const log = (s) => process.stderr.write(`[e2ev2] ${s}\n`);
const started = performance.now();
const watchdog = setTimeout(() => {
  log(`the run exceeded ${opts.budgetS} s, stopping`);
  process.exit(2);
}, opts.budgetS * 1000);
watchdog.unref();

const m = await loadModules();
const micro = await buildMicro(m);
const groups = { message: micro.messages, primitive: micro.primitives, event: micro.events };
const all = Object.entries(groups).flatMap(([g, cases]) => Object.entries(cases).map(([k, fn]) => ({ g, k, fn })));

// ---- library only: warm up every case, then interleaved rounds (rotated order)
for (const c of all) timeCase(c.fn, opts.warmupMs);
log(`library cases warmed up (${opts.warmupMs} ms each)`);
const us = new Map(all.map((c) => [c.k, []]));
for (let round = 0; round < opts.rounds; round++) {
  for (let j = 0; j < all.length; j++) {
    const c = all[(j + round * 3) % all.length];
    us.get(c.k).push(timeCase(c.fn, opts.ms));
  }
}
log(`library rounds done (${opts.rounds} x ${all.length} cases x ${opts.ms} ms)`);
const med = (k) => median(us.get(k));
const perRound = (f) =>
  Array.from({ length: opts.rounds }, (_, r) => f(Object.fromEntries([...us].map(([k, v]) => [k, v[r]]))));
const range = (xs) => `${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}`;

const out = [];
out.push(
  `E2E v2 (x_e2ev2) bench; node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, libsodium 0.8.4 (WebAssembly)`,
);
out.push('');
out.push(
  `## 1. seal + open per message, 1 KiB JSON payload (${micro.sizes.plaintext} B inner JSON), library only, ${opts.rounds} rounds`,
);
out.push('µs per message (wall time of the timed part, one thread, median over rounds); primitives timed alone on the');
out.push('same input sizes in the same rounds; ratios are medians of the per-round ratios (min..max in brackets)');
out.push('');
const msgRows = [['message', 'v2 µs', 'primitives µs', 'v2 / prims', 'prims + JSON µs', 'v2 / (prims+JSON)', 'wire B']];
const json = 'inner JSON write+read';
const wire = {
  'PUBLISH→EVENT (signed)': micro.sizes.publish.wire,
  'first CALL→INVOCATION (wrapped, signed)': micro.sizes.first.wire,
  'later CALL→INVOCATION (AEAD only)': micro.sizes.later.wire,
  'YIELD→RESULT': micro.sizes.yield.wire,
};
const report = { opts, sizes: micro.sizes, counts: micro.counts, library: Object.fromEntries(us), messages: {} };
for (const label of Object.keys(wire)) {
  const sums = perRound((p) => primitiveSum(label, micro.counts, p));
  const r1 = perRound((p) => p[label] / primitiveSum(label, micro.counts, p));
  const r2 = perRound((p) => p[label] / (primitiveSum(label, micro.counts, p) + p[json]));
  report.messages[label] = { v2: med(label), prims: median(sums), ratio: median(r1), ratioWithJson: median(r2) };
  msgRows.push([
    label,
    med(label).toFixed(1),
    median(sums).toFixed(1),
    `${median(r1).toFixed(2)} [${range(r1)}]`,
    (median(sums) + med(json)).toFixed(1),
    `${median(r2).toFixed(2)} [${range(r2)}]`,
    String(wire[label]),
  ]);
}
const cbk = 'cryptobox CALL→INVOCATION';
msgRows.push([cbk, med(cbk).toFixed(1), '', '', '', '', '']);
out.push(...renderTable(msgRows));
out.push('');
out.push('What each message calls (counted on the WebAssembly exports while one message passed):');
for (const [label, c] of Object.entries(micro.counts)) out.push(`  ${label}: ${describeCounts(c)}`);
out.push('');
const primRows = [['primitive (alone)', 'µs', 'spread']];
for (const k of Object.keys(micro.primitives)) {
  const xs = us.get(k);
  primRows.push([k, med(k).toFixed(2), `±${(((Math.max(...xs) - Math.min(...xs)) / 2 / med(k)) * 100).toFixed(0)}%`]);
}
out.push(...renderTable(primRows));
out.push(
  `(sizes: plaintext ${micro.sizes.plaintext} B; AEAD AD ${micro.sizes.publish.aad} B, ${micro.sizes.first.aad} B with the wrap;` +
    ` signed input ${micro.sizes.publish.sig} B, ${micro.sizes.first.sig} B with the wrap)`,
);
out.push('');
out.push('## 2. events a subscriber opens, library only (sealed ahead, opened one at a time)');
out.push('');
const evRows = [['case', 'µs / event', 'events/s']];
for (const k of Object.keys(micro.events)) evRows.push([k, med(k).toFixed(1), Math.round(1e6 / med(k)).toString()]);
const verify = 'verify alone, PUBLISH sizes';
evRows.push([`(${verify}: its bound)`, med(verify).toFixed(1), Math.round(1e6 / med(verify)).toString()]);
out.push(...renderTable(evRows));
out.push('');

// ---- through the router
if (opts.router) {
  const { runLive, CODECS, CELLS } = await import('./e2ev2/live.mjs');
  const live = await runLive(
    m,
    { pin: opts.pin, routerRounds: opts.routerRounds, cellMs: opts.cellMs, warmupMs: opts.routerWarmupMs },
    log,
  );
  report.live = live;
  out.push(
    `## 3. through Crossbar.io, WebSocket/JSON, 1 KiB JSON payload; ${opts.routerRounds} interleaved rounds of ${opts.cellMs} ms per cell;` +
      ` ${live.pinned ? 'router on CPU 0, this process on the others' : 'unpinned'}`,
  );
  out.push('per codec one caller/publisher and one callee/subscriber session, both in this process;');
  out.push('rate = round trips (or events delivered) per second; client µs = this process CPU per round trip (both');
  out.push('sessions); ratios are medians of per-round ratios of the rates (min..max in brackets)');
  out.push('');
  const rows = [
    ['cell', 'codec', 'rate /s', 'client µs', 'router µs', 'x plaintext', 'x cryptobox', 'rounds v2 >= 0.75 x cb'],
  ];
  const rate = (x) => (x.n * 1000) / x.wallMs;
  report.ratios = {};
  for (const cell of CELLS) {
    for (const codec of CODECS) {
      const xs = live.samples[codec][cell];
      const ratio = (base) => {
        const rs = xs.map((x, i) => rate(x) / rate(live.samples[base][cell][i]));
        return { med: median(rs), rs };
      };
      const vp = ratio('plaintext');
      const vc = ratio('cryptobox');
      if (codec === 'x_e2ev2') report.ratios[cell] = { vsPlaintext: vp.med, vsCryptobox: vc.med, all: vc.rs };
      rows.push([
        cell,
        codec,
        Math.round(median(xs.map(rate))).toString(),
        median(xs.map((x) => x.cpuUs / x.n)).toFixed(1),
        median(xs.map((x) => x.routerUs / x.n)).toFixed(1),
        codec === 'plaintext' ? '' : `${vp.med.toFixed(2)} [${range(vp.rs)}]`,
        codec === 'x_e2ev2' ? `${vc.med.toFixed(2)} [${range(vc.rs)}]` : '',
        codec === 'x_e2ev2' && cell.startsWith('call')
          ? `${vc.rs.filter((r) => r >= 0.75).length}/${vc.rs.length}`
          : '',
      ]);
    }
  }
  out.push(...renderTable(rows));
  out.push('');
}
out.push(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.stdout.write(out.join('\n') + '\n');
if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(report, null, 1));
process.exit(0);
