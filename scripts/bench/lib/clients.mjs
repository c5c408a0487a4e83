/**
 * Client adapters (worker side): connect, register an echo, call; one per library. Shared by
 * rpc.mjs (caller and callee through Crossbar.io) and client-cpu.mjs (callers against the echo
 * router).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** The procedure prefix the cryptobox variants call under (keyed in their key rings). */
export const SECURE_PREFIX = 'bench.secure.';

/**
 * The `ws` that @wampbox/wamp-client uses. The raw baseline and wampy run on this same copy, so
 * every JavaScript client but Autobahn|JS (which requires its own `ws` 7) measures the same
 * WebSocket code; the root node_modules/ws is whatever the peers' dependencies hoisted there.
 */
export async function wampboxWs() {
  const clientPackage = require.resolve('@wampbox/wamp-client/package.json');
  const { default: WebSocket } = await import(pathToFileURL(createRequire(clientPackage).resolve('ws')).href);
  return WebSocket;
}

/** Which `ws` each client ran on, for the report. */
export function wsVersions(wbPeers = 'raw, wampbox, wampy') {
  const version = (from) => {
    try {
      return createRequire(require.resolve(`${from}/package.json`))('ws/package.json').version;
    } catch {
      return '?';
    }
  };
  return `ws ${version('@wampbox/wamp-client')} (${wbPeers}), ${version('autobahn')} (autobahn)`;
}

/**
 * Each adapter returns { call(args) → Promise<unknown[]>, close() } for a caller and
 * { close() } for a callee (whose echo handler counts invocations in `stats`).
 * `args` are the library's own representation of the payload (see payloadsFor).
 */
export const ADAPTERS = {
  async raw(role, v, router, uri, stats, state) {
    if (v.preload) {
      const wb = await import('@wampbox/wamp-client');
      await wb.generateKeyPair(); // initializes libsodium
      globalThis.benchKeepLoaded = wb;
    }
    const WebSocket = await wampboxWs();
    const ws = new WebSocket(router.wsUrl, ['wamp.2.json']);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    if (ws.protocol !== 'wamp.2.json') throw new Error(`raw: router chose ${ws.protocol}`);
    const once = () => new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify([1, router.realm, { roles: { caller: {}, callee: {} } }]));
    const welcome = await once();
    if (welcome[0] !== 2) throw new Error(`raw: no WELCOME: ${JSON.stringify(welcome)}`);
    if (role === 'callee') {
      ws.send(JSON.stringify([64, 1, {}, uri]));
      const reg = await once();
      if (reg[0] !== 65) throw new Error(`raw: no REGISTERED: ${JSON.stringify(reg)}`);
      // INVOCATION in: JSON.parse for the request id; YIELD out: a precomputed frame around it.
      // The echoed arguments are precomputed per payload (state.yieldTail, set by 'payload').
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m[0] === 68) {
          stats.invocations++;
          ws.send('[70,' + m[1] + state.yieldTail);
        }
      });
      return { close: () => closeWs(ws) };
    }
    // caller: CALL out is a precomputed frame around the request id; RESULT in is JSON.parse plus
    // a map lookup. state.callTail is set per payload.
    const pending = new Map();
    let nextId = 0;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m[0] === 50) {
        const resolve = pending.get(m[1]);
        pending.delete(m[1]);
        resolve(m[3]);
      } else if (m[0] === 8) {
        const resolve = pending.get(m[2]);
        pending.delete(m[2]);
        resolve(new Error(m[4]));
      }
    });
    return {
      call() {
        const id = ++nextId;
        ws.send('[48,' + id + state.callTail);
        return new Promise((resolve) => pending.set(id, resolve));
      },
      close: () => closeWs(ws),
    };
  },

  async wampbox(role, v, router, uri, stats) {
    const wb = await import('@wampbox/wamp-client');
    const serializer = { json: wb.json, msgpack: wb.msgpack, cbor: wb.cbor }[v.ser]();
    const url = v.transport === 'rs' ? router.rsUrl : router.wsUrl;
    let codec;
    if (v.crypto) {
      const keys = JSON.parse(process.env.BENCH_KEYS);
      const ring = new wb.KeyRing();
      if (role === 'caller')
        ring.setKey(SECURE_PREFIX, {
          originatorPriv: keys.originator.secretKey,
          responderPub: keys.responder.publicKey,
        });
      else
        ring.setKey(SECURE_PREFIX, {
          responderPriv: keys.responder.secretKey,
          originatorPub: keys.originator.publicKey,
        });
      codec = wb.cryptobox(ring);
    }
    const session = await wb.connect({ url, realm: router.realm, serializers: [serializer], codec });
    if (session.serializer !== v.ser) throw new Error(`wampbox: negotiated ${session.serializer}`);
    session.on('error', (e) => process.stderr.write(`[bench ${v.id} ${role}] session error: ${e.message}\n`));
    if (role === 'callee') {
      await session.register(uri, (inv) => {
        stats.invocations++;
        return new wb.Result(inv.args);
      });
      return { close: () => session.close() };
    }
    return {
      call: (args) => session.call(uri, args).then((r) => r.args),
      close: () => session.close(),
    };
  },

  async autobahn(role, v, router, uri, stats) {
    // Autobahn|JS reports every connection close through console.warn (bound when it loads):
    // keep that out of the report while closing, pass everything else through.
    let closing = false;
    const warn = console.warn;
    console.warn = (...a) => {
      if (!closing) warn(...a);
    };
    const autobahn = require('autobahn');
    const ser = {
      json: () => new autobahn.serializer.JSONSerializer(),
      msgpack: () => new autobahn.serializer.MsgpackSerializer(),
      cbor: () => new autobahn.serializer.CBORSerializer(),
    }[v.ser]();
    const connection = new autobahn.Connection({
      url: router.wsUrl,
      realm: router.realm,
      serializers: [ser],
      max_retries: 0,
      retry_if_unreachable: false,
      use_es6_promises: true,
    });
    const session = await new Promise((resolve, reject) => {
      connection.onopen = resolve;
      connection.onclose = (reason, details) => {
        reject(new Error(`autobahn: connection closed (${reason} ${JSON.stringify(details)})`));
        return true; // no retry
      };
      connection.open();
    });
    connection.onclose = () => true;
    const close = () =>
      new Promise((resolve) => {
        closing = true;
        connection.onclose = () => {
          resolve();
          return true;
        };
        try {
          connection.close();
        } catch {
          resolve();
        }
        setTimeout(resolve, 2000).unref();
      });
    if (role === 'callee') {
      await session.register(uri, (args) => {
        stats.invocations++;
        return new autobahn.Result(args);
      });
      return { close };
    }
    // autobahn resolves a single positional result to the bare value, several to a Result
    return {
      call: (args) => session.call(uri, args).then((r) => (r instanceof autobahn.Result ? r.args : [r])),
      close,
    };
  },

  async wampy(role, v, router, uri, stats) {
    const WebSocket = await wampboxWs();
    const { Wampy } = await import('wampy');
    const { JsonSerializer } = await import('wampy/JsonSerializer.js');
    const { MsgpackSerializer } = await import('wampy/MsgpackSerializer.js');
    const { CborSerializer } = await import('wampy/CborSerializer.js');
    const serializer = {
      json: () => new JsonSerializer(),
      msgpack: () => new MsgpackSerializer(),
      cbor: () => new CborSerializer(),
    }[v.ser]();
    const w = new Wampy(router.wsUrl, {
      realm: router.realm,
      ws: WebSocket,
      serializer,
      autoReconnect: false,
      debug: false,
    });
    await w.connect();
    const close = () => Promise.race([w.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    if (role === 'callee') {
      await w.register(uri, ({ argsList }) => {
        stats.invocations++;
        return { argsList };
      });
      return { close };
    }
    return { call: (args) => w.call(uri, args).then((r) => r.argsList), close };
  },
};

export function closeWs(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === 3) return resolve();
    ws.once('close', resolve);
    ws.close();
    setTimeout(resolve, 2000).unref();
  });
}
