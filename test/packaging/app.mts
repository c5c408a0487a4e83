// The Node entry of @wampbox/wamp-client as an ES module, as an application would use it.
import { KeyRing, Result, connect, cbor, cryptobox, generateKeyPair, json } from '@wampbox/wamp-client';
import type { CallResult, Session } from '@wampbox/wamp-client';
import { VERSION } from '@wampbox/core';
import { KeyRing as CryptoboxKeyRing } from '@wampbox/cryptobox';

const url = process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.env.WAMPBOX_REALM ?? 'realm1';
const prefix = `com.example.pack.esm.${process.pid}.`;

if (KeyRing !== CryptoboxKeyRing)
  throw new Error('@wampbox/wamp-client and @wampbox/cryptobox export different KeyRing classes');

const sessions: Session[] = [];
try {
  const plain = await connect({ url, realm, serializers: [cbor()] });
  sessions.push(plain);
  await plain.register(`${prefix}add`, (inv) => new Result([(inv.args[0] as number) + (inv.args[1] as number)]));
  const sum: CallResult = await plain.call(`${prefix}add`, [2, 3]);

  const o = await generateKeyPair();
  const r = await generateKeyPair();
  const callee = await connect({
    url,
    realm,
    serializers: [json()],
    codec: cryptobox(new KeyRing().setKey(prefix, { responderPriv: r.secretKey, originatorPub: o.publicKey })),
  });
  sessions.push(callee);
  const caller = await connect({
    url,
    realm,
    serializers: [json()],
    codec: cryptobox(new KeyRing().setKey(prefix, { originatorPriv: o.secretKey, responderPub: r.publicKey })),
  });
  sessions.push(caller);
  await callee.register(`${prefix}echo`, (inv) => new Result(inv.args, inv.kwargs));
  const echoed = await caller.call(`${prefix}echo`, ['sealed', new Uint8Array([1, 2])], { k: 1 });

  const ok =
    sum.args[0] === 5 && echoed.args[0] === 'sealed' && echoed.args[1] instanceof Uint8Array && echoed.kwargs.k === 1;
  console.log(JSON.stringify({ entry: 'esm', version: VERSION, sum: sum.args[0], encrypted: echoed.args[0], ok }));
  if (!ok) process.exitCode = 1;
} finally {
  await Promise.all(sessions.map((s) => s.close()));
}
