#!/usr/bin/env node
/**
 * A minimal WAMP router for client-side CPU figures: bench infrastructure, not product.
 *
 *   node scripts/bench/echo-router.mjs [--host 127.0.0.1] [--port 0] [--realm realm1]
 *       prints {"url": ..., "realm": ..., "pid": ...} as one JSON line on stdout, then serves
 *       until SIGINT/SIGTERM (or, when forked, until the parent goes)
 *   import { startEchoRouter } from './echo-router.mjs'   (client-cpu.mjs)
 *
 * Against Crossbar.io the router is the bottleneck and, on a small machine, a large working set
 * that evicts the clients' caches between their messages. This one does as little as a router
 * can: WebSocket (`ws`, the copy @wampbox/wamp-client uses), subprotocols wamp.2.json (JSON.parse
 * and JSON.stringify) and wamp.2.msgpack (msgpackr, as wampy uses it), and
 *
 *   HELLO       -> WELCOME (dealer and broker roles, no advanced features)
 *   REGISTER    -> REGISTERED          UNREGISTER  -> UNREGISTERED
 *   SUBSCRIBE   -> SUBSCRIBED          UNSUBSCRIBE -> UNSUBSCRIBED
 *   PUBLISH     -> PUBLISHED when acknowledge is asked for (no event is delivered)
 *   CALL        -> RESULT with the call's arguments, whatever the procedure (no callee involved)
 *   GOODBYE     -> GOODBYE (wamp.close.goodbye_and_out)
 *
 * Anything before HELLO, or a second HELLO, gets ABORT and a close; other messages are ignored.
 * It listens on loopback only by default. Run it in its own process, pinned to a CPU of its own
 * (client-cpu.mjs pins it to CPU 0 and the clients to the others, as rpc.mjs pins Crossbar.io).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.join(path.dirname(SELF), '..', '..');

const PROTOCOLS = ['wamp.2.json', 'wamp.2.msgpack'];
const WELCOME_DETAILS = {
  authid: 'bench',
  authrole: 'anonymous',
  authmethod: 'anonymous',
  roles: { dealer: { features: {} }, broker: { features: {} } },
};

/** The `ws` that @wampbox/wamp-client depends on (resolved from its package, built or not). */
async function loadWs() {
  const req = createRequire(path.join(ROOT, 'packages', 'client', 'package.json'));
  return import(pathToFileURL(req.resolve('ws')).href);
}

async function serve({ host, port, realm }) {
  const { default: WebSocket } = await loadWs();
  const WebSocketServer = WebSocket.WebSocketServer ?? WebSocket.Server;
  const { Packr } = await import('msgpackr');
  const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' });
  const codecs = {
    'wamp.2.json': { encode: (m) => JSON.stringify(m), decode: (data) => JSON.parse(data.toString()) },
    'wamp.2.msgpack': { encode: (m) => packr.pack(m), decode: (data) => packr.unpack(data) },
  };
  let nextSession = 0;
  const wss = new WebSocketServer({
    host,
    port,
    perMessageDeflate: false,
    maxPayload: 16 << 20,
    handleProtocols: (offered) => {
      for (const p of offered) if (PROTOCOLS.includes(p)) return p;
      return false;
    },
  });
  wss.on('connection', (ws) => {
    const { encode, decode } = codecs[ws.protocol] ?? codecs['wamp.2.json'];
    const send = (m) => ws.send(encode(m));
    let session = 0;
    let nextId = 0;
    const abort = (reason) => {
      send([3, {}, reason]);
      ws.close(1000);
    };
    ws.on('message', (data) => {
      let m;
      try {
        m = decode(data);
      } catch {
        return abort('wamp.error.protocol_violation');
      }
      if (!Array.isArray(m)) return abort('wamp.error.protocol_violation');
      const type = m[0];
      if (type === 48) {
        // CALL [48, Request, Options, Procedure, Arguments?, ArgumentsKw?] -> RESULT, echoed
        if (!session) return abort('wamp.error.protocol_violation');
        if (m.length > 5) send([50, m[1], {}, m[4] ?? [], m[5]]);
        else if (m.length > 4) send([50, m[1], {}, m[4]]);
        else send([50, m[1], {}]);
        return;
      }
      if (type === 1) {
        if (session) return abort('wamp.error.protocol_violation');
        session = ++nextSession;
        send([2, session, { ...WELCOME_DETAILS, realm: m[1] ?? realm }]);
        return;
      }
      if (!session) return abort('wamp.error.protocol_violation');
      if (type === 64)
        send([65, m[1], ++nextId]); // REGISTER
      else if (type === 66)
        send([67, m[1]]); // UNREGISTER
      else if (type === 32)
        send([33, m[1], ++nextId]); // SUBSCRIBE
      else if (type === 34)
        send([35, m[1]]); // UNSUBSCRIBE
      else if (type === 16 && m[2]?.acknowledge)
        send([17, m[1], ++nextId]); // PUBLISH
      else if (type === 6) send([6, {}, 'wamp.close.goodbye_and_out']); // GOODBYE
    });
    ws.on('error', () => ws.terminate());
  });
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const addr = wss.address();
  return { url: `ws://${addr.address}:${addr.port}/ws`, realm, pid: process.pid };
}

/**
 * Starts the router in a child process of its own (forked over IPC) and returns
 * { url, realm, pid, stop() }. `execPath`/`execArgv` allow starting it under taskset.
 */
export async function startEchoRouter({ realm = 'realm1', timeoutMs = 15_000, execPath, execArgv } = {}) {
  const child = fork(SELF, ['--realm', realm], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    ...(execPath ? { execPath, execArgv } : { execArgv: [] }),
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const info = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('echo router: did not start')), timeoutMs);
    child.once('exit', (code) => reject(new Error(`echo router: exited (${code})`)));
    child.once('message', (m) => {
      clearTimeout(t);
      resolve(m);
    });
  }).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    ...info,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      if (!gone) child.kill('SIGKILL');
    },
  };
}

function parseArgs(argv) {
  const o = { host: '127.0.0.1', port: 0, realm: 'realm1' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--host') o.host = next();
    else if (a === '--port') o.port = Number(next());
    else if (a === '--realm') o.realm = next();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node scripts/bench/echo-router.mjs [--host 127.0.0.1] [--port 0] [--realm realm1]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  const info = await serve(parseArgs(process.argv.slice(2)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
  if (process.send) {
    process.on('disconnect', () => process.exit(0));
    process.send(info);
  } else {
    process.stdout.write(JSON.stringify(info) + '\n');
  }
}
