#!/usr/bin/env node
/**
 * Client CPU per RPC round trip at a fixed call rate, against the echo router (echo-router.mjs):
 * wampbox, Autobahn|JS, wampy and a bare hand-written client, over JSON and MessagePack.
 *
 *   node scripts/bench/client-cpu.mjs [--rate 10000] [--rounds 7] [--cell-ms 1000] [--warmup-ms 2000]
 *                                     [--only REGEX] [--cells REGEX] [--json FILE] [--cpu-prof DIR]
 *                                     [--behind-ms 2] [--max-in-flight 64] [--native-ws] [--no-pin] [--budget-s S] [--list]
 *   node scripts/bench/client-cpu.mjs --summarize DIR    components and top functions of the profiles
 *
 * Needs `npm run build` first (it imports the built @wampbox/wamp-client).
 *
 * Method (see scripts/bench/README.md and docs/performance.md):
 * - the echo router runs in a process of its own, pinned to CPU 0 (where `taskset` exists and
 *   there are two CPUs or more), and answers every CALL with a RESULT carrying the call's
 *   arguments: there is no callee, so a round trip is the caller's CALL out and RESULT in;
 * - every variant (library x serializer) is one caller in a child process of its own, pinned to
 *   the other CPUs; one variant runs at a time;
 * - each measurement window calls at a fixed rate (default 10,000 calls/s) for --cell-ms: call i
 *   is due at i / rate; calls go one after another (one in flight) and a further call may be in
 *   flight for every --behind-ms (2) the client is behind its schedule, up to --max-in-flight
 *   (client-cpu/worker.mjs); the report says what share of the calls left with another in flight;
 * - "client µs/rt" is process.cpuUsage() (user + system, all threads) of the caller process over
 *   the window, divided by the round trips completed in it;
 * - two cells: arguments [1, 'x'] and one 1 KiB binary; before round 1 every variant runs every
 *   cell for --warmup-ms unmeasured (V8 tiers code up), and before each window for 200 ms;
 * - rounds are interleaved (every variant once per cell per round, in an order rotated between
 *   rounds); the report gives medians over rounds and the medians of per-round (paired) ratios to
 *   Autobahn|JS and to the bare client of the same serializer.
 *
 * Everything is bounded: each window has a hard stop, every request to a worker a timeout, and a
 * watchdog ends the run. Traffic goes only to the router on 127.0.0.1.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReport, printReport } from './client-cpu/report.mjs';
import { Worker } from './lib/child.mjs';
import { pinRouter, routerCpuUs } from './lib/pinning.mjs';
import { summarizeProfiles } from './lib/profiles.mjs';

/** The worker processes run client-cpu/worker.mjs --worker. */
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client-cpu', 'worker.mjs');
const require = createRequire(import.meta.url);

const VARIANTS = [
  { id: 'bare/json', lib: 'bare', transport: 'ws', ser: 'json' },
  { id: 'wampbox/json', lib: 'wampbox', transport: 'ws', ser: 'json' },
  { id: 'autobahn/json', lib: 'autobahn', transport: 'ws', ser: 'json' },
  { id: 'wampy/json', lib: 'wampy', transport: 'ws', ser: 'json' },
  { id: 'bare/msgpack', lib: 'bare', transport: 'ws', ser: 'msgpack' },
  { id: 'wampbox/msgpack', lib: 'wampbox', transport: 'ws', ser: 'msgpack' },
  { id: 'autobahn/msgpack', lib: 'autobahn', transport: 'ws', ser: 'msgpack' },
  { id: 'wampy/msgpack', lib: 'wampy', transport: 'ws', ser: 'msgpack' },
  // Diagnostic, only with --only: wampbox with the 1 KiB binary carried as base64 text, as the
  // peers and the bare client carry it over JSON (no binary conversions).
  { id: 'wampbox/json+text', lib: 'wampbox', transport: 'ws', ser: 'json', textBinary: true, hidden: true },
];

const CELLS = [
  { id: 'small', payload: 'small', what: "[1, 'x']" },
  { id: '1KiB', payload: 'bin1k', what: '1 KiB binary' },
];

/** Unmeasured calling before each window, at the same rate. */
const LEAD_MS = 200;

function parseArgs(argv) {
  const o = {
    rate: 10_000,
    rounds: 7,
    cellMs: 1000,
    warmupMs: 2000,
    maxInFlight: 64,
    behindMs: 2,
    only: null,
    cells: null,
    json: null,
    cpuProf: null,
    nativeWs: false,
    pin: true,
    budgetS: null,
    list: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--rate') o.rate = Math.max(10, Math.min(200_000, Number(next())));
    else if (a === '--rounds') o.rounds = Math.max(1, Math.min(50, Number(next())));
    else if (a === '--cell-ms') o.cellMs = Math.max(100, Math.min(30_000, Number(next())));
    else if (a === '--warmup-ms') o.warmupMs = Math.max(0, Math.min(60_000, Number(next())));
    else if (a === '--behind-ms') o.behindMs = Math.max(0.1, Math.min(1000, Number(next())));
    else if (a === '--max-in-flight') o.maxInFlight = Math.max(1, Math.min(1000, Number(next())));
    else if (a === '--only') o.only = new RegExp(next());
    else if (a === '--cells') o.cells = new RegExp(next());
    else if (a === '--json') o.json = next();
    else if (a === '--cpu-prof') o.cpuProf = path.resolve(next());
    else if (a === '--native-ws') o.nativeWs = true;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--budget-s') o.budgetS = Math.max(30, Number(next()));
    else if (a === '--list') o.list = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node scripts/bench/client-cpu.mjs [--rate N] [--rounds N] [--cell-ms MS] [--warmup-ms MS] [--only REGEX] [--cells REGEX]\n' +
          '                                       [--json FILE] [--cpu-prof DIR] [--behind-ms MS] [--max-in-flight N] [--native-ws] [--no-pin] [--budget-s S] [--list]\n' +
          '       node scripts/bench/client-cpu.mjs --summarize DIR   (top functions of .cpuprofile files)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** What a worker's run needs: the rate, how long, and when to add a call in flight. */
function pace(opts, ms) {
  return { rate: opts.rate, ms, maxInFlight: opts.maxInFlight, behindMs: opts.behindMs };
}

/** One window of one variant and cell: a lead-in, then the measured run. */
async function measureCell(w, cell, opts, routerPid) {
  await w.request('payload', { kind: cell.payload });
  await w.request('run', pace(opts, LEAD_MS), LEAD_MS * 3 + 35_000);
  const r0 = routerCpuUs([routerPid]);
  const run = await w.request('run', pace(opts, opts.cellMs), opts.cellMs * 3 + 35_000);
  const r1 = routerCpuUs([routerPid]);
  if (run.failed > 0) throw new Error(`${w.variant.id} ${cell.id}: ${run.failed} calls failed`);
  if (!run.complete || run.done === 0)
    throw new Error(`${w.variant.id} ${cell.id}: only ${run.done} calls completed before the hard stop`);
  const n = run.done;
  return {
    n,
    wallMs: run.wallMs,
    rate: (n * 1000) / run.wallMs,
    clientUs: (run.user + run.system) / n,
    userUs: run.user / n,
    sysUs: run.system / n,
    peak: run.peak,
    pipelined: run.overlapped / n,
    wakeups: run.wakeups / n,
    syscalls: run.syscalls / n,
    routerUs: (r1 - r0) / n,
  };
}

async function parentMain(opts) {
  if (opts.list) {
    for (const v of VARIANTS) console.log(`${v.id}${v.hidden ? '   (only with --only)' : ''}`);
    return;
  }
  const cells = CELLS.filter((c) => !opts.cells || opts.cells.test(c.id));
  if (cells.length === 0) throw new Error(`--cells matches none of: ${CELLS.map((c) => c.id).join(', ')}`);
  const references = (v) => [`bare/${v.ser}`, `autobahn/${v.ser}`];
  let variants = VARIANTS.filter((v) => (opts.only ? opts.only.test(v.id) : !v.hidden));
  // the ratios need the references of each serializer that runs
  const needed = new Set(variants.flatMap(references));
  variants = VARIANTS.filter((v) => variants.includes(v) || needed.has(v.id));
  if (opts.cpuProf) fs.mkdirSync(opts.cpuProf, { recursive: true });
  const started = Date.now();
  const workers = [];
  let router;
  let failed = false;
  if (opts.budgetS === null) {
    const measuring =
      (variants.length * cells.length * (opts.warmupMs + opts.rounds * (opts.cellMs + LEAD_MS + 100))) / 1000;
    opts.budgetS = Math.max(180, Math.ceil(3 * measuring + 60));
  }
  const watchdog = setTimeout(async () => {
    process.stderr.write(`[bench] watchdog: the run exceeded ${opts.budgetS} s, stopping\n`);
    for (const w of workers) w.child.kill('SIGKILL');
    await router?.stop().catch(() => {});
    process.exit(2);
  }, opts.budgetS * 1000);

  try {
    if (variants.some((v) => v.lib === 'wampbox')) {
      try {
        require.resolve('@wampbox/wamp-client');
        await import('@wampbox/wamp-client');
      } catch (e) {
        throw new Error(`cannot load @wampbox/wamp-client (run \`npm run build\` first): ${e.message}`);
      }
    }
    const { startEchoRouter } = await import('./echo-router.mjs');
    router = await startEchoRouter();
    opts.pinning = opts.pin ? pinRouter([router.pid]) : null;
    const info = { wsUrl: router.url, realm: router.realm };
    for (const v of variants) workers.push(new Worker(WORKER, v, 'client', opts));
    for (const w of workers) {
      await w.ready;
      await w.request('init', { variant: w.variant, router: info, uri: 'bench.echo' });
      for (const cell of cells) {
        await w.request('payload', { kind: cell.payload });
        await w.request('check', { kind: cell.payload });
      }
    }
    process.stderr.write(
      `[bench] ${workers.length} clients connected; warming up (${opts.warmupMs} ms per variant and cell)\n`,
    );
    if (opts.warmupMs > 0) {
      for (const w of workers) {
        for (const cell of cells) {
          await w.request('payload', { kind: cell.payload });
          await w.request('run', pace(opts, opts.warmupMs), opts.warmupMs * 3 + 35_000);
        }
      }
    }
    if (opts.cpuProf) await Promise.all(workers.map((w) => w.request('profile')));

    const samples = new Map(); // `${variant}|${cell}` -> result[] (index = round)
    for (let round = 0; round < opts.rounds; round++) {
      const tr = Date.now();
      for (let ci = 0; ci < cells.length; ci++) {
        const cell = cells[ci];
        const order = workers.map((_, i) => workers[(i + round * 3 + ci) % workers.length]);
        for (const w of order) {
          const key = `${w.variant.id}|${cell.id}`;
          if (!samples.has(key)) samples.set(key, []);
          samples.get(key)[round] = await measureCell(w, cell, opts, router.pid);
        }
      }
      process.stderr.write(`[bench] round ${round + 1}/${opts.rounds} in ${((Date.now() - tr) / 1000).toFixed(1)} s\n`);
    }
    const report = buildReport(variants, cells, samples, opts);
    printReport(report, { totalS: (Date.now() - started) / 1000 });
    if (opts.json) {
      fs.writeFileSync(
        opts.json,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            node: process.version,
            opts: { ...opts, only: opts.only?.source ?? null, cells: opts.cells?.source ?? null },
            report,
            samples: Object.fromEntries(samples),
          },
          null,
          1,
        ),
      );
      process.stderr.write(`[bench] wrote ${opts.json}\n`);
    }
  } catch (e) {
    failed = true;
    process.stderr.write(`[bench] error: ${e.stack ?? e}\n`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await router?.stop().catch((e) => process.stderr.write(`[bench] router stop failed: ${e.message}\n`));
    clearTimeout(watchdog);
    if (opts.cpuProf) summarizeProfiles(opts.cpuProf);
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--summarize') {
  summarizeProfiles(path.resolve(process.argv[3] ?? '.'));
} else {
  await parentMain(parseArgs(process.argv.slice(2)));
}
