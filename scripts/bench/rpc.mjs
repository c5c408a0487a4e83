#!/usr/bin/env node
/**
 * RPC benchmark: client CPU per round trip and round trips per second, wampbox against peers and
 * against a minimal "raw ws relay" baseline, all through one Crossbar.io router on loopback.
 *
 *   node scripts/bench/rpc.mjs [--rounds 5] [--cell-ms 300] [--warmup-calls 3000] [--only REGEX] [--cells REGEX]
 *                              [--json FILE] [--cpu-prof DIR] [--native-ws] [--no-pin] [--budget-s S] [--list]
 *   node scripts/bench/rpc.mjs --no-router [--rounds N] [--only REGEX] [--cells REGEX]
 *                              library-only cost: no router, no sockets
 *   node scripts/bench/rpc.mjs --summarize DIR    components and top functions of the profiles in DIR
 *
 * Needs `npm run build` first (it imports the built @wampbox/wamp-client).
 *
 * Method (see scripts/bench/README.md and docs/performance.md):
 * - every variant (library x transport x serializer [x codec]) runs in two child processes of
 *   its own, a caller and a callee, each connected to the router as one WAMP session; the callee
 *   registers an echo procedure, the caller calls it;
 * - "client CPU" is process.cpuUsage() (user + system, all threads) of the caller plus that of
 *   the callee over a measurement window, divided by the round trips completed in it, so it
 *   counts both client halves of a round trip (CALL out, INVOCATION in, YIELD out, RESULT in)
 *   and nothing of the router;
 * - four workloads (cells): a small call [1, 'x'] and a 1 KiB binary argument, each sequential
 *   (one call in flight) and concurrent (100 in flight), echoed back unchanged;
 * - rounds are interleaved: every round runs every variant once per cell (in a rotated order),
 *   so slow drifts of the shared machine spread over all variants; the report gives the median
 *   over rounds and the spread (min..max); ratios are computed per round (paired) and the
 *   median ratio is reported.
 *
 * Everything is bounded: each cell stops at a round-trip cap or after --cell-ms, whichever comes
 * first, every request to a worker has a timeout, and a watchdog ends the whole run. Traffic goes
 * only to the router on 127.0.0.1.
 */
import * as path from 'node:path';
import { INITIAL_WARMUP_CALLS } from './rpc/variants.mjs';

// Modules: rpc/variants.mjs (variants, cells, payloads), lib/clients.mjs (the client adapters),
// rpc/worker.mjs (a client process), rpc/harness.mjs (router, workers, rounds, measurement),
// rpc/report.mjs (tables), rpc/library-only.mjs (--no-router), lib/profiles.mjs (--cpu-prof).

function parseArgs(argv) {
  const o = {
    rounds: 5,
    cellMs: 300,
    warmupCalls: INITIAL_WARMUP_CALLS,
    only: null,
    json: null,
    cpuProf: null,
    nativeWs: false,
    list: false,
    budgetS: null,
    noRouter: false,
    cells: null,
    pin: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--rounds') o.rounds = Math.max(1, Math.min(50, Number(next())));
    else if (a === '--cell-ms') o.cellMs = Math.max(50, Math.min(5000, Number(next())));
    else if (a === '--warmup-calls') o.warmupCalls = Math.max(0, Math.min(100_000, Number(next())));
    else if (a === '--only') o.only = new RegExp(next());
    else if (a === '--cells') o.cells = new RegExp(next());
    else if (a === '--json') o.json = next();
    else if (a === '--cpu-prof') o.cpuProf = path.resolve(next());
    else if (a === '--native-ws') o.nativeWs = true;
    else if (a === '--budget-s') o.budgetS = Math.max(30, Number(next()));
    else if (a === '--list') o.list = true;
    else if (a === '--no-router') o.noRouter = true;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node scripts/bench/rpc.mjs [--rounds N] [--cell-ms MS] [--warmup-calls N] [--only REGEX] [--cells REGEX] [--json FILE]\n' +
          '                                [--cpu-prof DIR] [--native-ws] [--no-pin] [--budget-s S] [--list]\n' +
          '       node scripts/bench/rpc.mjs --no-router [--rounds N] [--only REGEX]   (library-only cost)\n' +
          '       node scripts/bench/rpc.mjs --summarize DIR                           (top functions of .cpuprofile files)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv.includes('--worker')) {
  const { workerMain } = await import('./rpc/worker.mjs');
  workerMain();
} else if (process.argv[2] === '--summarize') {
  const { summarizeProfiles } = await import('./lib/profiles.mjs');
  summarizeProfiles(path.resolve(process.argv[3] ?? '.'));
} else {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.noRouter) {
    const { libraryOnly } = await import('./rpc/library-only.mjs');
    try {
      await libraryOnly(opts);
    } catch (e) {
      process.stderr.write(`[bench] error: ${e.stack ?? e}\n`);
      process.exitCode = 1;
    }
  } else {
    const { parentMain } = await import('./rpc/harness.mjs');
    await parentMain(opts);
  }
}
