/**
 * E2E v2 bench, library only: v2 seal+open per message against the libsodium primitives it calls,
 * timed alone on the same sizes in the same rounds; cryptobox seal+open for comparison; and how
 * many EVENTs a subscriber opens per second.
 *
 * Every case is a function that does one operation and returns the µs of its timed part (setup
 * such as sealing the CALL that a YIELD answers is outside it). The primitives are the bindings the
 * codec itself calls (packages/cryptobox/src/sodium-v2.ts, sodium.ts), on inputs of the sizes the
 * codec gave them, counted by wrapping the WebAssembly exports while one message of each kind
 * passes (checkCounts).
 */
import { performance } from 'node:perf_hooks';
import { URI, cryptoboxPair, ctx, makeWorld, readerCodec, sync, textPayload, writerCodec } from './setup.mjs';

const now = () => performance.now() * 1000;
const HEADER = 120;
const WRAP = 80;
const SIG = 64;
const TAG = 16;

/** The libsodium exports whose calls are counted per message. */
const COUNTED = {
  _crypto_aead_xchacha20poly1305_ietf_encrypt: 'aead-enc',
  _crypto_aead_xchacha20poly1305_ietf_decrypt: 'aead-dec',
  _crypto_sign_detached: 'sign',
  _crypto_sign_verify_detached: 'verify',
  _crypto_box_seal: 'box-seal',
  _crypto_box_seal_open: 'box-open',
  _crypto_generichash: 'blake2b',
};

/** Build the cases. Returns { messages, split, primitives, events, sizes, counts }. */
export async function buildMicro(m) {
  const args = textPayload();
  const payload = { args, kwargs: undefined };
  const w = makeWorld(m);
  const writer = writerCodec(m, w); // publishes; its calls are confirmed below (AEAD only)
  const unconfirmed = writerCodec(m, w); // never answered: every call is wrapped and signed
  const reader = readerCodec(m, w);
  const eventReader = readerCodec(m, w);
  const cb = await cryptoboxPair(m);
  const PUB = ctx('PUBLISH', URI);
  const EVT = ctx('EVENT', URI);

  const callCtx = () => {
    const cx = { procedure: URI };
    const ix = { procedure: URI };
    return {
      cx,
      ix,
      call: ctx('CALL', URI, { exchange: cx, progress: false }),
      inv: ctx('INVOCATION', URI, { exchange: ix, progress: false }),
      yld: ctx('YIELD', URI, { exchange: ix, progress: false }),
      res: ctx('RESULT', URI, { exchange: cx, progress: false }),
    };
  };
  const roundTrip = (codec) => {
    const c = callCtx();
    const call = sync(codec.encode(payload, c.call));
    sync(reader.decode(call, c.inv));
    const y = sync(reader.encode(payload, c.yld));
    sync(codec.decode(y, c.res));
    return { call, y };
  };
  const size = (wp) => wp.payload.length;
  // the writer's session is confirmed by an answer: its later calls are AEAD only
  const first = roundTrip(writer);
  const later = roundTrip(writer);
  const pub = sync(writer.encode(payload, PUB));
  sync(eventReader.decode(pub, EVT));
  const unc = sync(unconfirmed.encode(payload, callCtx().call));
  if (size(first.call) - size(later.call) !== WRAP + SIG || size(unc) !== size(first.call)) {
    throw new Error('unexpected sizes: the first call is not wrapped and signed, or later calls are');
  }

  // sizes of the primitives' inputs, from the wire
  const { AAD_CTX, SIG_CTX } = m.constants;
  const u = 2 + Buffer.byteLength(URI);
  const ct = size(later.call) - HEADER;
  const sizes = {
    plaintext: ct - TAG,
    publish: { ct, aad: AAD_CTX.length + u + HEADER, sig: SIG_CTX.length + u + HEADER + ct, wire: size(pub) },
    first: {
      ct,
      aad: AAD_CTX.length + u + HEADER + WRAP,
      sig: SIG_CTX.length + u + HEADER + WRAP + ct,
      wire: size(first.call),
    },
    later: { ct, aad: AAD_CTX.length + u + HEADER, wire: size(later.call) },
    yield: { ct: size(later.y) - HEADER, aad: AAD_CTX.length + u + HEADER, wire: size(later.y) },
  };
  if (size(pub) !== HEADER + ct + SIG) throw new Error('unexpected PUBLISH size');

  // ---- the messages: v2 seal + open, and cryptobox
  const messages = {
    'PUBLISH→EVENT (signed)': () => {
      const t = now();
      sync(eventReader.decode(sync(writer.encode(payload, PUB)), EVT));
      return now() - t;
    },
    'first CALL→INVOCATION (wrapped, signed)': () => {
      const c = callCtx();
      const t = now();
      sync(reader.decode(sync(unconfirmed.encode(payload, c.call)), c.inv));
      return now() - t;
    },
    'later CALL→INVOCATION (AEAD only)': () => {
      const c = callCtx();
      const t = now();
      sync(reader.decode(sync(writer.encode(payload, c.call)), c.inv));
      return now() - t;
    },
    'YIELD→RESULT': () => {
      const c = callCtx();
      sync(reader.decode(sync(writer.encode(payload, c.call)), c.inv));
      const t = now();
      sync(writer.decode(sync(reader.encode(payload, c.yld)), c.res));
      return now() - t;
    },
    'cryptobox CALL→INVOCATION': () => {
      const c = callCtx();
      const t = now();
      sync(cb.receiver.decode(sync(cb.sender.encode(payload, c.call)), c.inv));
      return now() - t;
    },
  };

  // ---- seal and open apart, for the AEAD-only messages (the other half runs untimed)
  const split = {
    'later CALL seal': () => {
      const c = callCtx();
      const t = now();
      const call = sync(writer.encode(payload, c.call));
      const dt = now() - t;
      sync(reader.decode(call, c.inv));
      return dt;
    },
    'later CALL open (INVOCATION)': () => {
      const c = callCtx();
      const call = sync(writer.encode(payload, c.call));
      const t = now();
      sync(reader.decode(call, c.inv));
      return now() - t;
    },
    'YIELD seal': () => {
      const c = callCtx();
      sync(reader.decode(sync(writer.encode(payload, c.call)), c.inv));
      const t = now();
      const y = sync(reader.encode(payload, c.yld));
      const dt = now() - t;
      sync(writer.decode(y, c.res));
      return dt;
    },
    'YIELD open (RESULT)': () => {
      const c = callCtx();
      sync(reader.decode(sync(writer.encode(payload, c.call)), c.inv));
      const y = sync(reader.encode(payload, c.yld));
      const t = now();
      sync(writer.decode(y, c.res));
      return now() - t;
    },
  };

  // ---- the primitives alone, on inputs of the same sizes
  const rnd = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  const key = rnd(32);
  const nonce = rnd(24);
  const { v2, sodium } = m;
  const aead = (ptLen, adLen) => {
    const pt = rnd(ptLen);
    const ad = rnd(adLen);
    return () => {
      const t = now();
      const c = v2.aeadEncrypt(pt, ad, nonce, key);
      if (v2.aeadDecrypt(c, ad, nonce, key) === undefined) throw new Error('aead');
      return now() - t;
    };
  };
  const signVerify = (len) => {
    const msg = rnd(len);
    return () => {
      const t = now();
      const s = sodium.signDetached(msg, w.writer.secretKey);
      if (!v2.signVerifyDetached(s, msg, w.writer.publicKey)) throw new Error('verify');
      return now() - t;
    };
  };
  const kidIn = m.constants.KID_CTX;
  const replyIn = new Uint8Array([...m.constants.REPLY_CTX, ...rnd(16)]);
  const utf8 = new TextEncoder();
  const utf8d = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const jsonBuffer = new Uint8Array(3 * 1024 * 4);
  const jsonText = jsonBuffer.subarray(
    0,
    utf8.encodeInto(m.core.stringifyJson({ args, kwargs: {} }), jsonBuffer).written,
  );
  const primitives = {
    'AEAD enc+dec, PUBLISH sizes': aead(sizes.plaintext, sizes.publish.aad),
    'AEAD enc+dec, first CALL sizes': aead(sizes.plaintext, sizes.first.aad),
    'AEAD enc+dec, later CALL sizes': aead(sizes.plaintext, sizes.later.aad),
    'AEAD enc+dec, YIELD sizes': aead(sizes.yield.ct - TAG, sizes.yield.aad),
    'sign+verify, PUBLISH sizes': signVerify(sizes.publish.sig),
    'sign+verify, first CALL sizes': signVerify(sizes.first.sig),
    // the two halves alone: a subscriber pays only the verification
    'sign alone, PUBLISH sizes': (() => {
      const msg = rnd(sizes.publish.sig);
      return () => {
        const t = now();
        sodium.signDetached(msg, w.writer.secretKey);
        return now() - t;
      };
    })(),
    'verify alone, PUBLISH sizes': (() => {
      const msg = rnd(sizes.publish.sig);
      const s = sodium.signDetached(msg, w.writer.secretKey);
      return () => {
        const t = now();
        if (!v2.signVerifyDetached(s, msg, w.writer.publicKey)) throw new Error('verify');
        return now() - t;
      };
    })(),
    'box_seal+open, 32 B': () => {
      const t = now();
      const c = v2.boxSeal(key, w.scope.publicKey);
      if (v2.boxSealOpen(c, w.scope.publicKey, w.scope.secretKey) === undefined) throw new Error('box');
      return now() - t;
    },
    'BLAKE2b KID (16 B out)': () => {
      const t = now();
      v2.genericHash(16, kidIn, key);
      return now() - t;
    },
    'BLAKE2b reply key (32 B out)': () => {
      const t = now();
      v2.genericHash(32, replyIn, key);
      return now() - t;
    },
    // the inner JSON as the codec writes and reads it: stringifyJson, UTF-8 encoded into a buffer that
    // is already there (as into the WebAssembly heap), decoded from it with a strict decoder, parsed
    'inner JSON write': () => {
      const t = now();
      utf8.encodeInto(m.core.stringifyJson({ args, kwargs: {} }), jsonBuffer);
      return now() - t;
    },
    'inner JSON read': () => {
      const t = now();
      JSON.parse(utf8d.decode(jsonText));
      return now() - t;
    },
  };

  // ---- events a subscriber opens: sealed ahead (untimed), opened one at a time
  const pool = (seal) => {
    let items = [];
    let i = 0;
    return () => {
      if (i === items.length) {
        items = Array.from({ length: 256 }, seal);
        i = 0;
      }
      return items[i++];
    };
  };
  // a publisher and a subscriber of their own: the pool's events are sealed ahead, so they must not
  // share a sender stream (replay window) with the PUBLISH→EVENT case
  const poolWriter = writerCodec(m, w);
  const poolReader = readerCodec(m, w);
  const v2Events = pool(() => sync(poolWriter.encode(payload, PUB)));
  const cbEvents = pool(() => sync(cb.sender.encode(payload, PUB)));
  const events = {
    'v2 EVENT open (verify + AEAD)': () => {
      const e = v2Events();
      const t = now();
      sync(poolReader.decode(e, EVT));
      return now() - t;
    },
    'cryptobox EVENT open': () => {
      const e = cbEvents();
      const t = now();
      sync(cb.receiver.decode(e, EVT));
      return now() - t;
    },
  };

  const counts = checkCounts(m, {
    'PUBLISH→EVENT (signed)': messages['PUBLISH→EVENT (signed)'],
    'first CALL→INVOCATION (wrapped, signed)': messages['first CALL→INVOCATION (wrapped, signed)'],
    'later CALL→INVOCATION (AEAD only)': messages['later CALL→INVOCATION (AEAD only)'],
    'YIELD→RESULT': () => {
      // count only the answer's half
      const c = callCtx();
      sync(reader.decode(sync(writer.encode(payload, c.call)), c.inv));
      return () => sync(writer.decode(sync(reader.encode(payload, c.yld)), c.res));
    },
  });
  return { messages, split, primitives, events, sizes, counts };
}

/**
 * How many times each libsodium export runs for one message of each kind, with BLAKE2b split by
 * output length (16: a key id, 32: a reply key). Wraps the module's exports for the count only.
 */
function checkCounts(m, cases) {
  const mod = m.scratch.lib();
  const saved = {};
  let counts;
  for (const name of Object.keys(COUNTED)) {
    saved[name] = mod[name];
    mod[name] = (...a) => {
      const k = name === '_crypto_generichash' ? `blake2b-${a[1]}` : COUNTED[name];
      counts[k] = (counts[k] ?? 0) + 1;
      return saved[name](...a);
    };
  }
  const out = {};
  try {
    for (const [label, fn] of Object.entries(cases)) {
      counts = {};
      const r = fn();
      if (typeof r === 'function') {
        counts = {};
        r();
      }
      out[label] = counts;
    }
  } finally {
    for (const name of Object.keys(COUNTED)) mod[name] = saved[name];
  }
  return out;
}

/** The primitive sum of one message, per round: the primitives' µs times their counts. */
export function primitiveSum(label, counts, prim) {
  const c = counts[label];
  const aead = {
    'PUBLISH→EVENT (signed)': 'AEAD enc+dec, PUBLISH sizes',
    'first CALL→INVOCATION (wrapped, signed)': 'AEAD enc+dec, first CALL sizes',
    'later CALL→INVOCATION (AEAD only)': 'AEAD enc+dec, later CALL sizes',
    'YIELD→RESULT': 'AEAD enc+dec, YIELD sizes',
  }[label];
  const sign = label.startsWith('first') ? 'sign+verify, first CALL sizes' : 'sign+verify, PUBLISH sizes';
  const pairs = (a, b) => {
    const x = c[a] ?? 0;
    if (x !== (c[b] ?? 0)) throw new Error(`${label}: ${x} ${a} but ${c[b] ?? 0} ${b}`);
    return x;
  };
  // signing and verifying may run on a native binding (sodium-native on Node), where the
  // WebAssembly exports do not see them: each signed message here is signed once and verified once,
  // and the signed ones are PUBLISH and a session's first CALL
  const counted = c['sign'] === undefined ? (c['verify'] ?? 0) : pairs('sign', 'verify');
  const signed = counted || (label.includes('signed') ? 1 : 0);
  return (
    pairs('aead-enc', 'aead-dec') * prim[aead] +
    signed * prim[sign] +
    pairs('box-seal', 'box-open') * prim['box_seal+open, 32 B'] +
    (c['blake2b-16'] ?? 0) * prim['BLAKE2b KID (16 B out)'] +
    (c['blake2b-32'] ?? 0) * prim['BLAKE2b reply key (32 B out)']
  );
}

/** One line per message kind: what the counts say it calls. */
export function describeCounts(c) {
  const parts = [];
  const n = (k) => c[k] ?? 0;
  if (n('aead-enc')) parts.push(`${n('aead-enc')} AEAD enc+dec`);
  if (n('sign')) parts.push(`${n('sign')} sign+verify`);
  else if (n('verify'))
    parts.push(`${n('verify')} sign+verify (signing not on the WebAssembly build, not counted there)`);
  else parts.push('sign+verify where signed (on the native binding, not counted on the WebAssembly build)');
  if (n('box-seal')) parts.push(`${n('box-seal')} box_seal+open`);
  if (n('blake2b-16')) parts.push(`${n('blake2b-16')} BLAKE2b KID`);
  if (n('blake2b-32')) parts.push(`${n('blake2b-32')} BLAKE2b reply`);
  return parts.join(' + ');
}

/** Run fn until `ms` of wall time has passed; the µs of its timed parts and how many ran. */
export function runCase(fn, ms) {
  let timed = 0;
  let n = 0;
  const end = performance.now() + ms;
  do {
    for (let i = 0; i < 16; i++) timed += fn();
    n += 16;
  } while (performance.now() < end);
  return { timed, n };
}

/** Run fn until `ms` of wall time has passed; µs per operation of its timed parts. */
export function timeCase(fn, ms) {
  const { timed, n } = runCase(fn, ms);
  return timed / n;
}
