/**
 * client-cpu.mjs worker process: one caller session against the echo router, driven by the
 * parent over IPC, calling at a fixed rate.
 */
import { performance } from 'node:perf_hooks';
import { procCounters, serveParent, startCpuProfile } from '../lib/child.mjs';
import { ADAPTERS, closeWs, wampboxWs } from '../lib/clients.mjs';
import { payloadsFor, sameResult } from '../payload.mjs';

/**
 * The floor: a hand-written caller on the same `ws` as wampbox, JSON.stringify/JSON.parse (or
 * msgpackr's pack/unpack) of whole messages, a Map of pending request ids; no validation, no
 * serializer layer, no session state beyond that.
 */
async function bareClient(v, router, uri) {
  const WebSocket = await wampboxWs();
  const protocol = `wamp.2.${v.ser}`;
  let encode = JSON.stringify;
  let decode = (data) => JSON.parse(data.toString());
  if (v.ser === 'msgpack') {
    const { Packr } = await import('msgpackr');
    const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' });
    encode = (m) => packr.pack(m);
    decode = (data) => packr.unpack(data);
  }
  const ws = new WebSocket(router.wsUrl, [protocol]);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (ws.protocol !== protocol) throw new Error(`bare: router chose ${ws.protocol}`);
  const welcome = await new Promise((resolve) => {
    ws.once('message', (d) => resolve(decode(d)));
    ws.send(encode([1, router.realm, { roles: { caller: {} } }]));
  });
  if (welcome[0] !== 2) throw new Error(`bare: no WELCOME: ${JSON.stringify(welcome)}`);
  const pending = new Map();
  let nextId = 0;
  ws.on('message', (data) => {
    const m = decode(data);
    if (m[0] === 50) {
      const resolve = pending.get(m[1]);
      pending.delete(m[1]);
      resolve(m[3] ?? []);
    } else if (m[0] === 8) {
      const resolve = pending.get(m[2]);
      pending.delete(m[2]);
      resolve(new Error(m[4]));
    }
  });
  return {
    call(args) {
      const id = ++nextId;
      ws.send(encode([48, id, {}, uri, args]));
      return new Promise((resolve) => pending.set(id, resolve));
    },
    close() {
      ws.send(encode([6, {}, 'wamp.close.system_shutdown']));
      return closeWs(ws);
    },
  };
}

/**
 * Calls at `rate` per second for `ms` (rate x ms / 1000 calls; the run ends when the last result
 * is in). Call i is due at i / rate after the start. A call leaves when it is due and the number
 * in flight is under the allowance: one call in flight (sequential), plus one for every `behindMs`
 * of calls the client is behind its schedule, up to `maxInFlight`. When nothing is due the client
 * sleeps in a timer until the next call is due; Node's timers have a resolution of 1 ms, so at
 * 10,000 calls/s it wakes about once a millisecond and sends the calls due since then one after
 * another, each when the previous result is in, unless it has fallen behind. Where a sequential
 * round trip takes longer than the interval (on the 2-vCPU machine of docs/performance.md about
 * 130 µs, against 100 µs at 10,000/s), the client is behind most of the time and a second call is
 * in flight.
 */
function paced(call, args, { rate, ms, maxInFlight, behindMs }) {
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round((rate * ms) / 1000));
  const perStep = Math.max(1, (rate * behindMs) / 1000);
  const hardStop = ms * 3 + 5000;
  return new Promise((resolve) => {
    let issued = 0;
    let done = 0;
    let failed = 0;
    let inFlight = 0;
    let peak = 0;
    let overlapped = 0; // calls that left while another was in flight
    let timer = null;
    let finished = false;
    const p0 = procCounters();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const finish = (complete) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      const p1 = procCounters();
      resolve({
        done,
        failed,
        complete,
        wallMs,
        user: cpu.user,
        system: cpu.system,
        peak,
        overlapped,
        wakeups: p1.wakeups - p0.wakeups,
        syscalls: p1.syscalls - p0.syscalls,
      });
    };
    const settle = (r) => {
      inFlight--;
      if (r instanceof Error) failed++;
      else done++;
      if (done + failed === total) finish(true);
      else pump();
    };
    const fail = () => settle(new Error('call failed'));
    const onTimer = () => {
      timer = null;
      pump();
    };
    const pump = () => {
      if (finished) return;
      const now = performance.now();
      if (now - t0 > hardStop) return finish(false);
      const due = Math.min(total, Math.floor((now - t0) / interval) + 1);
      const allowed = Math.min(maxInFlight, 1 + Math.floor((due - issued) / perStep));
      while (issued < due && inFlight < allowed) {
        if (inFlight > 0) overlapped++;
        issued++;
        inFlight++;
        if (inFlight > peak) peak = inFlight;
        call(args).then(settle, fail);
      }
      // nothing in flight and nothing due: sleep until the next call is due
      if (inFlight === 0 && issued < total && timer === null)
        timer = setTimeout(onTimer, Math.max(0, t0 + issued * interval - now));
    };
    pump();
  });
}

export async function workerMain() {
  let client;
  let payloads;
  let currentArgs;
  let profiler;
  const stats = { completed: 0 };

  serveParent({
    async init({ variant, router, uri }) {
      client =
        variant.lib === 'bare'
          ? await bareClient(variant, router, uri)
          : await ADAPTERS[variant.lib]('caller', variant, router, uri, {}, {});
      payloads = payloadsFor(variant, uri);
      return { pid: process.pid };
    },
    async payload({ kind }) {
      currentArgs = payloads.args[kind];
      return {};
    },
    async check({ kind }) {
      const got = await client.call(currentArgs);
      if (!sameResult(got, payloads.expect[kind]))
        throw new Error(`echo mismatch for ${kind}: ${String(got).slice(0, 80)}`);
      return {};
    },
    async run({ rate, ms, maxInFlight, behindMs }) {
      const r = await paced(client.call, currentArgs, { rate, ms, maxInFlight, behindMs });
      stats.completed += r.done;
      return r;
    },
    async profile() {
      if (!process.env.BENCH_CPU_PROF || profiler) return {};
      profiler = await startCpuProfile(() => stats.completed);
      return {};
    },
    async close() {
      if (profiler) await profiler.stopAndWrite();
      await client?.close();
      setImmediate(() => process.exit(0));
      return {};
    },
  });
}

if (process.argv.includes('--worker')) workerMain();
