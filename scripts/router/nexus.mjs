#!/usr/bin/env node
/**
 * gammazero/nexus test router: a second router, which speaks the WAMP spec's Payload PassThru Mode
 * (`ppt_scheme`, ...) where Crossbar.io speaks its own payload transparency (`enc_algo`, ...).
 *
 *   node scripts/router/nexus.mjs install            build nexusd (or reuse the cached binary), print its path
 *   node scripts/router/nexus.mjs start [--verbose]  start nexusd on free ports, print where it listens as
 *                                                    one JSON line, run until SIGINT/SIGTERM, then stop
 *   node scripts/router/nexus.mjs config             print the nexusd configuration that start writes
 *
 * nexusd is built from source with the Go toolchain: `go mod download` fetches the module from the
 * Go module proxy (checked against the checksum database and against the sum pinned here), and
 * `go build ./nexusd` inside it fetches its dependencies, pinned by the module's go.sum. The binary
 * is cached in `~/.cache/wampbox/nexus/<version>/nexusd`; nothing in the cache is required.
 *
 * Only Node built-ins are used. Progress goes to stderr; stdout carries JSON (or the path) only.
 * See docs/testing.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PDEATHSIG_LAUNCHER, cacheRoot, freePort, tailFile, withLock } from './router.mjs';

export const NEXUS_MODULE = 'github.com/gammazero/nexus/v3';
export const NEXUS_VERSION = 'v3.3.0';
/** The module's hash in the Go checksum database (`go.sum` form): the source that is built. */
const NEXUS_SUM = 'h1:MGHkfayHYfJCZ8HEftTjlcjCBgmBNmLIfIn9KdWjI2g=';
export const NEXUS_REALM = 'realm1';
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
/** What nexusd logs once each of its three listeners is bound. */
const LISTENING = ['Listening for websocket', 'Listening for TCP socket', 'Listening for Unix socket'];

function log(msg) {
  process.stderr.write(`[nexus] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Where the built nexusd is kept: `$WAMPBOX_NEXUSD`, or the cache folder of this version. */
export function nexusBin() {
  const fromEnv = process.env.WAMPBOX_NEXUSD;
  if (fromEnv && fromEnv.length > 0) return path.resolve(fromEnv);
  return path.join(cacheRoot(), 'nexus', NEXUS_VERSION, 'nexusd');
}

/** Whether `bin` runs and says it is NEXUS_VERSION (the build stamps the version into it). */
function binaryWorks(bin) {
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return !res.error && res.status === 0 && res.stdout.trim() === `version ${NEXUS_VERSION}`;
}

function go(args, capture = false) {
  // the module's own go.sum pins every dependency: never let a GOFLAGS of the environment change that
  const env = { ...process.env, GOFLAGS: '-mod=readonly', GOWORK: 'off', CGO_ENABLED: '0' };
  const res = spawnSync('go', args, {
    env,
    encoding: 'utf8',
    stdio: ['ignore', capture ? 'pipe' : 2, 2],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (res.error)
    throw new Error(`cannot run go (nexusd is built from source with the Go toolchain): ${res.error.message}`);
  if (res.status !== 0) {
    throw new Error(`go ${args.join(' ')} failed with exit code ${res.status}${capture ? `\n${res.stdout}` : ''}`);
  }
  return res.stdout;
}

/**
 * Make sure a working nexusd of NEXUS_VERSION exists, building it when it does not; returns its
 * path. Safe to call concurrently from several processes (one builds, the others wait).
 */
export async function ensureNexus() {
  const bin = nexusBin();
  if (binaryWorks(bin)) return bin;
  if (process.env.WAMPBOX_NEXUSD) throw new Error(`WAMPBOX_NEXUSD=${bin} is not a working nexusd ${NEXUS_VERSION}`);
  return withLock(`${path.dirname(bin)}.lock`, async () => {
    if (binaryWorks(bin)) return bin;
    const t0 = Date.now();
    log(`building nexusd ${NEXUS_VERSION} into ${bin}`);
    const mod = JSON.parse(go(['mod', 'download', '-json', `${NEXUS_MODULE}@${NEXUS_VERSION}`], true));
    if (mod.Error) throw new Error(`go mod download ${NEXUS_MODULE}@${NEXUS_VERSION}: ${mod.Error}`);
    if (mod.Sum !== NEXUS_SUM)
      throw new Error(`${NEXUS_MODULE}@${NEXUS_VERSION} has sum ${mod.Sum}, expected ${NEXUS_SUM}`);
    log(`module in ${mod.Dir} (${((Date.now() - t0) / 1000).toFixed(1)} s); go build ./nexusd`);
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    // what an interrupted build left behind (the lock is ours: nobody else is building)
    for (const f of fs.readdirSync(path.dirname(bin)))
      if (f.startsWith('nexusd.tmp-')) fs.rmSync(path.join(path.dirname(bin), f));
    const tmp = `${bin}.tmp-${process.pid}`;
    const ldflags = `-X ${NEXUS_MODULE}/router.Version=${NEXUS_VERSION}`;
    // the module folder is read-only; building in it writes only to -o and Go's build cache
    go(['-C', mod.Dir, 'build', '-trimpath', '-ldflags', ldflags, '-o', tmp, './nexusd']);
    if (!binaryWorks(tmp)) throw new Error(`the nexusd built at ${tmp} does not run`);
    fs.renameSync(tmp, bin);
    log(`nexusd ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return bin;
  });
}

/**
 * The nexusd configuration (its own JSON format, see nexusd/README.md in the module): one realm
 * with anonymous authentication and caller/publisher disclosure allowed; WebSocket on `wsPort`,
 * RawSocket on `rsPort` and on the Unix socket `rsUnixPath`, all on loopback, frames of 1 MiB at
 * most (as the Crossbar test router). nexus offers json, msgpack and cbor on every transport.
 */
export function nexusConfig({ wsPort, rsPort, rsUnixPath, logFile, debug = false }) {
  return {
    websocket: { address: `127.0.0.1:${wsPort}`, keep_alive: 0, allow_origins: ['*'] },
    rawsocket: {
      tcp_address: `127.0.0.1:${rsPort}`,
      tcp_keepalive_interval: 0,
      unix_address: rsUnixPath,
      max_msg_len: 1048576,
    },
    log_path: logFile,
    router: {
      realms: [{ uri: NEXUS_REALM, strict_uri: false, allow_disclose: true, anonymous_auth: true }],
      debug,
    },
  };
}

/**
 * Build nexusd if needed and start it on free loopback ports, in a fresh temporary folder
 * (`nexus.json`, `nexus.log`, `rs.sock`), removed by `stop()`.
 *
 * @param {object} [options]
 * @param {boolean} [options.debug] nexus's debug log: every message it receives, payload included
 * @param {number} [options.timeoutMs] how long to wait for the listeners (default 30000 or
 *   $WAMPBOX_ROUTER_TIMEOUT_MS)
 * @returns {Promise<object>} `{ wsUrl, rsUrl, rsUnixPath, realm, wsPort, rsPort, pid, dir, logFile,
 *   running, info(), readLog(), stop() }`
 */
export async function startNexus(options = {}) {
  const bin = await ensureNexus();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampbox-nexus-'));
  const logFile = path.join(dir, 'nexus.log');
  const configFile = path.join(dir, 'nexus.json');
  const rsUnixPath = path.join(dir, 'rs.sock');
  const envTimeout = Number(process.env.WAMPBOX_ROUTER_TIMEOUT_MS);
  const timeoutMs = options.timeoutMs ?? (envTimeout > 0 ? envTimeout : DEFAULT_READY_TIMEOUT_MS);
  if (Buffer.byteLength(rsUnixPath) > 100) throw new Error(`Unix socket path too long: ${rsUnixPath} (set TMPDIR)`);
  // the launcher gives nexusd SIGTERM when this process dies; without python3 nexusd runs bare
  const python = spawnSync('python3', ['-c', ''], { stdio: 'ignore' }).status === 0;
  let child = null;
  let exitInfo = null;
  let exited = Promise.resolve();
  let wsPort = 0;
  let rsPort = 0;

  const spawnOnce = async () => {
    wsPort = await freePort();
    do rsPort = await freePort();
    while (rsPort === wsPort);
    const config = nexusConfig({ wsPort, rsPort, rsUnixPath, logFile, debug: options.debug === true });
    fs.writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    fs.rmSync(rsUnixPath, { force: true });
    const fd = fs.openSync(logFile, 'a');
    const argv = ['-c', configFile];
    const t0 = Date.now();
    child = python
      ? spawn('python3', ['-c', PDEATHSIG_LAUNCHER, bin, ...argv], {
          cwd: dir,
          detached: true,
          stdio: ['ignore', fd, fd],
        })
      : spawn(bin, argv, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    exitInfo = null;
    const me = child;
    exited = new Promise((resolve) => {
      me.once('exit', (code, signal) => resolve((exitInfo = { code, signal })));
      me.once('error', (error) => resolve((exitInfo = { code: null, signal: null, error })));
    });
    for (;;) {
      if (exitInfo) {
        const why = exitInfo.error?.message ?? `exit code ${exitInfo.code}, signal ${exitInfo.signal}`;
        throw new Error(`nexusd exited before it was ready (${why}); last lines of ${logFile}:\n${tailFile(logFile)}`);
      }
      // nexusd logs one line per listener once it is bound (probing the RawSocket ports instead
      // would log a failed handshake each)
      if (LISTENING.every((line) => tailFile(logFile, 200).includes(line))) break;
      if (Date.now() - t0 > timeoutMs) {
        await terminate();
        throw new Error(`nexusd was not ready after ${timeoutMs} ms; last lines of ${logFile}:\n${tailFile(logFile)}`);
      }
      await sleep(50);
    }
    log(`nexusd ready in ${((Date.now() - t0) / 1000).toFixed(2)} s (pid ${child.pid}, log ${logFile})`);
  };

  const terminate = async () => {
    if (!child || exitInfo) return;
    // nexusd shuts down cleanly on SIGINT (closes its listeners and sessions)
    child.kill('SIGINT');
    let timer;
    const done = await Promise.race([
      exited.then(() => true),
      new Promise((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (!done) {
      log(`nexusd did not stop within ${STOP_GRACE_MS / 1000} s, sending SIGKILL`);
      child.kill('SIGKILL');
      await exited;
    }
  };

  try {
    // a free port may be taken by someone else before nexusd binds it: then retry with others
    for (let attempt = 1; ; attempt++) {
      try {
        await spawnOnce();
        break;
      } catch (e) {
        if (!/address already in use/.test(tailFile(logFile, 20)) || attempt >= 3) throw e;
        log(`port clash, retrying with other ports (attempt ${attempt + 1})`);
        fs.writeFileSync(logFile, '');
      }
    }
  } catch (e) {
    await terminate().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const pid = child.pid;
  /** Plain data describing this router (for JSON). */
  const info = () => ({
    router: 'nexus',
    version: NEXUS_VERSION,
    realm: NEXUS_REALM,
    wsUrl: `ws://127.0.0.1:${wsPort}/ws`,
    rsUrl: `rs://127.0.0.1:${rsPort}`,
    rsUnixPath,
    wsPort,
    rsPort,
    pid,
    dir,
    logFile,
  });
  let stopping;
  return {
    ...info(),
    info,
    /** True while nexusd has not exited. */
    get running() {
      return !exitInfo;
    },
    /** The log so far (nexus's own lines and anything it wrote to stdout or stderr). */
    readLog: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    /** SIGINT, SIGKILL after 10 s; removes the folder. */
    stop: () => (stopping ??= terminate().finally(() => fs.rmSync(dir, { recursive: true, force: true }))),
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

async function cmdStart(argv) {
  const unknown = argv.filter((a) => a !== '--verbose');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}`);
  const router = await startNexus({ debug: argv.includes('--verbose') });
  process.stdout.write(`${JSON.stringify(router.info())}\n`);
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    await router.stop().catch((e) => log(`stop failed: ${e.message}`));
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void shutdown(0));
  setInterval(() => {
    if (!router.running && !stopping) {
      log(`nexusd exited unexpectedly; last lines of ${router.logFile}:\n${tailFile(router.logFile)}`);
      void shutdown(1);
    }
  }, 500);
}

/** The CLI's commands, each given the arguments after its name. */
const COMMANDS = {
  install: async () => void process.stdout.write(`${await ensureNexus()}\n`),
  start: cmdStart,
  config: async () => {
    const example = { wsPort: 0, rsPort: 0, rsUnixPath: 'rs.sock', logFile: 'nexus.log' };
    process.stdout.write(`${JSON.stringify(nexusConfig(example), null, 2)}\n`);
  },
};

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const [name, ...rest] = process.argv.slice(2);
  const command = Object.hasOwn(COMMANDS, name ?? '') ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`usage: node scripts/router/nexus.mjs ${Object.keys(COMMANDS).join(' | ')} [--verbose]\n`);
    process.exitCode = 2;
  } else {
    command(rest).catch((e) => {
      process.stderr.write(`[nexus] error: ${e?.message ?? e}\n`);
      process.exit(1);
    });
  }
}
