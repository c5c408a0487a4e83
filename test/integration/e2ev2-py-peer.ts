/**
 * Drive the independent Python implementation of `x_e2ev2` (test/interop/python/e2ev2/peer_e2ev2.py)
 * from integration tests: one peer per serializer, JSON commands on stdin, one JSON line per
 * observation on stdout (binary as Uint8Array once read). Built on python-peer.ts.
 *
 * - startPyPeer(ser, config) spawns the peer on the shared router and resolves once it is ready;
 * - answer(peer, cmd, events) sends a command and awaits its answer (a line with the command's tag
 *   and one of `events`);
 * - hex(bytes) writes key material the way the peer's configuration and commands take it.
 *
 * The configuration and the commands are described in test/interop/python/e2ev2/README.md.
 */
import * as path from 'node:path';
import { startPeer } from './python-peer';
import type { PeerLine } from './python-peer';
import { REPO_ROOT, routerInfo } from './router';

export type PySer = 'json' | 'msgpack' | 'cbor';

/** The x_e2ev2 peer script. */
export const PY_E2EV2_PEER = path.join(REPO_ROOT, 'test', 'interop', 'python', 'e2ev2', 'peer_e2ev2.py');

/** A driven peer_e2ev2.py. */
export interface PyPeer {
  /** Every line printed so far, in order. */
  readonly lines: readonly PeerLine[];
  /** Send one command (a fresh `tag` is added); returns the tag. */
  send(cmd: Record<string, unknown>): number;
  /** The first line not yet awaited that matches `predicate` (rejects with the peer's output after 10 s). */
  wait(what: string, predicate: (l: PeerLine) => boolean, timeoutMs?: number): Promise<PeerLine>;
  stop(): Promise<void>;
}

/** Start peer_e2ev2.py in driven mode on the shared router with `config` (README: "Configuration"). */
export async function startPyPeer(ser: PySer, config: unknown): Promise<PyPeer> {
  const { wsUrl, realm } = routerInfo();
  const args = ['driven', '--url', wsUrl, '--realm', realm, '--serializer', ser];
  const peer = await startPeer([...args, '--config-json', JSON.stringify(config)], {
    script: PY_E2EV2_PEER,
    name: `x_e2ev2 peer on ${ser}`,
  });
  return {
    lines: peer.lines,
    send: (cmd) => peer.command(cmd),
    async wait(what, predicate, timeoutMs = 10_000) {
      try {
        return await peer.next(predicate, timeoutMs);
      } catch (e) {
        throw new Error(`waiting for ${what}: ${(e as Error).message}`);
      }
    },
    stop: () => peer.stop(),
  };
}

/** Send `cmd` and await its answer: the line with its tag and one of `events`. */
export function answer(peer: PyPeer, cmd: Record<string, unknown>, events: readonly string[]): Promise<PeerLine> {
  const t = peer.send(cmd);
  return peer.wait(`${String(cmd['op'])} answered`, (l) => l['tag'] === t && events.includes(l.event));
}

/** Lowercase hex, as the peer takes keys and key ids. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
