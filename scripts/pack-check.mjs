#!/usr/bin/env node
// Packaging check (`npm run pack:check`, part of `npm test`): what users get from the registry works.
//
//  1. `npm pack` each package (from the built dist: run `npm run build && npm run bundle` first) and
//     check that every file its `exports`, `main`, `types`, `bin`, `unpkg` and `jsdelivr` name is in
//     the tarball;
//  2. install the tarballs into a fresh temporary project (dependencies from the npm cache:
//     --prefer-offline; no install scripts);
//  3. on Node 20 (this Node): `import` every ES module entry and `require` every CommonJS entry of
//     every package; run the `wampbox` bin; check that @wampbox/cryptobox runs on sodium-native
//     (its optional dependency, installed with it);
//     bundle two small browser applications from the installed packages with esbuild: the
//     `browser` condition resolves, nothing Node-only gets in, and libsodium only where cryptobox is used;
//  4. compile test/packaging/*.mts|*.cts there with TypeScript (nodenext, strict, skipLibCheck off)
//     against the published declarations, then run the ESM and CommonJS programs against a
//     Crossbar.io router (RPC and a cryptobox-encrypted call);
//  5. on Node 22, installed from the npm registry as the `node-<platform>-<arch>@22` package (the
//     binary the `node@22` package installs) into ~/.cache/wampbox: the same entry checks, and
//     test/packaging/browser.mts, i.e. the browser entry and the ESM CDN bundles over Node 22's
//     global WebSocket. When Node 22 cannot be installed, this step is reported as not run.
//
// The router: the one described by $WAMPBOX_ROUTER_INFO when set, else one started here (in
// parallel with packing and installing). Options: --keep (keep the temporary project),
// --no-node22 (skip step 5).
import { execFile as execFileCb, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['core', 'cryptobox', 'contracts', 'client'];
const FIXTURES = join(ROOT, 'test', 'packaging');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const args = new Set(process.argv.slice(2));

const results = [];
function record(step, ok, detail = '') {
  results.push({ step, ok, detail });
  console.log(`${ok === true ? 'ok  ' : ok === false ? 'FAIL' : 'skip'} ${step}${detail ? `: ${detail}` : ''}`);
}

async function run(cmd, argv, options = {}) {
  try {
    const { stdout, stderr } = await execFile(cmd, argv, { maxBuffer: 64 * 1024 * 1024, timeout: 300_000, ...options });
    return { ok: true, stdout, stderr };
  } catch (err) {
    return { ok: false, stdout: err.stdout ?? '', stderr: err.stderr ?? '', message: err.message };
  }
}

function explain(r) {
  return `${(r.stderr || r.stdout || r.message || '').trim().split('\n').slice(-15).join('\n')}`;
}

/** Every file a package.json names (exports targets, main, module, types, bin, unpkg, jsdelivr). */
function namedFiles(pkg) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') out.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  for (const k of ['main', 'module', 'types', 'unpkg', 'jsdelivr']) if (typeof pkg[k] === 'string') walk(pkg[k]);
  walk(pkg.bin);
  return [...out];
}

/** The entries of a package: subpath → { esm, cjs } (whether `import` / `require` resolve). */
function entriesOf(pkg) {
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === './package.json') continue;
    const spec = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const text = JSON.stringify(target);
    if (typeof target === 'string' && /\.iife(\.min)?\.js$/.test(target)) {
      entries.push({ spec, script: true });
      continue;
    }
    entries.push({ spec, esm: true, cjs: text.includes('"require"') });
  }
  return entries;
}

/** Scripts that import / require every entry and print what they found. */
function entryCheckers(packages) {
  const all = packages.flatMap((p) => entriesOf(p));
  const esm = all.filter((e) => e.esm);
  const cjs = all.filter((e) => e.cjs);
  const scripts = all.filter((e) => e.script);
  const mjs = [
    'const out = {};',
    ...esm.map((e) => `out[${JSON.stringify(e.spec)}] = Object.keys(await import(${JSON.stringify(e.spec)})).length;`),
    ...scripts.map(
      (e) =>
        `out[${JSON.stringify(e.spec)}] = (await import('node:fs')).statSync(new URL(import.meta.resolve(${JSON.stringify(e.spec)}))).size > 0 ? 1 : 0;`,
    ),
    'console.log(JSON.stringify(out));',
  ].join('\n');
  const cjsSrc = [
    'const out = {};',
    ...cjs.map((e) => `out[${JSON.stringify(e.spec)}] = Object.keys(require(${JSON.stringify(e.spec)})).length;`),
    'console.log(JSON.stringify(out));',
  ].join('\n');
  return { mjs, cjs: cjsSrc, esmCount: esm.length + scripts.length, cjsCount: cjs.length };
}

async function checkEntries(nodeBin, label, project, checkers) {
  for (const [kind, file, count] of [
    ['import', 'check-entries.mjs', checkers.esmCount],
    ['require', 'check-entries.cjs', checkers.cjsCount],
  ]) {
    const r = await run(nodeBin, [file], { cwd: project });
    if (!r.ok) {
      record(`${label}: ${kind} every entry`, false, explain(r));
      continue;
    }
    const found = JSON.parse(r.stdout.trim().split('\n').pop());
    const empty = Object.entries(found).filter(([, n]) => !(n > 0));
    const ok = Object.keys(found).length === count && empty.length === 0;
    record(
      `${label}: ${kind} every entry`,
      ok,
      ok ? `${count} entries: ${Object.keys(found).join(', ')}` : `empty or missing: ${JSON.stringify(found)}`,
    );
  }
}

/**
 * cryptobox's Node entry runs on sodium-native, the optional dependency npm installed with the
 * tarballs (a prebuilt addon: no install script), through `import` and `require` alike.
 */
async function checkSodiumBinding(nodeBin, label, project) {
  const esm = "import { sodiumBackend } from '@wampbox/cryptobox'; console.log(JSON.stringify(await sodiumBackend()));";
  const cjs = "require('@wampbox/cryptobox').sodiumBackend().then((i) => console.log(JSON.stringify(i)));";
  const env = { ...process.env, WAMPBOX_SODIUM_BACKEND: '' };
  const found = [];
  for (const [kind, argv] of [
    ['import', ['--input-type=module', '-e', esm]],
    ['require', ['-e', cjs]],
  ]) {
    const r = await run(nodeBin, argv, { cwd: project, env });
    found.push(r.ok ? `${kind}: ${r.stdout.trim()}` : `${kind}: ${explain(r)}`);
  }
  const ok = found.every((f) => f.includes('"binding":"native"'));
  record(`${label}: @wampbox/cryptobox runs on sodium-native`, ok, found.join('; '));
}

async function runProgram(nodeBin, label, project, file, router) {
  const r = await run(nodeBin, [file], {
    cwd: project,
    env: { ...process.env, WAMPBOX_URL: router.wsUrl, WAMPBOX_REALM: router.realm },
    timeout: 60_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let parsed;
  try {
    parsed = JSON.parse(last);
  } catch {
    parsed = undefined;
  }
  record(`${label}: run ${file} against Crossbar`, r.ok && parsed?.ok === true, r.ok ? last : explain(r));
}

/** esbuild, as an application's bundler, on the installed packages (browser platform). */
async function checkBrowserTreeShaking(project) {
  const esbuild = await import('esbuild');
  const cases = [
    [
      'connect + json',
      "import { connect, json } from '@wampbox/wamp-client'; connect({ url: 'wss://x/ws', realm: 'r', serializers: [json()] });",
      false,
    ],
    [
      'connect + cryptobox',
      "import { connect, cryptobox, KeyRing } from '@wampbox/wamp-client'; connect({ url: 'wss://x/ws', realm: 'r', codec: cryptobox(new KeyRing()) });",
      true,
    ],
  ];
  for (const [label, contents, wantsSodium] of cases) {
    let detail;
    let ok = false;
    try {
      const r = await esbuild.build({
        stdin: { contents, resolveDir: project, loader: 'js' },
        absWorkingDir: project,
        bundle: true,
        platform: 'browser',
        format: 'esm',
        minify: true,
        write: false,
        metafile: true,
        logLevel: 'silent',
        tsconfigRaw: '{}',
        outfile: join(project, 'app.js'),
      });
      const inputs = Object.entries(Object.values(r.metafile.outputs)[0].inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([k]) => k);
      const nodeOnly = inputs.filter((i) => /node_modules\/ws\//.test(i) || i.startsWith('node:'));
      const sodium = inputs.some((i) => /node_modules\/libsodium/.test(i));
      const entry = inputs.find((i) => /@wampbox\/wamp-client\//.test(i));
      ok = nodeOnly.length === 0 && sodium === wantsSodium && /dist\/esm\/browser\.js$/.test(entry ?? '');
      const { gzipSync } = await import('node:zlib');
      detail = `${(gzipSync(r.outputFiles[0].contents, { level: 9 }).length / 1024).toFixed(1)} KiB gzip, entry ${entry}, libsodium ${sodium ? 'included' : 'left out'}${nodeOnly.length ? `, Node-only: ${nodeOnly.join(', ')}` : ''}`;
      if (sodium !== wantsSodium)
        detail += wantsSodium
          ? ' (expected libsodium)'
          : ' (libsodium should be tree-shaken: is "sideEffects": false visible from dist/esm?)';
    } catch (err) {
      detail = (err.errors ?? []).map((e) => e.text).join('; ') || err.message;
    }
    record(`esbuild, browser platform, on the installed packages: ${label}`, ok, detail);
  }
}

/** Node 22 from the npm registry, cached in ~/.cache/wampbox/node-22. Resolves with its path or a reason. */
async function ensureNode22() {
  const pkgName = `node-${process.platform}-${process.arch}`;
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wampbox', 'node-22');
  const bin = join(dir, 'node_modules', pkgName, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  const works = () => {
    const r = spawnSync(bin, ['-e', 'process.stdout.write(process.version)'], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.startsWith('v22.') ? r.stdout : undefined;
  };
  if (existsSync(bin) && works()) return { bin, version: works() };
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const r = await run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-save', `${pkgName}@22`], {
    cwd: dir,
  });
  if (!r.ok) return { reason: `npm install ${pkgName}@22 failed: ${explain(r)}` };
  const version = existsSync(bin) && works();
  return version ? { bin, version } : { reason: `${pkgName}@22 installed but ${bin} does not run` };
}

async function startRouterForCheck() {
  const preset = process.env.WAMPBOX_ROUTER_INFO;
  if (preset && existsSync(preset)) {
    const info = JSON.parse(readFileSync(preset, 'utf8'));
    return { info, stop: async () => {} };
  }
  const { startRouter } = await import('./router/router.mjs');
  const handle = await startRouter();
  return { info: handle.info(), stop: () => handle.stop() };
}

async function main() {
  const started = Date.now();
  for (const name of PACKAGES) {
    if (
      !existsSync(join(ROOT, 'packages', name, 'dist', 'esm')) ||
      !existsSync(join(ROOT, 'packages', name, 'dist', 'cjs'))
    ) {
      throw new Error(`packages/${name}/dist is missing: run \`npm run build\` (and \`npm run bundle\`) first`);
    }
  }
  if (!existsSync(join(ROOT, 'packages', 'client', 'dist', 'browser', 'wampbox.iife.min.js'))) {
    throw new Error('packages/client/dist/browser is missing: run `npm run bundle` first');
  }

  const routerPromise = startRouterForCheck();
  routerPromise.catch(() => {});
  const node22Promise = args.has('--no-node22') ? Promise.resolve({ reason: 'skipped (--no-node22)' }) : ensureNode22();

  const tmp = mkdtempSync(join(tmpdir(), 'wampbox-pack-'));
  const project = join(tmp, 'project');
  mkdirSync(project);
  let router;
  try {
    // 1. pack
    const pkgs = [];
    const tarballs = {};
    for (const name of PACKAGES) {
      const dir = join(ROOT, 'packages', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const r = await run(NPM, ['pack', '--json', '--pack-destination', tmp], { cwd: dir });
      if (!r.ok) throw new Error(`npm pack ${pkg.name} failed: ${explain(r)}`);
      const info = JSON.parse(r.stdout)[0];
      const files = new Set(info.files.map((f) => f.path));
      const missing = namedFiles(pkg).filter((f) => !files.has(f));
      const stray = [...files].filter((f) => /(^|\/)(test|tests|__tests__)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f));
      record(
        `pack ${pkg.name}`,
        missing.length === 0 && stray.length === 0,
        missing.length || stray.length
          ? `${missing.length ? `missing: ${missing.join(', ')}` : ''}${stray.length ? ` test files: ${stray.slice(0, 5).join(', ')}` : ''}`
          : `${info.filename}, ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked`,
      );
      tarballs[pkg.name] = join(tmp, info.filename);
      pkgs.push(pkg);
    }

    // 2. install into a fresh project
    const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const lockedVersion = (name) => lock.packages?.[`node_modules/${name}`]?.version;
    const devDependencies = {};
    for (const name of ['@types/node', '@types/ws'])
      devDependencies[name] = lockedVersion(name) ?? rootPkg.devDependencies[name];
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify(
        {
          name: 'wampbox-pack-check',
          private: true,
          version: '0.0.0',
          dependencies: Object.fromEntries(
            Object.entries(tarballs).map(([n, f]) => [n, `file:${relative(project, f)}`]),
          ),
          devDependencies,
          overrides: rootPkg.overrides ?? {},
        },
        null,
        2,
      )}\n`,
    );
    const t0 = Date.now();
    const inst = await run(
      NPM,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'],
      { cwd: project, timeout: 600_000 },
    );
    record(
      'install the tarballs into a fresh project',
      inst.ok,
      inst.ok ? `${((Date.now() - t0) / 1000).toFixed(1)} s` : explain(inst),
    );
    if (!inst.ok) return;

    // 3. entries on Node 20, the bin
    const checkers = entryCheckers(pkgs);
    writeFileSync(join(project, 'check-entries.mjs'), checkers.mjs);
    writeFileSync(join(project, 'check-entries.cjs'), checkers.cjs);
    const node20 = `Node ${process.version}`;
    await checkEntries(process.execPath, node20, project, checkers);
    const bin = await run(process.execPath, [join(project, 'node_modules', '.bin', 'wampbox'), 'keygen', '--json'], {
      cwd: project,
    });
    let keygenOk = false;
    try {
      keygenOk = bin.ok && typeof JSON.parse(bin.stdout).publicKeyBase64 === 'string';
    } catch {
      keygenOk = false;
    }
    record(`${node20}: the wampbox bin (wampbox keygen --json)`, keygenOk, keygenOk ? '' : explain(bin));
    await checkSodiumBinding(process.execPath, node20, project);

    // 3b. a browser application bundled from the installed packages: the `browser` condition
    // resolves, nothing Node-only gets in, and one that does not use cryptobox gets no libsodium.
    await checkBrowserTreeShaking(project);

    // 3c. the published declarations name no internal member (@internal is stripped)
    const leaked = [];
    const walkDts = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walkDts(p);
        else if (e.name.endsWith('.d.ts')) {
          const text = readFileSync(p, 'utf8');
          for (const m of text.matchAll(/@internal|\b(_yield|_forget|_renew|renew)\(|\bdeliver: EventHandler/g))
            leaked.push(`${relative(project, p)}: ${m[0]}`);
        }
      }
    };
    for (const name of ['core', 'cryptobox', 'contracts', 'wamp-client'])
      walkDts(join(project, 'node_modules', '@wampbox', name, 'dist'));
    record('published declarations carry no @internal member', leaked.length === 0, leaked.slice(0, 5).join('; '));

    // 4. TypeScript against the published declarations
    for (const f of readdirSync(FIXTURES)) if (/\.(mts|cts|json)$/.test(f)) cpSync(join(FIXTURES, f), join(project, f));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const tscRun = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project });
    const tsVersion = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8'),
    ).version;
    record(
      `TypeScript ${tsVersion}: compile test/packaging/*.mts, *.cts (nodenext, strict, skipLibCheck off)`,
      tscRun.ok,
      tscRun.ok ? '' : explain(tscRun),
    );
    if (!tscRun.ok) return;

    router = await routerPromise;
    await runProgram(process.execPath, node20, project, 'out/app.mjs', router.info);
    await runProgram(process.execPath, node20, project, 'out/app.cjs', router.info);

    // 5. Node 22
    const n22 = await node22Promise;
    if (n22.bin) {
      const label = `Node ${n22.version}`;
      await checkEntries(n22.bin, label, project, checkers);
      await runProgram(n22.bin, label, project, 'out/app.mjs', router.info);
      await runProgram(n22.bin, label, project, 'out/app.cjs', router.info);
      await runProgram(n22.bin, label, project, 'out/browser.mjs', router.info);
    } else {
      record('Node 22', undefined, `not tested: ${n22.reason}`);
    }
  } finally {
    if (!router) router = await routerPromise.catch(() => undefined);
    await router?.stop();
    if (args.has('--keep')) console.log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
    const failed = results.filter((r) => r.ok === false);
    console.log(`\npack-check took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`pack-check: ${results.filter((r) => r.ok === true).length} passed, ${failed.length} failed`);
    if (failed.length > 0 || results.length === 0) process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`pack-check: ${err.message}`);
  process.exitCode = 1;
});
