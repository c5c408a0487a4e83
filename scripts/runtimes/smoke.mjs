// The client on one JavaScript runtime (Node, Deno, Bun) against a real router: RPC, PubSub and a
// cryptobox round trip, with the built packages (`npm run build` first).
//
//   <runtime> scripts/runtimes/smoke.mjs [--entry node|browser] [url] [realm] [rawsocket-url]
//   (or WAMPBOX_URL, WAMPBOX_REALM, WAMPBOX_RS_URL, WAMPBOX_ENTRY)
//
// Deno: `deno run --allow-net=127.0.0.1 --allow-read --allow-env scripts/runtimes/smoke.mjs ...`.
// The `node` entry is the package's Node entry (`ws` for WebSocket, RawSocket over node:net),
// `browser` its browser entry (the runtime's global WebSocket). With a rawsocket URL (node entry
// only) a call also goes over RawSocket. Prints one JSON line of results and exits 0, or prints
// `{"ok":false,"error":...}` and exits 1 on any failure.
const started = Date.now();
const proc = globalThis.process;
const deno = globalThis.Deno;
const argv = deno ? [...deno.args] : proc.argv.slice(2);
const env = (k) => (deno ? deno.env.get(k) : proc.env[k]);
const exit = (code) => (deno ? deno.exit(code) : proc.exit(code));

let entry = env('WAMPBOX_ENTRY') ?? 'node';
const i = argv.indexOf('--entry');
if (i >= 0) [, entry] = argv.splice(i, 2);
const url = argv[0] ?? env('WAMPBOX_URL') ?? 'ws://127.0.0.1:8080/ws';
const realm = argv[1] ?? env('WAMPBOX_REALM') ?? 'realm1';
const rsUrl = argv[2] ?? env('WAMPBOX_RS_URL');

const runtime = globalThis.Bun
  ? { name: 'bun', version: globalThis.Bun.version }
  : deno
    ? { name: 'deno', version: deno.version.deno }
    : { name: 'node', version: proc.versions.node };
const result = { ok: false, runtime: runtime.name, version: runtime.version, entry, url, realm };
const sessions = [];

function fail(e) {
  for (const s of sessions) s.abort?.();
  result.error = `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? e}`;
  result.ms = Date.now() - started;
  console.log(JSON.stringify(result));
  exit(1);
}

// Never hang: give up after 30 s.
const watchdog = setTimeout(() => fail(new Error('timed out')), 30_000);

/** Resolves with the first value `push` is given, or rejects after `ms`. */
function deferred(what, ms = 10_000) {
  let push;
  const p = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    push = (v) => {
      clearTimeout(t);
      resolve(v);
    };
  });
  return { p, push };
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

try {
  if (entry !== 'node' && entry !== 'browser') throw new Error(`--entry must be node or browser, not "${entry}"`);
  const file = entry === 'node' ? 'index.js' : 'browser.js';
  const wamp = await import(new URL(`../../packages/client/dist/esm/${file}`, import.meta.url).href);
  const { connect, cryptobox, generateKeyPair, KeyRing, VERSION } = wamp;
  result.client = VERSION;
  result.webSocket = entry === 'node' ? 'ws' : 'global';
  const ns = `com.example.runtimes.${runtime.name}${runtime.version.split('.')[0]}.${entry}.${Date.now().toString(36)}`;
  const open = async (opts = {}) => {
    const s = await connect({ url, realm, ...opts });
    sessions.push(s);
    return s;
  };

  // RPC: one session registers, another calls.
  const callee = await open();
  const caller = await open();
  result.serializer = caller.serializer;
  await callee.register(`${ns}.add`, (inv) => inv.args[0] + inv.args[1]);
  const sum = await caller.call(`${ns}.add`, [2, 3]);
  check(sum.args[0] === 5, `add(2, 3) gave ${JSON.stringify(sum.args)}`);
  result.rpc = { 'add(2,3)': sum.args[0] };

  // PubSub: the caller's session subscribes, the callee's publishes (acknowledged).
  const event = deferred('event');
  await caller.subscribe(`${ns}.news`, (ev) => event.push(ev));
  await callee.publish(`${ns}.news`, ['hello', 42], { from: runtime.name }, { acknowledge: true });
  const ev = await event.p;
  check(ev.args[0] === 'hello' && ev.args[1] === 42 && ev.kwargs.from === runtime.name, 'event payload differs');
  result.pubsub = { args: ev.args, kwargs: ev.kwargs };

  // cryptobox: an originator (caller, publisher) and a responder (callee, subscriber) with their
  // own key rings. Strict mode refuses plaintext on keyed URIs, so what arrives arrived sealed.
  const o = await generateKeyPair();
  const r = await generateKeyPair();
  const prefix = `${ns}.e2e.`;
  const originator = await open({
    codec: cryptobox(new KeyRing().setKey(prefix, { originatorPriv: o.secretKey, responderPub: r.publicKey })),
  });
  const responder = await open({
    codec: cryptobox(new KeyRing().setKey(prefix, { responderPriv: r.secretKey, originatorPub: o.publicKey })),
  });
  await responder.register(`${prefix}greet`, (inv) => `hello ${inv.args[0]}, sealed`);
  const sealed = deferred('sealed event');
  await responder.subscribe(`${prefix}news`, (e) => sealed.push(e));
  const greet = await originator.call(`${prefix}greet`, [runtime.name]);
  check(greet.args[0] === `hello ${runtime.name}, sealed`, `greet gave ${JSON.stringify(greet.args)}`);
  await originator.publish(`${prefix}news`, ['secret'], { n: 1 }, { acknowledge: true });
  const se = await sealed.p;
  check(se.args[0] === 'secret' && se.kwargs.n === 1, 'sealed event payload differs');
  // a call in plaintext on the keyed procedure is refused by the responder
  let refused = 'accepted';
  await caller.call(`${prefix}greet`, ['plain']).catch((e) => (refused = e.uri ?? e.code ?? e.message));
  check(refused !== 'accepted', 'a plaintext call on a keyed procedure was accepted');
  result.cryptobox = { call: greet.args[0], event: se.args[0], plaintextCall: refused };

  // RawSocket (Node entry): a call over TCP to the procedure registered over WebSocket.
  if (rsUrl && entry === 'node') {
    const rs = await open({ url: rsUrl });
    const viaRs = await rs.call(`${ns}.add`, [20, 22]);
    check(viaRs.args[0] === 42, `add(20, 22) over RawSocket gave ${JSON.stringify(viaRs.args)}`);
    result.rawsocket = { url: rsUrl, 'add(20,22)': viaRs.args[0] };
  }

  await Promise.all(sessions.splice(0).map((s) => s.close()));
  clearTimeout(watchdog);
  result.ok = true;
  result.ms = Date.now() - started;
  console.log(JSON.stringify(result));
  exit(0);
} catch (e) {
  fail(e);
}
