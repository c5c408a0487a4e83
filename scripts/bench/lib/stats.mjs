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
    const line = r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  });
}
