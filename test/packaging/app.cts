// The Node entry of @wampbox/wamp-client through require() (CommonJS), as an application would use it.
import { KeyRing, Result, connect, cryptobox, generateKeyPair, msgpack } from '@wampbox/wamp-client';
import type { Session } from '@wampbox/wamp-client';

const url = process.env.WAMPBOX_URL ?? 'ws://127.0.0.1:8080/ws';
const realm = process.env.WAMPBOX_REALM ?? 'realm1';
const prefix = `com.example.pack.cjs.${process.pid}.`;

async function main(): Promise<boolean> {
  const sessions: Session[] = [];
  try {
    const o = await generateKeyPair();
    const r = await generateKeyPair();
    const callee = await connect({
      url,
      realm,
      serializers: [msgpack()],
      codec: cryptobox(new KeyRing().setKey(prefix, { responderPriv: r.secretKey, originatorPub: o.publicKey })),
    });
    sessions.push(callee);
    const caller = await connect({
      url,
      realm,
      serializers: [msgpack()],
      codec: cryptobox(new KeyRing().setKey(prefix, { originatorPriv: o.secretKey, responderPub: r.publicKey })),
    });
    sessions.push(caller);
    await callee.register(`${prefix}add`, (inv) => new Result([(inv.args[0] as number) + (inv.args[1] as number)]));
    const sum = await caller.call(`${prefix}add`, [2, 3]);
    const ok = sum.args[0] === 5 && typeof require === 'function';
    console.log(JSON.stringify({ entry: 'cjs', sum: sum.args[0], ok }));
    return ok;
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

main().then(
  (ok) => {
    if (!ok) process.exitCode = 1;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
