/**
 * Access to the Crossbar.io test router from integration tests.
 *
 * - routerInfo(): the shared router started by global-setup.ts (one per jest run).
 * - startPrivateRouter(): a router of a test's own, e.g. to kill/restart it (fault tests) or to
 *   run it with `loglevel: 'trace'` (Crossbar then logs every WAMP message it routes).
 * - startLinkedRouters(): two routers of a test's own, joined by a Crossbar router link.
 *
 * See docs/testing.md.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ROUTER_SCRIPT = path.join(REPO_ROOT, 'scripts', 'router', 'router.mjs');
/** The Autobahn|Python interop peer; run it with routerInfo().venvPython. */
export const PYTHON_PEER = path.join(REPO_ROOT, 'test', 'interop', 'python', 'peer.py');

export interface RouterInfo {
  /** WebSocket transport, e.g. ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  /** RawSocket transport over TCP, e.g. rs://127.0.0.1:PORT */
  rsUrl: string;
  /** RawSocket transport over a Unix domain socket (path). */
  rsUnixPath: string;
  realm: string;
  /** Python of the router venv (Autobahn|Python, for interop peers). */
  venvPython: string;
  wsPort: number;
  rsPort: number;
  /** pid of the Crossbar controller (also its process group id). */
  pid: number;
  cbdir: string;
  logFile: string;
}

/** The environment variable through which global setup hands the router to the test workers. */
export const ROUTER_INFO_ENV = 'WAMPBOX_ROUTER_INFO';

/**
 * The shared router of this jest run. Throws (never skips) when the router was not started,
 * i.e. when the test does not run through the jest `integration` project.
 */
export function routerInfo(): RouterInfo {
  const file = process.env[ROUTER_INFO_ENV];
  if (!file) {
    throw new Error(
      `router not started: ${ROUTER_INFO_ENV} is not set. Run integration tests via \`npm test\` or ` +
        '`npx jest --selectProjects integration` (its globalSetup starts Crossbar.io).',
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `router not started: cannot read router info file ${file} (${(e as Error).message}). ` +
        'Run integration tests via `npm test` or `npx jest --selectProjects integration`.',
    );
  }
  const info = JSON.parse(text) as RouterInfo;
  for (const key of ['wsUrl', 'rsUrl', 'rsUnixPath', 'realm', 'venvPython'] as const) {
    if (typeof info[key] !== 'string' || info[key].length === 0) {
      throw new Error(`router info file ${file} lacks "${key}"`);
    }
  }
  return info;
}

export interface PrivateRouter extends RouterInfo {
  /** Kill the whole Crossbar process group at once (default SIGKILL); resolves once it is down. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start Crossbar again on the same ports and socket path; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stop Crossbar and remove its temp folder. */
  stop(): Promise<void>;
  /** Crossbar's log so far. */
  readLog(): string;
}

export interface PrivateRouterOptions {
  /** Crossbar log level; "trace" logs every WAMP message with its payload. Default "info". */
  loglevel?: 'none' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** How long to wait for the first JSON line (default 120 s). */
  timeoutMs?: number;
}

/**
 * Start a router owned by the calling test (about 15 s on a small machine: give the test or
 * beforeAll hook a long enough timeout). It runs `router.mjs start --control` as a child
 * process and drives it through stdin; it also ends when the test process exits.
 */
export async function startPrivateRouter(options: PrivateRouterOptions = {}): Promise<PrivateRouter> {
  const args = [ROUTER_SCRIPT, 'start', '--control'];
  if (options.loglevel) args.push('--loglevel', options.loglevel);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  const buffered: Array<Record<string, unknown>> = [];
  let exited = false;
  const exitWaiters: Array<() => void> = [];
  lines.on('line', (line) => {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const w = waiting.shift();
    if (w) w(obj);
    else buffered.push(obj);
  });
  child.on('exit', () => {
    exited = true;
    for (const w of exitWaiters.splice(0)) w();
  });

  const nextLine = (timeoutMs: number, what: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const b = buffered.shift();
      if (b) return resolve(b);
      if (exited) return reject(new Error(`router process exited before ${what}:\n${stderr}`));
      const timer = setTimeout(() => {
        const i = waiting.indexOf(onLine);
        if (i >= 0) waiting.splice(i, 1);
        reject(new Error(`no answer from router process for ${what} within ${timeoutMs} ms:\n${stderr}`));
      }, timeoutMs);
      const onExit = () => {
        clearTimeout(timer);
        reject(new Error(`router process exited before ${what}:\n${stderr}`));
      };
      const onLine = (obj: Record<string, unknown>) => {
        clearTimeout(timer);
        const i = exitWaiters.indexOf(onExit);
        if (i >= 0) exitWaiters.splice(i, 1);
        resolve(obj);
      };
      waiting.push(onLine);
      exitWaiters.push(onExit);
    });

  const command = async (cmd: string, timeoutMs: number): Promise<Record<string, unknown>> => {
    if (exited) throw new Error(`router process has exited; cannot ${cmd}`);
    child.stdin.write(`${cmd}\n`);
    const answer = await nextLine(timeoutMs, cmd);
    if (answer.ok !== true) throw new Error(`router command "${cmd}" failed: ${String(answer.error)}`);
    return answer;
  };

  let info: RouterInfo;
  try {
    info = (await nextLine(options.timeoutMs ?? 120_000, 'start')) as unknown as RouterInfo;
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }

  const router: PrivateRouter = {
    ...info,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      await command(`kill ${signal}`, 30_000);
    },
    async restart() {
      const answer = await command('restart', 120_000);
      router.pid = answer.pid as number;
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => {
        if (exited) resolve();
        else exitWaiters.push(resolve);
      });
      child.stdin.end('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(timer);
    },
    readLog() {
      try {
        return fs.readFileSync(info.logFile, 'utf8');
      } catch {
        return '';
      }
    },
  };
  return router;
}

/** One node of a linked pair: a router as {@link RouterInfo} describes it, and its log. */
export interface LinkedNode extends RouterInfo {
  /** This node's Crossbar log so far. */
  readLog(): string;
}

/** Two Crossbar.io nodes whose realm1 are joined by a router link, owned by the calling test. */
export interface LinkedRouters {
  /** Node A: the node the link connects to. */
  a: LinkedNode;
  /** Node B: the node whose realm holds the router link (its log has the link's messages). */
  b: LinkedNode;
  /** The id of node B's router link ("link_to_a"). */
  linkId: string;
  /** The authid of the link's session on node A ("rlink-node-b"). */
  linkAuthid: string;
  /** Stop both nodes and remove their folder. */
  stop(): Promise<void>;
}

/**
 * Start two linked routers owned by the calling test (`router.mjs start-linked --control`, about
 * 30 s on a small machine: give the beforeAll hook a long timeout): node A, then node B with a
 * router link to A that forwards registrations and subscriptions both ways. Resolves once both
 * accept connections and the link is up; rejects with the reason (and the ends of both logs)
 * otherwise (`timeoutMs`: 240 s by default). The pair also ends when the test process exits. See
 * docs/testing.md.
 */
export async function startLinkedRouters(options: PrivateRouterOptions = {}): Promise<LinkedRouters> {
  const args = [ROUTER_SCRIPT, 'start-linked', '--control'];
  if (options.loglevel) args.push('--loglevel', options.loglevel);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-40_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const lines = readline.createInterface({ input: child.stdout });

  const timeoutMs = options.timeoutMs ?? 240_000;
  let timer: NodeJS.Timeout | undefined;
  let info: { a: RouterInfo; b: RouterInfo; linkId: string; linkAuthid: string };
  try {
    info = await Promise.race([
      new Promise<typeof info>((resolve) => {
        lines.on('line', (line) => {
          try {
            const obj = JSON.parse(line) as Record<string, unknown>;
            if (obj.a && obj.b) resolve(obj as unknown as typeof info);
          } catch {
            /* not ours */
          }
        });
      }),
      exited.then(() => {
        throw new Error(`linked routers did not start:\n${stderr}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`linked routers not ready within ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
      }),
    ]);
  } catch (e) {
    child.kill('SIGTERM');
    await exited;
    throw e;
  } finally {
    clearTimeout(timer);
  }

  const node = (r: RouterInfo): LinkedNode => ({
    ...r,
    readLog() {
      try {
        return fs.readFileSync(r.logFile, 'utf8');
      } catch {
        return '';
      }
    },
  });
  return {
    a: node(info.a),
    b: node(info.b),
    linkId: info.linkId,
    linkAuthid: info.linkAuthid,
    async stop() {
      if (hasExited) return;
      child.stdin.end('stop\n');
      const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(kill);
      lines.close();
    },
  };
}
