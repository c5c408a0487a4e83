/** Small statistics and table helpers shared by the benchmark scripts. */

export const median = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function spreadPct(st) {
  if (!Number.isFinite(st.median) || st.median === 0) return '';
  return `±${(((st.max - st.min) / 2 / st.median) * 100).toFixed(0)}%`;
}

export function fmt(x, d = 1) {
  if (!Number.isFinite(x)) return '-';
  const t = x.toFixed(d);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

export function renderTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r, i) => {
    const line = r
      .map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])))
      .join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  });
}

/** Median, min and max of f over the rounds that have a sample. */
export function stat(list, f) {
  const xs = list.filter(Boolean).map(f);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** Median of per-round ratios f(a)/f(b). */
export function pairedRatio(a, b, f) {
  const rs = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] && b[i]) rs.push(f(a[i]) / f(b[i]));
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs), all: rs };
}
