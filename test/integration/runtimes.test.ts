/**
 * The client on other JavaScript runtimes: Node 22 and 24, Deno and Bun, each through its Node
 * entry (`ws`, RawSocket over node:net) and its browser entry (the runtime's global WebSocket),
 * against the shared Crossbar router. Each runtime comes from the npm registry through
 * scripts/runtimes/install.mjs (cached after the first install) and runs
 * scripts/runtimes/smoke.mjs on the built packages (`npm run build` first): RPC, PubSub, a cryptobox
 * call and event, and (Node entry) a call over RawSocket. A runtime that cannot be installed or
 * run fails its tests with the reason. See docs/runtimes.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runProcess } from './helpers';
import { REPO_ROOT, routerInfo } from './router';

const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts', 'runtimes', 'install.mjs');
const SMOKE = path.join(REPO_ROOT, 'scripts', 'runtimes', 'smoke.mjs');
const BUILT_CLIENT = path.join(REPO_ROOT, 'packages', 'client', 'dist', 'esm', 'index.js');

interface Installed {
  bin: string;
  dir: string;
  version: string;
  cached: boolean;
  ms: number;
}

/** Install one runtime (or find it in the cache); throws with the installer's reason. */
async function install(name: string): Promise<Installed> {
  const r = await runProcess(process.execPath, [INSTALL_SCRIPT, name], { timeoutMs: 240_000 });
  const last = r.lines[r.lines.length - 1] ?? '';
  let out: Record<string, Installed | { error: string }> | undefined;
  try {
    out = JSON.parse(last) as Record<string, Installed | { error: string }>;
  } catch {
    /* reported below */
  }
  const got = out?.[name];
  if (r.code !== 0 || !got || 'error' in got) {
    const reason = got && 'error' in got ? got.error : `exit code ${r.code}`;
    throw new Error(`cannot install the ${name} runtime: ${reason}\n--- stderr\n${r.stderr}`);
  }
  return got;
}

/** What scripts/runtimes/smoke.mjs prints on its last line. */
interface SmokeResult {
  ok: boolean;
  runtime: string;
  version: string;
  entry: string;
  webSocket: string;
  serializer: string;
  error?: string;
  rpc: Record<string, number>;
  pubsub: { args: unknown[]; kwargs: Record<string, unknown> };
  cryptobox: { call: string; event: string; plaintextCall: string };
  rawsocket?: Record<string, unknown>;
  ms: number;
}

/** The command line that runs the smoke program on a runtime. */
function smokeCommand(name: string, installed: Installed, args: string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  if (name === 'deno') {
    // Deno keeps its caches under the runtime's cache folder, never asks for updates, and may
    // only reach the loopback router, read files and read the environment.
    return {
      args: ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', SMOKE, ...args],
      env: { DENO_DIR: path.join(installed.dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1' },
    };
  }
  if (name === 'bun') {
    // Bun may not install packages on its own, keeps its transpiler cache in the runtime's folder
    // (not ~/.bun) and sends no crash report.
    return {
      args: ['--no-install', SMOKE, ...args],
      env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: path.join(installed.dir, 'transpiler-cache'), DO_NOT_TRACK: '1' },
    };
  }
  return { args: [SMOKE, ...args], env: {} };
}

const RUNTIMES: Array<{ name: string; runtime: string; major: string }> = [
  { name: 'node22', runtime: 'node', major: '22' },
  { name: 'node24', runtime: 'node', major: '24' },
  { name: 'deno', runtime: 'deno', major: '2' },
  { name: 'bun', runtime: 'bun', major: '1' },
];

beforeAll(() => {
  if (!fs.existsSync(BUILT_CLIENT)) {
    throw new Error(`${BUILT_CLIENT} is missing: the runtimes import the built packages, run \`npm run build\` first`);
  }
});

describe.each(RUNTIMES)('$name', ({ name, runtime, major }) => {
  let installed: Installed | undefined;
  let installError: Error | undefined;

  beforeAll(async () => {
    try {
      installed = await install(name);
      process.stderr.write(
        `[runtimes] ${name} ${installed.version} ${installed.cached ? 'cached' : 'installed'} ` +
          `in ${(installed.ms / 1000).toFixed(1)} s\n`,
      );
    } catch (e) {
      installError = e as Error;
    }
  }, 300_000);

  test.each(['node', 'browser'])(`%s entry: RPC, PubSub, cryptobox`, async (entry) => {
    if (installError) throw installError;
    if (!installed) throw new Error(`the ${name} runtime was not installed`);
    const { wsUrl, rsUrl, realm } = routerInfo();
    const cmd = smokeCommand(name, installed, ['--entry', entry, wsUrl, realm, rsUrl]);
    const r = await runProcess(installed.bin, cmd.args, { env: cmd.env });
    const last = r.lines[r.lines.length - 1] ?? '';
    let res: SmokeResult;
    try {
      res = JSON.parse(last) as SmokeResult;
    } catch {
      throw new Error(`no result line (exit code ${r.code})\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
    if (r.code !== 0 || !res.ok) {
      throw new Error(`${name} failed (exit code ${r.code}): ${res.error}\n--- stderr\n${r.stderr}`);
    }
    expect(res.runtime).toBe(runtime);
    expect(res.version).toBe(installed.version);
    expect(res.version.split('.')[0]).toBe(major);
    expect(res.entry).toBe(entry);
    expect(res.webSocket).toBe(entry === 'node' ? 'ws' : 'global');
    expect(res.rpc).toEqual({ 'add(2,3)': 5 });
    expect(res.pubsub).toEqual({ args: ['hello', 42], kwargs: { from: runtime } });
    expect(res.cryptobox).toEqual({
      call: `hello ${runtime}, sealed`,
      event: 'secret',
      plaintextCall: 'wamp.error.encryption.plaintext_refused',
    });
    if (entry === 'node') expect(res.rawsocket).toEqual({ url: rsUrl, 'add(20,22)': 42 });
    else expect(res.rawsocket).toBeUndefined();
  });
});
