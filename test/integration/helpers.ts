import { spawn } from 'node:child_process';
import { cbor, connect, json, msgpack } from '@wampbox/wamp-client';
import type { ConnectOptions, Serializer, Session } from '@wampbox/wamp-client';
import { REPO_ROOT, routerInfo } from './router';
import type { RouterInfo } from './router';

/** One way of reaching the router: a transport URL and a serializer. */
export interface Route {
  readonly name: string;
  readonly url: string;
  readonly serializer: () => Serializer;
  /** The realm to join (default: the shared router's). */
  readonly realm?: string;
}

const SERIALIZERS: [string, () => Serializer][] = [
  ['json', json],
  ['msgpack', msgpack],
  ['cbor', cbor],
];

/** Every transport × serializer combination a router offers (default: the shared Crossbar router). */
export function routes(info: Pick<RouterInfo, 'wsUrl' | 'rsUrl' | 'rsUnixPath' | 'realm'> = routerInfo()): Route[] {
  const { realm } = info;
  const out: Route[] = [];
  for (const [sname, s] of SERIALIZERS) {
    out.push({ name: `websocket/${sname}`, url: info.wsUrl, serializer: s, realm });
    out.push({ name: `rawsocket-tcp/${sname}`, url: info.rsUrl, serializer: s, realm });
  }
  if (info.rsUnixPath)
    out.push({ name: 'rawsocket-unix/cbor', url: `unix://${info.rsUnixPath}`, serializer: cbor, realm });
  return out;
}

/** Open a session on a route, closing it when the test file ends. */
const opened: Session[] = [];
export async function open(route: Route, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const realm = route.realm ?? routerInfo().realm;
  const s = await connect({ url: route.url, realm, serializers: [route.serializer()], ...extra });
  opened.push(s);
  return s;
}

/** Close every session opened through {@link open}. */
export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

let counter = 0;
/** A URI no other test uses. */
export function uniqueUri(prefix: string): string {
  counter++;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}`;
}

/** Wait until `predicate` holds, failing after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a child process did: its exit code (null when killed) and its output. */
export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The non-empty lines of stdout. */
  lines: string[];
}

/**
 * Run a program in the repository root with extra environment variables, collecting its output;
 * kill it after `timeoutMs`. Rejects only when it cannot be started.
 */
export function runProcess(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: stdout.split('\n').filter((l) => l.length > 0) });
    });
  });
}
