/**
 * jest globalSetup of the `browser` project: checks that the CDN bundles are built, finds (or on a
 * fresh machine installs) Chromium, and starts the shared Crossbar.io router through the
 * integration project's setup (which reuses the router when that project already started it).
 * Anything missing makes this throw, so the browser tests fail with the reason instead of skipping.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import integrationSetup from '../integration/global-setup';
import { CHROMIUM_PATH_ENV, chromiumPath } from './chromium';
import { BUNDLE_DIR } from './server';

const BUNDLES = [
  'wampbox.iife.min.js',
  'wampbox.esm.min.js',
  'wampbox-cryptobox.iife.min.js',
  'wampbox-cryptobox.esm.min.js',
];

export default async function globalSetup(): Promise<void> {
  const missing = BUNDLES.filter((f) => !fs.existsSync(path.join(BUNDLE_DIR, f)));
  if (missing.length > 0) {
    throw new Error(
      `browser bundles missing in ${BUNDLE_DIR} (${missing.join(', ')}): run \`npm run bundle\` first (npm test does)`,
    );
  }
  const t0 = Date.now();
  process.env[CHROMIUM_PATH_ENV] = chromiumPath();
  process.stderr.write(`[browser] Chromium: ${process.env[CHROMIUM_PATH_ENV]} (${Date.now() - t0} ms)\n`);
  await integrationSetup();
}
