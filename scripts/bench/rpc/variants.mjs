/** rpc.mjs: the variants, the workloads (cells), the payloads and the echo check. */
import { binPayload } from '../payload.mjs';

/** The baseline every client is compared with. */
export const BASELINE = 'raw-ws/json';
/** The wampbox reference for peer ratios. */
export const REFERENCE = 'wampbox/ws/json';

export const VARIANTS = [
  { id: 'raw-ws/json', lib: 'raw', transport: 'ws', ser: 'json' },
  { id: 'wampbox/ws/json', lib: 'wampbox', transport: 'ws', ser: 'json' },
  { id: 'wampbox/ws/msgpack', lib: 'wampbox', transport: 'ws', ser: 'msgpack' },
  { id: 'wampbox/ws/cbor', lib: 'wampbox', transport: 'ws', ser: 'cbor' },
  { id: 'wampbox/rs/cbor', lib: 'wampbox', transport: 'rs', ser: 'cbor' },
  { id: 'wampbox/ws/json+cryptobox', lib: 'wampbox', transport: 'ws', ser: 'json', crypto: true, plainPeer: 'wampbox/ws/json' },
  { id: 'wampbox/ws/cbor+cryptobox', lib: 'wampbox', transport: 'ws', ser: 'cbor', crypto: true, plainPeer: 'wampbox/ws/cbor' },
  { id: 'autobahn/ws/json', lib: 'autobahn', transport: 'ws', ser: 'json' },
  { id: 'autobahn/ws/msgpack', lib: 'autobahn', transport: 'ws', ser: 'msgpack' },
  { id: 'autobahn/ws/cbor', lib: 'autobahn', transport: 'ws', ser: 'cbor' },
  { id: 'wampy/ws/json', lib: 'wampy', transport: 'ws', ser: 'json' },
  { id: 'wampy/ws/msgpack', lib: 'wampy', transport: 'ws', ser: 'msgpack' },
  { id: 'wampy/ws/cbor', lib: 'wampy', transport: 'ws', ser: 'cbor' },
  // Diagnostic, only with --only: the raw baseline in a process that has also loaded
  // @wampbox/wamp-client and initialized libsodium (what a wampbox process carries besides its
  // message path). Separates the cost of the process footprint from that of the code path.
  { id: 'raw-ws/json+wampbox-loaded', lib: 'raw', transport: 'ws', ser: 'json', preload: true, hidden: true },
  // Diagnostic, only with --only: wampbox with the 1 KiB cells carried as base64 text (a plain
  // string, no U+0000 marker), as Autobahn|JS and wampy carry them: the same size on the wire
  // without the conversions WAMP's JSON binary convention asks of wampbox.
  { id: 'wampbox/ws/json+text', lib: 'wampbox', transport: 'ws', ser: 'json', textBinary: true, hidden: true },
];

export const CELLS = [
  { id: 'small seq', payload: 'small', conc: 1, cap: 20_000 },
  { id: 'small x100', payload: 'small', conc: 100, cap: 60_000 },
  { id: '1KiB seq', payload: 'bin1k', conc: 1, cap: 20_000 },
  { id: '1KiB x100', payload: 'bin1k', conc: 100, cap: 60_000 },
];

/** Round trips before each measured window (not measured), per cell. */
export const WARMUP_CALLS = 200;
/** Longest warm-up before each window. */
export const WARMUP_MS = 60;
/**
 * Unmeasured warm-up of every variant and cell before round 1: this many round trips (default;
 * `--warmup-calls`), or INITIAL_WARMUP_CAP_MS, whichever comes first. V8 optimizes a function
 * only after it has run for a while, and a sequential cell does 300-500 round trips a second on
 * this kind of machine: with a short warm-up the rounds measured code that was still interpreted,
 * plus the optimizing compiler's threads (50-100 µs per round trip, see the README).
 */
export const INITIAL_WARMUP_CALLS = 3000;
export const INITIAL_WARMUP_CAP_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// payloads (the same bytes for every variant)

/** WAMP's JSON convention for binary: "\u0000" + base64. */
export function jsonBinaryString(bytes) {
  return '\u0000' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The payloads in each library's representation, and the raw baseline's precomputed frames. */
export function payloadsFor(v, uri) {
  const bin = binPayload();
  const binString = jsonBinaryString(bin);
  const small = [1, 'x'];
  // wampbox converts Uint8Array to and from the JSON convention itself. Autobahn|JS and wampy
  // do not, so in JSON they carry the same wire text as a pre-encoded string (they then do no
  // base64 work at all); in msgpack/cbor every library sends real bytes.
  let bin1k;
  if (v.textBinary) bin1k = [binString.slice(1)];
  else if (v.lib === 'wampbox') bin1k = [bin];
  else if (v.ser === 'json') bin1k = [binString];
  else if (v.lib === 'autobahn') bin1k = [Buffer.from(bin)];
  else bin1k = [bin];
  const raw = {
    small: { callTail: `,{},${JSON.stringify(uri)},${JSON.stringify(small)}]`, yieldTail: `,{},${JSON.stringify(small)}]` },
    bin1k: { callTail: `,{},${JSON.stringify(uri)},${JSON.stringify([binString])}]`, yieldTail: `,{},${JSON.stringify([binString])}]` },
  };
  return { args: { small, bin1k }, raw, expect: { small, bin1k: v.textBinary ? bin1k : [bin] } };
}

export function sameResult(got, expect) {
  if (!Array.isArray(got) || got.length !== expect.length) return false;
  for (let i = 0; i < expect.length; i++) {
    const e = expect[i];
    let g = got[i];
    if (e instanceof Uint8Array) {
      if (typeof g === 'string' && g.charCodeAt(0) === 0) g = Buffer.from(g.slice(1), 'base64');
      if (!(g instanceof Uint8Array) || Buffer.compare(Buffer.from(g), Buffer.from(e)) !== 0) return false;
    } else if (g !== e) return false;
  }
  return true;
}
