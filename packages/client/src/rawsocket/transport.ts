/**
 * The RawSocket transport over one Node socket (TCP, TLS or Unix), from the handshake to the close.
 *
 * Incoming frames are delivered to the session as `Uint8Array` for every serializer, including JSON:
 * the serializer decodes UTF-8 itself, so the transport never decodes text it would only hand on.
 * {@link FrameReader} splits the stream into frames without copying those that arrived whole.
 *
 * Limits: an incoming prefix announcing more than the receive limit fails the connection before any
 * payload is buffered (onClose with `ERR_FRAME_TOO_LARGE`, code 1009); reserved prefix bits or frame
 * types fail it as a protocol error (`ERR_TRANSPORT`, code 1002). Both report `local: true`, as the
 * WebSocket transport does. A close by the router reports `local: false` (with code 1006 and an
 * `ERR_TRANSPORT` error when the socket failed). RawSocket has no close codes on the wire: the codes
 * in {@link TransportCloseInfo} are the WebSocket equivalents, for sessions that look at them.
 *
 * PING frames from the router are answered with a PONG at once, attached or not.
 * {@link RawSocketTransport.ping} sends our own PING and matches the PONG by payload. The transport
 * has no {@link Transport.probe}: Crossbar (Autobahn's Twisted RawSocket) does not implement PING and
 * reads one as the prefix of a 16 MiB message, over its limit, and drops the connection; liveness
 * checks (`session.ping()`, the heartbeat) use a WAMP round trip instead.
 */
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';

import {
  CanceledError,
  TimeoutError,
  TransportError,
  type Serializer,
  type TransportCloseInfo,
  type TransportHandlers,
} from '@wampbox/core';
import { writeBatcher } from '@wampbox/core/internal';

import {
  FRAME_HEADER_BYTES,
  FRAME_MESSAGE,
  FRAME_PING,
  FRAME_PONG,
  FrameReader,
  MAX_FRAME_PAYLOAD,
  type FrameType,
} from './frame-reader.js';
import { HANDSHAKE_BYTES, buildHandshake, parseHandshakeReply } from './handshake.js';
import type { RawSocketPingOptions, RawSocketTransport } from './types.js';

/** Frames up to this size are copied behind their prefix and written in one call. */
const COALESCE_BYTES = 16 * 1024;

/** How the handshake of one socket ended. */
export type HandshakeOutcome =
  { readonly ok: true } | { readonly ok: false; readonly error: Error; readonly serializerUnsupported: boolean };

/** Settings of one {@link RawSocketConnection}. */
export interface RawSocketConnectionOptions {
  /** The URL connected to, for error messages. */
  readonly url: string;
  /** The serializer to ask for; it must have a `rawSocketId` from 1 to 15. */
  readonly serializer: Serializer;
  /** Largest incoming frame accepted, 1 … 2^24 bytes; also what the handshake announces. */
  readonly receiveMaxBytes: number;
  /** How long `close()` waits for the peer to close before dropping the socket. */
  readonly closeTimeoutMs: number;
}

interface PendingPing {
  readonly payload: Uint8Array;
  readonly sentAt: number;
  readonly resolve: (rtt: number) => void;
  readonly reject: (err: Error) => void;
  readonly cleanup: () => void;
}

type Phase = 'handshake' | 'open' | 'closing' | 'closed';

function writeHeader(target: Uint8Array, type: FrameType, length: number): void {
  // Exactly 2^24 bytes sets the X bit with the 24 length bits cleared.
  target[0] = type | (length === MAX_FRAME_PAYLOAD ? 0x08 : 0);
  target[1] = (length >>> 16) & 0xff;
  target[2] = (length >>> 8) & 0xff;
  target[3] = length & 0xff;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One socket, from the handshake to the close: sends the handshake at once and settles
 * {@link RawSocketConnection.handshake} with the router's answer. Handed to callers only once the
 * handshake succeeded.
 */
export class RawSocketConnection implements RawSocketTransport {
  readonly serializer: Serializer;
  readonly protocol: string;
  private sendMax_ = 0;
  private routerMax_ = 0;

  /** The handshake result; settles exactly once. */
  readonly handshake: Promise<HandshakeOutcome>;
  private settleHandshake_!: (outcome: HandshakeOutcome) => void;

  private phase_: Phase = 'handshake';
  private readonly url_: string;
  private readonly receiveMax_: number;
  private readonly closeTimeoutMs_: number;
  private readonly reply_ = new Uint8Array(HANDSHAKE_BYTES);
  private replyFill_ = 0;
  private readonly reader_: FrameReader;

  private handlers_: TransportHandlers | null = null;
  private early_: Uint8Array[] | null = [];
  /** Set by close() or a detected failure; wins over what the socket reports later. */
  private closeInfo_: TransportCloseInfo | null = null;
  private finalInfo_: TransportCloseInfo | null = null;
  private closeReported_ = false;
  private socketError_: Error | undefined;
  private readonly closeWaiters_: (() => void)[] = [];
  private closeTimer_: ReturnType<typeof setTimeout> | undefined;

  private readonly pings_: PendingPing[] = [];
  private pingCounter_ = 0;
  /** Corks the socket until the end of the task, so the messages sent in it leave in one write. */
  private readonly hold_: () => void;

  constructor(
    private readonly socket_: net.Socket,
    options: RawSocketConnectionOptions,
  ) {
    const { serializer, receiveMaxBytes } = options;
    this.serializer = serializer;
    this.protocol = serializer.protocol;
    this.url_ = options.url;
    this.receiveMax_ = receiveMaxBytes;
    this.closeTimeoutMs_ = options.closeTimeoutMs;
    const request = buildHandshake(receiveMaxBytes, serializer.rawSocketId ?? 0);
    const onFrame = (type: FrameType, payload: Uint8Array): void => this.onFrame_(type, payload);
    this.reader_ = new FrameReader({ maxFrameBytes: receiveMaxBytes, onFrame });
    this.hold_ = writeBatcher(socket_);
    this.handshake = new Promise<HandshakeOutcome>((resolve) => {
      this.settleHandshake_ = resolve;
    });
    socket_.on('data', (chunk: Buffer) => this.onData_(chunk));
    socket_.on('error', (err: Error) => this.onSocketError_(err));
    socket_.on('close', () => this.onSocketClose_());
    // Queued by Node until the connection (and TLS session) is up.
    socket_.write(request);
  }

  /** Send limit: the smaller of our limit and the router's. */
  get maxFrameBytes(): number {
    return this.sendMax_;
  }

  get routerMaxFrameBytes(): number {
    return this.routerMax_;
  }

  get bufferedAmount(): number {
    return this.socket_.writableLength;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers_ = handlers;
    const early = this.early_;
    this.early_ = null;
    if (early) for (const frame of early) handlers.onFrame(frame);
    if (this.finalInfo_ && !this.closeReported_) {
      this.closeReported_ = true;
      handlers.onClose(this.finalInfo_);
    }
  }

  send(frame: string | Uint8Array): void {
    if (this.phase_ !== 'open') throw new TransportError('RawSocket transport is not open');
    const length = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength;
    if (length > this.maxFrameBytes) {
      throw new TransportError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes} bytes`, {
        code: 'ERR_FRAME_TOO_LARGE',
      });
    }
    this.hold_();
    this.writeFrame_(FRAME_MESSAGE, frame, length);
  }

  ping(payload?: Uint8Array | string, options?: RawSocketPingOptions): Promise<number> {
    if (this.phase_ !== 'open') return Promise.reject(new TransportError('RawSocket transport is not open'));
    let bytes: Uint8Array;
    if (payload === undefined) {
      bytes = new Uint8Array(8);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, ++this.pingCounter_);
      view.setUint32(4, (Math.random() * 0x100000000) >>> 0);
    } else {
      // A private copy: the caller may reuse its buffer before the PONG arrives.
      bytes = typeof payload === 'string' ? new Uint8Array(Buffer.from(payload, 'utf8')) : payload.slice();
    }
    if (bytes.byteLength > this.maxFrameBytes) {
      const message = `PING payload of ${bytes.byteLength} bytes exceeds the limit of ${this.maxFrameBytes} bytes`;
      return Promise.reject(new TransportError(message, { code: 'ERR_FRAME_TOO_LARGE' }));
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new CanceledError('ping canceled', { cause: signal.reason }));
    return new Promise<number>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        this.dropPing_(entry);
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
          this.dropPing_(entry);
          reject(new TimeoutError(`no PONG within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pings_.push(entry);
      this.writeFrame_(FRAME_PING, bytes, bytes.byteLength);
    });
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.phase_ === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters_.push(resolve));
    if (this.phase_ === 'open') {
      this.phase_ = 'closing';
      this.closeInfo_ = { local: true, code, reason };
      this.socket_.end();
      this.closeTimer_ = setTimeout(() => this.socket_.destroy(), this.closeTimeoutMs_);
      this.closeTimer_.unref?.();
    }
    return done;
  }

  /** Give up on the handshake (abort, timeout): drops the socket; the outcome is `error`. */
  abortHandshake(error: Error): void {
    this.failHandshake_(error, false);
  }

  private failHandshake_(error: Error, serializerUnsupported: boolean): void {
    if (this.phase_ !== 'handshake') return;
    this.phase_ = 'closing';
    this.settleHandshake_({ ok: false, error, serializerUnsupported });
    this.socket_.destroy();
  }

  /** Fail an open connection: drop the socket and report `error` through onClose. */
  private fail_(error: TransportError, code: number, reason: string): void {
    if (this.phase_ === 'closed') return;
    // A protocol failure replaces a close still in progress: the peer's bytes were bad.
    this.phase_ = 'closing';
    this.closeInfo_ = { local: true, code, reason, error };
    this.socket_.destroy();
  }

  private onSocketError_(err: Error): void {
    this.socketError_ ??= err;
    if (this.phase_ === 'handshake') {
      const error = new TransportError(`cannot connect to ${this.url_}: ${errorMessage(err)}`, { cause: err });
      this.failHandshake_(error, false);
    }
  }

  private onSocketClose_(): void {
    if (this.phase_ === 'handshake') {
      const message = `${this.url_} closed the connection during the RawSocket handshake`;
      this.failHandshake_(new TransportError(message, { cause: this.socketError_ }), false);
    }
    if (this.phase_ === 'closed') return;
    this.phase_ = 'closed';
    if (this.closeTimer_) clearTimeout(this.closeTimer_);
    const info = this.closeInfo_ ?? this.peerCloseInfo_();
    this.finalInfo_ = info;
    for (const ping of this.pings_.splice(0)) {
      ping.cleanup();
      ping.reject(new TransportError('RawSocket transport closed before the PONG arrived', { cause: info.error }));
    }
    for (const resolve of this.closeWaiters_.splice(0)) resolve();
    if (this.handlers_) {
      this.closeReported_ = true;
      this.handlers_.onClose(info);
    }
  }

  /** How a close we did not start is reported: with the socket's error, if it failed. */
  private peerCloseInfo_(): TransportCloseInfo {
    const cause = this.socketError_;
    if (!cause) return { local: false, reason: 'connection closed by the router' };
    const message = `RawSocket connection to ${this.url_} failed: ${errorMessage(cause)}`;
    return { local: false, code: 1006, reason: errorMessage(cause), error: new TransportError(message, { cause }) };
  }

  private onData_(chunk: Buffer): void {
    let rest: Uint8Array = chunk;
    if (this.phase_ === 'handshake') {
      const used = this.readReply_(chunk);
      if (used === null) return;
      rest = chunk.subarray(used);
    }
    if (this.phase_ === 'closed' || this.closeInfo_?.error !== undefined || rest.byteLength === 0) return;
    try {
      this.reader_.push(rest);
    } catch (err) {
      // Only the reader's own errors are the peer's fault; a handler's throw goes on as before.
      const error = this.reader_.error;
      if (error === null || err !== error) throw err;
      const tooLarge = error.code === 'ERR_FRAME_TOO_LARGE';
      this.fail_(error, tooLarge ? 1009 : 1002, tooLarge ? 'message too big' : 'protocol error');
    }
  }

  /**
   * Consume handshake reply bytes. Returns how many bytes of `chunk` it used once the handshake
   * succeeded, `null` while the reply is incomplete or when it failed.
   */
  private readReply_(chunk: Buffer): number | null {
    const take = Math.min(HANDSHAKE_BYTES - this.replyFill_, chunk.length);
    this.reply_.set(chunk.subarray(0, take), this.replyFill_);
    this.replyFill_ += take;
    if (this.replyFill_ < HANDSHAKE_BYTES) return null;
    const reply = parseHandshakeReply(this.reply_, { serializerId: this.serializer.rawSocketId ?? 0, peer: this.url_ });
    if (!reply.ok) {
      this.failHandshake_(reply.error, reply.error.code === 'ERR_NO_SERIALIZER');
      return null;
    }
    this.routerMax_ = reply.maxFrameBytes;
    this.sendMax_ = Math.min(this.receiveMax_, this.routerMax_);
    this.phase_ = 'open';
    this.settleHandshake_({ ok: true });
    return take;
  }

  /** Handle one complete frame from the reader. */
  private onFrame_(type: FrameType, payload: Uint8Array): void {
    if (type === FRAME_PING) {
      if (this.phase_ === 'open') this.writeFrame_(FRAME_PONG, payload, payload.byteLength);
    } else if (type === FRAME_PONG) {
      const i = this.pings_.findIndex((p) => sameBytes(p.payload, payload));
      const ping = i >= 0 ? this.pings_.splice(i, 1)[0] : undefined;
      if (ping) {
        ping.cleanup();
        ping.resolve(performance.now() - ping.sentAt);
      }
    } else if (this.handlers_) {
      this.handlers_.onFrame(payload);
    } else {
      this.early_?.push(payload);
    }
  }

  private dropPing_(entry: PendingPing): void {
    const i = this.pings_.indexOf(entry);
    if (i >= 0) this.pings_.splice(i, 1);
    entry.cleanup();
  }

  private writeFrame_(type: FrameType, payload: string | Uint8Array, length: number): void {
    if (typeof payload === 'string') {
      const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
      writeHeader(buf, type, length);
      buf.write(payload, FRAME_HEADER_BYTES, 'utf8');
      this.socket_.write(buf);
    } else if (length <= COALESCE_BYTES) {
      const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
      writeHeader(buf, type, length);
      buf.set(payload, FRAME_HEADER_BYTES);
      this.socket_.write(buf);
    } else {
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeHeader(header, type, length);
      this.socket_.cork();
      this.socket_.write(header);
      this.socket_.write(payload);
      this.socket_.uncork();
    }
  }
}
