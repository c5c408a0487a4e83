#!/usr/bin/env node
// Builds the CDN bundles of @wampbox/wamp-client with esbuild into packages/client/dist/browser/:
//
//   wampbox.iife.min.js            global `wampbox`: client, JSON/MessagePack/CBOR, passthrough; no libsodium
//   wampbox.esm.min.js             the same as an ES module
//   wampbox-cryptobox.iife.min.js  global `wampbox`: all of the above plus cryptobox, cryptosign, libsodium
//   wampbox-cryptobox.esm.min.js   the same as an ES module
//
// and type declarations for the two ES modules (`*.esm.min.d.mts`, re-exporting dist/esm types).
//
// each minified, with a linked source map (`.map`, sources included). The bundles are built from
// the TypeScript sources (the root tsconfig.json maps @wampbox/* to them), so they do not depend on
// `npm run build`. The cryptobox variant's entry is the browser entry, packages/client/src/browser.ts;
// the entry of the variant without cryptobox is generated: every value the browser entry exports
// except those of @wampbox/cryptobox, so the two variants cannot drift apart.
//
// Nothing in the bundles generates code, so they run under a Content-Security-Policy without
// 'unsafe-eval' (see docs/browser.md).
//
// The build fails when a Node built-in module, `ws` or `sodium-native` would reach a bundle (or
// the name `sodium-native` appears in one: the browser entries must not even try to load it), when
// the variant without cryptobox would contain libsodium, or when `new Function`/`eval` is left in a
// bundle.
//
// Usage: node scripts/bundle.mjs
// Module: buildBundles(), browserBuildOptions(), browserGuardPlugin(), BUNDLES, OUT_DIR
import { builtinModules } from 'node:module';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLIENT_DIR = join(ROOT, 'packages', 'client');
export const OUT_DIR = join(CLIENT_DIR, 'dist', 'browser');
export const BROWSER_ENTRY = join(CLIENT_DIR, 'src', 'browser.ts');
export const CRYPTOBOX_ENTRY = join(ROOT, 'packages', 'cryptobox', 'src', 'index.ts');
/**
 * Browsers the bundles are compiled for: all have WebSocket, BigInt, WebAssembly, ES2020, class
 * fields (public and private) and logical assignment, so those stay native (smaller and faster
 * than their lowered forms); only what one of them lacks (class static blocks) is lowered.
 */
export const TARGET = ['chrome91', 'edge91', 'firefox90', 'safari15'];
/** The global the IIFE bundles assign. */
export const GLOBAL_NAME = 'wampbox';

/** The bundles: two variants (with and without cryptobox), each as IIFE and ESM. */
export const BUNDLES = [
  { file: 'wampbox.iife.min.js', format: 'iife', cryptobox: false },
  { file: 'wampbox.esm.min.js', format: 'esm', cryptobox: false },
  { file: 'wampbox-cryptobox.iife.min.js', format: 'iife', cryptobox: true },
  { file: 'wampbox-cryptobox.esm.min.js', format: 'esm', cryptobox: true },
];

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** `true` for `fs`, `node:fs`, `fs/promises`, ... */
export function isNodeBuiltin(specifier) {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]);
}

/**
 * Packages that only run on Node: `ws`, and `sodium-native` (a native addon, which only
 * @wampbox/cryptobox's Node entry loads).
 */
const NODE_ONLY_PACKAGES = ['ws', 'sodium-native'];

/** `true` for a Node-only package and its subpaths. */
function isNodeOnlyPackage(specifier) {
  return NODE_ONLY_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`));
}

const inPackage = (name) => `${sep}node_modules${sep}${name}${sep}`;

/**
 * Imports of Node built-ins that may stay in a browser bundle because they sit in a guarded,
 * Node-only fallback that never runs there; each is replaced by an empty module and reported.
 * libsodium 0.8.x: its Emscripten glue tries `require("crypto")` inside a try/catch only when no
 * `crypto.getRandomValues` exists, and cryptobox refuses to start libsodium without one.
 */
const GUARDED_NODE_FALLBACKS = [{ importer: inPackage('libsodium'), specifier: 'crypto', kind: 'require-call' }];

/**
 * esbuild plugin for browser bundles: fails the build on any import of a Node built-in or a
 * Node-only package
 * (except the guarded fallbacks above).
 * @param {{ stubbed?: Array<{ specifier: string, kind: string, importer: string }> }} [options]
 *   `stubbed` collects the guarded fallbacks replaced.
 */
export function browserGuardPlugin(options = {}) {
  const stubbed = options.stubbed ?? [];
  return {
    name: 'wampbox-browser-guard',
    setup(build) {
      build.onResolve({ filter: /^(node:.*|[a-z_0-9-]+(\/.*)?)$/ }, (args) => {
        if (!isNodeBuiltin(args.path) && !isNodeOnlyPackage(args.path)) return undefined;
        const allowed = GUARDED_NODE_FALLBACKS.find(
          (f) => args.importer.includes(f.importer) && args.path === f.specifier && args.kind === f.kind,
        );
        if (allowed) {
          stubbed.push({ specifier: args.path, kind: args.kind, importer: relative(ROOT, args.importer) });
          return { path: args.path, namespace: 'wampbox-empty' };
        }
        const what = isNodeOnlyPackage(args.path)
          ? `the Node-only package \`${args.path}\``
          : `the Node built-in module "${args.path}"`;
        const from = relative(ROOT, args.importer) || args.importer;
        return {
          errors: [
            {
              text: `${what} would reach a browser bundle (imported by ${from}); browser entries must not import Node-only code`,
            },
          ],
        };
      });
      build.onLoad({ filter: /.*/, namespace: 'wampbox-empty' }, () => ({
        contents: 'module.exports = {};',
        loader: 'js',
      }));
    },
  };
}

/**
 * esbuild options shared by every browser bundle (also used by scripts/size-budget.mjs).
 * @param {object} extra esbuild options to add or override (`plugins` are added before the guard)
 * @param {object[]} [stubbed] collects the guarded Node fallbacks replaced by empty modules
 */
export function browserBuildOptions(extra = {}, stubbed = []) {
  return {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    target: TARGET,
    minify: true,
    // Resolves @wampbox/* to the TypeScript sources (paths of the root tsconfig.json).
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'silent',
    metafile: true,
    legalComments: 'eof',
    // private members end in `_` (a convention the sources keep): nothing outside can reach them by
    // name, so the bundles shorten them
    mangleProps: /[^_]_$/,
    ...extra,
    plugins: [...(extra.plugins ?? []), browserGuardPlugin({ stubbed })],
  };
}

/** The names of the values the ES module `entry` exports. */
export async function valueExportsOf(entry) {
  const r = await esbuild.build(
    browserBuildOptions({ entryPoints: [entry], format: 'esm', write: false, outdir: OUT_DIR, minify: false }),
  );
  return Object.values(r.metafile.outputs)
    .flatMap((o) => o.exports)
    .sort();
}

let liteNamesPromise;
/** The values of the variant without cryptobox: the browser entry's values minus cryptobox's. */
export function liteNames() {
  liteNamesPromise ??= Promise.all([valueExportsOf(BROWSER_ENTRY), valueExportsOf(CRYPTOBOX_ENTRY)]).then(
    ([all, crypto]) => all.filter((n) => !crypto.includes(n)),
  );
  return liteNamesPromise;
}

/** Source of the generated entry of the variant without cryptobox. */
export async function liteEntrySource() {
  return [
    '// Generated by scripts/bundle.mjs: the browser entry without @wampbox/cryptobox (and so without libsodium).',
    `export { ${(await liteNames()).join(', ')} } from './browser.js';`,
    '',
  ].join('\n');
}

/** Type declarations of an ESM bundle (named in the package's `exports`), pointing at dist/esm. */
async function declarations(b) {
  const head = `// Types of ${b.file}, generated by scripts/bundle.mjs.\n`;
  if (b.cryptobox) return `${head}export * from '../esm/browser.js';\n`;
  // The values of the bundle, then every type of the browser entry (cryptobox's values only as types).
  return `${head}export { ${(await liteNames()).join(', ')} } from '../esm/browser.js';\nexport type * from '../esm/browser.js';\n`;
}

/** The esbuild `entryPoints`/`stdin` option of a variant. */
export async function entryOptions(cryptobox) {
  if (cryptobox) return { entryPoints: [BROWSER_ENTRY] };
  return {
    stdin: {
      contents: await liteEntrySource(),
      resolveDir: dirname(BROWSER_ENTRY),
      sourcefile: 'browser-lite.generated.ts',
      loader: 'ts',
    },
  };
}

function packageVersion() {
  return JSON.parse(readFileSync(join(CLIENT_DIR, 'package.json'), 'utf8')).version;
}

function banner(b) {
  const includes = b.cryptobox ? ' | includes libsodium.js (ISC)' : '';
  return `/*! @wampbox/wamp-client ${packageVersion()} ${b.file} | MIT${includes} */`;
}

/** esbuild warnings that are understood and harmless. */
const KNOWN_WARNINGS = [
  // libsodium's Emscripten glue reads import.meta.url only to locate files it never loads when bundled.
  (w) => w.id === 'empty-import-meta' && /node_modules\/libsodium\//.test(w.location?.file ?? ''),
];

/** Inputs that contribute bytes to an output (the metafile also lists files parsed but shaken out). */
function contributingInputs(output) {
  return Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
}

/**
 * The browser bundles leave progressive call invocations out: they load
 * packages/core/src/session/streaming.ts as `STREAMING = false` and without its functions, which
 * drops the feature's code and its announcement in HELLO (it does not fit their size budgets).
 */
const NO_STREAMING = {
  name: 'wampbox-no-streaming',
  setup(build) {
    build.onLoad({ filter: /[\\/]core[\\/]src[\\/]session[\\/]streaming\.ts$/ }, () => ({
      // no imports: esbuild then inlines the constant, and the code it guards goes
      contents: [
        'export const STREAMING = false;',
        'export const streamCall = undefined, chunkSender = undefined, openStream = undefined, takeChunk = undefined;',
      ].join('\n'),
      loader: 'ts',
    }));
  },
};

/**
 * Build every bundle, then check it. Resolves with one report per bundle; rejects with every
 * reason when a check fails.
 */
export async function buildBundles() {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const reports = [];
  const problems = [];
  for (const b of BUNDLES) {
    const stubbed = [];
    const outfile = join(OUT_DIR, b.file);
    let result;
    try {
      result = await esbuild.build(
        browserBuildOptions(
          {
            ...(await entryOptions(b.cryptobox)),
            outfile,
            format: b.format,
            globalName: b.format === 'iife' ? GLOBAL_NAME : undefined,
            sourcemap: 'linked',
            sourcesContent: true,
            banner: { js: banner(b) },
            plugins: [NO_STREAMING],
          },
          stubbed,
        ),
      );
    } catch (err) {
      const messages = (err.errors ?? []).map(
        (e) => `  ${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ''}`,
      );
      throw new Error(`bundle ${b.file} failed:\n${messages.join('\n') || err.message}`);
    }
    for (const w of result.warnings.filter((w) => !KNOWN_WARNINGS.some((k) => k(w)))) {
      problems.push(`${b.file}: esbuild warning: ${w.text} (${w.location?.file ?? '?'})`);
    }
    const output = result.metafile.outputs[relative(ROOT, outfile)];
    const inputs = contributingInputs(output);
    for (const input of inputs) {
      if (/(^|\/)node_modules\/(ws|sodium-native)\//.test(input) || input.startsWith('node:'))
        problems.push(`${b.file}: contains Node-only ${input}`);
      if (!b.cryptobox && (/node_modules\/libsodium/.test(input) || /packages\/cryptobox\//.test(input))) {
        problems.push(`${b.file}: the variant without cryptobox contains ${input}`);
      }
    }
    if (b.cryptobox && !inputs.some((i) => /node_modules\/libsodium\//.test(i)))
      problems.push(`${b.file}: libsodium is missing`);
    const text = readFileSync(outfile, 'utf8');
    for (const m of text.matchAll(/\brequire\(\s*["'`]((?:node:)?[a-z_0-9/-]+)["'`]\s*\)/g)) {
      if (isNodeBuiltin(m[1]) || isNodeOnlyPackage(m[1]))
        problems.push(`${b.file}: leaves require("${m[1]}") in the output`);
    }
    if (text.includes('sodium-native'))
      problems.push(`${b.file}: mentions sodium-native, which only the Node entry of @wampbox/cryptobox may load`);
    const codegen = text.match(/\bnew Function\b|\bFunction\(\s*["'`]|\beval\(/g);
    if (codegen)
      problems.push(
        `${b.file}: code generation left in the bundle (${[...new Set(codegen)].join(', ')}); it would need 'unsafe-eval' under a CSP`,
      );
    if (b.format === 'esm') writeFileSync(outfile.replace(/\.js$/, '.d.mts'), await declarations(b));
    reports.push({
      ...b,
      path: outfile,
      bytes: statSync(outfile).size,
      inputs: inputs.length,
      stubbed: [
        ...new Set(
          stubbed.filter((x) => inputs.includes(x.importer)).map((x) => `${x.specifier} (${x.kind} in ${x.importer})`),
        ),
      ],
      exports: output.exports ?? [],
    });
  }
  if (problems.length > 0) throw new Error(`browser bundle checks failed:\n  ${problems.join('\n  ')}`);
  return reports;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  try {
    const reports = await buildBundles();
    for (const r of reports) {
      const stubs = r.stubbed.length
        ? `; guarded Node fallback replaced by an empty module: ${r.stubbed.join(', ')}`
        : '';
      const api = r.format === 'iife' ? `global ${GLOBAL_NAME}` : `${r.exports.length} exports`;
      console.log(
        `bundled ${relative(ROOT, r.path)}: ${(r.bytes / 1024).toFixed(1)} KiB, ${r.inputs} modules, ${api}${stubs}`,
      );
    }
    console.log(`browser bundles built in ${Date.now() - started} ms`);
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
