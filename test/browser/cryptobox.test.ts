/**
 * Cryptobox end to end between a browser page (the wampbox-cryptobox bundle) and an
 * Autobahn|Python peer, through Crossbar, in both directions, for RPC and PubSub. The Python peer
 * reports `enc_algo: "cryptobox"` for what it received encrypted; the page runs the codec in
 * strict mode, which refuses plaintext on a keyed URI, so what it accepts arrived sealed.
 */
import type { Browser } from 'playwright-core';
import { generateKeyPair } from '@wampbox/cryptobox';
import { routerInfo } from '../integration/router';
import { uniqueUri } from '../integration/helpers';
import { launchChromium, openPage, type TestPage } from './chromium';
import { peerArg, startPeer, type Peer, type PeerLine } from '../integration/python-peer';
import { startStaticServer, type StaticServer } from './server';

jest.setTimeout(90_000);

let browser: Browser;
let server: StaticServer;
let originator: { pub: string; priv: string };
let responder: { pub: string; priv: string };
const peers: Peer[] = [];

beforeAll(async () => {
  server = await startStaticServer();
  browser = await launchChromium();
  const o = await generateKeyPair();
  const r = await generateKeyPair();
  originator = { pub: o.publicKeyBase64, priv: o.secretKeyBase64 };
  responder = { pub: r.publicKeyBase64, priv: r.secretKeyBase64 };
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The peer's next line with this event (30 s: the peers run a full handshake each). */
const nextEvent = (p: Peer, event: string): Promise<PeerLine> => p.next((l) => l.event === event, 30_000);
const bytes = (xs: number[]) => ({ $bytes: xs });

type Case = 'browser calls' | 'python calls' | 'browser publishes' | 'python publishes';
const ALL: Case[] = ['browser calls', 'python calls', 'browser publishes', 'python publishes'];

// The IIFE build in all four directions; the ESM build (same code, other wrapper) in one per role.
describe.each([
  ['wampbox-cryptobox.iife.min.js', 'cbor', ALL],
  ['wampbox-cryptobox.esm.min.js', 'json', ['browser calls', 'python publishes'] as Case[]],
] as const)('%s (%s) with Autobahn|Python', (bundle, serializer, cases) => {
  /** Declare the test only for the cases of this bundle. */
  const when = (c: Case) => (name: string, fn: () => Promise<void>) => {
    if (cases.includes(c)) test(name, fn);
  };
  let tp: TestPage;
  let prefix: string;
  beforeAll(async () => {
    tp = await openPage(browser, server.pageUrl(bundle));
  });
  beforeEach(() => {
    prefix = `${uniqueUri('com.example.browserbox')}.`;
  });
  afterAll(async () => {
    await tp?.close();
  });

  const open = (keys: Record<string, string>) => {
    const info = routerInfo();
    return tp.page.evaluate((o) => (window as any).wbTest.open(o), {
      url: info.wsUrl,
      realm: info.realm,
      serializer,
      keys: { prefix, ...keys },
    });
  };
  /** Start `peer.py MODE` on the shared router and wait until it is ready. */
  const peer = async (mode: string, args: string[]): Promise<Peer> => {
    const info = routerInfo();
    const common = [
      '--url',
      info.wsUrl,
      '--realm',
      info.realm,
      '--serializer',
      serializer,
      '--key-prefix',
      prefix,
      '--timeout',
      '30',
    ];
    const p = await startPeer([mode, ...common, ...args], { name: `${mode} (${bundle})` });
    peers.push(p);
    return p;
  };

  when('browser calls')('the browser calls a Python callee', async () => {
    const callee = await peer('callee', [
      '--procedure',
      `${prefix}echo`,
      '--responder-priv',
      responder.priv,
      '--originator-pub',
      originator.pub,
    ]);
    const h = await open({ originatorPriv: originator.priv, responderPub: responder.pub });
    const res = await tp.page.evaluate(([id, p, a, k]) => (window as any).wbTest.call(id, p, a, k), [
      h.id,
      `${prefix}echo`,
      ['hello', bytes([1, 2, 3])],
      { n: 42 },
    ] as const);
    expect(res).toEqual({ ok: true, args: ['hello', bytes([1, 2, 3])], kwargs: { n: 42 } });
    const inv = await nextEvent(callee, 'invocation');
    expect(inv['enc_algo']).toBe('cryptobox');
    expect(inv['args']).toEqual(['hello', new Uint8Array([1, 2, 3])]);
    await tp.page.evaluate((id) => (window as any).wbTest.close(id), h.id);
  });

  when('python calls')('a Python caller calls a browser callee', async () => {
    const h = await open({ responderPriv: responder.priv, originatorPub: originator.pub });
    await tp.page.evaluate(([id, p]) => (window as any).wbTest.registerEcho(id, p), [h.id, `${prefix}echo`] as const);
    const caller = await peer('caller', [
      '--procedure',
      `${prefix}echo`,
      '--args',
      peerArg(['from python', new Uint8Array([9, 8])]),
      '--kwargs',
      peerArg({ flag: true }),
      '--originator-priv',
      originator.priv,
      '--responder-pub',
      responder.pub,
    ]);
    const result = await nextEvent(caller, 'result');
    expect(result['enc_algo']).toBe('cryptobox');
    expect(result['args']).toEqual(['from python', new Uint8Array([9, 8])]);
    expect(result['kwargs']).toEqual({ flag: true });
    expect(await tp.page.evaluate((p) => (window as any).wbTest.received(p), `${prefix}echo`)).toEqual([
      { args: ['from python', bytes([9, 8])], kwargs: { flag: true } },
    ]);
    expect(await caller.exited).toBe(0);
    await tp.page.evaluate((id) => (window as any).wbTest.close(id), h.id);
  });

  when('browser publishes')('the browser publishes to a Python subscriber', async () => {
    const sub = await peer('subscriber', [
      '--topic',
      `${prefix}news`,
      '--count',
      '1',
      '--responder-priv',
      responder.priv,
      '--originator-pub',
      originator.pub,
    ]);
    const h = await open({ originatorPriv: originator.priv, responderPub: responder.pub });
    const pub = await tp.page.evaluate(([id, t, a]) => (window as any).wbTest.publish(id, t, a, { k: 'v' }), [
      h.id,
      `${prefix}news`,
      ['secret', bytes([0, 255])],
    ] as const);
    expect(pub).toEqual({ ok: true });
    const ev = await nextEvent(sub, 'event');
    expect(ev['enc_algo']).toBe('cryptobox');
    expect(ev['args']).toEqual(['secret', new Uint8Array([0, 255])]);
    expect(ev['kwargs']).toEqual({ k: 'v' });
    await tp.page.evaluate((id) => (window as any).wbTest.close(id), h.id);
  });

  when('python publishes')('a Python publisher publishes to a browser subscriber', async () => {
    const h = await open({ responderPriv: responder.priv, originatorPub: originator.pub });
    await tp.page.evaluate(([id, t]) => (window as any).wbTest.subscribe(id, t), [h.id, `${prefix}news`] as const);
    const pub = await peer('publisher', [
      '--topic',
      `${prefix}news`,
      '--args',
      peerArg(['from python', new Uint8Array([5])]),
      '--kwargs',
      peerArg({ n: 1 }),
      '--acknowledge',
      '--originator-priv',
      originator.priv,
      '--responder-pub',
      responder.pub,
    ]);
    await nextEvent(pub, 'published');
    expect(await pub.exited).toBe(0);
    let got: unknown[] = [];
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      got = await tp.page.evaluate((t) => (window as any).wbTest.received(t), `${prefix}news`);
      if (got.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toEqual([{ args: ['from python', bytes([5])], kwargs: { n: 1 } }]);
    await tp.page.evaluate((id) => (window as any).wbTest.close(id), h.id);
    expect(tp.problems).toEqual([]);
  });
});
