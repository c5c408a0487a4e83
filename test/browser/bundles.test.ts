/**
 * The built CDN bundles in headless Chromium against the real router: each bundle (IIFE and ESM,
 * with and without cryptobox) does RPC and PubSub on each serializer, and talks to a Node session.
 */
import type { Browser } from 'playwright-core';
import { connect, json, Result } from '@wampbox/wamp-client';
import type { Session } from '@wampbox/wamp-client';
import { routerInfo } from '../integration/router';
import { uniqueUri } from '../integration/helpers';
import { launchChromium, openPage, type TestPage } from './chromium';
import { startStaticServer, type StaticServer } from './server';

jest.setTimeout(60_000);

const BUNDLES = [
  'wampbox.iife.min.js',
  'wampbox.esm.min.js',
  'wampbox-cryptobox.iife.min.js',
  'wampbox-cryptobox.esm.min.js',
];
const SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;
const CRYPTOBOX_NAMES = ['KeyRing', 'cryptobox', 'generateKeyPair', 'cryptosign'];

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  server = await startStaticServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const bytes = (xs: number[]) => ({ $bytes: xs });

describe.each(BUNDLES)('%s', (bundle) => {
  let tp: TestPage;
  beforeAll(async () => {
    tp = await openPage(browser, server.pageUrl(bundle));
  });
  afterAll(async () => {
    await tp?.close();
  });

  test('links a source map that carries the TypeScript sources', async () => {
    const js = await (await fetch(`${server.origin}/dist/${bundle}`)).text();
    expect(js.trimEnd().endsWith(`//# sourceMappingURL=${bundle}.map`)).toBe(true);
    const map = (await (await fetch(`${server.origin}/dist/${bundle}.map`)).json()) as {
      sources: string[];
      sourcesContent: string[];
    };
    expect(map.sources.some((s) => s.endsWith('core/src/session/session.ts'))).toBe(true);
    expect(map.sourcesContent).toHaveLength(map.sources.length);
    expect(map.sources.some((s) => /libsodium/.test(s))).toBe(bundle.includes('cryptobox'));
  });

  test('exposes the client, the serializers and passthrough, and cryptobox only in its variant', async () => {
    const names: string[] = await tp.page.evaluate(() => (window as any).wbTest.exports());
    for (const n of ['connect', 'json', 'msgpack', 'cbor', 'passthrough', 'Session', 'ApplicationError', 'Result'])
      expect(names).toContain(n);
    for (const n of CRYPTOBOX_NAMES) {
      if (bundle.includes('cryptobox')) expect(names).toContain(n);
      else expect(names).not.toContain(n);
    }
  });

  test('keeps the error class names that code and logs rely on', async () => {
    const names: Record<string, string> = await tp.page.evaluate(() => (window as any).wbTest.errorNames());
    expect(Object.keys(names)).toEqual(
      expect.arrayContaining([
        'ApplicationError',
        'ProtocolError',
        'SessionClosedError',
        'TimeoutError',
        'WampboxError',
      ]),
    );
    for (const [exported, name] of Object.entries(names)) expect(name).toBe(exported);
    const info = routerInfo();
    const h = await tp.page.evaluate((o) => (window as any).wbTest.open(o), {
      url: info.wsUrl,
      realm: info.realm,
      serializer: 'json',
    });
    const r = await tp.page.evaluate(([id, p]) => (window as any).wbTest.call(id, p, [], {}), [
      h.id,
      uniqueUri('com.example.browser.nothing_here'),
    ] as const);
    expect(r).toMatchObject({ ok: false, error: { name: 'ApplicationError', code: 'ERR_APPLICATION' } });
    await tp.page.evaluate((id) => (window as any).wbTest.close(id), h.id);
  });

  test.each(SERIALIZERS)('RPC and PubSub over WebSocket with %s', async (serializer) => {
    const info = routerInfo();
    const prefix = uniqueUri(`com.example.browser.${serializer}`);
    const r = await tp.page.evaluate((o) => (window as any).wbTest.selfTest(o), {
      url: info.wsUrl,
      realm: info.realm,
      serializer,
      prefix,
    });
    expect(r.serializer).toBe(serializer);
    expect(r.call).toEqual({ ok: true, args: r.sent.args, kwargs: r.sent.kwargs });
    expect(r.pub).toEqual({ ok: true });
    expect(r.event).toEqual({ args: r.sent.args, kwargs: r.sent.kwargs });
    expect(tp.problems).toEqual([]);
  });

  test('talks to a Node session (browser calls Node, Node calls browser, events both ways)', async () => {
    const info = routerInfo();
    const prefix = uniqueUri('com.example.browser.node');
    const node: Session = await connect({ url: info.wsUrl, realm: info.realm, serializers: [json()] });
    try {
      await node.register(
        `${prefix}.node_add`,
        (inv) => new Result([(inv.args[0] as number) + (inv.args[1] as number)]),
      );
      const nodeEvents: unknown[][] = [];
      await node.subscribe(`${prefix}.from_browser`, (ev) => {
        nodeEvents.push(ev.args);
      });
      const { page } = tp;
      const h = await page.evaluate((o) => (window as any).wbTest.open(o), {
        url: info.wsUrl,
        realm: info.realm,
        serializer: 'cbor',
      });
      await page.evaluate(([id, p]) => (window as any).wbTest.registerEcho(id, p), [
        h.id,
        `${prefix}.browser_echo`,
      ] as const);
      await page.evaluate(([id, t]) => (window as any).wbTest.subscribe(id, t), [h.id, `${prefix}.from_node`] as const);

      const sum = await page.evaluate(([id, p]) => (window as any).wbTest.call(id, p, [2, 3], {}), [
        h.id,
        `${prefix}.node_add`,
      ] as const);
      expect(sum).toEqual({ ok: true, args: [5], kwargs: {} });

      const echoed = await node.call(`${prefix}.browser_echo`, ['hi', new Uint8Array([7, 8])], { x: 1 });
      expect(echoed.args).toEqual(['hi', new Uint8Array([7, 8])]);
      expect(echoed.kwargs).toEqual({ x: 1 });

      await page.evaluate(([id, t]) => (window as any).wbTest.publish(id, t, ['b2n'], {}), [
        h.id,
        `${prefix}.from_browser`,
      ] as const);
      await node.publish(`${prefix}.from_node`, ['n2b', new Uint8Array([1])], {}, { acknowledge: true });
      const until = Date.now() + 10_000;
      let got: unknown[] = [];
      while (Date.now() < until) {
        got = await page.evaluate((t) => (window as any).wbTest.received(t), `${prefix}.from_node`);
        if (got.length > 0 && nodeEvents.length > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(got).toEqual([{ args: ['n2b', bytes([1])], kwargs: {} }]);
      expect(nodeEvents).toEqual([['b2n']]);
      await page.evaluate((id) => (window as any).wbTest.close(id), h.id);
    } finally {
      await node.close();
    }
    expect(tp.problems).toEqual([]);
  });
});
