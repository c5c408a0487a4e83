#!/usr/bin/env node
/**
 * Serializer cost per message with warm caches and with cold ones.
 *
 *   node scripts/bench/cold.mjs [--samples 400] [--evict-mb 32]
 *
 * Needs `npm run build` first (it imports the built @wampbox/core).
 *
 * A client in a sequential round trip sleeps between two messages while the router and the other
 * client run, and then handles the next message with its caches evicted: in rpc.mjs's sequential
 * cells each µs of work measured in a hot loop costs several times more. This script reproduces
 * that in one process, without sockets or a router, and with far less noise: each sample times
 * one operation (performance.now() around it), either right after the previous one (hot) or after
 * writing over a buffer larger than the CPU caches (cold; the sweep itself is not timed). It
 * reports the median and the first quartile per operation, for JSON.parse of a frame as the raw
 * relay does it, and for wampbox's JSON decoding and encoding with a 1 KiB binary and with the
 * same 1.4 KB as text.
 */
import { performance } from 'node:perf_hooks';
import { encodeBase64, json } from '@wampbox/core';
import { binPayload } from './payload.mjs';

function parseArgs(argv) {
  const o = { samples: 400, evictMb: 32 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return Number(argv[++i]);
    };
    if (a === '--samples') o.samples = Math.max(50, Math.min(100_000, next()));
    else if (a === '--evict-mb') o.evictMb = Math.max(1, Math.min(1024, next()));
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/bench/cold.mjs [--samples 400] [--evict-mb 32]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const serializer = json();
const bin = binPayload();
const b64 = encodeBase64(bin);
// frames as `ws` hands them over: bytes, turned into a string per message
const binaryFrame = Buffer.from(`[68,123456,789,{},["\\u0000${b64}"]]`);
const textFrame = Buffer.from(`[68,123456,789,{},["${b64}"]]`);
const binaryYield = [70, 123456, {}, [bin]];
const textYield = [70, 123456, {}, [b64]];

// one write per 64-byte line over a buffer larger than the caches
const evict = new Float64Array((opts.evictMb * 1024 * 1024) / 8);
function evictCaches() {
  for (let i = 0; i < evict.length; i += 8) evict[i] += 1;
}

let sink;
const OPERATIONS = [
  ['JSON.parse(frame), as the relay', () => (sink = JSON.parse(binaryFrame.toString()))],
  ['decode, 1 KiB binary', () => (sink = serializer.decode(binaryFrame.toString()))],
  ['decode, same as text', () => (sink = serializer.decode(textFrame.toString()))],
  ['encode YIELD, 1 KiB binary', () => (sink = serializer.encode(binaryYield))],
  ['encode YIELD, same as text', () => (sink = serializer.encode(textYield))],
];

function quantiles(xs) {
  xs.sort((a, b) => a - b);
  return { median: xs[xs.length >> 1], q1: xs[xs.length >> 2] };
}

function measure(fn, cold) {
  const ts = [];
  for (let i = 0; i < opts.samples; i++) {
    if (cold) evictCaches();
    const t0 = performance.now();
    fn();
    ts.push((performance.now() - t0) * 1000);
  }
  return quantiles(ts);
}

const rows = [];
for (const [name, fn] of OPERATIONS) {
  for (let i = 0; i < 5000; i++) fn(); // optimized before measuring, as in a long-running client
  rows.push({ name, hot: measure(fn, false), cold: measure(fn, true) });
}
if (sink === undefined) throw new Error('nothing was computed');

const f = (x) => x.toFixed(1).padStart(7);
const width = Math.max(...rows.map((r) => r.name.length));
process.stdout.write(
  `Per message, µs (median / first quartile of ${opts.samples} samples); cold = after writing over ${opts.evictMb} MB; node ${process.version}\n\n`,
);
process.stdout.write(`${'operation'.padEnd(width)}   hot med  hot q1  cold med  cold q1\n`);
for (const r of rows)
  process.stdout.write(
    `${r.name.padEnd(width)}   ${f(r.hot.median)} ${f(r.hot.q1)}   ${f(r.cold.median)} ${f(r.cold.q1)}\n`,
  );
