/**
 * The gammazero/nexus router (the WAMP spec's Payload PassThru Mode dialect) in integration tests.
 *
 * - useNexus(): starts a nexus of the calling test file in beforeAll (building nexusd first when
 *   the cache has none: see scripts/router/nexus.mjs) and stops it in afterAll.
 * - nexusRoute(name): a route (transport × serializer) to it, by one of NEXUS_ROUTE_NAMES.
 * - recording(serializer): a serializer that keeps every message it encodes and decodes, to show
 *   what went on the wire and what nexus delivered.
 *
 * See docs/testing.md.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Serializer } from '@wampbox/wamp-client';
import { closeAll, routes } from '../helpers';
import type { Route } from '../helpers';
import { REPO_ROOT } from '../router';

export const NEXUS_SCRIPT = path.join(REPO_ROOT, 'scripts', 'router', 'nexus.mjs');

/** A running nexus, as `nexus.mjs start` describes it. */
export interface NexusRouter {
  router: 'nexus';
  version: string;
  wsUrl: string;
  rsUrl: string;
  rsUnixPath: string;
  realm: string;
  logFile: string;
  /** nexus's log so far. */
  readLog(): string;
  /** Stop nexusd and remove its folder. */
  stop(): Promise<void>;
}

export interface NexusOptions {
  /** nexus's debug log: among other things every message it receives, payload included. */
  verbose?: boolean;
  /** How long to wait for the router, a first build included (default 300 s). */
  timeoutMs?: number;
}

/**
 * Start nexus (`node scripts/router/nexus.mjs start`, in a child process that stops nexusd when it
 * gets SIGTERM or dies). Rejects with the reason, the script's own output included, when nexusd
 * cannot be built or started. A first run builds nexusd (about a minute on 2 cores).
 */
export async function startNexus({ verbose = false, timeoutMs = 300_000 }: NexusOptions = {}): Promise<NexusRouter> {
  const args = [NEXUS_SCRIPT, 'start', ...(verbose ? ['--verbose'] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => void (stderr = (stderr + d).slice(-20_000)));
  const exited = once(child, 'exit');
  const lines = readline.createInterface({ input: child.stdout });
  let timer: NodeJS.Timeout | undefined;
  try {
    const [line] = (await Promise.race([
      once(lines, 'line'),
      exited.then(() => Promise.reject(new Error('the script exited'))),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
      ),
    ])) as [string];
    const info = JSON.parse(line) as Omit<NexusRouter, 'readLog' | 'stop'>;
    return {
      ...info,
      readLog: () => (fs.existsSync(info.logFile) ? fs.readFileSync(info.logFile, 'utf8') : ''),
      async stop() {
        lines.close();
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        await exited;
      },
    };
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`nexus did not start (${(e as Error).message}):\n${stderr}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The routes nexus offers, by name (known before it starts, for describe.each). */
export const NEXUS_ROUTE_NAMES = routes({ wsUrl: '-', rsUrl: '-', rsUnixPath: '-', realm: '-' }).map((r) => r.name);

let current: NexusRouter | undefined;
const NOT_RUNNING =
  "nexus is not running: its start failed (this file's first error says why) or useNexus() was not called";

/**
 * Start a nexus for the calling test file in beforeAll, close the file's sessions and stop nexus in
 * afterAll. Returns an accessor of the running router (it throws before beforeAll ran).
 */
export function useNexus(options: NexusOptions = {}): () => NexusRouter {
  beforeAll(async () => {
    current = await startNexus(options);
  }, 330_000);
  afterAll(async () => {
    await closeAll();
    await current?.stop();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error(NOT_RUNNING);
    return current;
  };
}

/** The route `name` (one of NEXUS_ROUTE_NAMES) to the running nexus. */
export function nexusRoute(name: string): Route {
  if (!current) throw new Error(NOT_RUNNING);
  const route = routes(current).find((r) => r.name === name);
  if (!route) throw new Error(`nexus has no route ${name}`);
  return route;
}

/** A serializer that keeps what it encodes (`sent`) and decodes (`received`), message by message. */
export interface RecordingSerializer extends Serializer {
  readonly sent: unknown[][];
  readonly received: unknown[][];
}

/** Wrap `base` so that every message it encodes and decodes is kept (see RecordingSerializer). */
export function recording(base: Serializer): RecordingSerializer {
  const sent: unknown[][] = [];
  const received: unknown[][] = [];
  return {
    id: base.id,
    protocol: base.protocol,
    rawSocketId: base.rawSocketId,
    binary: base.binary,
    sent,
    received,
    encode(msg) {
      sent.push([...msg]);
      return base.encode(msg);
    },
    decode(frame) {
      const msg = base.decode(frame);
      received.push(msg);
      return msg;
    },
  };
}

/** Where the Options/Details and the Arguments of each payload-carrying message stand. */
const SLOTS: Readonly<Record<number, readonly [details: number, args: number]>> = {
  8: [3, 5], // ERROR
  16: [2, 4], // PUBLISH
  36: [3, 4], // EVENT
  48: [2, 4], // CALL
  50: [2, 3], // RESULT
  68: [3, 4], // INVOCATION
  70: [2, 3], // YIELD
};

/** The payload of a message as it stood on the wire. */
export interface WireSlots {
  details: Record<string, unknown>;
  args: unknown;
  kwargs: unknown;
}

/** The Options/Details, Arguments and ArgumentsKw of a recorded message. */
export function slotsOf(msg: readonly unknown[]): WireSlots {
  const at = SLOTS[msg[0] as number];
  if (!at) throw new Error(`message type ${String(msg[0])} carries no payload`);
  return { details: msg[at[0]] as Record<string, unknown>, args: msg[at[1]], kwargs: msg[at[1] + 1] };
}

/** The last message of `type` (a WAMP message type code) among `messages`; throws when there is none. */
export function lastOf(messages: readonly unknown[][], type: number): unknown[] {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]![0] === type) return messages[i]!;
  throw new Error(`no message of type ${type} among ${messages.length}`);
}
