/**
 * scripts/bundle.mjs refuses Node-only code in browser bundles: its esbuild plugin fails the build
 * on any import of a Node built-in, `ws` or `sodium-native`. Runs esbuild in a child process (scripts/bundle.mjs is
 * an ES module, which jest's CommonJS runtime cannot import).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './server';

/** Try to bundle `source` (resolved from packages/client/src) the way the CDN bundles are built. */
function tryBundle(source: string): { ok: boolean; errors: string[] } {
  const script = `
    import * as esbuild from 'esbuild';
    import { browserBuildOptions } from ${JSON.stringify(path.join(REPO_ROOT, 'scripts', 'bundle.mjs'))};
    try {
      await esbuild.build(browserBuildOptions({ stdin: { contents: ${JSON.stringify(source)}, resolveDir: ${JSON.stringify(path.join(REPO_ROOT, 'packages', 'client', 'src'))}, loader: 'ts' }, format: 'esm', write: false, outfile: 'x.js' }));
      console.log(JSON.stringify({ ok: true, errors: [] }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, errors: (e.errors ?? []).map((x) => x.text) }));
    }`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { ok: boolean; errors: string[] };
}

test.each([
  [
    "import { readFileSync } from 'node:fs'; export const f = readFileSync;",
    /Node built-in module "node:fs" would reach a browser bundle/,
  ],
  [
    "import { createHash } from 'crypto'; export const h = createHash;",
    /Node built-in module "crypto" would reach a browser bundle/,
  ],
  [
    "import WebSocket from 'ws'; export const W = WebSocket;",
    /the Node-only package `ws` would reach a browser bundle/,
  ],
  ["export { connect } from './index.js';", /would reach a browser bundle/],
  [
    "import sodium from 'sodium-native'; export const s = sodium;",
    /the Node-only package `sodium-native` would reach a browser bundle/,
  ],
  // cryptobox's Node entry, which loads sodium-native when it is installed
  [
    "export * from '../../cryptobox/src/node.js';",
    /the Node-only package `sodium-native` would reach a browser bundle \(imported by packages\/cryptobox\/src\/internal\/native-binding.ts\)/,
  ],
])('the build fails for %s', (source, message) => {
  const r = tryBundle(source);
  expect(r.ok).toBe(false);
  expect(r.errors.join('\n')).toMatch(message);
});

test('the browser entry bundles', () => {
  expect(tryBundle("export { connect, json, cryptobox } from './browser.js';")).toEqual({ ok: true, errors: [] });
});
