/** rpc.mjs report: statistics over rounds, paired ratios, and the printed tables. */
import { wsVersions } from '../lib/clients.mjs';
import { fmt, pairedRatio, renderTable, spreadPct, stat } from '../lib/stats.mjs';
import { BASELINE, CELLS, REFERENCE } from './variants.mjs';

/** User-mode CPU of caller + callee per round trip (the client CPU without the kernel's share). */
export function userUs(r) {
  return r.clientUs - r.callerSysUs - r.calleeSysUs;
}

export function buildReport(variants, samples, opts) {
  const rows = [];
  for (const cell of CELLS) {
    const base = samples.get(`${BASELINE}|${cell.id}`) ?? [];
    const ref = samples.get(`${REFERENCE}|${cell.id}`) ?? [];
    for (const v of variants) {
      const s = samples.get(`${v.id}|${cell.id}`) ?? [];
      const plain = v.plainPeer ? samples.get(`${v.plainPeer}|${cell.id}`) : undefined;
      rows.push({
        cell: cell.id,
        variant: v.id,
        n: stat(s, (r) => r.n),
        clientUs: stat(s, (r) => r.clientUs),
        callerUs: stat(s, (r) => r.callerUs),
        calleeUs: stat(s, (r) => r.calleeUs),
        routerUs: stat(s, (r) => r.routerUs),
        sysUs: stat(s, (r) => r.callerSysUs + r.calleeSysUs),
        userUs: stat(s, userUs),
        syscalls: stat(s, (r) => r.syscalls),
        wakeups: stat(s, (r) => r.wakeups),
        rate: stat(s, (r) => r.rate),
        vsBaseline: base.length ? pairedRatio(s, base, (r) => r.clientUs) : null,
        vsReference: ref.length ? pairedRatio(s, ref, (r) => r.clientUs) : null,
        vsPlainCpu: plain ? pairedRatio(s, plain, (r) => r.clientUs) : null,
        vsPlainRate: plain ? pairedRatio(s, plain, (r) => r.rate) : null,
      });
    }
  }
  return {
    rows,
    rounds: opts.rounds,
    cellMs: opts.cellMs,
    warmupCalls: opts.warmupCalls,
    pinning: opts.pinning ? `router on CPU 0, clients on CPU ${opts.pinning.clients}` : 'none',
  };
}

export function printReport(report, opts, times) {
  const out = [];
  out.push('');
  out.push(
    `RPC round trips through Crossbar.io on loopback; ${report.warmupCalls} warm-up round trips per cell, then ${report.rounds} interleaved rounds, ${report.cellMs} ms per cell; node ${process.version}; ${wsVersions()}; CPU pinning: ${report.pinning}`,
  );
  out.push(
    'client µs/rt = CPU (user+sys) of caller + callee processes per round trip; median over rounds, ± = half the min..max range',
  );
  out.push(
    "user, sys = its two parts (medians; the kernel splits a process's CPU time by sampling at its timer tick, so they are approximate per round)",
  );
  out.push(
    'x raw = paired ratio to raw-ws/json client CPU (team target for wampbox/ws/json: <= 1.10); x wb-json = ratio to wampbox/ws/json',
  );
  out.push('');
  const head = [
    'variant',
    'client µs/rt',
    'spread',
    'user',
    'sys',
    'caller',
    'callee',
    'rt/s',
    'spread',
    'x raw',
    'x wb-json',
    'router µs/rt',
  ];
  for (const cell of CELLS) {
    out.push(`== ${cell.id} (${cell.payload === 'small' ? "[1, 'x']" : '1 KiB binary'}, ${cell.conc} in flight)`);
    const rows = report.rows.filter((r) => r.cell === cell.id);
    const table = [head];
    for (const r of rows) {
      table.push([
        r.variant,
        fmt(r.clientUs.median),
        spreadPct(r.clientUs),
        fmt(r.userUs.median),
        fmt(r.sysUs.median),
        fmt(r.callerUs.median),
        fmt(r.calleeUs.median),
        fmt(r.rate.median, 0),
        spreadPct(r.rate),
        r.vsBaseline ? fmt(r.vsBaseline.median, 2) : '-',
        r.vsReference ? fmt(r.vsReference.median, 2) : '-',
        fmt(r.routerUs.median, 0),
      ]);
    }
    out.push(...renderTable(table));
    out.push('');
  }
  const crypto = report.rows.filter((r) => r.vsPlainCpu);
  if (crypto.length) {
    out.push('== cryptobox vs plaintext (same serializer; paired per round; target: rate ratio >= 0.75)');
    const table = [['variant', 'cell', 'rate ratio', 'range', 'CPU ratio', 'range', 'rounds >= 0.75', 'target']];
    for (const r of crypto) {
      table.push([
        r.variant,
        r.cell,
        fmt(r.vsPlainRate.median, 2),
        `${fmt(r.vsPlainRate.min, 2)}..${fmt(r.vsPlainRate.max, 2)}`,
        fmt(r.vsPlainCpu.median, 2),
        `${fmt(r.vsPlainCpu.min, 2)}..${fmt(r.vsPlainCpu.max, 2)}`,
        `${r.vsPlainRate.all.filter((x) => x >= 0.75).length}/${r.vsPlainRate.all.length}`,
        r.vsPlainRate.median >= 0.75 ? 'met' : 'MISSED',
      ]);
    }
    out.push(...renderTable(table));
    out.push('');
  }
  const ref = report.rows.filter((r) => r.variant === REFERENCE && r.vsBaseline);
  if (ref.length) {
    out.push(`== target: ${REFERENCE} client CPU <= 1.10 x ${BASELINE}`);
    // Interference from other work on the machine only ever adds CPU time (cache misses, extra
    // wake-ups), so the cheapest round of each variant is the least disturbed estimate of its cost;
    // "min / min" is the ratio of those, beside the median of the paired ratios.
    const table = [['cell', 'ratio', 'range', 'rounds <= 1.10', 'min / min', 'target']];
    for (const r of ref) {
      const b = r.vsBaseline;
      const base = report.rows.find((x) => x.variant === BASELINE && x.cell === r.cell);
      const minRatio = base ? r.clientUs.min / base.clientUs.min : NaN;
      table.push([
        r.cell,
        fmt(b.median, 2),
        `${fmt(b.min, 2)}..${fmt(b.max, 2)}`,
        `${b.all.filter((x) => x <= 1.1).length}/${b.all.length}`,
        fmt(minRatio, 2),
        b.median <= 1.1 ? 'met' : 'MISSED',
      ]);
    }
    out.push(...renderTable(table));
    out.push('');
  }
  out.push(`router start ${fmt(times.routerStartS)} s, whole run ${fmt(times.totalS)} s`);
  process.stdout.write(out.join('\n') + '\n');
}
