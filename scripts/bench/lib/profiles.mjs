/** --cpu-prof: components and top functions of V8 CPU profiles written by bench workers. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * wampbox's own code (the built packages), not a dependency installed under a package's
 * node_modules (the `ws` that @wampbox/wamp-client uses is packages/client/node_modules/ws).
 */
function isWampbox(url) {
  return url.includes('/packages/') && !url.includes('/node_modules/');
}

/** Which part of the process a profiled function belongs to. */
export function component(cf) {
  const url = cf.url ?? '';
  const name = cf.functionName;
  if (name === '(garbage collector)') return 'garbage collector';
  if (
    (isWampbox(url) && url.includes('/packages/cryptobox/')) ||
    url.includes('libsodium') ||
    url.startsWith('wasm://')
  )
    return 'wampbox cryptobox + libsodium';
  if (isWampbox(url) && url.includes('/packages/core/') && url.includes('/serializers/')) return 'wampbox serializers';
  if (url.includes('cbor-x') || url.includes('msgpackr')) return 'cbor-x / msgpackr';
  if (isWampbox(url)) return 'wampbox session + transport';
  if (url.includes('/scripts/bench/')) return 'bench driver (raw client: all of its own code)';
  if (/node_modules\/(autobahn|wampy|msgpack5|cbor|when|bl|nofilter|tweetnacl|crypto-js)\//.test(url))
    return 'peer library';
  if (url.includes('/ws/lib/')) return 'ws';
  if (url.startsWith('node:') || url === '') return 'Node.js runtime + syscalls (streams, timers, writev, ...)';
  return 'other';
}

export function summarizeProfiles(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const out = [];
  const where = (cf) => {
    const file = cf.url
      ? cf.url
          .replace(/^file:\/\//, '')
          .replace(/^.*\/node_modules\//, '')
          .replace(/^.*\/packages\//, 'packages/')
      : '';
    return `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${cf.lineNumber + 1}` : ''}`;
  };
  for (const f of files.sort()) {
    let prof;
    try {
      prof = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      continue;
    }
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // weight = sample count (each sample stands for one sampling interval); timeDeltas also
    // carry the sampler's own delays on a busy machine
    const interval = prof.samples.length > 1 ? (prof.endTime - prof.startTime) / prof.samples.length : 100;
    const dt = new Map();
    for (const id of prof.samples) dt.set(id, (dt.get(id) ?? 0) + interval);
    const self = new Map();
    const incl = new Map(); // wampbox functions only: time with the function anywhere on the stack
    let total = 0;
    for (const [id, us] of dt) {
      const n = byId.get(id);
      const name = n.callFrame.functionName;
      if (name === '(idle)' || name === '(program)') continue;
      total += us;
      const key = where(n.callFrame);
      self.set(key, (self.get(key) ?? 0) + us);
      const seen = new Set();
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const cf = byId.get(cur).callFrame;
        if (!isWampbox(cf.url)) continue;
        const k = where(cf);
        if (seen.has(k)) continue;
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + us);
      }
    }
    const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
    out.push(`-- ${f}: ${(total / interval).toFixed(0)} samples (idle excluded)`);
    // self time by component, and per round trip when the worker left a count
    let meta = null;
    try {
      meta = JSON.parse(fs.readFileSync(path.join(dir, `${f}.meta.json`), 'utf8'));
    } catch {
      /* a profile from elsewhere */
    }
    const cats = new Map();
    for (const [id, us] of dt) {
      const cf = byId.get(id).callFrame;
      if (cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
      const c = component(cf);
      cats.set(c, (cats.get(c) ?? 0) + us);
    }
    const perRt = meta?.roundTrips > 0 ? (us) => ` ${(us / meta.roundTrips).toFixed(1).padStart(6)} µs/rt` : () => '';
    out.push(
      `   by component${meta ? ` (${meta.roundTrips} round trips while profiling; sampled CPU ${(total / meta.roundTrips).toFixed(1)} µs/rt)` : ''}:`,
    );
    for (const [c, us] of [...cats.entries()].sort((a, b) => b[1] - a[1])) out.push(`   ${pct(us)}${perRt(us)}  ${c}`);
    out.push('   self time:');
    for (const [k, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`   ${pct(us)}  ${k}`);
    if (incl.size) {
      out.push('   wampbox functions, inclusive time:');
      for (const [k, us] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15))
        out.push(`   ${pct(us)}  ${k}`);
    }
  }
  process.stdout.write(`\nCPU profiles in ${dir}:\n${out.join('\n')}\n`);
}
