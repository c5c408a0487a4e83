// Test harness loaded by the browser test pages after a wampbox bundle (IIFE: the global `wampbox`;
// ESM: esm-loader sets window.wampbox). The tests drive it through page.evaluate; it is a plain
// script from the page's own origin, so it runs under a strict Content-Security-Policy.
(function () {
  'use strict';
  const sessions = new Map();
  const received = new Map();
  let nextId = 1;

  // Uint8Array → { $bytes: [...] } so that results survive the trip back to the test.
  function toPlain(v) {
    if (v instanceof Uint8Array) return { $bytes: Array.from(v) };
    if (Array.isArray(v)) return v.map(toPlain);
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = toPlain(v[k]);
      return out;
    }
    return v;
  }
  function fromPlain(v) {
    if (v && typeof v === 'object' && Array.isArray(v.$bytes)) return new Uint8Array(v.$bytes);
    if (Array.isArray(v)) return v.map(fromPlain);
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = fromPlain(v[k]);
      return out;
    }
    return v;
  }
  function describe(err) {
    return { name: err && err.name, code: err && err.code, message: err && err.message ? err.message : String(err) };
  }
  function lib() {
    if (!window.wampbox) throw new Error('no wampbox bundle loaded on this page');
    return window.wampbox;
  }

  /**
   * Connect: { url, realm, serializer: 'json' | 'msgpack' | 'cbor', keys?: { prefix, originatorPriv,
   * responderPub, responderPriv, originatorPub } }. Resolves with a session handle.
   */
  async function open(o) {
    const wb = lib();
    const options = { url: o.url, realm: o.realm, serializers: [wb[o.serializer]()] };
    if (o.keys) {
      const ring = new wb.KeyRing();
      const { prefix, ...entry } = o.keys;
      ring.setKey(prefix, entry);
      options.codec = wb.cryptobox(ring);
    }
    const session = await wb.connect(options);
    const id = nextId++;
    sessions.set(id, session);
    return { id, sessionId: session.id, serializer: session.serializer };
  }
  function get(id) {
    const s = sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    return s;
  }

  const api = {
    /** Names the loaded bundle exports (to check the variant). */
    exports() {
      return Object.keys(lib()).sort();
    },
    /** For each exported error class, the `name` of an instance (minifiers rename classes). */
    errorNames() {
      const wb = lib();
      const names = {};
      for (const key of Object.keys(wb).filter((k) => /Error$/.test(k))) names[key] = new wb[key]('ERR_TIMEOUT', 'x', 'y').name;
      return names;
    },
    open,
    async close(id) {
      await get(id).close();
      sessions.delete(id);
    },
    /** Register an echo procedure that returns its arguments (and records each invocation). */
    async registerEcho(id, procedure) {
      received.set(procedure, []);
      await get(id).register(procedure, (inv) => {
        received.get(procedure).push(toPlain({ args: inv.args, kwargs: inv.kwargs }));
        return new (lib().Result)(inv.args, inv.kwargs);
      });
    },
    async call(id, procedure, args, kwargs) {
      try {
        const r = await get(id).call(procedure, fromPlain(args), fromPlain(kwargs), { timeoutMs: 15000 });
        return { ok: true, args: toPlain(r.args), kwargs: toPlain(r.kwargs) };
      } catch (err) {
        return { ok: false, error: describe(err) };
      }
    },
    async subscribe(id, topic) {
      received.set(topic, []);
      await get(id).subscribe(topic, (ev) => {
        received.get(topic).push(toPlain({ args: ev.args, kwargs: ev.kwargs }));
      });
    },
    async publish(id, topic, args, kwargs, excludeMe) {
      try {
        await get(id).publish(topic, fromPlain(args), fromPlain(kwargs), { acknowledge: true, excludeMe: excludeMe !== false });
        return { ok: true };
      } catch (err) {
        return { ok: false, error: describe(err) };
      }
    },
    /** What a procedure or topic received so far. */
    received(uri) {
      return received.get(uri) || [];
    },
    /**
     * One session does RPC and PubSub with itself through the router: register + call, subscribe
     * + publish (exclude_me off), with binary values at several depths.
     */
    async selfTest(o) {
      const bytes = { $bytes: [0, 1, 2, 253, 254, 255] };
      const args = [1, 'two', bytes, [bytes], { nested: bytes }];
      const kwargs = { k: bytes, n: -2.5, t: true, z: null };
      const h = await open(o);
      try {
        await api.registerEcho(h.id, `${o.prefix}.echo`);
        const call = await api.call(h.id, `${o.prefix}.echo`, args, kwargs);
        await api.subscribe(h.id, `${o.prefix}.topic`);
        const pub = await api.publish(h.id, `${o.prefix}.topic`, args, kwargs, false);
        const until = Date.now() + 10000;
        while (api.received(`${o.prefix}.topic`).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        return { serializer: h.serializer, call, pub, event: api.received(`${o.prefix}.topic`)[0], sent: { args, kwargs } };
      } finally {
        await api.close(h.id);
      }
    },
    /** libsodium-backed key generation (cryptobox bundle only): surfaces libsodium start-up errors. */
    async keyPair() {
      try {
        const kp = await lib().generateKeyPair();
        return { ok: true, publicKeyBase64: kp.publicKeyBase64 };
      } catch (err) {
        return { ok: false, error: describe(err) };
      }
    },
  };
  window.wbTest = api;
})();
