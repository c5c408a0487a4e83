#!/usr/bin/env node
// Builds every package to dist/esm (ES modules) and dist/cjs (CommonJS), each with type declarations.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const order = ['core', 'cryptobox', 'contracts', 'client'];

// the version the library reports (HELLO's agent) is the package's: written before compiling
const coreVersion = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')).version;
const versionFile = join(root, 'packages', 'core', 'src', 'protocol', 'version.ts');
const versionSource = [
  '// Written by scripts/build.mjs from packages/core/package.json: do not edit by hand.',
  "/** The library version (that of `@wampbox/core`), also sent in HELLO's `agent`. */",
  `export const VERSION = '${coreVersion}';`,
  '',
].join('\n');
if (readFileSync(versionFile, 'utf8') !== versionSource) writeFileSync(versionFile, versionSource);

for (const name of order) {
  const dir = join(root, 'packages', name);
  const started = Date.now();
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const project = join(dir, 'tsconfig.build.json');
  const run = (args) => execFileSync(process.execPath, [tsc, '-p', project, ...args], { stdio: 'inherit', cwd: dir });
  run(['--outDir', join(dir, 'dist/esm'), '--module', 'ES2022', '--moduleResolution', 'Bundler']);
  run(['--outDir', join(dir, 'dist/cjs'), '--module', 'CommonJS', '--moduleResolution', 'Node10']);
  mkdirSync(join(dir, 'dist/esm'), { recursive: true });
  // the nearest package.json is what bundlers read: keep the package's sideEffects flag here too
  // (false, or the list of files with side effects, such as cryptobox's Node entry)
  const declared = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).sideEffects ?? false;
  const sideEffects = (format) =>
    JSON.stringify(
      Array.isArray(declared)
        ? declared
            .filter((f) => f.startsWith(`./dist/${format}/`))
            .map((f) => `./${f.slice(`./dist/${format}/`.length)}`)
        : declared,
    );
  writeFileSync(join(dir, 'dist/esm/package.json'), `{ "type": "module", "sideEffects": ${sideEffects('esm')} }\n`);
  writeFileSync(join(dir, 'dist/cjs/package.json'), `{ "type": "commonjs", "sideEffects": ${sideEffects('cjs')} }\n`);
  // command-line entry points must be executable where the workspace links them into node_modules/.bin
  for (const format of ['esm', 'cjs']) {
    const cli = join(dir, 'dist', format, 'cli.js');
    if (existsSync(cli)) chmodSync(cli, 0o755);
  }
  console.log(`built @wampbox/${name} in ${Date.now() - started} ms`);
}
