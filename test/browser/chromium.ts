/**
 * Headless Chromium for the browser tests, driven by playwright-core with the system's Chromium
 * (Debian's `chromium` package, found or installed by scripts/install-chromium.sh in the global
 * setup, which hands its path over in $WAMPBOX_CHROMIUM_PATH). No Chromium is a test failure with
 * the reason, never a skip.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { REPO_ROOT } from './server';

export const CHROMIUM_PATH_ENV = 'WAMPBOX_CHROMIUM_PATH';
export const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts', 'install-chromium.sh');

/**
 * The Chromium executable: $WAMPBOX_CHROMIUM_PATH (set by the global setup), else what
 * scripts/install-chromium.sh finds or installs. Throws with the reason when there is none.
 */
export function chromiumPath(): string {
  const preset = process.env[CHROMIUM_PATH_ENV];
  if (preset && fs.existsSync(preset)) return preset;
  let out: string;
  try {
    out = execFileSync('bash', [INSTALL_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    }).trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `Chromium is needed for the browser tests and could not be found or installed by scripts/install-chromium.sh ` +
        `(${(err.stderr || err.message).trim()}). Install Debian's chromium package (apt-get install chromium) or set WAMPBOX_CHROMIUM.`,
    );
  }
  const found = out.split('\n').pop() ?? '';
  if (!found || !fs.existsSync(found))
    throw new Error(`scripts/install-chromium.sh printed no usable Chromium path (got "${out}")`);
  return found;
}

/** Launch headless Chromium; a failure to start becomes an error that says why. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      // playwright-core starts Chromium without its sandbox (--no-sandbox), which CI needs: it
      // runs as root, where the sandbox refuses to start.
      chromiumSandbox: false,
      args: ['--disable-dev-shm-usage', '--disable-gpu'],
      timeout: 60_000,
    });
  } catch (e) {
    throw new Error(`Chromium at ${executablePath} did not start under playwright-core: ${(e as Error).message}`);
  }
}

/**
 * Console output that is known and harmless, kept out of `problems`:
 * - core's WebSocket transport first tries `binaryType = 'nodebuffer'` (for `ws`) and falls back
 *   to 'arraybuffer'; browsers log a warning for the unknown value on every connection.
 */
export const KNOWN_CONSOLE_NOISE: RegExp[] = [
  /The provided value 'nodebuffer' is not a valid enum value of type BinaryType/,
];

export interface TestPage {
  readonly page: Page;
  /** console messages of type error/warning, and uncaught page errors, in order. */
  readonly problems: string[];
  /** console messages matching {@link KNOWN_CONSOLE_NOISE}. */
  readonly noise: string[];
  /** CSP violations the page recorded (securitypolicyviolation events). */
  violations(): Promise<Array<{ directive: string; blocked: string; source: string; line: number; sample: string }>>;
  close(): Promise<void>;
}

/** Open `url` in a fresh context and wait until `window.wampbox` and the harness are there. */
export async function openPage(
  browser: Browser,
  url: string,
  options: { waitForBundle?: boolean } = {},
): Promise<TestPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const noise: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const line = `console.${m.type()}: ${m.text()}`;
    (KNOWN_CONSOLE_NOISE.some((re) => re.test(line)) ? noise : problems).push(line);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(url, { waitUntil: 'load' });
  if (options.waitForBundle !== false) {
    try {
      await page.waitForFunction(
        () =>
          (window as unknown as { wampbox?: unknown; wbTest?: unknown }).wampbox !== undefined &&
          (window as unknown as { wbTest?: unknown }).wbTest !== undefined,
        undefined,
        {
          timeout: 15_000,
        },
      );
    } catch (e) {
      throw new Error(`the bundle did not load on ${url}: ${(e as Error).message}\n${problems.join('\n')}`);
    }
  }
  return {
    page,
    problems,
    noise,
    violations: () => page.evaluate(() => (window as unknown as { __violations: [] }).__violations),
    close: () => context.close(),
  };
}
