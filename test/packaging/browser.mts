// The browser entry and the ESM CDN bundles over the runtime's global WebSocket (Node 22+,
// browsers). Type-checked everywhere, run on Node 22 by scripts/pack-check.mjs.
import { Result, connect, json } from '@wampbox/wamp-client/browser';
import type { Session } from '@wampbox/wamp-client/browser';
import * as lite from '@wampbox/wamp-client/dist/browser/wampbox.esm.min.js';
import * as full from '@wampbox/wamp-client/dist/browser/wampbox-cryptobox.esm.min.js';

const url = process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.env.WAMPBOX_REALM ?? 'realm1';
const prefix = `com.example.pack.browser.${process.pid}.`;

const sessions: Array<Session | lite.Session | full.Session> = [];
try {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function')
    throw new Error(`no global WebSocket in Node ${process.version}`);
  const callee = await connect({ url, realm, serializers: [json()] });
  sessions.push(callee);
  await callee.register(`${prefix}add`, (inv) => new Result([(inv.args[0] as number) + (inv.args[1] as number)]));
  const viaEntry = await callee.call(`${prefix}add`, [2, 3]);

  const liteSession = await lite.connect({ url, realm, serializers: [lite.cbor()] });
  sessions.push(liteSession);
  const viaLite = await liteSession.call(`${prefix}add`, [20, 3]);

  const o = await full.generateKeyPair();
  const r = await full.generateKeyPair();
  const sealedCallee = await full.connect({
    url,
    realm,
    serializers: [full.msgpack()],
    codec: full.cryptobox(
      new full.KeyRing().setKey(`${prefix}sealed.`, { responderPriv: r.secretKey, originatorPub: o.publicKey }),
    ),
  });
  sessions.push(sealedCallee);
  await sealedCallee.register(`${prefix}sealed.echo`, (inv) => new full.Result(inv.args));
  const sealedCaller = await full.connect({
    url,
    realm,
    serializers: [full.msgpack()],
    codec: full.cryptobox(
      new full.KeyRing().setKey(`${prefix}sealed.`, { originatorPriv: o.secretKey, responderPub: r.publicKey }),
    ),
  });
  sessions.push(sealedCaller);
  const viaFull = await sealedCaller.call(`${prefix}sealed.echo`, ['sealed']);

  const ok = viaEntry.args[0] === 5 && viaLite.args[0] === 23 && viaFull.args[0] === 'sealed';
  console.log(
    JSON.stringify({
      entry: 'browser',
      node: process.version,
      browserEntry: viaEntry.args[0],
      esmBundle: viaLite.args[0],
      cryptoboxBundle: viaFull.args[0],
      ok,
    }),
  );
  if (!ok) process.exitCode = 1;
} finally {
  await Promise.all(sessions.map((s) => s.close()));
}
