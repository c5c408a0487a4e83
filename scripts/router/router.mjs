#!/usr/bin/env node
/**
 * Crossbar.io test router: venv management, start/stop, and a CLI.
 *
 *   node scripts/router/router.mjs install              create or repair the router venv
 *   node scripts/router/router.mjs start [--loglevel L] [--control]
 *                                                        start a router, print its URLs as JSON
 *   node scripts/router/router.mjs check                 validate config.json with `crossbar check`
 *   node scripts/router/router.mjs start-linked [--loglevel L] [--control]
 *                                                        start two routers joined by a router link,
 *                                                        print both as JSON
 *   node scripts/router/router.mjs check-linked          validate the linked pair's configurations
 *   node scripts/router/router.mjs python SCRIPT [ARGS]  run a script with the venv's python
 *
 * Only Node built-ins are used. Progress goes to stderr; stdout carries JSON only.
 * See docs/testing.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REQUIREMENTS_FILE = path.join(HERE, 'requirements.txt');
export const CONFIG_FILE = path.join(HERE, 'config.json');

/** uv is installed from PyPI at this version into a bootstrap folder (unless WAMPBOX_UV is set). */
const UV_VERSION = '0.13.9';
/** Packages built from source without build isolation, against the venv's pinned numpy. */
const NO_BUILD_ISOLATION = ['bjdata'];
/** Installed before the rest, so that the packages above can be built against them. */
const BUILD_FIRST = ['numpy', 'setuptools'];
const MARKER = '.wampbox-venv-ok';
const DEFAULT_READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

function log(msg) {
  process.stderr.write(`[router] ${msg}\n`);
}

/** The cache folder of the test routers: `$XDG_CACHE_HOME/wampbox`, by default `~/.cache/wampbox`. */
export function cacheRoot() {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.length > 0 ? xdg : path.join(os.homedir(), '.cache'), 'wampbox');
}

function requirementsHash() {
  return createHash('sha256').update(fs.readFileSync(REQUIREMENTS_FILE)).digest('hex').slice(0, 16);
}

/** The venv folder: $WAMPBOX_VENV, or a cache folder named after the hash of requirements.txt. */
export function venvDir() {
  const fromEnv = process.env.WAMPBOX_VENV;
  if (fromEnv && fromEnv.length > 0) return path.resolve(fromEnv);
  return path.join(cacheRoot(), `crossbar-venv-${requirementsHash()}`);
}

/** Path of the venv's python interpreter (the venv may not exist yet: see ensureVenv). */
export function venvPython() {
  return path.join(venvDir(), 'bin', 'python');
}

/** Path of the venv's crossbar executable. */
export function crossbarBin() {
  return path.join(venvDir(), 'bin', 'crossbar');
}

// ---------------------------------------------------------------------------------------------
// venv

function pinnedVersions() {
  const pins = new Map();
  for (const raw of fs.readFileSync(REQUIREMENTS_FILE, 'utf8').split('\n')) {
    const line = raw.trim();
    const m = /^([A-Za-z0-9_.-]+)==([^\s;#]+)/.exec(line);
    if (m) pins.set(m[1].toLowerCase().replace(/_/g, '-'), m[2]);
  }
  return pins;
}

function run(cmd, args, opts = {}) {
  const { env, capture = false, allowFail = false } = opts;
  const res = spawnSync(cmd, args, {
    env: env ?? process.env,
    // progress of child tools goes to stderr, never to stdout
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 2, 2],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) {
    if (allowFail) return res;
    throw new Error(`cannot run ${cmd}: ${res.error.message}`);
  }
  if (res.status !== 0 && !allowFail) {
    const out = capture ? `\n${res.stdout ?? ''}${res.stderr ?? ''}` : '';
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status}${out}`);
  }
  return res;
}

function pythonVersion(py) {
  const res = spawnSync(py, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (res.error || res.status !== 0) return null;
  const [maj, min] = res.stdout.trim().split('.').map(Number);
  return { major: maj, minor: min };
}

/** A Python >= 3.11 to build the venv from: $WAMPBOX_PYTHON, python3.11, python3.12, python3.13, python3. */
function findBasePython() {
  const candidates = [process.env.WAMPBOX_PYTHON, 'python3.11', 'python3.12', 'python3.13', 'python3'].filter(
    (c) => c && c.length > 0,
  );
  for (const c of candidates) {
    const v = pythonVersion(c);
    if (v && (v.major > 3 || (v.major === 3 && v.minor >= 11))) {
      // resolve to the real interpreter path (pyenv shims and the like)
      const res = spawnSync(c, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
      const exe = res.status === 0 ? res.stdout.trim() : c;
      return { exe, version: `${v.major}.${v.minor}` };
    }
  }
  throw new Error('no Python >= 3.11 found (tried ' + candidates.join(', ') + '); install one or set WAMPBOX_PYTHON');
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** uv: $WAMPBOX_UV, or uv==UV_VERSION installed with pip into a bootstrap folder of the cache. */
function ensureUv(basePython) {
  const fromEnv = process.env.WAMPBOX_UV;
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  const target = path.join(cacheRoot(), `uv-${UV_VERSION}`);
  const uv = path.join(target, 'bin', 'uv');
  if (isExecutable(uv) && run(uv, ['--version'], { capture: true, allowFail: true }).status === 0) return uv;
  log(`installing uv ${UV_VERSION} into ${target}`);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  run(basePython, [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--root-user-action=ignore',
    '--quiet',
    '--target',
    tmp,
    `uv==${UV_VERSION}`,
  ]);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(tmp, target);
  if (!isExecutable(uv)) throw new Error(`uv was installed but ${uv} is missing`);
  return uv;
}

/** Quick health check of an existing venv (the full import check runs once, after installing). */
const QUICK_CHECK_SCRIPT = [
  'import importlib.util as u',
  'import nacl.public, pytrie, autobahn, twisted',
  'for m in ("crossbar", "autobahn.wamp.cryptobox", "autobahn.asyncio.wamp"):',
  '    assert u.find_spec(m), m',
].join('\n');
const FULL_CHECK_SCRIPT = [
  'import nacl, pytrie, bjdata',
  'from autobahn.wamp.cryptobox import KeyRing, Key, HAS_CRYPTOBOX',
  'assert HAS_CRYPTOBOX',
  'assert bjdata.EXTENSION_ENABLED, "bjdata C extension not loadable"',
  'import crossbar',
  'print(crossbar.__version__)',
].join('\n');

function venvLooksHealthy(dir) {
  const py = path.join(dir, 'bin', 'python');
  const cb = path.join(dir, 'bin', 'crossbar');
  let marker;
  try {
    marker = fs.readFileSync(path.join(dir, MARKER), 'utf8').trim();
  } catch {
    return false;
  }
  if (marker !== requirementsHash()) return false;
  if (!isExecutable(py) || !isExecutable(cb)) return false;
  const res = spawnSync(py, ['-c', QUICK_CHECK_SCRIPT], { stdio: 'ignore' });
  return !res.error && res.status === 0;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** A lock folder beside the venv, so two concurrent installs do not clobber each other. */
export async function withLock(lockDir, fn, timeoutMs = 30 * 60_000) {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const start = Date.now();
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* being created or removed right now */
      }
      let ageMs = 0;
      try {
        ageMs = Date.now() - fs.statSync(lockDir).mtimeMs;
      } catch {
        continue;
      }
      if ((Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) || (Number.isNaN(owner) && ageMs > 60_000)) {
        log(`removing stale lock ${lockDir}`);
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for lock ${lockDir}`);
      if (!announced) {
        log(`waiting for another install to finish (lock ${lockDir}, pid ${owner})`);
        announced = true;
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Make sure the router venv exists and works; (re)create it when missing or broken.
 * Returns the venv folder. Safe to call concurrently from several processes.
 */
export async function ensureVenv() {
  const dir = venvDir();
  if (venvLooksHealthy(dir)) return dir;
  return withLock(`${dir}.lock`, async () => {
    if (venvLooksHealthy(dir)) return dir;
    const t0 = Date.now();
    const base = findBasePython();
    log(`creating Crossbar venv at ${dir} (Python ${base.version}: ${base.exe})`);
    const uv = ensureUv(base.exe);
    const env = { ...process.env, UV_PYTHON_DOWNLOADS: 'never' };
    delete env.VIRTUAL_ENV;
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, 'pyvenv.cfg'))) {
      throw new Error(`refusing to replace ${dir}: it exists and is not a Python venv (check WAMPBOX_VENV)`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    run(uv, ['venv', '--quiet', '--python', base.exe, '--python-preference', 'only-system', dir], { env });
    const py = path.join(dir, 'bin', 'python');
    const pins = pinnedVersions();
    const first = BUILD_FIRST.filter((n) => pins.has(n)).map((n) => `${n}==${pins.get(n)}`);
    if (first.length > 0) {
      log(`installing ${first.join(' ')}`);
      run(uv, ['pip', 'install', '--python', py, ...first], { env });
    }
    log(`installing ${pins.size} pinned packages from ${path.relative(process.cwd(), REQUIREMENTS_FILE)}`);
    const noIso = NO_BUILD_ISOLATION.flatMap((n) => ['--no-build-isolation-package', n]);
    // requirements.txt is a complete frozen closure: --no-deps skips re-resolving it, and
    // `uv pip check` proves afterwards that nothing is missing or inconsistent
    run(uv, ['pip', 'install', '--python', py, '--no-deps', ...noIso, '-r', REQUIREMENTS_FILE], { env });
    run(uv, ['pip', 'check', '--python', py], { env });
    const check = run(py, ['-c', FULL_CHECK_SCRIPT], {
      capture: true,
      allowFail: true,
    });
    if (check.status !== 0) {
      throw new Error(`the new venv at ${dir} does not work:\n${check.stdout ?? ''}${check.stderr ?? ''}`);
    }
    fs.writeFileSync(path.join(dir, MARKER), `${requirementsHash()}\n`);
    log(`venv ready (crossbar ${check.stdout.trim()}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return dir;
  });
}

// ---------------------------------------------------------------------------------------------
// router

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function connects(opts, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect(opts);
    const done = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The last `lines` lines of a log file, or "(no log)". */
export function tailFile(file, lines = 40) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/** On Linux the router gets SIGTERM when the process that started it dies (no orphan routers). */
export const PDEATHSIG_LAUNCHER = [
  'import ctypes, os, signal, sys',
  'try:',
  '    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)',
  'except Exception:',
  '    pass',
  'os.execv(sys.argv[1], sys.argv[1:])',
].join('\n');

/**
 * Start a Crossbar.io router on free loopback ports.
 *
 * @param {object} [options]
 * @param {string} [options.dir] folder for the node (cbdir, log, Unix socket); a new temp folder
 *   (removed by stop()) when omitted
 * @param {string} [options.loglevel] crossbar log level (default "info"; "trace" logs every WAMP message)
 * @param {number} [options.timeoutMs] how long to wait for the transports (default 90000 or
 *   $WAMPBOX_ROUTER_TIMEOUT_MS)
 * @param {object} [options.config] a node configuration to use instead of config.json (it must
 *   have the same three transports: the readiness check waits for them)
 * @returns {Promise<RouterHandle>}
 */
export async function startRouter(options = {}) {
  await ensureVenv();
  const ownDir = !options.dir;
  const base = options.dir ? path.resolve(options.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'wampbox-router-'));
  fs.mkdirSync(base, { recursive: true });
  const cbdir = path.join(base, 'node');
  fs.mkdirSync(cbdir, { recursive: true });
  if (options.config) fs.writeFileSync(path.join(cbdir, 'config.json'), `${JSON.stringify(options.config, null, 2)}\n`);
  else fs.copyFileSync(CONFIG_FILE, path.join(cbdir, 'config.json'));
  const logFile = path.join(base, 'crossbar.log');
  let rsUnixPath = path.join(base, 'rs.sock');
  if (Buffer.byteLength(rsUnixPath) > 100) {
    // Unix socket paths are limited to about 104 bytes
    rsUnixPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wbrs-')), 'rs.sock');
  }
  let wsPort = 0;
  let rsPort = 0;
  const pickPorts = async () => {
    wsPort = await freePort();
    rsPort = await freePort();
    while (rsPort === wsPort) rsPort = await freePort();
  };
  await pickPorts();
  const loglevel = options.loglevel ?? 'info';
  const envTimeout = Number(process.env.WAMPBOX_ROUTER_TIMEOUT_MS);
  const timeoutMs = options.timeoutMs ?? (envTimeout > 0 ? envTimeout : DEFAULT_READY_TIMEOUT_MS);

  let child = null;
  let exited = null; // Promise<{code, signal}> of the current child
  let exitInfo = null;

  const spawnNode = async () => {
    fs.rmSync(path.join(cbdir, 'node.pid'), { force: true });
    const fd = fs.openSync(logFile, 'a');
    const args = ['start', '--cbdir', cbdir, '--color', 'false', '--loglevel', loglevel];
    const env = {
      ...process.env,
      WAMPBOX_WS_PORT: String(wsPort),
      WAMPBOX_RS_PORT: String(rsPort),
      WAMPBOX_RS_UNIX: rsUnixPath,
      PYTHONUNBUFFERED: '1',
    };
    const [cmd, argv] =
      process.platform === 'linux'
        ? [venvPython(), ['-c', PDEATHSIG_LAUNCHER, crossbarBin(), ...args]]
        : [crossbarBin(), args];
    const t0 = Date.now();
    child = spawn(cmd, argv, { cwd: base, env, detached: true, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    exitInfo = null;
    const me = child;
    exited = new Promise((resolve) => {
      me.once('exit', (code, signal) => {
        if (me === child) exitInfo = { code, signal };
        resolve({ code, signal });
      });
      me.once('error', (err) => {
        if (me === child) exitInfo = { code: null, signal: null, error: err };
        resolve({ code: null, signal: null });
      });
    });

    const deadline = t0 + timeoutMs;
    for (;;) {
      if (exitInfo) {
        const why = exitInfo.error ? exitInfo.error.message : `exit code ${exitInfo.code}, signal ${exitInfo.signal}`;
        throw new Error(
          `Crossbar exited before it was ready (${why}); last lines of ${logFile}:\n${tailFile(logFile)}`,
        );
      }
      const ready =
        (await connects({ host: '127.0.0.1', port: wsPort })) &&
        (await connects({ host: '127.0.0.1', port: rsPort })) &&
        (await connects({ path: rsUnixPath }));
      if (ready) break;
      if (Date.now() > deadline) {
        killGroup('SIGKILL');
        throw new Error(
          `Crossbar was not ready after ${timeoutMs} ms (ports ${wsPort}, ${rsPort}, ${rsUnixPath}); last lines of ${logFile}:\n${tailFile(logFile)}`,
        );
      }
      await sleep(150);
    }
    log(`Crossbar ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${child.pid}, log ${logFile})`);
  };

  const killGroup = (signal) => {
    if (!child || exitInfo) return;
    try {
      process.kill(-child.pid, signal);
    } catch (e) {
      if (e.code !== 'ESRCH') throw e;
    }
  };

  /** Wait until the process group is gone (the controller and its router worker). */
  const groupGone = async (pgid, ms) => {
    const end = Date.now() + ms;
    for (;;) {
      try {
        process.kill(-pgid, 0);
      } catch {
        return true;
      }
      if (Date.now() > end) return false;
      await sleep(50);
    }
  };

  const terminate = async () => {
    if (!child) return;
    const pgid = child.pid;
    if (!exitInfo) {
      killGroup('SIGTERM');
      let timer;
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve(false), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!stopped) {
        log(`Crossbar did not stop within ${STOP_GRACE_MS / 1000} s, sending SIGKILL`);
        killGroup('SIGKILL');
        await exited;
      }
    }
    if (!(await groupGone(pgid, STOP_GRACE_MS))) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await groupGone(pgid, 2000);
    }
  };

  try {
    // a port picked above may be taken by someone else before Crossbar binds it: then retry
    for (let attempt = 1; ; attempt++) {
      try {
        await spawnNode();
        break;
      } catch (e) {
        const clash = /CannotListenError|Address already in use/.test(tailFile(logFile, 200));
        if (!clash || attempt >= 3) throw e;
        log(`port clash, retrying with other ports (attempt ${attempt + 1})`);
        await terminate().catch(() => {});
        fs.writeFileSync(logFile, '');
        await pickPorts();
      }
    }
  } catch (e) {
    await terminate().catch(() => {});
    // the error carries the end of the log; nothing else in the folder is worth keeping
    if (ownDir) fs.rmSync(base, { recursive: true, force: true });
    if (path.dirname(rsUnixPath) !== base) fs.rmSync(path.dirname(rsUnixPath), { recursive: true, force: true });
    throw e;
  }

  let stopped = false;
  const handle = {
    wsUrl: `ws://127.0.0.1:${wsPort}/ws`,
    rsUrl: `rs://127.0.0.1:${rsPort}`,
    rsUnixPath,
    realm: 'realm1',
    wsPort,
    rsPort,
    get pid() {
      return child ? child.pid : undefined;
    },
    cbdir,
    logFile,
    dir: base,
    /** True while the current Crossbar process has not exited. */
    get running() {
      return !!child && !exitInfo;
    },
    /** SIGTERM to the process group, SIGKILL after 10 s; removes the temp folder it created. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate();
      if (ownDir) fs.rmSync(base, { recursive: true, force: true });
      if (path.dirname(rsUnixPath) !== base) fs.rmSync(path.dirname(rsUnixPath), { recursive: true, force: true });
    },
    /** Kill the whole process group at once (default SIGKILL); resolves when the controller has exited. */
    async kill(signal = 'SIGKILL') {
      if (!child || exitInfo) return;
      const pgid = child.pid;
      killGroup(signal);
      await exited;
      if (signal === 'SIGKILL') await groupGone(pgid, 5000);
    },
    /** Stop (if running) and start again on the same ports, socket path and cbdir. */
    async restart() {
      if (stopped) throw new Error('router was stopped');
      await terminate();
      await spawnNode();
    },
    /** Plain data describing this router (for JSON). */
    info() {
      return {
        wsUrl: handle.wsUrl,
        rsUrl: handle.rsUrl,
        rsUnixPath,
        realm: handle.realm,
        wsPort,
        rsPort,
        pid: handle.pid,
        cbdir,
        logFile,
        venvPython: venvPython(),
      };
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// two linked routers

/** The node configuration template of a linked pair (see linkedNodeConfigA and linkedNodeConfigB). */
export const LINKED_CONFIG_FILE = path.join(HERE, 'linked-config.json');
/** The id of node B's router link to node A, as linked-config.json names it. */
export const LINK_ID = 'link_to_a';
/** The authid with which node B's link joins node A (a cryptosign principal of A's WebSocket transport). */
export const LINK_AUTHID = 'rlink-node-b';
/** Crossbar's node controller logs this once the link is up in both directions (its sessions joined). */
const LINK_STARTED = `router-to-router ${LINK_ID} started on realm`;

function linkedTemplate() {
  const config = JSON.parse(fs.readFileSync(LINKED_CONFIG_FILE, 'utf8'));
  const realm = config.workers[0].realms[0];
  const ws = config.workers[0].transports.find((t) => t.id === 'websocket_main');
  const principal = ws?.auth?.cryptosign?.principals?.[LINK_AUTHID];
  if (!principal) throw new Error(`${LINKED_CONFIG_FILE}: websocket_main has no cryptosign principal ${LINK_AUTHID}`);
  const link = (realm.rlinks ?? []).find((l) => l.id === LINK_ID);
  if (!link) throw new Error(`${LINKED_CONFIG_FILE}: realm ${realm.name} has no rlink ${LINK_ID}`);
  return { config, realm, principal, link };
}

/**
 * Node A's configuration, made from linked-config.json: the realm without `rlinks`; its
 * WebSocket transport also accepts the link's cryptosign principal (`LINK_AUTHID`, role `rlink`)
 * signing with node B's node key. Otherwise as config.json: realm1 with the anonymous role, and
 * the three anonymous transports on $WAMPBOX_WS_PORT, $WAMPBOX_RS_PORT and $WAMPBOX_RS_UNIX.
 *
 * @param {string} nodeBPublicKey node B's Ed25519 node key, hex
 */
export function linkedNodeConfigA(nodeBPublicKey) {
  if (!/^[0-9a-f]{64}$/.test(nodeBPublicKey)) throw new Error(`not an Ed25519 public key in hex: ${nodeBPublicKey}`);
  const { config, realm, principal } = linkedTemplate();
  delete realm.rlinks;
  principal.authorized_keys = [nodeBPublicKey];
  return config;
}

/**
 * Node B's configuration, made from linked-config.json: the realm with one router link
 * (`LINK_ID`) to node A's WebSocket transport on `aWsPort`, forwarding the registrations and
 * subscriptions of both nodes (the four `forward_*` flags), so that the one link carries calls
 * and events both ways. It trusts no node key. Otherwise as node A.
 *
 * @param {number} aWsPort the port of node A's WebSocket transport
 */
export function linkedNodeConfigB(aWsPort) {
  if (!Number.isInteger(aWsPort) || aWsPort <= 0 || aWsPort > 65535) throw new Error(`bad port ${aWsPort}`);
  const { config, principal, link } = linkedTemplate();
  link.transport.endpoint.port = aWsPort;
  link.transport.url = `ws://127.0.0.1:${aWsPort}/ws`;
  principal.authorized_keys = [];
  return config;
}

function parseNodeKeyFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^public-key-ed25519:\s*([0-9a-f]{64})\s*$/m.exec(text);
  if (!m) throw new Error(`${file} has no public-key-ed25519`);
  return m[1];
}

/**
 * Node B's node key pair (Crossbar's key.priv / key.pub; the link authenticates with it), made once
 * by `crossbar keys` and kept in the cache next to the venv, so that node A's configuration can
 * trust it before either node starts. A test key: it grants nothing but joining a test router.
 *
 * @returns {Promise<{ dir: string, publicKey: string }>}
 */
export async function ensureLinkNodeKey() {
  await ensureVenv();
  const target = path.join(cacheRoot(), `rlink-node-key-${requirementsHash()}`);
  const valid = (dir) => {
    try {
      const pub = parseNodeKeyFile(path.join(dir, 'key.pub'));
      return /^private-key-ed25519:/m.test(fs.readFileSync(path.join(dir, 'key.priv'), 'utf8')) ? pub : null;
    } catch {
      return null;
    }
  };
  let publicKey = valid(target);
  if (publicKey) return { dir: target, publicKey };
  fs.rmSync(target, { recursive: true, force: true });
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  log(`generating a node key for linked routers in ${target}`);
  // `crossbar keys` creates the node key pair of a node folder when there is none, then prints it
  run(crossbarBin(), ['keys', '--cbdir', tmp], { capture: true });
  if (!valid(tmp)) throw new Error(`crossbar keys did not create a node key pair in ${tmp}`);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    // another process made it meanwhile: use theirs
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!valid(target)) throw e;
  }
  publicKey = valid(target);
  if (!publicKey) throw new Error(`node key pair in ${target} is unreadable`);
  return { dir: target, publicKey };
}

async function waitForLog(file, needle, timeoutMs, isAlive) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      /* not yet */
    }
    if (text.includes(needle)) return;
    if (!isAlive()) throw new Error(`Crossbar exited before its log said "${needle}"`);
    if (Date.now() > end) throw new Error(`Crossbar's log did not say "${needle}" within ${timeoutMs} ms`);
    await sleep(150);
  }
}

/**
 * Start two Crossbar.io nodes whose realm1 are joined by a router link: node A, then node B with
 * a link to A's WebSocket transport (see linkedNodeConfigA, linkedNodeConfigB). Each node is a
 * router as startRouter makes it (own folder, log, free ports, process group); the pair is ready
 * when both accept connections and node B's controller reports the link started (the link's two
 * sessions joined both realms and forward what already exists).
 *
 * @param {object} [options]
 * @param {string} [options.loglevel] crossbar log level of both nodes (default "info")
 * @param {number} [options.timeoutMs] how long to wait for each node and for the link (default
 *   90000 or $WAMPBOX_ROUTER_TIMEOUT_MS)
 * @returns {Promise<LinkedRouters>} `{ a, b, dir, linkId, running, info(), stop() }`, where
 *   `a` and `b` are router handles (`wsUrl`, `rsUrl`, `logFile`, `kill()`, `stop()`, ...)
 */
export async function startLinkedRouters(options = {}) {
  await ensureVenv();
  const key = await ensureLinkNodeKey();
  const envTimeout = Number(process.env.WAMPBOX_ROUTER_TIMEOUT_MS);
  const timeoutMs = options.timeoutMs ?? (envTimeout > 0 ? envTimeout : DEFAULT_READY_TIMEOUT_MS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampbox-linked-'));
  const started = [];
  const cleanup = async () => {
    for (const r of started.reverse()) await r.stop().catch((e) => log(`stop failed: ${e.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    const configA = linkedNodeConfigA(key.publicKey);
    const a = await startRouter({ dir: path.join(dir, 'a'), config: configA, loglevel: options.loglevel, timeoutMs });
    started.push(a);
    // B's link needs A's port, which startRouter picks (and re-picks after a clash): B starts second
    const configB = linkedNodeConfigB(a.wsPort);
    const cbdirB = path.join(dir, 'b', 'node');
    fs.mkdirSync(cbdirB, { recursive: true });
    fs.copyFileSync(path.join(key.dir, 'key.pub'), path.join(cbdirB, 'key.pub'));
    fs.copyFileSync(path.join(key.dir, 'key.priv'), path.join(cbdirB, 'key.priv'));
    fs.chmodSync(path.join(cbdirB, 'key.priv'), 0o600);
    const b = await startRouter({ dir: path.join(dir, 'b'), config: configB, loglevel: options.loglevel, timeoutMs });
    started.push(b);
    try {
      await waitForLog(b.logFile, LINK_STARTED, timeoutMs, () => a.running && b.running);
    } catch (e) {
      throw new Error(
        `the router link of node B did not come up: ${e.message}\n` +
          `last lines of node B's log ${b.logFile}:\n${tailFile(b.logFile)}\n` +
          `last lines of node A's log ${a.logFile}:\n${tailFile(a.logFile)}`,
      );
    }
    log(`linked routers ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
    let stopped = false;
    return {
      a,
      b,
      dir,
      linkId: LINK_ID,
      /** True while both Crossbar nodes run. */
      get running() {
        return a.running && b.running;
      },
      /** Plain data describing the pair (for JSON). */
      info() {
        return { a: a.info(), b: b.info(), linkId: LINK_ID, linkAuthid: LINK_AUTHID, dir };
      },
      /** Stop node B (the link's side), then node A, and remove the pair's folder. */
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

async function cmdCheck() {
  await ensureVenv();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampbox-check-'));
  try {
    fs.copyFileSync(CONFIG_FILE, path.join(dir, 'config.json'));
    const env = {
      ...process.env,
      WAMPBOX_WS_PORT: '8080',
      WAMPBOX_RS_PORT: '8081',
      WAMPBOX_RS_UNIX: path.join(dir, 'rs.sock'),
    };
    const res = spawnSync(crossbarBin(), ['check', '--cbdir', dir], {
      env,
      stdio: ['ignore', 2, 2],
    });
    return res.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The options of `start` and `start-linked`: `--loglevel L` and `--control`. */
function startOptions(argv) {
  let loglevel = 'info';
  let control = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--loglevel') loglevel = argv[++i];
    else if (argv[i] === '--control') control = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return { loglevel, control };
}

/** Exit (after `stop()`) on SIGINT, SIGTERM and SIGHUP; `shutdown(code)` does the same at once. */
function exitWith(stop) {
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    await stop().catch((e) => log(`stop failed: ${e.message}`));
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void shutdown(0));
  return { shutdown, stopping: () => stopping };
}

/** Call `onLine` for every non-empty line on stdin (trimmed), and `onEnd` when stdin closes. */
function onStdinLines(onLine, onEnd) {
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onLine(line);
    }
  });
  process.stdin.on('end', onEnd);
}

async function cmdStart(argv) {
  const { loglevel, control } = startOptions(argv);
  const router = await startRouter({ loglevel });
  const print = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  print(router.info());

  const { shutdown, stopping } = exitWith(() => router.stop());

  // keep the process alive and notice a router that dies on its own
  let expectDown = false;
  const watchdog = setInterval(() => {
    if (!router.running && !expectDown && !stopping()) {
      log(`Crossbar exited unexpectedly; last lines of ${router.logFile}:\n${tailFile(router.logFile)}`);
      void shutdown(1);
    }
  }, 500);
  watchdog.unref();
  const keepAlive = setInterval(() => {}, 1 << 30);

  if (control) {
    // line commands on stdin: "kill [SIGNAL]", "restart", "stop"; each answered by one JSON line
    onStdinLines(
      (line) => void handleCommand(line),
      () => void shutdown(0),
    );
    let queue = Promise.resolve();
    const handleCommand = (line) => {
      queue = queue.then(async () => {
        const [cmd, arg] = line.split(/\s+/);
        try {
          if (cmd === 'kill') {
            expectDown = true;
            await router.kill(arg || 'SIGKILL');
            print({ ok: true, cmd });
          } else if (cmd === 'restart') {
            expectDown = true;
            await router.restart();
            expectDown = false;
            print({ ok: true, cmd, ...router.info() });
          } else if (cmd === 'stop') {
            print({ ok: true, cmd });
            clearInterval(keepAlive);
            await shutdown(0);
          } else {
            print({ ok: false, cmd, error: `unknown command ${cmd}` });
          }
        } catch (e) {
          print({ ok: false, cmd, error: e.message });
        }
      });
    };
  }
}

/**
 * `crossbar check` of both linked node configurations, then Crossbar's own parser of router link
 * configurations over node B's link (`crossbar check` does not look into `rlinks`).
 */
async function cmdCheckLinked() {
  await ensureVenv();
  const key = await ensureLinkNodeKey();
  const configs = { a: linkedNodeConfigA(key.publicKey), b: linkedNodeConfigB(8080) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampbox-check-'));
  try {
    let status = 0;
    for (const [name, config] of Object.entries(configs)) {
      const cbdir = path.join(dir, name);
      fs.mkdirSync(cbdir);
      fs.writeFileSync(path.join(cbdir, 'config.json'), JSON.stringify(config, null, 2));
      log(`node ${name.toUpperCase()}:`);
      const env = {
        ...process.env,
        WAMPBOX_WS_PORT: '8080',
        WAMPBOX_RS_PORT: '8081',
        WAMPBOX_RS_UNIX: path.join(cbdir, 'rs.sock'),
      };
      const res = spawnSync(crossbarBin(), ['check', '--cbdir', cbdir], { env, stdio: ['ignore', 2, 2] });
      if (res.status !== 0) status = res.status ?? 1;
    }
    const parse = [
      'import json, sys',
      'from crossbar.personality import Personality',
      'from crossbar.worker.rlink import RLinkConfig',
      'for realm in json.load(open(sys.argv[1]))["workers"][0]["realms"]:',
      '    for link in realm.get("rlinks", []):',
      '        RLinkConfig.parse(Personality, dict(link))',
      '        print("Ok, router link %s of realm %s looks good!" % (link["id"], realm["name"]))',
    ].join('\n');
    const res = spawnSync(venvPython(), ['-c', parse, path.join(dir, 'b', 'config.json')], {
      stdio: ['ignore', 2, 2],
    });
    if (res.status !== 0) status = res.status ?? 1;
    return status;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function cmdStartLinked(argv) {
  const { loglevel, control } = startOptions(argv);
  const pair = await startLinkedRouters({ loglevel });
  const print = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  print(pair.info());

  const { shutdown, stopping } = exitWith(() => pair.stop());

  const watchdog = setInterval(() => {
    if (!pair.running && !stopping()) {
      const [node, r] = pair.a.running ? ['B', pair.b] : ['A', pair.a];
      log(`Crossbar node ${node} exited unexpectedly; last lines of ${r.logFile}:\n${tailFile(r.logFile)}`);
      void shutdown(1);
    }
  }, 500);
  watchdog.unref();
  setInterval(() => {}, 1 << 30);

  if (control) {
    // line commands on stdin: "stop"; answered by one JSON line
    onStdinLines(
      (line) => {
        if (line === 'stop') {
          print({ ok: true, cmd: 'stop' });
          void shutdown(0);
        } else print({ ok: false, cmd: line.split(/\s+/)[0], error: `unknown command ${line}` });
      },
      () => void shutdown(0),
    );
  }
}

async function cmdPython(argv) {
  if (argv.length === 0) throw new Error('usage: router.mjs python SCRIPT [ARGS...]');
  await ensureVenv();
  const child = spawn(venvPython(), argv, { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => child.kill(sig));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
  });
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'install': {
      const dir = await ensureVenv();
      process.stdout.write(`${dir}\n`);
      return;
    }
    case 'start':
      return cmdStart(rest);
    case 'check':
      process.exitCode = await cmdCheck();
      return;
    case 'start-linked':
      return cmdStartLinked(rest);
    case 'check-linked':
      process.exitCode = await cmdCheckLinked();
      return;
    case 'python':
      return cmdPython(rest);
    case 'venv-python':
      process.stdout.write(`${venvPython()}\n`);
      return;
    default:
      process.stderr.write(
        'usage: node scripts/router/router.mjs install | start [--loglevel L] [--control] | check |\n' +
          '       start-linked [--loglevel L] [--control] | check-linked | python SCRIPT [ARGS...] | venv-python\n',
      );
      process.exitCode = 2;
  }
}

const invokedDirectly = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`[router] error: ${e?.message ?? e}\n`);
    process.exit(1);
  });
}
