/** rpc.mjs: the variants and the workloads (cells). */
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
  {
    id: 'wampbox/ws/json+cryptobox',
    lib: 'wampbox',
    transport: 'ws',
    ser: 'json',
    crypto: true,
    plainPeer: 'wampbox/ws/json',
  },
  {
    id: 'wampbox/ws/cbor+cryptobox',
    lib: 'wampbox',
    transport: 'ws',
    ser: 'cbor',
    crypto: true,
    plainPeer: 'wampbox/ws/cbor',
  },
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
