/**
 * Drive the Autobahn|Python interop peer (test/interop/python/peer.py) from integration tests.
 *
 * - startPeer(args) spawns `peer.py ARGS` with the router venv's Python and resolves once the
 *   peer printed {"event":"ready"} (it rejects with the peer's stderr when the peer fails, exits
 *   or stays silent).
 * - peer.next(predicate, timeoutMs) awaits the next observation (a JSON line) matching the
 *   predicate; every line is handed out once, so lines printed before next() was called count.
 * - peer.command(...) / peer.request(...) talk to a peer in `driven` mode (JSON commands on stdin).
 * - Binary values travel as {"$bytes_b64": "..."} between the peer and this module;
 *   toPeerJson()/fromPeerJson() convert Uint8Array to that form and back. Lines in `peer.lines`
 *   are already converted.
 * - stopAllPeers() stops every peer still running (call it in afterEach/afterAll).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as readline from 'node:readline';
import { PYTHON_PEER, routerInfo } from './router';

/** One observation printed by the peer. */
export interface PeerLine {
  event: string;
  [field: string]: unknown;
}

export type LinePredicate = (line: PeerLine) => boolean;

export interface StartPeerOptions {
  /** How long to wait for {"event":"ready"} (default 20 s). */
  readyTimeoutMs?: number;
  /** Python to run the peer with (default routerInfo().venvPython). */
  python?: string;
  /** The peer script (default PYTHON_PEER; e.g. the x_e2ev2 peer, which takes the same driven mode). */
  script?: string;
  /** A name for error messages (default: the mode and the first URI-ish argument). */
  name?: string;
}

export interface Peer {
  readonly name: string;
  readonly pid: number;
  /** Every line printed so far, in order, with binary values as Uint8Array. */
  readonly lines: readonly PeerLine[];
  /** The last 20 000 characters of the peer's stderr. */
  readonly stderr: string;
  /** The exit code (or signal) once the peer has exited, else undefined. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves with the exit code (null after a signal) once the peer has exited. */
  readonly exited: Promise<number | null>;
  /**
   * The next line not yet handed out by next()/request() that matches `predicate` (any line when
   * omitted). Rejects after `timeoutMs` (default 10 s) or when the peer exits first.
   */
  next(predicate?: LinePredicate, timeoutMs?: number): Promise<PeerLine>;
  /** Driven mode: send one command (a `tag` is added when missing); returns the tag. */
  command(cmd: Record<string, unknown>): number;
  /**
   * Driven mode: send a command and await its answer, the next line with the command's tag and
   * one of `events` (default: the usual answer of the op). A `command_failed` answer rejects.
   */
  request(cmd: Record<string, unknown>, events?: readonly string[], timeoutMs?: number): Promise<PeerLine>;
  /** Every line carrying this tag so far (e.g. the progressive results of a call). */
  tagged(tag: number): PeerLine[];
  /** Close stdin, then SIGTERM, then SIGKILL; resolves once the process has exited. */
  stop(): Promise<void>;
}

const running = new Set<Peer>();

/** Stop every peer started by this module that is still running. */
export async function stopAllPeers(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

function isBytesObject(v: unknown): v is { $bytes_b64: string } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return (
    keys.length === 1 && keys[0] === '$bytes_b64' && typeof (v as Record<string, unknown>)['$bytes_b64'] === 'string'
  );
}

/** Convert Uint8Array values (at any depth) to the peer's {"$bytes_b64": "..."} form. */
export function toPeerJson(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return { $bytes_b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(toPeerJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPeerJson(v);
    return out;
  }
  return value;
}

/** Convert the peer's {"$bytes_b64": "..."} objects (at any depth) to Uint8Array. */
export function fromPeerJson(value: unknown): unknown {
  if (isBytesObject(value)) return new Uint8Array(Buffer.from(value.$bytes_b64, 'base64'));
  if (Array.isArray(value)) return value.map(fromPeerJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromPeerJson(v);
    return out;
  }
  return value;
}

/** `--args`/`--kwargs` values for the peer's command line (binary as {"$bytes_b64": ...}). */
export function peerArg(value: unknown): string {
  return JSON.stringify(toPeerJson(value));
}

/**
 * The peer's `--url` for a wampbox URL: ws:// as it is, rs://host:port as it is, and
 * unix:///path as rs+unix:///path.
 */
export function peerUrl(url: string): string {
  if (url.startsWith('unix://')) return `rs+unix://${url.slice('unix://'.length)}`;
  return url;
}

const DEFAULT_ANSWERS: Record<string, readonly string[]> = {
  register: ['registered'],
  subscribe: ['subscribed'],
  call: ['result', 'error'],
  publish: ['published', 'error'],
};

let tagCounter = 0;

/**
 * Spawn the Python peer with `args` (mode first, e.g. ['driven', '--url', url]) and wait for
 * {"event":"ready"}.
 */
export async function startPeer(args: readonly string[], options: StartPeerOptions = {}): Promise<Peer> {
  const python = options.python ?? routerInfo().venvPython;
  const name =
    options.name ??
    [args[0], args.find((a, i) => i > 0 && /^(--serializer|--procedure|--topic)$/.test(args[i - 1] ?? ''))]
      .filter(Boolean)
      .join(' ');
  const child: ChildProcessWithoutNullStreams = spawn(python, ['-u', options.script ?? PYTHON_PEER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });

  const lines: PeerLine[] = [];
  const taken = new Set<number>();
  let stderr = '';
  let exit: Peer['exit'];
  let spawnError: Error | undefined;
  type Waiter = { predicate: LinePredicate; resolve: (l: PeerLine) => void; reject: (e: Error) => void };
  const waiters: Waiter[] = [];

  const describe = (): string => {
    const status = exit ? ` (exited: code ${exit.code}, signal ${exit.signal})` : '';
    const tail = lines
      .slice(-5)
      .map((l) => JSON.stringify(toPeerJson(l)))
      .join('\n  ');
    return `Python peer "${name}"${status}\n stdout (last lines):\n  ${tail || '(none)'}\n stderr:\n${stderr || '(empty)'}`;
  };

  const offer = (index: number): void => {
    const line = lines[index]!;
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!;
      if (w.predicate(line)) {
        waiters.splice(i, 1);
        taken.add(index);
        w.resolve(line);
        return;
      }
    }
  };

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  child.stdin.on('error', () => {
    /* the peer exited while we were writing: reported through exit */
  });
  const rl = readline.createInterface({ input: child.stdout });
  rl.on('line', (text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      stderr = `${stderr}[stdout, not JSON] ${text}\n`.slice(-20_000);
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || typeof (parsed as PeerLine).event !== 'string') return;
    lines.push(fromPeerJson(parsed) as PeerLine);
    offer(lines.length - 1);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      spawnError = e;
      if (!exit) exit = { code: null, signal: null };
      resolve();
    });
    child.on('close', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  void exited.then(() => {
    running.delete(peer);
    const why = spawnError ? `cannot start ${python}: ${spawnError.message}\n` : '';
    for (const w of waiters.splice(0)) w.reject(new Error(`${why}${describe()}\nexited before the awaited line`));
  });

  const next = (predicate: LinePredicate = () => true, timeoutMs = 10_000): Promise<PeerLine> =>
    new Promise<PeerLine>((resolve, reject) => {
      for (let i = 0; i < lines.length; i++) {
        if (!taken.has(i) && predicate(lines[i]!)) {
          taken.add(i);
          resolve(lines[i]!);
          return;
        }
      }
      if (exit) {
        reject(new Error(`${describe()}\nexited before the awaited line`));
        return;
      }
      const timer = setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`no matching line from ${describe()}\nwithin ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      waiters.push(waiter);
    });

  const command = (cmd: Record<string, unknown>): number => {
    const tag = typeof cmd['tag'] === 'number' ? cmd['tag'] : ++tagCounter;
    if (exit) throw new Error(`cannot send ${JSON.stringify(cmd['op'])}: ${describe()}`);
    child.stdin.write(`${JSON.stringify(toPeerJson({ ...cmd, tag }))}\n`);
    return tag;
  };

  const peer: Peer = {
    name,
    pid: child.pid ?? -1,
    lines,
    get stderr() {
      return stderr;
    },
    get exit() {
      return exit;
    },
    exited: exited.then(() => exit?.code ?? null),
    next,
    command,
    async request(cmd, events, timeoutMs = 10_000) {
      const answers = events ?? DEFAULT_ANSWERS[String(cmd['op'])] ?? [];
      const tag = command(cmd);
      const line = await next(
        (l) => l['tag'] === tag && (answers.includes(l.event) || l.event === 'command_failed'),
        timeoutMs,
      );
      if (line.event === 'command_failed') {
        throw new Error(`peer "${name}" failed ${JSON.stringify(cmd['op'])}: ${String(line['error'])}\n${describe()}`);
      }
      return line;
    },
    tagged(tag) {
      return lines.filter((l) => l['tag'] === tag);
    },
    async stop() {
      if (!exit) {
        child.stdin.end();
        const term = setTimeout(() => child.kill('SIGTERM'), 1500);
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(term);
        clearTimeout(kill);
      }
      rl.close();
      running.delete(peer);
    },
  };
  running.add(peer);

  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  try {
    const first = await next(
      (l) => l.event === 'ready' || l.event === 'fatal' || l.event === 'left' || l.event === 'disconnected',
      readyTimeoutMs,
    );
    if (first.event !== 'ready')
      throw new Error(`${describe()}\nreported "${first.event}" before "ready": ${JSON.stringify(first)}`);
  } catch (e) {
    await peer.stop();
    const msg = (e as Error).message;
    throw new Error(`Python peer "${name}" did not become ready (args: ${args.join(' ')}):\n${msg}`);
  }
  return peer;
}
