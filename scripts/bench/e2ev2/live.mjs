/**
 * E2E v2 bench, through Crossbar.io: RPC round trips per second and events per second for
 * plaintext, cryptobox and x_e2ev2 on the same router, in interleaved rounds.
 *
 * Per codec two wampbox sessions in this process over WebSocket/JSON: A (caller and publisher:
 * cryptobox originator ring, v2 writer codec) and B (callee and subscriber: responder ring, v2
 * reader codec). B registers an echo and subscribes; A calls and publishes the 1 KiB JSON payload.
 * Before the rounds every cell runs unmeasured for --warmup-ms, so the v2 caller's session key is
 * confirmed (later calls are AEAD only) and V8 has optimized the code.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { startRouter } from '../../router/router.mjs';
import { pinRouter, routerCpuUs, routerPids } from '../lib/pinning.mjs';
import { PREFIX, cryptoboxPair, makeWorld, readerCodec, textPayload, writerCodec } from './setup.mjs';

export const CODECS = ['plaintext', 'cryptobox', 'x_e2ev2'];
export const CELLS = ['call seq', 'call x100', 'event x100'];
const IN_FLIGHT = 100;

async function sessions(m, router, codec) {
  const { wb } = m;
  let a;
  let b;
  if (codec === 'cryptobox') {
    const pair = await cryptoboxPair(m);
    [a, b] = [pair.sender, pair.receiver];
  } else if (codec === 'x_e2ev2') {
    const w = makeWorld(m);
    [a, b] = [writerCodec(m, w), readerCodec(m, w)];
  }
  const open = async (c) => {
    const s = await wb.connect({ url: router.wsUrl, realm: router.realm, serializers: [wb.json()], codec: c });
    s.on('error', (e) => process.stderr.write(`[e2ev2 ${codec}] session error: ${e.message}\n`));
    return s;
  };
  const A = await open(a);
  const B = await open(b);
  const name = codec.replace(/[^a-z0-9]/g, '');
  const procedure = `${PREFIX}${name}.echo`;
  const topic = `${PREFIX}${name}.events`;
  let received = 0;
  await B.register(procedure, (inv) => new wb.Result(inv.args));
  await B.subscribe(topic, () => {
    received++;
  });
  return {
    call: (args) => A.call(procedure, args),
    publish: (args) => A.publish(topic, args, {}, { acknowledge: true }),
    received: () => received,
    close: async () => {
      await A.close().catch(() => {});
      await B.close().catch(() => {});
    },
  };
}

/** One window of a cell: { n, wallMs, cpuUs, routerUs }. */
async function runCell(s, cell, ms, args, rpids) {
  const c0 = process.cpuUsage();
  const r0 = routerCpuUs(rpids);
  const t0 = performance.now();
  const end = t0 + ms;
  let n = 0;
  if (cell === 'call seq') {
    while (performance.now() < end) {
      await s.call(args);
      n++;
    }
  } else if (cell === 'call x100') {
    const lane = async () => {
      while (performance.now() < end) {
        await s.call(args);
        n++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  } else {
    const base = s.received();
    let sent = 0;
    const lane = async () => {
      while (performance.now() < end) {
        await s.publish(args);
        sent++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    // the router acknowledges before it delivers: wait for the last events (at most 5 s)
    const deadline = performance.now() + 5000;
    while (s.received() - base < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    n = s.received() - base;
    if (n < sent) process.stderr.write(`[e2ev2] ${sent - n} of ${sent} events not delivered in time\n`);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { n, wallMs, cpuUs: cpu.user + cpu.system, routerUs: routerCpuUs(rpids) - r0 };
}

/**
 * Start the router, warm up, run the rounds. Returns { samples: {codec: {cell: [sample per round]}},
 * pinned, startS }.
 */
export async function runLive(m, opts, log) {
  const t0 = performance.now();
  const router = await startRouter();
  const stops = [];
  try {
    const startS = (performance.now() - t0) / 1000;
    log(`router started in ${startS.toFixed(1)} s`);
    const rpids = routerPids(router.pid);
    let pinned = null;
    if (opts.pin) {
      pinned = pinRouter(rpids);
      if (pinned) execFileSync(pinned.taskset, ['-a', '-cp', pinned.clients, String(process.pid)], { stdio: 'ignore' });
    }
    const args = textPayload();
    const s = {};
    for (const codec of CODECS) {
      s[codec] = await sessions(m, router, codec);
      stops.push(s[codec].close);
      const r = await s[codec].call(args);
      if (JSON.stringify(r.args) !== JSON.stringify(args)) throw new Error(`${codec}: the echo differs`);
    }
    if (opts.warmupMs > 0) {
      for (const codec of CODECS) for (const cell of CELLS) await runCell(s[codec], cell, opts.warmupMs, args, rpids);
      log(`warmed up (${opts.warmupMs} ms per codec and cell)`);
    }
    const samples = Object.fromEntries(CODECS.map((c) => [c, Object.fromEntries(CELLS.map((k) => [k, []]))]));
    for (let round = 0; round < opts.routerRounds; round++) {
      for (const cell of CELLS) {
        for (let k = 0; k < CODECS.length; k++) {
          const codec = CODECS[(k + round) % CODECS.length];
          samples[codec][cell].push(await runCell(s[codec], cell, opts.cellMs, args, rpids));
        }
      }
      log(`router round ${round + 1}/${opts.routerRounds}`);
    }
    return { samples, pinned: pinned !== null, startS };
  } finally {
    for (const stop of stops) await stop();
    await router.stop();
  }
}
