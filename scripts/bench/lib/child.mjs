/**
 * The benchmarks' child processes: the parent's handle on one (Worker) and the child's side of
 * the conversation (serveParent, startCpuProfile). Requests and answers go over the IPC channel;
 * every request has a timeout.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class Worker {
  constructor(entry, variant, role, opts) {
    this.variant = variant;
    this.role = role;
    this.seq = 0;
    this.waiting = new Map();
    const env = { ...process.env };
    if (!opts.nativeWs) {
      // measure `ws` as a default wampbox install has it (bufferutil is no dependency of wampbox;
      // the bench's peers pulled it into node_modules)
      env.WS_NO_BUFFER_UTIL = '1';
      env.WS_NO_UTF_8_VALIDATE = '1';
    }
    if (opts.cpuProf) {
      // the worker profiles itself from the first measured round on (startup, connecting and the
      // initial warm-up stay out of the profile)
      env.BENCH_CPU_PROF = path.join(opts.cpuProf, `${variant.id.replace(/[^a-z0-9]+/gi, '_')}.${role}.cpuprofile`);
    }
    // with CPU pinning, the worker starts under taskset on the client CPUs (its threads inherit them)
    const pinned = opts.pinning
      ? { execPath: opts.pinning.taskset, execArgv: ['-c', opts.pinning.clients, process.execPath] }
      : { execArgv: [] };
    this.child = fork(entry, ['--worker'], { env, ...pinned, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${variant.id} ${role}: worker did not start`)), 30_000);
      this.child.once('exit', (code) => reject(new Error(`${variant.id} ${role}: worker exited (${code})`)));
      this.child.on('message', (m) => {
        if (m.ready) {
          clearTimeout(t);
          resolve();
          return;
        }
        const w = this.waiting.get(m.seq);
        if (!w) return;
        this.waiting.delete(m.seq);
        clearTimeout(w.timer);
        if (m.ok) w.resolve(m.r);
        else w.reject(new Error(`${variant.id} ${role}: ${m.error}`));
      });
    });
    this.ready.catch(() => {});
  }

  request(cmd, args = {}, timeoutMs = 30_000) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`${this.variant.id} ${this.role}: ${cmd} timed out`));
      }, timeoutMs);
      this.waiting.set(seq, { resolve, reject, timer });
      this.child.send({ seq, cmd, ...args });
    });
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.request('close', {}, 5000).catch(() => {});
    const gone = await Promise.race([this.exited.then(() => true), sleep(5000).then(() => false)]);
    if (!gone) this.child.kill('SIGKILL');
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Child side: answer the parent's requests ({seq, cmd, ...}) with `handlers[cmd](message)`. */
export function serveParent(handlers) {
  process.on('message', async (m) => {
    try {
      const r = await handlers[m.cmd](m);
      process.send({ seq: m.seq, ok: true, r });
    } catch (e) {
      process.send({ seq: m.seq, ok: false, error: e?.stack ?? String(e) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

/**
 * Child side, with BENCH_CPU_PROF set (the parent's --cpu-prof): V8's sampling CPU profiler (what
 * `node --cpu-prof` uses), 100 µs interval, from now on. `count()` gives the round trips handled
 * so far; stopAndWrite() writes the profile to BENCH_CPU_PROF and the round trips handled while
 * profiling beside it (`.meta.json`).
 */
export async function startCpuProfile(count) {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  const base = count();
  return {
    async stopAndWrite() {
      const { profile } = await post('Profiler.stop');
      fs.writeFileSync(process.env.BENCH_CPU_PROF, JSON.stringify(profile));
      fs.writeFileSync(`${process.env.BENCH_CPU_PROF}.meta.json`, JSON.stringify({ roundTrips: count() - base }));
    },
  };
}

/** Linux counters of this process: read/write-type syscalls and voluntary context switches (wake-ups). */
export function procCounters() {
  const c = { syscalls: NaN, wakeups: NaN };
  try {
    const io = fs.readFileSync('/proc/self/io', 'utf8');
    c.syscalls = Number(/syscr: (\d+)/.exec(io)[1]) + Number(/syscw: (\d+)/.exec(io)[1]);
    c.wakeups = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    /* not Linux */
  }
  return c;
}
