import { TimeoutError, TransportError } from '../errors.js';
import type { Serializer } from './serializer.js';
import type {
  Transport,
  TransportCloseInfo,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
} from './transport.js';
import { type CorkableStream, writeBatcher } from './write-batcher.js';

/** The subset of the W3C `WebSocket` interface the transport uses (browsers, Node 22, `ws`). */
export interface WebSocketLike {
  /** How binary messages are delivered: `arraybuffer` (W3C) or `nodebuffer` (`ws`). */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send()` but not yet written. */
  readonly bufferedAmount: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Send one message. */
  send(data: string | Uint8Array | ArrayBuffer): void;
  /** Start the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Called once the connection is open. */
  onopen: ((ev: unknown) => void) | null;
  /** Called for every message. */
  onmessage: ((ev: { data: unknown }) => void) | null;
  /** Called once when the connection has closed. */
  onclose: ((ev: { code: number; reason: string; wasClean?: boolean }) => void) | null;
  /** Called on a connection error (a close event follows). */
  onerror: ((ev: unknown) => void) | null;
}

/** A W3C `WebSocket` constructor. The third argument is passed through (e.g. `ws` options). */
export type WebSocketConstructor = new (url: string, protocols: string[], extra?: unknown) => WebSocketLike;

/** How to build a WebSocket transport factory. */
export interface WebSocketTransportConfig {
  /** The WebSocket class: the global `WebSocket` in browsers and Node 22, or `ws` in Node. */
  WebSocket: WebSocketConstructor;
  /**
   * Extra options passed as the constructor's third argument (for `ws`: `headers`, TLS options such
   * as `ca`, `cert`, `key`, `rejectUnauthorized`, `agent`, ...). Ignored by browsers.
   */
  options?:
    Record<string, unknown> | ((url: string, transport: TransportOptions) => Record<string, unknown>) | undefined;
  /**
   * The stream under an open WebSocket, for write batching: when it returns one, the frames sent
   * in one task go to it in one write (corked until the end of the task). The Node entry passes `ws`'s
   * socket; browsers batch on their own.
   */
  socketOf?: ((ws: WebSocketLike) => CorkableStream | undefined) | undefined;
}

/** The event-emitter side of Node's `ws`, used for ping/pong. */
interface NodeWebSocket {
  ping(data?: unknown): void;
  on(event: 'pong', fn: (data: unknown) => void): void;
  removeListener(event: 'pong', fn: (data: unknown) => void): void;
}

type Frame = string | Uint8Array | ArrayBuffer;

const encoder = /* @__PURE__ */ new TextEncoder();

/** Whether a frame is longer than `max` bytes (a string's UTF-8 length only when its length cannot decide). */
function exceeds(frame: Frame, max: number): boolean {
  if (typeof frame !== 'string') return frame.byteLength > max;
  const n = frame.length;
  return n > max || (n * 3 > max && encoder.encode(frame).byteLength > max);
}

function tooLarge(what: string, max: number, cause?: unknown): TransportError {
  return new TransportError(`${what} frame exceeds the limit of ${max} bytes`, { code: 'ERR_FRAME_TOO_LARGE', cause });
}

/**
 * Pings through Node's `ws`. Each ping carries its own payload and is settled only by the pong that
 * echoes it; one pong listener serves every ping in flight (it is there only while one is).
 * `end` rejects the pings in flight when the transport closes.
 */
function pinger(node: NodeWebSocket) {
  const pending = new Map<string, (error?: Error) => void>();
  let count = 0;
  const onPong = (data: unknown): void => pending.get(String(data))?.();
  return {
    ping: (timeoutMs: number) =>
      new Promise<number>((resolve, reject) => {
        const key = String(++count);
        const started = Date.now();
        const settle = (error?: Error): void => {
          clearTimeout(timer);
          pending.delete(key);
          if (!pending.size) node.removeListener('pong', onPong);
          if (error) reject(error);
          else resolve(Date.now() - started);
        };
        const timer = setTimeout(() => settle(new TimeoutError(`no pong within ${timeoutMs} ms`)), timeoutMs);
        if (!pending.size) node.on('pong', onPong);
        pending.set(key, settle);
        try {
          node.ping(key);
        } catch (cause) {
          settle(new TransportError('ping failed', { cause }));
        }
      }),
    end: (error: Error) => pending.forEach((settle) => settle(error)),
  };
}

/** A {@link Transport} over an open WebSocket whose subprotocol is that of `serializer`. */
function openTransport(
  ws: WebSocketLike,
  serializer: Serializer,
  maxFrameBytes: number,
  socket: CorkableStream | undefined,
): Transport {
  let handlers: TransportHandlers | undefined;
  let early: Frame[] | undefined = [];
  let closed: TransportCloseInfo | undefined;
  let localClose = false;
  let resolveClosed: () => void;
  const whenClosed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const notOpen = (): TransportError => new TransportError('WebSocket is not open');
  const hold = socket ? writeBatcher(socket) : undefined;
  // transport-level ping where the WebSocket class has one (`ws` in Node); browsers have none
  const node = ws as unknown as NodeWebSocket;
  const pings = typeof node.ping === 'function' && typeof node.on === 'function' ? pinger(node) : undefined;
  const probe = (timeoutMs: number): Promise<number> =>
    closed || localClose || ws.readyState !== 1 ? Promise.reject(notOpen()) : pings!.ping(timeoutMs);
  const endPings = (cause?: unknown): void =>
    pings?.end(new TransportError('WebSocket closed before the pong arrived', { cause }));
  const finish = (info: TransportCloseInfo): void => {
    if (closed) return;
    closed = info;
    ws.onmessage = null;
    resolveClosed();
    endPings(info.error);
    if (handlers) handlers.onClose(info);
  };
  const refuse = (cause?: unknown): void => {
    try {
      ws.close(1009, 'message too big');
    } catch {
      /* already closing */
    }
    finish({ local: true, code: 1009, reason: 'message too big', error: tooLarge('a received', maxFrameBytes, cause) });
  };
  ws.onmessage = ({ data }) => {
    if (exceeds(data as Frame, maxFrameBytes)) refuse();
    else if (handlers) handlers.onFrame(data as Frame);
    else early!.push(data as Frame);
  };
  ws.onclose = ({ code, reason }) => finish({ local: localClose, code, reason });
  // `ws` enforces `maxPayload` itself and reports an oversized message as an error before it closes
  // (with code 1006, as it stops reading); any other error is followed by the close event that tells
  ws.onerror = (ev) => {
    const cause = (ev as { error?: { code?: unknown } } | null)?.error;
    if (cause?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') refuse(cause);
  };

  return {
    protocol: serializer.protocol,
    serializer,
    maxFrameBytes,
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    attach(h) {
      handlers = h;
      const frames = early || [];
      early = undefined;
      for (const f of frames) h.onFrame(f);
      if (closed) h.onClose(closed);
    },
    send(frame) {
      if (closed || ws.readyState !== 1) throw notOpen();
      if (exceeds(frame, maxFrameBytes)) throw tooLarge('a', maxFrameBytes);
      hold?.();
      ws.send(frame);
    },
    close(code = 1000, reason = '') {
      if (!closed) {
        localClose = true;
        endPings();
        try {
          ws.close(code, reason);
        } catch {
          finish({ local: true, code, reason });
        }
      }
      return whenClosed;
    },
    probe: pings && probe,
  };
}

/**
 * A {@link TransportFactory} for WAMP over WebSocket on any W3C-compatible WebSocket class.
 * Offers the serializers as subprotocols (in order) and lets the router choose.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws';
 * const factory = webSocketTransport({ WebSocket, options: { headers: { 'x-token': 't' } } });
 * ```
 */
export function webSocketTransport(config: WebSocketTransportConfig): TransportFactory {
  return (url, options) =>
    new Promise<Transport>((resolve, reject) => {
      const { serializers, maxFrameBytes, signal, connectTimeoutMs } = options;
      const extra = typeof config.options === 'function' ? config.options(url, options) : config.options;
      let ws: WebSocketLike;
      try {
        ws = new config.WebSocket(
          url,
          serializers.map((s) => s.protocol),
          { maxPayload: maxFrameBytes, ...extra },
        );
      } catch (cause) {
        reject(new TransportError(`cannot connect to ${url}`, { cause }));
        return;
      }
      // `ws` delivers Node Buffers by default (no copy); W3C WebSockets are switched to ArrayBuffer
      if (ws.binaryType !== 'nodebuffer') ws.binaryType = 'arraybuffer';
      let settled = false;
      /** Settle once: `true` for the first caller. */
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        if (signal) signal.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (message: string, cause?: unknown, code?: 'ERR_NO_SERIALIZER'): void => {
        if (!settle()) return;
        // onerror stays (a no-op now): `ws` reports closing a connecting socket as an error event,
        // which would be thrown as an uncaught exception without a listener
        ws.onopen = ws.onclose = null;
        try {
          ws.close();
        } catch {
          /* not open yet */
        }
        reject(new TransportError(message, { cause, code }));
      };
      const onAbort = (): void => fail('connect aborted', signal!.reason);
      const timer = connectTimeoutMs
        ? setTimeout(() => fail(`connect to ${url} timed out after ${connectTimeoutMs} ms`), connectTimeoutMs)
        : undefined;
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      ws.onerror = (ev) => fail(`cannot connect to ${url}`, (ev && (ev as { error?: unknown }).error) ?? ev);
      ws.onclose = ({ code }) => fail(`connection to ${url} closed during the handshake (code ${code})`);
      ws.onopen = () => {
        const serializer = serializers.find((s) => s.protocol === ws.protocol);
        if (!serializer)
          fail(`router chose no offered subprotocol (got "${ws.protocol}")`, undefined, 'ERR_NO_SERIALIZER');
        else if (settle()) {
          ws.onopen = null;
          resolve(openTransport(ws, serializer, maxFrameBytes, config.socketOf?.(ws)));
        }
      };
    });
}
