/**
 * Runs the Autobahn|Python interop peer (test/interop/python/peer.py, see its README) with the
 * router venv's Python and collects its JSON lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as readline from 'node:readline';
import { PYTHON_PEER, routerInfo } from '../integration/router';

export interface PeerLine {
  event: string;
  [field: string]: unknown;
}

export interface PythonPeer {
  readonly lines: PeerLine[];
  /** Resolves with the first line (already seen or coming) with this `event`. */
  next(event: string, timeoutMs?: number): Promise<PeerLine>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Start `peer.py MODE ...args` against the shared router's WebSocket URL. */
export function startPythonPeer(mode: string, args: string[]): PythonPeer {
  const info = routerInfo();
  const child: ChildProcessWithoutNullStreams = spawn(info.venvPython, [PYTHON_PEER, mode, '--url', info.wsUrl, '--realm', info.realm, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: PeerLine[] = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-10_000);
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as PeerLine);
    } catch {
      return;
    }
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      for (const w of waiters.splice(0)) w();
      resolve(code);
    }),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    lines,
    exited,
    next(event, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`python peer ${mode}: no "${event}" within ${timeoutMs} ms; lines ${JSON.stringify(lines)}\n${stderr}`)), timeoutMs);
        const check = () => {
          const found = lines.find((l) => l.event === event);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (lines.some((l) => l.event === 'fatal') || done) {
            clearTimeout(timer);
            reject(new Error(`python peer ${mode} ended without "${event}": ${JSON.stringify(lines)}\n${stderr}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
