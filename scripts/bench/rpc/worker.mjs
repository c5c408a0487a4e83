/** rpc.mjs worker process: one client session (caller or callee), driven by the parent over IPC. */
import { performance } from 'node:perf_hooks';
import { procCounters, serveParent, startCpuProfile } from '../lib/child.mjs';
import { ADAPTERS } from '../lib/clients.mjs';
import { payloadsFor, sameResult } from '../payload.mjs';

export async function workerMain() {
  let role;
  let client;
  let payloads;
  const stats = { invocations: 0, completed: 0 };
  const state = { callTail: '', yieldTail: '' };
  let currentArgs;
  let profiler;

  async function drive(args, conc, cap, ms) {
    const call = client.call;
    let issued = 0;
    let done = 0;
    let failed = 0;
    const deadline = performance.now() + ms;
    const lane = async () => {
      while (issued < cap && performance.now() < deadline) {
        issued++;
        const r = await call(args);
        if (r instanceof Error) failed++;
        else done++;
      }
    };
    const lanes = [];
    for (let i = 0; i < conc; i++) lanes.push(lane());
    await Promise.all(lanes);
    stats.completed += done;
    return { done, failed };
  }

  const handlers = {
    async init({ role: r, variant, router, uri }) {
      role = r;
      client = await ADAPTERS[variant.lib](role, variant, router, uri, stats, state);
      payloads = payloadsFor(variant, uri);
      return { pid: process.pid };
    },
    async payload({ kind }) {
      Object.assign(state, payloads.raw[kind]);
      currentArgs = payloads.args[kind];
      return {};
    },
    async check({ kind }) {
      const got = await client.call(currentArgs);
      if (!sameResult(got, payloads.expect[kind]))
        throw new Error(`echo mismatch for ${kind}: ${String(got).slice(0, 80)}`);
      return {};
    },
    async warmup({ conc, count, ms }) {
      return drive(currentArgs, conc, count, ms);
    },
    async profile() {
      if (!process.env.BENCH_CPU_PROF || profiler) return {};
      profiler = await startCpuProfile(() => (role === 'caller' ? stats.completed : stats.invocations));
      return {};
    },
    async mark() {
      return { cpu: process.cpuUsage(), invocations: stats.invocations, proc: procCounters() };
    },
    async run({ conc, cap, ms }) {
      const p0 = procCounters();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { done, failed } = await drive(currentArgs, conc, cap, ms);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const p1 = procCounters();
      return {
        done,
        failed,
        wallMs,
        user: cpu.user,
        system: cpu.system,
        syscalls: p1.syscalls - p0.syscalls,
        wakeups: p1.wakeups - p0.wakeups,
      };
    },
    async close() {
      if (profiler) await profiler.stopAndWrite();
      await client?.close();
      setImmediate(() => process.exit(0));
      return {};
    },
  };

  serveParent(handlers);
}
