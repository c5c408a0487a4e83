/**
 * E2E v2 bench, the report of the library part for one build: seal + open per message against its
 * primitives (with and without the inner JSON), seal and open apart, the primitives alone, and how
 * many events a subscriber opens per second.
 */
import { median, renderTable } from '../lib/stats.mjs';
import { describeCounts, primitiveSum } from './micro.mjs';

const JSON_CASE = 'inner JSON write+read';

/**
 * The lines of parts 1 and 2 for one build, and what goes into `--json`. `us`: case → µs per round
 * (gets the inner JSON written + read, per round, as `inner JSON write+read`); `fastest`: case → µs
 * in its fastest slice.
 */
export function libraryReport(micro, us, fastest, rounds) {
  fastest.set(JSON_CASE, fastest.get('inner JSON write') + fastest.get('inner JSON read'));
  us.set(
    JSON_CASE,
    us.get('inner JSON write').map((w, r) => w + us.get('inner JSON read')[r]),
  );
  const med = (k) => median(us.get(k));
  const perRound = (f) =>
    Array.from({ length: rounds }, (_, r) => f(Object.fromEntries([...us].map(([k, v]) => [k, v[r]]))));
  const range = (xs) => `${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}`;
  const out = [];
  out.push(
    `## 1. seal + open per message, 1 KiB JSON payload (${micro.sizes.plaintext} B inner JSON), library only, ${rounds} rounds`,
  );
  out.push(
    'µs per message (wall time of the timed part, one thread, median over rounds); primitives timed alone on the',
  );
  out.push('same input sizes in the same rounds; ratios are medians of the per-round ratios (min..max in brackets)');
  out.push('');
  const msgRows = [
    ['message', 'v2 µs', 'primitives µs', 'v2 / prims', 'prims + JSON µs', 'v2 / (prims+JSON)', 'wire B'],
  ];
  const wire = {
    'PUBLISH→EVENT (signed)': micro.sizes.publish.wire,
    'first CALL→INVOCATION (wrapped, signed)': micro.sizes.first.wire,
    'later CALL→INVOCATION (AEAD only)': micro.sizes.later.wire,
    'YIELD→RESULT': micro.sizes.yield.wire,
  };
  const report = {
    sizes: micro.sizes,
    counts: micro.counts,
    library: Object.fromEntries(us),
    fastest: Object.fromEntries(fastest),
    messages: {},
  };
  for (const label of Object.keys(wire)) {
    const sums = perRound((p) => primitiveSum(label, micro.counts, p));
    const r1 = perRound((p) => p[label] / primitiveSum(label, micro.counts, p));
    const r2 = perRound((p) => p[label] / (primitiveSum(label, micro.counts, p) + p[JSON_CASE]));
    report.messages[label] = { v2: med(label), prims: median(sums), ratio: median(r1), ratioWithJson: median(r2) };
    msgRows.push([
      label,
      med(label).toFixed(1),
      median(sums).toFixed(1),
      `${median(r1).toFixed(2)} [${range(r1)}]`,
      (median(sums) + med(JSON_CASE)).toFixed(1),
      `${median(r2).toFixed(2)} [${range(r2)}]`,
      String(wire[label]),
    ]);
  }
  const cbk = 'cryptobox CALL→INVOCATION';
  msgRows.push([cbk, med(cbk).toFixed(1), '', '', '', '', '']);
  out.push(...renderTable(msgRows));
  out.push('');
  // on a shared machine every case has slices that other work slowed down: the fastest slice of each
  // case is the least disturbed measure of it
  out.push(
    'Least disturbed: the fastest slice of each case (v2, each primitive, the JSON), and the same ratios of them:',
  );
  const bestAll = Object.fromEntries(fastest);
  const bestRows = [['message', 'v2 µs', 'primitives µs', 'v2 / prims', 'prims + JSON µs', 'v2 / (prims+JSON)']];
  for (const label of Object.keys(wire)) {
    const prims = primitiveSum(label, micro.counts, bestAll);
    const withJson = prims + bestAll[JSON_CASE];
    report.messages[label].best = { v2: bestAll[label], prims, json: bestAll[JSON_CASE] };
    bestRows.push([
      label,
      bestAll[label].toFixed(1),
      prims.toFixed(1),
      (bestAll[label] / prims).toFixed(2),
      withJson.toFixed(1),
      (bestAll[label] / withJson).toFixed(2),
    ]);
  }
  out.push(...renderTable(bestRows));
  out.push('');
  out.push('What each message calls (counted on the WebAssembly exports while one message passed):');
  for (const [label, c] of Object.entries(micro.counts)) out.push(`  ${label}: ${describeCounts(c)}`);
  out.push('');
  out.push('Seal and open apart (the other half untimed), beside the inner JSON written (seal) and read (open):');
  const splitRows = [['half', 'v2 µs', 'of it: JSON µs', 'v2 without JSON µs']];
  for (const [k, j] of [
    ['later CALL seal', 'inner JSON write'],
    ['later CALL open (INVOCATION)', 'inner JSON read'],
    ['YIELD seal', 'inner JSON write'],
    ['YIELD open (RESULT)', 'inner JSON read'],
  ]) {
    splitRows.push([k, med(k).toFixed(1), med(j).toFixed(1), median(perRound((p) => p[k] - p[j])).toFixed(1)]);
  }
  out.push(...renderTable(splitRows));
  out.push('');
  const primRows = [['primitive (alone)', 'µs', 'spread']];
  for (const k of [...Object.keys(micro.primitives), JSON_CASE]) {
    const xs = us.get(k);
    primRows.push([k, med(k).toFixed(2), `±${(((Math.max(...xs) - Math.min(...xs)) / 2 / med(k)) * 100).toFixed(0)}%`]);
  }
  out.push(...renderTable(primRows));
  out.push(
    `(sizes: plaintext ${micro.sizes.plaintext} B; AEAD AD ${micro.sizes.publish.aad} B, ${micro.sizes.first.aad} B with the wrap;` +
      ` signed input ${micro.sizes.publish.sig} B, ${micro.sizes.first.sig} B with the wrap)`,
  );
  out.push('');
  out.push('## 2. events a subscriber opens, library only (sealed ahead, opened one at a time)');
  out.push('');
  const evRows = [['case', 'µs / event', 'events/s']];
  for (const k of Object.keys(micro.events)) evRows.push([k, med(k).toFixed(1), Math.round(1e6 / med(k)).toString()]);
  const verify = 'verify alone, PUBLISH sizes';
  evRows.push([`(${verify}: its bound)`, med(verify).toFixed(1), Math.round(1e6 / med(verify)).toString()]);
  out.push(...renderTable(evRows));
  return { lines: out, report };
}
