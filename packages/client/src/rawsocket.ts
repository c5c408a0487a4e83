/**
 * WAMP over RawSocket for Node: TCP, TLS and Unix domain sockets.
 *
 * Wire format (WAMP spec, "RawSocket Transport"):
 * - handshake: the client sends `0x7F, LLLL SSSS, 0x00, 0x00` (LLLL: it accepts messages up to
 *   2^(9+LLLL) bytes; SSSS: serializer id). The router echoes the same layout with its own limit, or
 *   answers `0x7F, EEEE 0000, 0x00, 0x00` with an error code EEEE.
 * - frames: a 4-byte prefix `RRRR XTTT` + 24-bit big-endian length, then the payload. TTT is the
 *   frame type (0 message, 1 PING, 2 PONG); X is a 25th length bit, set only for exactly 2^24 bytes;
 *   RRRR must be zero.
 *
 * Incoming frames are delivered to the session as `Uint8Array` for every serializer, including JSON:
 * the serializer decodes UTF-8 itself, so the transport never decodes text it would only hand on.
 * A frame that arrived in one socket chunk is a zero-copy view of that chunk; a frame split across
 * chunks is copied once into a buffer of its exact size (allocated when its header arrives), so
 * reassembly is linear in the number of bytes whatever the chunking.
 *
 * Limits: an incoming prefix announcing more than `maxFrameBytes` fails the connection before any
 * payload is buffered (onClose with `ERR_FRAME_TOO_LARGE`, code 1009); reserved prefix bits or frame
 * types fail it as a protocol error (`ERR_TRANSPORT`, code 1002). Both report `local: true`, as the
 * WebSocket transport does. A close by the router reports `local: false` (with code 1006 and an
 * `ERR_TRANSPORT` error when the socket failed). RawSocket has no close codes on the wire: the codes in
 * {@link TransportCloseInfo} are the WebSocket equivalents, for sessions that look at them.
 *
 * PING frames from the router are answered with a PONG at once, attached or not. {@link
 * RawSocketTransport.ping} sends our own PING and matches the PONG by payload. The transport has
 * no {@link Transport.probe}: Crossbar (Autobahn's Twisted RawSocket) does not implement PING and
 * reads one as the prefix of a 16 MiB message, over its limit, and drops the connection; liveness
 * checks (`session.ping()`, the heartbeat) use a WAMP round trip instead.
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';

import {
  CanceledError,
  InvalidArgumentError,
  TimeoutError,
  TransportError,
  writeBatcher,
  type Serializer,
  type Transport,
  type TransportCloseInfo,
  type TransportFactory,
  type TransportHandlers,
  type TransportOptions,
} from '@wampbox/core';

/** Extra settings of the RawSocket transport, beyond the common {@link TransportOptions}. */
export interface RawSocketConfig {
  /**
   * TLS settings for `rss://` URLs (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`, ...).
   * `host` and `port` come from the URL.
   */
  readonly tls?: tls.ConnectionOptions | undefined;
  /** Disable Nagle's algorithm so small frames leave at once. Default `true`. */
  readonly noDelay?: boolean | undefined;
  /** How long {@link Transport.close} waits for the peer to close before dropping the socket. Default 3000 ms. */
  readonly closeTimeoutMs?: number | undefined;
}

/** Options of {@link connectRawSocket}: the common transport options plus {@link RawSocketConfig}. */
export interface RawSocketTransportOptions extends TransportOptions, RawSocketConfig {}

/** Options of {@link RawSocketTransport.ping}. */
export interface RawSocketPingOptions {
  /** Reject with `ERR_TIMEOUT` when no PONG arrives within this many milliseconds. */
  readonly timeoutMs?: number | undefined;
  /** Stop waiting for the PONG; the promise rejects with `ERR_CANCELED`. */
  readonly signal?: AbortSignal | undefined;
}

/** A {@link Transport} over RawSocket, with an explicit RawSocket PING for routers that implement it. */
export interface RawSocketTransport extends Transport {
  /** Largest message the router accepts (from its handshake reply), in bytes. */
  readonly routerMaxFrameBytes: number;
  /**
   * Send a RawSocket PING and wait for the router's PONG echoing the same payload.
   * Resolves with the round-trip time in milliseconds. Only for routers that implement RawSocket
   * PING: Crossbar does not, and drops the connection (use `session.ping()` there).
   * @param payload Bytes (or a string, sent as UTF-8) to echo; a unique 8-byte payload by default.
   * @throws TransportError `ERR_TRANSPORT` (rejection) when the transport is or becomes closed before the PONG,
   *   `ERR_FRAME_TOO_LARGE` when the payload exceeds {@link Transport.maxFrameBytes}.
   * @throws TimeoutError `ERR_TIMEOUT` (rejection) after `options.timeoutMs`.
   * @throws CanceledError `ERR_CANCELED` (rejection) when `options.signal` aborts.
   */
  ping(payload?: Uint8Array | string, options?: RawSocketPingOptions): Promise<number>;
}

const MAGIC = 0x7f;
const HEADER_BYTES = 4;
/** Largest payload a frame prefix can express (24 length bits plus the X bit). */
const MAX_WIRE_FRAME = 2 ** 24;
const MIN_LENGTH_EXP = 9;

const FRAME_MESSAGE = 0;
const FRAME_PING = 1;
const FRAME_PONG = 2;

/** Frames up to this size are copied behind their prefix and written in one call. */
const COALESCE_BYTES = 16 * 1024;
const DEFAULT_CLOSE_TIMEOUT_MS = 3000;

const HANDSHAKE_ERRORS: Readonly<Record<number, string>> = {
  0: 'illegal error code 0',
  1: 'serializer unsupported',
  2: 'maximum message length unacceptable',
  3: 'use of reserved bits (unsupported feature)',
  4: 'maximum connection count reached',
};
const ERR_SERIALIZER_UNSUPPORTED = 1;

const EMPTY = new Uint8Array(0);

/** Where to connect. */
type Target =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'tls'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

function parseTarget(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new InvalidArgumentError(`invalid RawSocket URL "${url}"`, { cause });
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'unix' || scheme === 'rs+unix') {
    if (u.hostname !== '' || !u.pathname.startsWith('/')) {
      throw new InvalidArgumentError(`a Unix socket URL needs an absolute path, as in unix:///run/router.sock (got "${url}")`);
    }
    return { kind: 'unix', path: decodeURIComponent(u.pathname) };
  }
  if (scheme === 'rs' || scheme === 'rss' || scheme === 'tcp') {
    const host = u.hostname.startsWith('[') && u.hostname.endsWith(']') ? u.hostname.slice(1, -1) : u.hostname;
    const port = Number(u.port);
    if (host === '' || u.port === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`a RawSocket URL needs a host and a port, as in rs://localhost:8080 (got "${url}")`);
    }
    if (u.pathname !== '' && u.pathname !== '/') {
      throw new InvalidArgumentError(`a RawSocket URL has no path (got "${url}")`);
    }
    return { kind: scheme === 'rss' ? 'tls' : 'tcp', host, port };
  }
  throw new InvalidArgumentError(`unsupported RawSocket URL scheme "${scheme}:" (use rs, rss, tcp, unix or rs+unix)`);
}

/** The length exponent (LLLL) to announce: the largest 2^(9+e) that does not exceed `max`, e in 0..15. */
function lengthExponent(max: number): number {
  let e = 0;
  while (e < 15 && 2 ** (MIN_LENGTH_EXP + e + 1) <= max) e++;
  return e;
}

function writeHeader(target: Uint8Array, type: number, length: number): void {
  // Exactly 2^24 bytes sets the X bit with the 24 length bits cleared.
  target[0] = type | (length === MAX_WIRE_FRAME ? 0x08 : 0);
  target[1] = (length >>> 16) & 0xff;
  target[2] = (length >>> 8) & 0xff;
  target[3] = length & 0xff;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type HandshakeOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: Error; readonly serializerUnsupported: boolean };

interface PendingPing {
  readonly payload: Uint8Array;
  readonly sentAt: number;
  readonly resolve: (rtt: number) => void;
  readonly reject: (err: Error) => void;
  readonly cleanup: () => void;
}

type Phase = 'handshake' | 'open' | 'closing' | 'closed';

/** One socket, from the handshake to the close. Exposed to callers only once the handshake succeeded. */
class RawSocketConnection implements RawSocketTransport {
  readonly serializer: Serializer;
  readonly protocol: string;
  private sendMax = 0;
  private routerMax = 0;

  /** The handshake result; settles exactly once. */
  readonly handshake: Promise<HandshakeOutcome>;
  private settleHandshake!: (outcome: HandshakeOutcome) => void;

  private phase: Phase = 'handshake';
  private readonly reply = new Uint8Array(HEADER_BYTES);
  private replyFill = 0;

  // Frame reassembly state.
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  private payload: Uint8Array | null = null;
  private payloadFill = 0;
  private payloadType = FRAME_MESSAGE;

  private handlers: TransportHandlers | null = null;
  private early: Uint8Array[] | null = [];
  /** Set by close() or a detected failure; wins over what the socket reports later. */
  private closeInfo: TransportCloseInfo | null = null;
  private finalInfo: TransportCloseInfo | null = null;
  private closeReported = false;
  private socketError: Error | undefined;
  private readonly closeWaiters: (() => void)[] = [];
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly pings: PendingPing[] = [];
  private pingCounter = 0;
  /** Corks the socket until the end of the task, so the messages sent in it leave in one write. */
  private readonly hold: () => void;

  constructor(
    private readonly socket: net.Socket,
    private readonly url: string,
    serializer: Serializer,
    private readonly receiveMax: number,
    private readonly closeTimeoutMs: number,
  ) {
    this.serializer = serializer;
    this.protocol = serializer.protocol;
    this.hold = writeBatcher(socket);
    this.handshake = new Promise<HandshakeOutcome>((resolve) => {
      this.settleHandshake = resolve;
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    // Queued by Node until the connection (and TLS session) is up.
    socket.write(Uint8Array.of(MAGIC, (lengthExponent(receiveMax) << 4) | (serializer.rawSocketId ?? 0), 0, 0));
  }

  /** Send limit: the smaller of our limit and the router's. */
  get maxFrameBytes(): number {
    return this.sendMax;
  }

  get routerMaxFrameBytes(): number {
    return this.routerMax;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = null;
    if (early) for (const frame of early) handlers.onFrame(frame);
    if (this.finalInfo && !this.closeReported) {
      this.closeReported = true;
      handlers.onClose(this.finalInfo);
    }
  }

  send(frame: string | Uint8Array): void {
    if (this.phase !== 'open') throw new TransportError('RawSocket transport is not open');
    const length = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength;
    if (length > this.maxFrameBytes) {
      throw new TransportError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes} bytes`, { code: 'ERR_FRAME_TOO_LARGE' });
    }
    this.hold();
    this.writeFrame(FRAME_MESSAGE, frame, length);
  }

  ping(payload?: Uint8Array | string, options?: RawSocketPingOptions): Promise<number> {
    if (this.phase !== 'open') return Promise.reject(new TransportError('RawSocket transport is not open'));
    let bytes: Uint8Array;
    if (payload === undefined) {
      bytes = new Uint8Array(8);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, ++this.pingCounter);
      view.setUint32(4, (Math.random() * 0x100000000) >>> 0);
    } else {
      // A private copy: the caller may reuse its buffer before the PONG arrives.
      bytes = typeof payload === 'string' ? new Uint8Array(Buffer.from(payload, 'utf8')) : payload.slice();
    }
    if (bytes.byteLength > this.maxFrameBytes) {
      return Promise.reject(
        new TransportError(`PING payload of ${bytes.byteLength} bytes exceeds the limit of ${this.maxFrameBytes} bytes`, {
          code: 'ERR_FRAME_TOO_LARGE',
        }),
      );
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new CanceledError('ping canceled', { cause: signal.reason }));
    return new Promise<number>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        this.dropPing(entry);
        reject(new CanceledError('ping canceled', { cause: signal?.reason }));
      };
      const entry: PendingPing = {
        payload: bytes,
        sentAt: performance.now(),
        resolve,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const timeoutMs = options?.timeoutMs;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.dropPing(entry);
          reject(new TimeoutError(`no PONG within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pings.push(entry);
      this.writeFrame(FRAME_PING, bytes, bytes.byteLength);
    });
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.phase === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.phase === 'open') {
      this.phase = 'closing';
      this.closeInfo = { local: true, code, reason };
      this.socket.end();
      this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
      this.closeTimer.unref?.();
    }
    return done;
  }

  /** Give up on the handshake (abort, timeout): drops the socket; the outcome is `error`. */
  abortHandshake(error: Error): void {
    this.failHandshake(error, false);
  }

  private failHandshake(error: Error, serializerUnsupported: boolean): void {
    if (this.phase !== 'handshake') return;
    this.phase = 'closing';
    this.settleHandshake({ ok: false, error, serializerUnsupported });
    this.socket.destroy();
  }

  /** Fail an open connection: drop the socket and report `error` through onClose. */
  private fail(error: TransportError, code: number, reason: string): void {
    if (this.phase === 'closed') return;
    // A protocol failure replaces a close still in progress: the peer's bytes were bad.
    this.phase = 'closing';
    this.closeInfo = { local: true, code, reason, error };
    this.payload = null;
    this.socket.destroy();
  }

  private onSocketError(err: Error): void {
    this.socketError ??= err;
    if (this.phase === 'handshake') {
      this.failHandshake(new TransportError(`cannot connect to ${this.url}: ${errorMessage(err)}`, { cause: err }), false);
    }
  }

  private onSocketClose(): void {
    if (this.phase === 'handshake') {
      this.failHandshake(
        new TransportError(`${this.url} closed the connection during the RawSocket handshake`, { cause: this.socketError }),
        false,
      );
    }
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    if (this.closeTimer) clearTimeout(this.closeTimer);
    let info = this.closeInfo;
    if (!info) {
      info = this.socketError
        ? {
            local: false,
            code: 1006,
            reason: errorMessage(this.socketError),
            error: new TransportError(`RawSocket connection to ${this.url} failed: ${errorMessage(this.socketError)}`, {
              cause: this.socketError,
            }),
          }
        : { local: false, reason: 'connection closed by the router' };
    }
    this.finalInfo = info;
    for (const ping of this.pings.splice(0)) {
      ping.cleanup();
      ping.reject(new TransportError('RawSocket transport closed before the PONG arrived', { cause: info.error }));
    }
    for (const resolve of this.closeWaiters.splice(0)) resolve();
    if (this.handlers) {
      this.closeReported = true;
      this.handlers.onClose(info);
    }
  }

  private onData(chunk: Buffer): void {
    let pos = 0;
    if (this.phase === 'handshake') {
      const used = this.readReply(chunk);
      if (used === null) return;
      pos = used;
    }
    if (this.phase === 'closed' || this.closeInfo?.error !== undefined) return;
    this.readFrames(chunk, pos);
  }

  /**
   * Consume handshake reply bytes. Returns how many bytes of `chunk` it used once the handshake
   * succeeded, `null` while the reply is incomplete or when it failed.
   */
  private readReply(chunk: Buffer): number | null {
    const take = Math.min(HEADER_BYTES - this.replyFill, chunk.length);
    this.reply.set(chunk.subarray(0, take), this.replyFill);
    this.replyFill += take;
    if (this.replyFill < HEADER_BYTES) return null;
    const [magic = 0, second = 0, r1 = 0, r2 = 0] = this.reply;
    const ours = this.serializer.rawSocketId ?? 0;
    if (magic !== MAGIC) {
      this.failHandshake(new TransportError(`${this.url} is not a RawSocket router: handshake reply starts with 0x${magic.toString(16)}`), false);
    } else if ((second & 0x0f) === 0) {
      const code = second >> 4;
      const text = HANDSHAKE_ERRORS[code] ?? 'unknown error';
      const unsupported = code === ERR_SERIALIZER_UNSUPPORTED;
      this.failHandshake(
        new TransportError(`RawSocket router at ${this.url} refused the handshake: ${text} (error ${code})`, {
          code: unsupported ? 'ERR_NO_SERIALIZER' : 'ERR_TRANSPORT',
        }),
        unsupported,
      );
    } else if ((second & 0x0f) !== ours) {
      this.failHandshake(new TransportError(`RawSocket router answered with serializer ${second & 0x0f}, not the requested ${ours}`), false);
    } else if (r1 !== 0 || r2 !== 0) {
      this.failHandshake(new TransportError('RawSocket router set reserved bits in its handshake reply'), false);
    } else {
      this.routerMax = 2 ** (MIN_LENGTH_EXP + (second >> 4));
      this.sendMax = Math.min(this.receiveMax, this.routerMax);
      this.phase = 'open';
      this.settleHandshake({ ok: true });
      return take;
    }
    return null;
  }

  private readFrames(chunk: Buffer, start: number): void {
    const end = chunk.length;
    let pos = start;
    while (pos < end) {
      const payload = this.payload;
      if (payload) {
        const take = Math.min(payload.byteLength - this.payloadFill, end - pos);
        payload.set(chunk.subarray(pos, pos + take), this.payloadFill);
        this.payloadFill += take;
        pos += take;
        if (this.payloadFill === payload.byteLength) {
          this.payload = null;
          if (!this.dispatch(this.payloadType, payload)) return;
        }
        continue;
      }
      let b0: number, b1: number, b2: number, b3: number;
      if (this.headerFill === 0 && end - pos >= HEADER_BYTES) {
        b0 = chunk[pos]!;
        b1 = chunk[pos + 1]!;
        b2 = chunk[pos + 2]!;
        b3 = chunk[pos + 3]!;
        pos += HEADER_BYTES;
      } else {
        const take = Math.min(HEADER_BYTES - this.headerFill, end - pos);
        this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < HEADER_BYTES) return;
        this.headerFill = 0;
        const h = this.header;
        b0 = h[0]!;
        b1 = h[1]!;
        b2 = h[2]!;
        b3 = h[3]!;
      }
      const type = b0 & 0x07;
      let length = (b1 << 16) | (b2 << 8) | b3;
      if (b0 & 0x08) {
        if (length !== 0) return this.protocolError('RawSocket frame prefix sets the X bit with a non-zero length');
        length = MAX_WIRE_FRAME;
      }
      if (b0 & 0xf0) return this.protocolError('RawSocket frame prefix sets reserved bits');
      if (type !== FRAME_MESSAGE && type !== FRAME_PING && type !== FRAME_PONG) {
        return this.protocolError(`RawSocket frame of reserved type ${type}`);
      }
      if (length > this.receiveMax) {
        const error = new TransportError(`received a frame of ${length} bytes, over the limit of ${this.receiveMax} bytes`, {
          code: 'ERR_FRAME_TOO_LARGE',
        });
        this.fail(error, 1009, 'message too big');
        return;
      }
      if (length === 0) {
        if (!this.dispatch(type, EMPTY)) return;
      } else if (end - pos >= length) {
        const view = new Uint8Array(chunk.buffer, chunk.byteOffset + pos, length);
        pos += length;
        if (!this.dispatch(type, view)) return;
      } else {
        this.payload = new Uint8Array(length);
        this.payloadFill = 0;
        this.payloadType = type;
      }
    }
  }

  private protocolError(message: string): void {
    this.fail(new TransportError(message), 1002, 'protocol error');
  }

  /** Handle one complete frame. Returns `false` when reading must stop. */
  private dispatch(type: number, payload: Uint8Array): boolean {
    if (type === FRAME_PING) {
      if (this.phase === 'open') this.writeFrame(FRAME_PONG, payload, payload.byteLength);
    } else if (type === FRAME_PONG) {
      const i = this.pings.findIndex((p) => sameBytes(p.payload, payload));
      const ping = i >= 0 ? this.pings.splice(i, 1)[0] : undefined;
      if (ping) {
        ping.cleanup();
        ping.resolve(performance.now() - ping.sentAt);
      }
    } else if (this.handlers) {
      this.handlers.onFrame(payload);
    } else {
      this.early?.push(payload);
    }
    return this.phase !== 'closed' && this.closeInfo?.error === undefined;
  }

  private dropPing(entry: PendingPing): void {
    const i = this.pings.indexOf(entry);
    if (i >= 0) this.pings.splice(i, 1);
    entry.cleanup();
  }

  private writeFrame(type: number, payload: string | Uint8Array, length: number): void {
    if (typeof payload === 'string') {
      const buf = Buffer.allocUnsafe(HEADER_BYTES + length);
      writeHeader(buf, type, length);
      buf.write(payload, HEADER_BYTES, 'utf8');
      this.socket.write(buf);
    } else if (length <= COALESCE_BYTES) {
      const buf = Buffer.allocUnsafe(HEADER_BYTES + length);
      writeHeader(buf, type, length);
      buf.set(payload, HEADER_BYTES);
      this.socket.write(buf);
    } else {
      const header = Buffer.allocUnsafe(HEADER_BYTES);
      writeHeader(header, type, length);
      this.socket.cork();
      this.socket.write(header);
      this.socket.write(payload);
      this.socket.uncork();
    }
  }
}

function openSocket(target: Target, config: RawSocketConfig): net.Socket {
  let socket: net.Socket;
  if (target.kind === 'unix') {
    socket = net.connect({ path: target.path });
  } else if (target.kind === 'tls') {
    const servername = net.isIP(target.host) === 0 ? target.host : undefined;
    socket = tls.connect({ servername, ...config.tls, host: target.host, port: target.port });
  } else {
    socket = net.connect({ host: target.host, port: target.port });
  }
  if (config.noDelay ?? true) socket.setNoDelay(true);
  return socket;
}

/**
 * Connect over RawSocket and return the typed transport (with {@link RawSocketTransport.ping}).
 * Offers `options.serializers` that have a `rawSocketId` one at a time, in order, reconnecting when
 * the router answers "serializer unsupported".
 *
 * URLs: `rs://host:port` and `tcp://host:port` (TCP), `rss://host:port` (TLS), `unix:///path` and
 * `rs+unix:///path` (Unix domain socket).
 *
 * The message size announced to the router is the largest power of two, from 512 bytes to 16 MiB,
 * not above `options.maxFrameBytes`; frames up to `options.maxFrameBytes` (at most 16 MiB) are
 * accepted. {@link Transport.maxFrameBytes} is the send limit: the smaller of `options.maxFrameBytes`
 * and the router's announced maximum. Below 512 bytes, 512 is announced (the protocol's smallest)
 * and `options.maxFrameBytes` is still enforced on what arrives.
 *
 * @throws TransportError (rejection) `ERR_TRANSPORT` when the connection fails, times out
 *   (`connectTimeoutMs`), is aborted (`signal`) or the router refuses the handshake;
 *   `ERR_NO_SERIALIZER` when the router supports none of the offered serializers.
 * @throws InvalidArgumentError (rejection) `ERR_INVALID_ARGUMENT` for a malformed URL or `maxFrameBytes`.
 * @example
 * ```ts
 * const transport = await connectRawSocket('rs://127.0.0.1:8080', { serializers: [cbor()], maxFrameBytes: 1 << 20 });
 * console.log(transport.routerMaxFrameBytes); // what the router accepts, e.g. 1048576
 * ```
 */
export async function connectRawSocket(url: string, options: RawSocketTransportOptions): Promise<RawSocketTransport> {
  const target = parseTarget(url);
  const { maxFrameBytes } = options;
  if (!(maxFrameBytes >= 1)) {
    throw new InvalidArgumentError(`maxFrameBytes must be a positive number (got ${String(maxFrameBytes)})`);
  }
  const receiveMax = Math.min(Math.floor(maxFrameBytes), MAX_WIRE_FRAME);
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const candidates = options.serializers.filter(
    (s) => typeof s.rawSocketId === 'number' && Number.isInteger(s.rawSocketId) && s.rawSocketId >= 1 && s.rawSocketId <= 15,
  );
  if (candidates.length === 0) {
    throw new TransportError('none of the offered serializers has a RawSocket serializer id', { code: 'ERR_NO_SERIALIZER' });
  }

  const { signal, connectTimeoutMs } = options;
  let stopped: Error | undefined;
  let current: RawSocketConnection | undefined;
  const stop = (err: Error): void => {
    stopped ??= err;
    current?.abortHandshake(err);
  };
  const onAbort = (): void => stop(new TransportError(`connect to ${url} aborted`, { cause: signal?.reason }));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    connectTimeoutMs !== undefined && connectTimeoutMs > 0
      ? setTimeout(() => stop(new TransportError(`connect to ${url} timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs)
      : undefined;

  try {
    const refused: string[] = [];
    for (const serializer of candidates) {
      if (stopped) throw stopped;
      let socket: net.Socket;
      try {
        socket = openSocket(target, options);
      } catch (cause) {
        throw new TransportError(`cannot connect to ${url}: ${errorMessage(cause)}`, { cause });
      }
      const conn = new RawSocketConnection(socket, url, serializer, receiveMax, closeTimeoutMs);
      current = conn;
      const outcome = await conn.handshake;
      current = undefined;
      if (outcome.ok) return conn;
      if (!outcome.serializerUnsupported) {
        throw outcome.error;
      }
      refused.push(`${serializer.id} (${serializer.rawSocketId})`);
    }
    throw new TransportError(`RawSocket router at ${url} supports none of the offered serializers: ${refused.join(', ')}`, {
      code: 'ERR_NO_SERIALIZER',
    });
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A {@link TransportFactory} for RawSocket with extra settings (TLS options, ...).
 *
 * @example
 * ```ts
 * const factory = rawSocketTransportWith({ tls: { ca: readFileSync('ca.pem') } });
 * const session = await connect({ url: 'rss://router.example.com:8443', realm: 'realm1', transport: factory });
 * ```
 */
export function rawSocketTransportWith(config: RawSocketConfig): TransportFactory {
  return (url, options) => connectRawSocket(url, { ...config, ...options });
}

/**
 * The RawSocket {@link TransportFactory} for Node: `rs://`, `tcp://`, `rss://` (TLS), `unix:///path`,
 * `rs+unix:///path`. The returned transport also has {@link RawSocketTransport.ping}.
 *
 * @throws TransportError (rejection) `ERR_TRANSPORT` / `ERR_NO_SERIALIZER`, see {@link connectRawSocket}.
 * @example
 * ```ts
 * const transport = await rawSocketTransport('unix:///run/router.sock', { serializers: [json()], maxFrameBytes: 1 << 20 });
 * ```
 */
export const rawSocketTransport: TransportFactory = connectRawSocket;
