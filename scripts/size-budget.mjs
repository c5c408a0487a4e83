#!/usr/bin/env node
// Size budgets of the browser builds, checked in CI (`npm run size`, part of `npm test`).
// Prints a table and exits 1 when a budget is exceeded. Sizes are gzip -9, in KB of 1024 bytes.
//
//   1. wampbox.iife.min.js (client, three serializers, passthrough; no libsodium)   <= 25 KB
//   2. an application that imports only `connect` and `json` from @wampbox/wamp-client, bundled
//      and tree-shaken by esbuild for the browser (the package's `browser` condition, i.e. the
//      published dist/esm), minified                                               <= 8 KB
//   3. wampbox-cryptobox.iife.min.js <= libsodium's own size + 15 KB, where libsodium's own size is
//      libsodium-wrappers alone (libsodium.js as pages load it: the core module and its wrappers),
//      bundled by the same esbuild settings. The bundle itself carries libsodium's core module and
//      wampbox's own bindings instead of the wrappers; the table also shows the core module alone
//      and wampbox's share of the bundle (the bundle minus that core module).
//
// Besides these budgets, each of the three has a ceiling: its size when the core was re-laid into
// layer folders (commit e66dd84, after the input checks landed), so that restructuring never grows
// what users download. A size over its ceiling fails like a size over its budget (IDs
// iife-growth, json-only-app-growth, cryptobox-iife-growth for --known-over).
//
// Needs `npm run build` (for 2) and `npm run bundle` (for 1 and 3) first.
// Options: --json (machine-readable output), --report-only (print, never fail),
// --known-over ID (a budget known to be missed: reported, not failing; IDs: iife, json-only-app,
// cryptobox-iife; repeatable). `npm test` passes --known-over json-only-app, so the other two
// budgets, which are met, fail the tests when a change breaks them.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { OUT_DIR, ROOT, TARGET, browserBuildOptions } from './bundle.mjs';

const KB = 1024;
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) => brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / KB).toFixed(1);

function measureBytes(name, bytes, extra = {}) {
  return { name, raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes), ...extra };
}

function measureFile(name, file) {
  if (!existsSync(file)) throw new Error(`${relative(ROOT, file)} is missing: run \`npm run bundle\` first`);
  return measureBytes(name, readFileSync(file));
}

/** An application importing `connect` and `json` only, as a user's esbuild would bundle it. */
async function jsonOnlyApp() {
  if (!existsSync(join(ROOT, 'packages', 'client', 'dist', 'esm', 'browser.js'))) {
    throw new Error('packages/client/dist/esm is missing: run `npm run build` first');
  }
  const contents = [
    "import { connect, json } from '@wampbox/wamp-client';",
    "connect({ url: 'wss://example.com/ws', realm: 'realm1', serializers: [json()] })",
    "  .then((session) => session.call('com.example.add', [2, 3]))",
    '  .then((result) => console.log(result.args[0]));',
  ].join('\n');
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: TARGET,
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Resolve @wampbox/* the way an application does (node_modules, export conditions), not
    // through the repository's tsconfig paths.
    tsconfigRaw: '{}',
    outfile: join(OUT_DIR, 'app.js'),
  });
  const output = Object.values(result.metafile.outputs)[0];
  const top = Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 6)
    .map(([k, v]) => `${k.replace(/^.*node_modules\//, '').replace(/^packages\//, '')} ${kb(v.bytesInOutput)}`);
  return measureBytes('JSON-only `connect` (esbuild, tree-shaken)', result.outputFiles[0].contents, { top });
}

/** A package on its own (`import x from pkg`), bundled the way the cryptobox bundle includes it. */
async function bundledAlone(name, pkg) {
  const result = await esbuild.build(
    browserBuildOptions({
      stdin: {
        contents: `import lib from '${pkg}'; export default lib;`,
        resolveDir: ROOT,
        sourcefile: 'alone.js',
        loader: 'js',
      },
      format: 'iife',
      globalName: 'lib',
      write: false,
      outfile: join(OUT_DIR, 'alone.js'),
    }),
  );
  return measureBytes(name, result.outputFiles[0].contents);
}

/** wampy's published browser bundles, when wampy is installed (a dev dependency, for comparison). */
function wampyReference() {
  const dir = join(ROOT, 'node_modules', 'wampy', 'dist', 'browser');
  const rows = [];
  for (const [file, label] of [
    ['wampy.min.js', 'wampy.min.js (JSON only, reference)'],
    ['wampy-all.min.js', 'wampy-all.min.js (reference)'],
  ]) {
    if (existsSync(join(dir, file))) rows.push(measureBytes(label, readFileSync(join(dir, file))));
  }
  return rows;
}

export async function measure() {
  const lite = measureFile('wampbox.iife.min.js', join(OUT_DIR, 'wampbox.iife.min.js'));
  const liteEsm = measureFile('wampbox.esm.min.js', join(OUT_DIR, 'wampbox.esm.min.js'));
  const full = measureFile('wampbox-cryptobox.iife.min.js', join(OUT_DIR, 'wampbox-cryptobox.iife.min.js'));
  const fullEsm = measureFile('wampbox-cryptobox.esm.min.js', join(OUT_DIR, 'wampbox-cryptobox.esm.min.js'));
  const app = await jsonOnlyApp();
  // libsodium.js as pages load it (core module and wrappers), and the core module the bundle carries
  const sodium = await bundledAlone('libsodium-wrappers alone (reference)', 'libsodium-wrappers');
  const core = await bundledAlone('libsodium core module alone (in the bundle)', 'libsodium');
  lite.budget = 25 * KB;
  lite.id = 'iife';
  app.budget = 8 * KB;
  app.id = 'json-only-app';
  full.budget = sodium.gzip + 15 * KB;
  full.id = 'cryptobox-iife';
  full.budgetNote = `libsodium ${kb(sodium.gzip)} + 15`;
  full.share = full.gzip - core.gzip;
  // the ceilings, in bytes of gzip -9 (see the header)
  lite.ceiling = 24338;
  app.ceiling = 15837;
  full.ceiling = 165125;
  const rows = [lite, liteEsm, app, full, fullEsm, sodium, core, ...wampyReference()];
  rows.push({
    name: 'Autobahn|JS browser bundle (reference, quoted)',
    raw: undefined,
    gzip: 108 * KB,
    brotli: undefined,
    quoted: true,
  });
  return rows;
}

function table(rows) {
  const head = ['bundle', 'min', 'gzip', 'brotli', 'budget (gzip)', 'status', 'ceiling', 'growth'];
  const body = rows.map((r) => [
    r.name,
    r.raw === undefined ? '' : kb(r.raw),
    kb(r.gzip),
    r.brotli === undefined ? '' : kb(r.brotli),
    r.budget === undefined ? '' : `${kb(r.budget)}${r.budgetNote ? ` (${r.budgetNote})` : ''}`,
    r.budget === undefined ? '' : r.gzip <= r.budget ? 'ok' : `OVER by ${kb(r.gzip - r.budget)}`,
    r.ceiling === undefined ? '' : kb(r.ceiling),
    r.ceiling === undefined ? '' : r.gzip <= r.ceiling ? 'ok' : `GREW by ${kb(r.gzip - r.ceiling)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const rows = await measure();
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(rows, null, 2));
    } else {
      console.log('Browser bundle sizes (KB = 1024 bytes; gzip -9, brotli -11):\n');
      console.log(table(rows));
      const app = rows.find((r) => r.top);
      if (app) console.log(`\nlargest modules of the JSON-only app (minified KB): ${app.top.join(', ')}`);
      const full = rows.find((r) => r.share !== undefined);
      if (full)
        console.log(
          `wampbox's share of ${full.name} (the bundle minus libsodium's core module): ${kb(full.share)} KB gzip`,
        );
    }
    const knownOver = process.argv.flatMap((a, i) => (a === '--known-over' ? [process.argv[i + 1]] : []));
    const describeOver = (list) => list.map((r) => `${r.name} ${kb(r.gzip)} KB > ${kb(r.limit)} KB`).join('; ');
    // every budget and every ceiling is one check
    const checks = rows.flatMap((r) => [
      ...(r.budget === undefined ? [] : [{ id: r.id, name: r.name, gzip: r.gzip, limit: r.budget }]),
      ...(r.ceiling === undefined
        ? []
        : [{ id: `${r.id}-growth`, name: `${r.name} (ceiling)`, gzip: r.gzip, limit: r.ceiling }]),
    ]);
    const allOver = checks.filter((r) => r.gzip > r.limit);
    const known = allOver.filter((r) => knownOver.includes(r.id));
    if (known.length > 0)
      console.log(`
known to be over budget (--known-over, not failing): ${describeOver(known)}`);
    const over = allOver.filter((r) => !knownOver.includes(r.id));
    if (over.length > 0) {
      const msg = `size budget exceeded: ${describeOver(over)}`;
      if (process.argv.includes('--report-only')) console.log(`\n${msg} (--report-only: not failing)`);
      else {
        console.error(`\n${msg}`);
        process.exitCode = 1;
      }
    } else if (known.length === 0) {
      console.log('\nall size budgets met');
    } else {
      console.log('every other size budget met');
    }
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
