/** The micro-benchmarks' timed loop, shared by cryptobox.mjs and cryptobox-native.mjs. */
import { performance } from 'node:perf_hooks';

/**
 * µs of CPU (user + sys) and of wall time per call of `fn`, over about `ms`. Calls run in batches
 * calibrated to about 5 ms (starting at `firstBatch`), so the clock is read rarely.
 */
export function timeLoop(fn, ms, firstBatch = 16) {
  let batch = firstBatch;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - t > 5 || batch > 1 << 20) break;
    batch *= 2;
  }
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    t = performance.now();
  }
  const cpu = process.cpuUsage(c0);
  return { wallUs: ((t - t0) * 1000) / n, cpuUs: (cpu.user + cpu.system) / n };
}
