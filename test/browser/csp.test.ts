/**
 * The bundles under a strict Content-Security-Policy: scripts only from the page's own origin (no
 * inline code, no 'unsafe-eval'), WebSocket only to the router, nothing else. The page records
 * every `securitypolicyviolation` event; a clean run has none.
 *
 * What the policy needs is documented in docs/browser.md:
 * - wampbox.*.min.js: nothing beyond `script-src` for the bundle and `connect-src` for the router;
 * - wampbox-cryptobox.*.min.js: also 'wasm-unsafe-eval' (libsodium is WebAssembly).
 */
import type { Browser } from 'playwright-core';
import * as esbuild from 'esbuild';
import { routerInfo } from '../integration/router';
import { uniqueUri } from '../integration/helpers';
import { launchChromium, openPage } from './chromium';
import { REPO_ROOT, startStaticServer, type StaticServer } from './server';

jest.setTimeout(60_000);

let browser: Browser;
let server: StaticServer;

/** The strict policy; `extraScript` adds script-src sources (e.g. 'wasm-unsafe-eval'). */
function policy(extraScript = ''): string {
  const ws = new URL(routerInfo().wsUrl);
  return [
    "default-src 'none'",
    `script-src 'self'${extraScript ? ` ${extraScript}` : ''}`,
    `connect-src ws://${ws.host}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

beforeAll(async () => {
  server = await startStaticServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function selfTest(bundle: string, csp: string, serializer: string, keys?: Record<string, string>) {
  const tp = await openPage(browser, server.pageUrl(bundle, csp));
  try {
    const info = routerInfo();
    const prefix = uniqueUri(`com.example.csp.${serializer}`);
    const r = await tp.page.evaluate((o) => (window as any).wbTest.selfTest(o), {
      url: info.wsUrl,
      realm: info.realm,
      serializer,
      prefix,
      keys: keys ? { prefix: `${prefix}.`, ...keys } : undefined,
    });
    return { r, violations: await tp.violations(), problems: tp.problems };
  } finally {
    await tp.close();
  }
}

describe.each(['wampbox.iife.min.js', 'wampbox.esm.min.js'])('%s under a strict CSP', (bundle) => {
  test.each(['json', 'msgpack', 'cbor'])('RPC and PubSub with %s and no violation', async (serializer) => {
    const { r, violations, problems } = await selfTest(bundle, policy(), serializer);
    expect(r.call).toEqual({ ok: true, args: r.sent.args, kwargs: r.sent.kwargs });
    expect(r.event).toEqual({ args: r.sent.args, kwargs: r.sent.kwargs });
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('wampbox-cryptobox.iife.min.js under a strict CSP', () => {
  test("with 'wasm-unsafe-eval': encrypted RPC and PubSub with every serializer, no violation", async () => {
    const tp = await openPage(browser, server.pageUrl('wampbox-cryptobox.iife.min.js', policy("'wasm-unsafe-eval'")));
    const kp = async () => tp.page.evaluate(() => (window as any).wbTest.keyPair());
    const a = await kp();
    await tp.close();
    expect(a.ok).toBe(true);
    // One key pair per role; this session is both originator and responder of its own messages.
    const { generateKeyPair } = await import('@wampbox/cryptobox');
    const o = await generateKeyPair();
    const r = await generateKeyPair();
    const keys = {
      originatorPriv: o.secretKeyBase64,
      responderPub: r.publicKeyBase64,
      responderPriv: r.secretKeyBase64,
      originatorPub: o.publicKeyBase64,
    };
    for (const serializer of ['json', 'msgpack', 'cbor']) {
      const res = await selfTest('wampbox-cryptobox.iife.min.js', policy("'wasm-unsafe-eval'"), serializer, keys);
      expect(res.r.call).toEqual({ ok: true, args: res.r.sent.args, kwargs: res.r.sent.kwargs });
      expect(res.r.event).toEqual({ args: res.r.sent.args, kwargs: res.r.sent.kwargs });
      expect(res.violations).toEqual([]);
      expect(res.problems).toEqual([]);
    }
  });

  test("without 'wasm-unsafe-eval': libsodium cannot start, and the page reports why", async () => {
    const tp = await openPage(browser, server.pageUrl('wampbox-cryptobox.iife.min.js', policy()));
    try {
      const res = await tp.page.evaluate(() => (window as any).wbTest.keyPair());
      expect(res.ok).toBe(false);
      expect(res.error.message).toMatch(/WebAssembly.*Content Security Policy/);
      const violations = await tp.violations();
      expect(violations.map((v) => v.blocked)).toContain('wasm-eval');
    } finally {
      await tp.close();
    }
  });
});

test('control: a script that generates code violates the policy, and the check sees it', async () => {
  // Proves that the violation check above can see code generation.
  const out = await esbuild.build({
    stdin: {
      contents:
        "var generated = false; try { generated = new Function('return true')(); } catch (e) {} window.wampbox = { roundTrip: (v) => v, generated: generated };",
      resolveDir: REPO_ROOT,
      loader: 'js',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  server.addFile('codegen.js', out.outputFiles[0]!.text);
  const tp = await openPage(browser, server.pageUrl('extra:codegen.js', policy()));
  try {
    expect(await tp.page.evaluate(() => (window as any).wampbox.roundTrip({ a: 1 }))).toEqual({ a: 1 });
    expect(await tp.page.evaluate(() => (window as any).wampbox.generated)).toBe(false);
    await tp.page.waitForTimeout(100); // violation events are dispatched asynchronously
    const violations = await tp.violations();
    // Reported as 'eval' (script-src), or first as 'trusted-types-sink' under require-trusted-types-for.
    expect(violations.filter((v) => v.blocked === 'eval' || v.blocked === 'trusted-types-sink')).not.toEqual([]);
  } finally {
    await tp.close();
  }
});
