/** rpc.mjs --no-router: library-only cost, no router and no sockets. */
import { performance } from 'node:perf_hooks';
import { SECURE_PREFIX } from '../lib/clients.mjs';
import { fmt, median, renderTable, spreadPct } from '../lib/stats.mjs';
import { binPayload, jsonBinaryString } from '../payload.mjs';

/**
 * The client-side work of a round trip without the network: a fake transport hands the session
 * precomputed router frames (RESULT for the caller, INVOCATION for the callee) and swallows what
 * it sends. What remains is the library's own code (session, serializer, codec) plus the same
 * harness overhead for every case. The raw baseline does what it does in the router run:
 * string concatenation out, JSON.parse in, a Map for the ids.
 */
/**
 * A frame as a transport hands it over: text as a flat string decoded from bytes (as `ws` makes
 * it), never the concatenated string a serializer or a template literal built, which the first
 * JSON.parse would have to flatten first.
 */
export function asReceived(frame) {
  return typeof frame === 'string' ? Buffer.from(frame, 'utf8').toString('utf8') : frame;
}

export async function libraryOnly(opts) {
  const wb = await import('@wampbox/wamp-client');
  const URI = 'bench.lib.echo';
  const SURI = `${SECURE_PREFIX}lib.echo`;
  const REG = 77;
  /** Precomputed frames per case (request ids must match, so each round trip needs its own). */
  const CAP = 8000;
  const welcomeMsg = [2, 1, { roles: { dealer: { features: { payload_transparency: true } }, broker: {} } }];
  const bin = binPayload();
  const binString = jsonBinaryString(bin);
  const payloads = { small: [1, 'x'], bin1k: [bin] };

  const o = await wb.generateKeyPair();
  const r = await wb.generateKeyPair();
  const rings = {
    caller: new wb.KeyRing().setKey(SECURE_PREFIX, { originatorPriv: o.secretKey, responderPub: r.publicKey }),
    callee: new wb.KeyRing().setKey(SECURE_PREFIX, { responderPriv: r.secretKey, originatorPub: o.publicKey }),
  };
  const sealer = { caller: wb.cryptobox(rings.caller), callee: wb.cryptobox(rings.callee) };
  await sealer.caller.encode({ args: [] }, { uri: SURI, messageType: 'CALL', originating: true, sending: true });

  /** A session over a fake transport; `reply(frame, t)` answers what the session sends. */
  async function fakeSession(serializer, codec, reply) {
    let transport;
    const factory = async () => {
      transport = {
        protocol: serializer.protocol,
        serializer,
        maxFrameBytes: 1 << 24,
        bufferedAmount: 0,
        handlers: null,
        attach(h) {
          this.handlers = h;
        },
        send(frame) {
          reply(frame, transport);
        },
        close() {
          return Promise.resolve();
        },
      };
      return transport;
    };
    const session = await wb.connectWith(factory, {
      url: 'fake:',
      realm: 'realm1',
      serializers: [serializer],
      codec,
      closeTimeoutMs: 10,
    });
    return { session, transport };
  }
  const handshake = (serializer, frame, t) => {
    const m = serializer.decode(frame);
    if (m[0] === 1) queueMicrotask(() => t.handlers.onFrame(serializer.encode(welcomeMsg)));
    else if (m[0] === 64) queueMicrotask(() => t.handlers.onFrame(serializer.encode([65, m[1], REG])));
    return m;
  };

  function sealedWire(who, uri, args, messageType) {
    const ctx = { uri, messageType, originating: who === 'caller', sending: true, requestWasOpaque: true };
    return sealer[who].encode({ args, kwargs: undefined }, ctx);
  }

  /**
   * A handle per case: call() and feed(i) are what gets timed; prepare(n) builds, untimed, the
   * RESULT frames for the next n calls (the request ids must match) and checks the last window.
   */
  async function wampboxCase(ser, crypto, kind) {
    const serializer = wb[ser]();
    const uri = crypto ? SURI : URI;
    const args = payloads[kind];
    const details = crypto ? { enc_algo: 'cryptobox', enc_serializer: 'json' } : {};
    const resultArgs = crypto ? sealedWire('callee', uri, args, 'YIELD').payload : args;
    const invArgs = crypto ? sealedWire('caller', uri, args, 'CALL').payload : args;
    let results = null;
    let nextId = 0;
    let used = 0;
    let yields = 0;
    let calleeReady = false;
    const caller = await fakeSession(serializer, crypto ? wb.cryptobox(rings.caller) : undefined, (frame, t) => {
      if (results) {
        const f = results[used++];
        queueMicrotask(() => t.handlers.onFrame(f));
        return;
      }
      const m = handshake(serializer, frame, t);
      if (m[0] === 48) {
        nextId = m[1] + 1;
        queueMicrotask(() => t.handlers.onFrame(serializer.encode([50, m[1], { ...details }, resultArgs])));
      }
    });
    await caller.session.call(uri, args); // learns the request id
    const callee = await fakeSession(serializer, crypto ? wb.cryptobox(rings.callee) : undefined, (frame, t) => {
      if (calleeReady) {
        yields++;
        return;
      }
      handshake(serializer, frame, t);
    });
    await callee.session.register(uri, (inv) => new wb.Result(inv.args));
    calleeReady = true;
    const invocations = [];
    for (let i = 0; i < CAP; i++)
      invocations.push(asReceived(serializer.encode([68, i + 1, REG, { ...details }, invArgs])));
    return {
      prepare(n) {
        nextId += used;
        used = 0;
        results = [];
        for (let i = 0; i < n; i++)
          results.push(asReceived(serializer.encode([50, nextId + i, { ...details }, resultArgs])));
      },
      call: () => caller.session.call(uri, args),
      feed: (i) => callee.transport.handlers.onFrame(invocations[i % CAP]),
      yields: () => yields,
    };
  }

  async function rawCase(kind) {
    const argsJson = kind === 'small' ? JSON.stringify(payloads.small) : JSON.stringify([binString]);
    const callTail = `,{},${JSON.stringify(URI)},${argsJson}]`;
    const yieldTail = `,{},${argsJson}]`;
    const invocations = [];
    for (let i = 0; i < CAP; i++) invocations.push(asReceived(`[68,${i + 1},${REG},{},${argsJson}]`));
    const pending = new Map();
    let nextId = 0;
    let results = [];
    let used = 0;
    let yields = 0;
    const onMessage = (data) => {
      const m = JSON.parse(data);
      if (m[0] === 50) {
        const resolve = pending.get(m[1]);
        pending.delete(m[1]);
        resolve(m[3]);
      }
    };
    const send = () => {
      const f = results[used++];
      queueMicrotask(() => onMessage(f));
    };
    const calleeSend = (frame) => {
      if (frame.length > 0) yields++;
    };
    return {
      prepare(n) {
        used = 0;
        results = [];
        for (let i = 1; i <= n; i++) results.push(asReceived(`[50,${nextId + i},{},${argsJson}]`));
      },
      call() {
        const id = ++nextId;
        send('[48,' + id + callTail);
        return new Promise((resolve) => pending.set(id, resolve));
      },
      feed(i) {
        const m = JSON.parse(invocations[i % CAP]);
        if (m[0] === 68) calleeSend('[70,' + m[1] + yieldTail);
      },
      yields: () => yields,
    };
  }

  const cases = [
    { id: 'raw/json', make: (kind) => rawCase(kind) },
    { id: 'wampbox/json', make: (kind) => wampboxCase('json', false, kind) },
    { id: 'wampbox/msgpack', make: (kind) => wampboxCase('msgpack', false, kind) },
    { id: 'wampbox/cbor', make: (kind) => wampboxCase('cbor', false, kind) },
    { id: 'wampbox/json+cryptobox', make: (kind) => wampboxCase('json', true, kind) },
    { id: 'wampbox/cbor+cryptobox', make: (kind) => wampboxCase('cbor', true, kind) },
  ].filter((c) => !opts.only || opts.only.test(c.id) || c.id === 'raw/json' || c.id === 'wampbox/json');
  const cells = [
    { id: 'small seq', kind: 'small', conc: 1 },
    { id: 'small x100', kind: 'small', conc: 100 },
    { id: '1KiB seq', kind: 'bin1k', conc: 1 },
    { id: '1KiB x100', kind: 'bin1k', conc: 100 },
  ].filter((c) => !opts.cells || opts.cells.test(c.id));
  const ms = Math.min(opts.cellMs, 250);
  const handles = new Map();
  for (const c of cases) for (const kind of ['small', 'bin1k']) handles.set(`${c.id}|${kind}`, await c.make(kind));
  const samples = new Map();
  const WARM = 300;
  for (let round = 0; round < opts.rounds; round++) {
    for (const cell of cells) {
      const maxCalls = cell.kind === 'small' ? 20_000 : 6000;
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(k + round) % cases.length];
        const h = handles.get(`${c.id}|${cell.kind}`);
        h.prepare(WARM + maxCalls);
        if (global.gc) global.gc();
        // caller: `conc` lanes of sequential calls
        const lanes = async (count) => {
          let issued = 0;
          const lane = async () => {
            while (issued < count) {
              issued++;
              await h.call();
            }
          };
          await Promise.all(Array.from({ length: cell.conc }, lane));
        };
        await lanes(WARM);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        let n = 0;
        while (n + 500 <= maxCalls && (n < 1000 || performance.now() - t0 < ms / 2)) {
          await lanes(500);
          n += 500;
        }
        const callerCpu = process.cpuUsage(c0);
        // callee: INVOCATION frames handed in one after another (the handler answers synchronously)
        const y0 = h.yields();
        for (let i = 0; i < WARM; i++) h.feed(i);
        const c1 = process.cpuUsage();
        const t1 = performance.now();
        let m = 0;
        while (m < 200_000 && (m < 1000 || performance.now() - t1 < ms / 2)) {
          for (let j = 0; j < 100; j++) h.feed(WARM + m++);
        }
        const calleeCpu = process.cpuUsage(c1);
        if (h.yields() - y0 !== WARM + m)
          throw new Error(`${c.id}: ${h.yields() - y0} yields for ${WARM + m} invocations`);
        const key = `${c.id}|${cell.id}`;
        if (!samples.has(key)) samples.set(key, []);
        samples.get(key).push({
          callerUs: (callerCpu.user + callerCpu.system) / n,
          calleeUs: (calleeCpu.user + calleeCpu.system) / m,
        });
      }
    }
  }
  const out = [];
  out.push('');
  out.push(
    `Library-only cost per round trip (no router, no sockets: precomputed router frames through a fake transport); ${opts.rounds} rounds; node ${process.version}`,
  );
  out.push(
    'µs CPU, median over rounds; caller = CALL out + RESULT in, callee = INVOCATION in + YIELD out; x raw = paired ratio of the sums',
  );
  for (const cell of cells) {
    out.push('');
    out.push(`== ${cell.id}`);
    const table = [['case', 'caller µs', 'callee µs', 'sum µs', 'spread', 'x raw', 'extra µs vs raw']];
    const base = samples.get(`raw/json|${cell.id}`);
    for (const c of cases) {
      const s = samples.get(`${c.id}|${cell.id}`);
      const sums = s.map((x) => x.callerUs + x.calleeUs);
      const st = { median: median(sums), min: Math.min(...sums), max: Math.max(...sums) };
      const ratios = s.map((x, i) => (x.callerUs + x.calleeUs) / (base[i].callerUs + base[i].calleeUs));
      const extra = s.map((x, i) => x.callerUs + x.calleeUs - base[i].callerUs - base[i].calleeUs);
      table.push([
        c.id,
        fmt(median(s.map((x) => x.callerUs)), 2),
        fmt(median(s.map((x) => x.calleeUs)), 2),
        fmt(st.median, 2),
        spreadPct(st),
        fmt(median(ratios), 2),
        fmt(median(extra), 2),
      ]);
    }
    out.push(...renderTable(table));
  }
  process.stdout.write(out.join('\n') + '\n');
}
