import { TimeoutError, TransportError } from './errors.js';
import type { Serializer } from './serializer.js';
import type { Transport, TransportCloseInfo, TransportFactory, TransportHandlers, TransportOptions } from './transport.js';

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
  options?: Record<string, unknown> | ((url: string, transport: TransportOptions) => Record<string, unknown>) | undefined;
}

/** The event-emitter side of Node's `ws`, used for ping/pong. */
interface NodeWebSocket {
  ping(data?: unknown): void;
  once(event: 'pong', fn: () => void): void;
  removeListener(event: 'pong', fn: () => void): void;
}

const OPEN = 1;
const encoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 length of a string, computed only when the cheap bounds cannot decide. */
function exceeds(frame: string | Uint8Array | ArrayBuffer, max: number): boolean {
  if (typeof frame !== 'string') return frame.byteLength > max;
  const n = frame.length;
  if (n > max) return true;
  if (n * 3 <= max) return false;
  return encoder.encode(frame).byteLength > max;
}

class WebSocketTransport implements Transport {
  readonly protocol: string;
  readonly serializer: Serializer;
  readonly maxFrameBytes: number;
  private handlers: TransportHandlers | null = null;
  private early: (string | Uint8Array | ArrayBuffer)[] | null = [];
  private closedInfo: TransportCloseInfo | null = null;
  private closeWaiters: (() => void)[] = [];
  private localClose = false;
  /** Transport-level ping, where the WebSocket class has one (`ws` in Node); browsers have none. */
  readonly probe?: (timeoutMs: number) => Promise<number>;

  constructor(
    private readonly ws: WebSocketLike,
    serializer: Serializer,
    maxFrameBytes: number,
  ) {
    this.protocol = serializer.protocol;
    this.serializer = serializer;
    this.maxFrameBytes = maxFrameBytes;
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => this.finish({ local: this.localClose, code: ev.code, reason: ev.reason });
    ws.onerror = () => {
      /* the close event that follows carries the outcome */
    };
    const node = ws as unknown as NodeWebSocket;
    if (typeof node.ping === 'function' && typeof node.once === 'function' && typeof node.removeListener === 'function') {
      this.probe = (timeoutMs) => this.nodePing(node, timeoutMs);
    }
  }

  private nodePing(node: NodeWebSocket, timeoutMs: number): Promise<number> {
    if (this.closedInfo) return Promise.reject(new TransportError('WebSocket is not open'));
    const started = Date.now();
    return new Promise<number>((resolve, reject) => {
      const onPong = (): void => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      };
      const timer = setTimeout(() => {
        node.removeListener('pong', onPong);
        reject(new TimeoutError(`no pong within ${timeoutMs} ms`));
      }, timeoutMs);
      node.once('pong', onPong);
      try {
        node.ping();
      } catch (cause) {
        clearTimeout(timer);
        node.removeListener('pong', onPong);
        reject(new TransportError('ping failed', { cause }));
      }
    });
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = null;
    if (early) for (const f of early) handlers.onFrame(f);
    if (this.closedInfo) handlers.onClose(this.closedInfo);
  }

  send(frame: string | Uint8Array): void {
    if (this.closedInfo || this.ws.readyState !== OPEN) throw new TransportError('WebSocket is not open');
    if (exceeds(frame, this.maxFrameBytes)) {
      throw new TransportError(`frame exceeds the limit of ${this.maxFrameBytes} bytes`, { code: 'ERR_FRAME_TOO_LARGE' });
    }
    this.ws.send(frame);
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.closedInfo) return Promise.resolve();
    this.localClose = true;
    return new Promise<void>((resolve) => {
      this.closeWaiters.push(resolve);
      try {
        this.ws.close(code, reason);
      } catch {
        this.finish({ local: true, code, reason });
      }
    });
  }

  private onMessage(data: unknown): void {
    if (this.closedInfo) return;
    const frame = data as string | Uint8Array | ArrayBuffer;
    if (exceeds(frame, this.maxFrameBytes)) {
      const error = new TransportError(`received a frame over the limit of ${this.maxFrameBytes} bytes`, { code: 'ERR_FRAME_TOO_LARGE' });
      try {
        this.ws.close(1009, 'message too big');
      } catch {
        /* already closing */
      }
      this.finish({ local: true, code: 1009, reason: 'message too big', error });
      return;
    }
    if (this.handlers) this.handlers.onFrame(frame);
    else this.early?.push(frame);
  }

  private finish(info: TransportCloseInfo): void {
    if (this.closedInfo) return;
    this.closedInfo = info;
    this.ws.onmessage = null;
    for (const w of this.closeWaiters.splice(0)) w();
    this.handlers?.onClose(info);
  }
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
      const protocols = options.serializers.map((s) => s.protocol);
      const extraFromConfig = typeof config.options === 'function' ? config.options(url, options) : config.options;
      const extra = { maxPayload: options.maxFrameBytes, ...extraFromConfig };
      let ws: WebSocketLike;
      try {
        ws = new config.WebSocket(url, protocols, extra);
      } catch (cause) {
        reject(new TransportError(`cannot open WebSocket to ${url}`, { cause }));
        return;
      }
      // `ws` delivers Node Buffers by default (no copy); W3C WebSockets are switched to ArrayBuffer
      if (ws.binaryType !== 'nodebuffer') ws.binaryType = 'arraybuffer';
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => fail(new TransportError('connect aborted', { cause: options.signal?.reason }));
      const cleanup = (): void => {
        settled = true;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (err: TransportError): void => {
        if (settled) return;
        cleanup();
        ws.onopen = ws.onclose = ws.onerror = null;
        try {
          ws.close();
        } catch {
          /* not open yet */
        }
        reject(err);
      };
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.connectTimeoutMs) {
        timer = setTimeout(() => fail(new TransportError(`connect to ${url} timed out after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
      }
      ws.onerror = (ev) => {
        const cause = (ev as { error?: unknown })?.error ?? ev;
        fail(new TransportError(`cannot connect to ${url}`, { cause }));
      };
      ws.onclose = (ev) => fail(new TransportError(`connection to ${url} closed during the handshake (code ${ev.code})`));
      ws.onopen = () => {
        if (settled) return;
        const serializer = options.serializers.find((s) => s.protocol === ws.protocol);
        if (!serializer) {
          fail(new TransportError(`router chose no offered subprotocol (got "${ws.protocol}")`, { code: 'ERR_NO_SERIALIZER' }));
          return;
        }
        cleanup();
        ws.onopen = null;
        resolve(new WebSocketTransport(ws, serializer, options.maxFrameBytes));
      };
    });
}
