/**
 * jest globalSetup of the `integration` project: installs the Crossbar.io venv if needed, starts
 * one router for the whole run and hands its URLs to the test workers through a JSON file named
 * by $WAMPBOX_ROUTER_INFO (environment changes made here reach the workers).
 *
 * When WAMPBOX_ROUTER_INFO already names a readable file (a router started by hand with
 * `node scripts/router/router.mjs start > FILE`), that router is used and nothing is started.
 *
 * A router that cannot start makes this throw, and so the integration run fails with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

interface RouterHandle {
  dir: string;
  info(): Record<string, unknown>;
  stop(): Promise<void>;
}

interface RouterModule {
  ensureVenv(): Promise<string>;
  startRouter(options?: { loglevel?: string; timeoutMs?: number }): Promise<RouterHandle>;
}

declare global {
  var __WAMPBOX_ROUTER__: RouterHandle | undefined;
}

// A real dynamic import (the TypeScript transform would turn `import()` into `require()`,
// which cannot load an ES module).
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export default async function globalSetup(): Promise<void> {
  const preset = process.env.WAMPBOX_ROUTER_INFO;
  if (preset && fs.existsSync(preset)) {
    process.stderr.write(`\n[router] using the router described by ${preset}\n`);
    return;
  }
  const script = path.resolve(__dirname, '..', '..', 'scripts', 'router', 'router.mjs');
  const router = (await importModule(pathToFileURL(script).href)) as RouterModule;
  const t0 = Date.now();
  process.stderr.write('\n');
  await router.ensureVenv();
  const loglevel = process.env.WAMPBOX_ROUTER_LOGLEVEL || undefined;
  const handle = await router.startRouter({ loglevel });
  globalThis.__WAMPBOX_ROUTER__ = handle;
  const infoFile = path.join(handle.dir, 'router-info.json');
  fs.writeFileSync(infoFile, `${JSON.stringify(handle.info(), null, 2)}\n`);
  process.env.WAMPBOX_ROUTER_INFO = infoFile;
  process.stderr.write(`[router] integration router up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${infoFile}\n`);
}
