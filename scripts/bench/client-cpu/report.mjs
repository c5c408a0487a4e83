/** client-cpu.mjs report: statistics over rounds, paired ratios, and the printed tables. */
import { wsVersions } from '../lib/clients.mjs';
import { fmt, pairedRatio, renderTable, spreadPct, stat } from '../lib/stats.mjs';

const LIBS = [
  ['wampbox', 'wampbox'],
  ['autobahn', 'Autobahn|JS'],
  ['wampy', 'wampy'],
  ['bare', 'bare'],
];
const SERS = [
  ['json', 'JSON'],
  ['msgpack', 'MessagePack'],
];

export function buildReport(variants, cells, samples, opts) {
  const rows = [];
  for (const cell of cells) {
    for (const v of variants) {
      const s = samples.get(`${v.id}|${cell.id}`) ?? [];
      const ab = samples.get(`autobahn/${v.ser}|${cell.id}`) ?? [];
      const bare = samples.get(`bare/${v.ser}|${cell.id}`) ?? [];
      const cpu = (r) => r.clientUs;
      rows.push({
        cell: cell.id,
        variant: v.id,
        lib: v.lib,
        ser: v.ser,
        n: stat(s, (r) => r.n),
        clientUs: stat(s, cpu),
        userUs: stat(s, (r) => r.userUs),
        sysUs: stat(s, (r) => r.sysUs),
        rate: stat(s, (r) => r.rate),
        peak: stat(s, (r) => r.peak),
        pipelined: stat(s, (r) => r.pipelined ?? NaN),
        wakeups: stat(s, (r) => r.wakeups),
        syscalls: stat(s, (r) => r.syscalls),
        routerUs: stat(s, (r) => r.routerUs),
        vsAutobahn: ab.length ? pairedRatio(s, ab, cpu) : null,
        vsBare: bare.length ? pairedRatio(s, bare, cpu) : null,
      });
    }
  }
  return {
    rows,
    cells: cells.map((c) => ({ id: c.id, what: c.what })),
    rate: opts.rate,
    rounds: opts.rounds,
    cellMs: opts.cellMs,
    warmupMs: opts.warmupMs,
    pinning: opts.pinning ? `router on CPU 0, clients on CPU ${opts.pinning.clients}` : 'none',
  };
}

const ratio = (r) => (r ? fmt(r.median, 2) : '-');

export function printReport(report, times) {
  const out = [];
  out.push('');
  out.push(
    `Client CPU per RPC round trip against the echo router on loopback, ${report.rate} calls/s; ${report.warmupMs} ms warm-up per variant and cell, then ${report.rounds} interleaved rounds of ${report.cellMs} ms per cell; node ${process.version}; ${wsVersions('bare, wampbox, wampy, router')}; CPU pinning: ${report.pinning}`,
  );
  out.push(
    'client µs/rt = CPU (user+sys, all threads) of the calling process per round trip (CALL out, RESULT in); median over rounds, ± = half the min..max range',
  );
  out.push(
    'x autobahn, x bare = paired per-round ratios to autobahn/<ser> and bare/<ser> (same serializer), median over rounds',
  );
  out.push(
    'calls/s = achieved rate; pipelined = share of calls sent while another was in flight; in flight = most in flight at once (medians over rounds)',
  );
  out.push('wake-ups/rt = voluntary context switches (sleeps) of the client per round trip');
  out.push('');
  const head = [
    'variant',
    'client µs/rt',
    'spread',
    'user',
    'sys',
    'x autobahn',
    'x bare',
    'calls/s',
    'pipelined',
    'in flight',
    'wake-ups/rt',
    'router µs/rt',
  ];
  for (const cell of report.cells) {
    out.push(`== ${cell.id} (${cell.what})`);
    const table = [head];
    for (const r of report.rows.filter((x) => x.cell === cell.id)) {
      table.push([
        r.variant,
        fmt(r.clientUs.median),
        spreadPct(r.clientUs),
        fmt(r.userUs.median),
        fmt(r.sysUs.median),
        ratio(r.vsAutobahn),
        ratio(r.vsBare),
        fmt(r.rate.median, 0),
        `${fmt(r.pipelined.median * 100, 1)}%`,
        fmt(r.peak.median, 0),
        fmt(r.wakeups.median, 2),
        fmt(r.routerUs.median),
      ]);
    }
    out.push(...renderTable(table));
    out.push('');
  }
  // the summary: one line per serializer and cell, µs per round trip, and wampbox's ratios
  out.push('== summary: client µs per round trip (median), and wampbox/<ser> paired ratios');
  const table = [['serializer', 'cell', ...LIBS.map(([, name]) => name), 'wampbox x Autobahn|JS', 'wampbox x bare']];
  for (const [ser, serName] of SERS) {
    for (const cell of report.cells) {
      const row = (lib) => report.rows.find((r) => r.cell === cell.id && r.variant === `${lib}/${ser}`);
      if (!LIBS.some(([lib]) => row(lib))) continue;
      const wb = row('wampbox');
      table.push([
        serName,
        cell.id,
        ...LIBS.map(([lib]) => (row(lib) ? fmt(row(lib).clientUs.median) : '-')),
        ratio(wb?.vsAutobahn),
        ratio(wb?.vsBare),
      ]);
    }
  }
  out.push(...renderTable(table));
  const slow = report.rows.filter((r) => r.rate.median < report.rate * 0.97);
  if (slow.length) {
    out.push('');
    out.push(
      `rate not held (median under 97 % of ${report.rate}/s): ${slow.map((r) => `${r.variant} ${r.cell} ${fmt(r.rate.median, 0)}/s`).join(', ')}`,
    );
  }
  out.push('');
  out.push(`whole run ${fmt(times.totalS)} s`);
  process.stdout.write(out.join('\n') + '\n');
}
