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
 *   node scripts/bench/e2ev2.mjs [--rounds 7] [--ms 150] [--slices 10] [--warmup-ms 800]
 *                                [--router-rounds 7] [--cell-ms 500] [--router-warmup-ms 1500]
 *                                [--no-router] [--no-pin] [--json FILE] [--budget-s 400] [--dist DIR]
 *
 * Needs `npm run build` first (or `--dist DIR`, repeatable: other ESM builds of packages/cryptobox
 * to measure, side by side in the same rounds).
 * See scripts/bench/README.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { median, renderTable } from './lib/stats.mjs';
import { buildMicro, runCase, timeCase } from './e2ev2/micro.mjs';
import { libraryReport } from './e2ev2/report.mjs';
import { loadModules } from './e2ev2/setup.mjs';

function parseArgs(argv) {
  const o = {
    rounds: 7,
    ms: 150,
    slices: 10,
    warmupMs: 800,
    router: true,
    routerRounds: 7,
    cellMs: 500,
    routerWarmupMs: 1500,
    pin: true,
    json: null,
    budgetS: 400,
    dists: [],
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
    else if (a === '--slices') o.slices = Math.round(num(++i, 1, 100));
    else if (a === '--warmup-ms') o.warmupMs = num(++i, 0, 10000);
    else if (a === '--router-rounds') o.routerRounds = num(++i, 1, 50);
    else if (a === '--cell-ms') o.cellMs = num(++i, 50, 10000);
    else if (a === '--router-warmup-ms') o.routerWarmupMs = num(++i, 0, 20000);
    else if (a === '--no-router') o.router = false;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--budget-s') o.budgetS = num(++i, 10, 7200);
    else if (a === '--dist') o.dists.push(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node scripts/bench/e2ev2.mjs [--rounds N] [--ms MS] [--slices N] [--warmup-ms MS] [--router-rounds N]\n' +
          '         [--cell-ms MS] [--router-warmup-ms MS] [--no-router] [--no-pin] [--json FILE] [--budget-s S] [--dist DIR]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const loadAtStart = os.loadavg()[0].toFixed(2);
const log = (s) => process.stderr.write(`[e2ev2] ${s}\n`);
const started = performance.now();
const watchdog = setTimeout(() => {
  log(`the run exceeded ${opts.budgetS} s, stopping`);
  process.exit(2);
}, opts.budgetS * 1000);
watchdog.unref();

// one build, or several (--dist, repeated) measured side by side in the same rounds
const runs = [];
for (const dist of opts.dists.length > 0 ? opts.dists : [undefined]) {
  const m = await loadModules(dist);
  runs.push({ dist, m, micro: await buildMicro(m), us: new Map() });
}
const all = runs.flatMap((run) =>
  [run.micro.messages, run.micro.split, run.micro.primitives, run.micro.events].flatMap((cases) =>
    Object.entries(cases).map(([k, fn]) => ({ run, k, fn })),
  ),
);

// ---- library only: warm up every case, then rounds; a round runs every case for --ms in --slices
// slices, interleaved (rotated order), so that whatever else takes the CPU during a round weighs on
// a message and on its primitives (and on every build) alike, and per-round ratios compare like with like
for (const c of all) timeCase(c.fn, opts.warmupMs);
log(`library cases warmed up (${opts.warmupMs} ms each)`);
for (const c of all) {
  c.run.us.set(c.k, []);
  c.run.fastest ??= new Map();
  c.run.fastest.set(c.k, Infinity);
}
for (let round = 0; round < opts.rounds; round++) {
  const acc = all.map(() => ({ timed: 0, n: 0 }));
  for (let slice = 0; slice < opts.slices; slice++) {
    for (let j = 0; j < all.length; j++) {
      const i = (j + round * 3 + slice * 7) % all.length;
      const r = runCase(all[i].fn, opts.ms / opts.slices);
      acc[i].timed += r.timed;
      acc[i].n += r.n;
      const { fastest } = all[i].run;
      fastest.set(all[i].k, Math.min(fastest.get(all[i].k), r.timed / r.n));
    }
  }
  all.forEach((c, i) => c.run.us.get(c.k).push(acc[i].timed / acc[i].n));
}
log(`library rounds done (${opts.rounds} x ${all.length} cases x ${opts.ms} ms in ${opts.slices} slices)`);

const out = [];
out.push(
  `E2E v2 (x_e2ev2) bench; node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, libsodium 0.8.4 (WebAssembly)`,
);
out.push(`load average (1 min) ${loadAtStart} at the start, ${os.loadavg()[0].toFixed(2)} after the library part`);
const report = { opts, builds: [] };
for (const run of runs) {
  out.push('');
  if (opts.dists.length > 0) out.push(`# cryptobox build measured: ${run.dist}`, '');
  const r = libraryReport(run.micro, run.us, run.fastest, opts.rounds);
  out.push(...r.lines);
  report.builds.push({ dist: run.dist ?? null, ...r.report });
}
const { m } = runs[0];
const range = (xs) => `${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}`;

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
