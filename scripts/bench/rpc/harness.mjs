/**
 * rpc.mjs parent: the Crossbar.io router, the worker processes (a caller and a callee per
 * variant), the warm-up, the interleaved rounds and the measurement of one cell.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '../lib/child.mjs';
import { SECURE_PREFIX } from '../lib/clients.mjs';
import { pinRouter, routerCpuUs, routerPids } from '../lib/pinning.mjs';
import { summarizeProfiles } from '../lib/profiles.mjs';
import { buildReport, printReport } from './report.mjs';
import { BASELINE, CELLS, INITIAL_WARMUP_CAP_MS, REFERENCE, VARIANTS, WARMUP_CALLS, WARMUP_MS } from './variants.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The workers run rpc.mjs --worker. */
const ENTRY = path.join(HERE, '..', 'rpc.mjs');
const require = createRequire(import.meta.url);

export async function measureCell(pair, cell, opts, rpids) {
  const { caller, callee } = pair;
  await Promise.all([
    caller.request('payload', { kind: cell.payload }),
    callee.request('payload', { kind: cell.payload }),
  ]);
  await caller.request('warmup', { conc: cell.conc, count: WARMUP_CALLS, ms: WARMUP_MS });
  const m0 = await callee.request('mark');
  const r0 = rpids.length ? routerCpuUs(rpids) : NaN;
  const run = await caller.request('run', { conc: cell.conc, cap: cell.cap, ms: opts.cellMs }, opts.cellMs + 30_000);
  const r1 = rpids.length ? routerCpuUs(rpids) : NaN;
  const m1 = await callee.request('mark');
  const calleeUs = m1.cpu.user - m0.cpu.user + (m1.cpu.system - m0.cpu.system);
  const callerUs = run.user + run.system;
  const n = run.done;
  if (run.failed > 0) throw new Error(`${pair.variant.id} ${cell.id}: ${run.failed} calls failed`);
  if (n === 0) throw new Error(`${pair.variant.id} ${cell.id}: no round trip completed`);
  const inv = m1.invocations - m0.invocations;
  if (inv !== n) throw new Error(`${pair.variant.id} ${cell.id}: callee saw ${inv} invocations for ${n} results`);
  return {
    n,
    wallMs: run.wallMs,
    rate: (n * 1000) / run.wallMs,
    callerUs: callerUs / n,
    calleeUs: calleeUs / n,
    clientUs: (callerUs + calleeUs) / n,
    callerSysUs: run.system / n,
    calleeSysUs: (m1.cpu.system - m0.cpu.system) / n,
    routerUs: (r1 - r0) / n,
    // read/write-type syscalls and voluntary context switches of caller + callee per round trip
    syscalls: (run.syscalls + m1.proc.syscalls - m0.proc.syscalls) / n,
    wakeups: (run.wakeups + m1.proc.wakeups - m0.proc.wakeups) / n,
  };
}

/** The router run, with the options parsed by rpc.mjs. */
export async function parentMain(opts) {
  if (opts.cells) {
    const keep = CELLS.filter((c) => opts.cells.test(c.id));
    if (keep.length === 0) throw new Error(`--cells matches none of: ${CELLS.map((c) => c.id).join(', ')}`);
    CELLS.splice(0, CELLS.length, ...keep);
  }
  const variants = VARIANTS.filter((v) =>
    opts.only
      ? opts.only.test(v.id) ||
        v.id === BASELINE ||
        v.id === REFERENCE ||
        VARIANTS.some((x) => x.plainPeer === v.id && opts.only.test(x.id))
      : !v.hidden,
  );
  if (opts.list) {
    for (const v of VARIANTS) console.log(`${v.id}${v.hidden ? '   (only with --only)' : ''}`);
    return;
  }
  if (opts.cpuProf) fs.mkdirSync(opts.cpuProf, { recursive: true });
  const started = Date.now();
  const pairs = [];
  let router;
  let failed = false;
  // Bound the whole run: a watchdog that ends the workers and the router if anything hangs.
  // Default budget: three times the expected measuring time plus the router's start, at least 420 s.
  if (opts.budgetS === null) {
    const measuring =
      (variants.length *
        CELLS.length *
        (opts.rounds * (opts.cellMs + WARMUP_MS + 60) + (opts.warmupCalls > 0 ? INITIAL_WARMUP_CAP_MS : 0))) /
      1000;
    opts.budgetS = Math.max(420, Math.ceil(3 * measuring + 180));
  }
  const watchdog = setTimeout(async () => {
    process.stderr.write(`[bench] watchdog: the run exceeded ${opts.budgetS} s, stopping\n`);
    for (const p of pairs) for (const w of [p.caller, p.callee]) w.child.kill('SIGKILL');
    await router?.stop().catch(() => {});
    process.exit(2);
  }, opts.budgetS * 1000);

  try {
    const libs = new Set(variants.map((v) => v.lib));
    if (libs.has('wampbox')) {
      try {
        require.resolve('@wampbox/wamp-client');
        await import('@wampbox/wamp-client');
      } catch (e) {
        throw new Error(`cannot load @wampbox/wamp-client (run \`npm run build\` first): ${e.message}`);
      }
    }
    if (variants.some((v) => v.crypto)) {
      const { generateKeyPair } = await import('@wampbox/wamp-client');
      const hex = (b) => Buffer.from(b).toString('hex');
      const o = await generateKeyPair();
      const r = await generateKeyPair();
      process.env.BENCH_KEYS = JSON.stringify({
        originator: { secretKey: hex(o.secretKey), publicKey: hex(o.publicKey) },
        responder: { secretKey: hex(r.secretKey), publicKey: hex(r.publicKey) },
      });
    }
    const { startRouter } = await import(path.join(HERE, '..', '..', 'router', 'router.mjs'));
    process.stderr.write('[bench] starting the router (the first run installs Crossbar.io into a cache)\n');
    router = await startRouter();
    const info = { wsUrl: router.wsUrl, rsUrl: router.rsUrl, realm: router.realm };
    const rpids = (() => {
      try {
        return routerPids(router.pid);
      } catch {
        return [];
      }
    })();
    opts.pinning = opts.pin ? pinRouter(rpids) : null;
    const t0 = Date.now();

    // one caller and one callee process per variant; start them a few at a time
    for (const v of variants)
      pairs.push({
        variant: v,
        caller: new Worker(ENTRY, v, 'caller', opts),
        callee: new Worker(ENTRY, v, 'callee', opts),
      });
    for (const p of pairs) {
      const uri = `${p.variant.crypto ? SECURE_PREFIX : 'bench.'}${p.variant.id.replace(/[^a-z0-9]+/gi, '_')}.echo`;
      await Promise.all([p.caller.ready, p.callee.ready]);
      await p.callee.request('init', { role: 'callee', variant: p.variant, router: info, uri });
      await p.caller.request('init', { role: 'caller', variant: p.variant, router: info, uri });
      for (const cell of CELLS) {
        await Promise.all([
          p.caller.request('payload', { kind: cell.payload }),
          p.callee.request('payload', { kind: cell.payload }),
        ]);
        await p.caller.request('check', { kind: cell.payload });
      }
    }
    process.stderr.write(
      `[bench] ${pairs.length} variants connected in ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up\n`,
    );
    for (const p of pairs) {
      for (const cell of CELLS) {
        await Promise.all([
          p.caller.request('payload', { kind: cell.payload }),
          p.callee.request('payload', { kind: cell.payload }),
        ]);
        if (opts.warmupCalls > 0) {
          await p.caller.request(
            'warmup',
            { conc: cell.conc, count: opts.warmupCalls, ms: INITIAL_WARMUP_CAP_MS },
            INITIAL_WARMUP_CAP_MS + 30_000,
          );
        }
      }
    }

    if (opts.cpuProf)
      await Promise.all(pairs.flatMap((p) => [p.caller.request('profile'), p.callee.request('profile')]));

    // rounds: every variant once per cell, in an order rotated from round to round
    const samples = new Map(); // `${variant}|${cell}` -> result[] (index = round)
    for (let round = 0; round < opts.rounds; round++) {
      const tr = Date.now();
      for (let ci = 0; ci < CELLS.length; ci++) {
        const cell = CELLS[ci];
        const order = pairs.map((_, i) => pairs[(i + round * 3 + ci) % pairs.length]);
        for (const p of order) {
          const r = await measureCell(p, cell, opts, rpids);
          const key = `${p.variant.id}|${cell.id}`;
          if (!samples.has(key)) samples.set(key, []);
          samples.get(key)[round] = r;
        }
      }
      process.stderr.write(`[bench] round ${round + 1}/${opts.rounds} in ${((Date.now() - tr) / 1000).toFixed(1)} s\n`);
    }
    const report = buildReport(
      pairs.map((p) => p.variant),
      samples,
      opts,
    );
    printReport(report, opts, { routerStartS: (t0 - started) / 1000, totalS: (Date.now() - started) / 1000 });
    if (opts.json) {
      fs.writeFileSync(
        opts.json,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            node: process.version,
            opts: { ...opts, only: opts.only?.source ?? null },
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
    await Promise.all(pairs.flatMap((p) => [p.caller.stop(), p.callee.stop()]));
    await router?.stop().catch((e) => process.stderr.write(`[bench] router stop failed: ${e.message}\n`));
    clearTimeout(watchdog);
    if (opts.cpuProf) summarizeProfiles(opts.cpuProf);
  }
  process.exitCode = failed ? 1 : 0;
}
