import type { Serializer } from './serializer.js';

/** Why a transport closed. */
export interface TransportCloseInfo {
  /** `true` when this side asked for the close. */
  readonly local: boolean;
  /** WebSocket close code, if any (1000 normal, 1002 protocol error, 1006 abnormal, ...). */
  readonly code?: number | undefined;
  /** Human-readable reason. */
  readonly reason?: string | undefined;
  /** The error that caused the close, if any. */
  readonly error?: Error | undefined;
}

/** Callbacks through which a transport reports to its session. */
export interface TransportHandlers {
  /** One complete incoming frame. */
  onFrame(frame: string | Uint8Array | ArrayBuffer): void;
  /** The transport closed. Called exactly once. */
  onClose(info: TransportCloseInfo): void;
}

/**
 * A message-framed, bidirectional, already-open connection to a router with a negotiated
 * serializer.
 */
export interface Transport {
  /** Negotiated WAMP subprotocol, e.g. `wamp.2.cbor`. */
  readonly protocol: string;
  /** The serializer that matches {@link Transport.protocol}. */
  readonly serializer: Serializer;
  /** Largest frame this side accepts and sends, in bytes. */
  readonly maxFrameBytes: number;
  /** Bytes queued but not yet written to the network, where the transport can tell. */
  readonly bufferedAmount: number;
  /** Install the session's callbacks. Frames received before this are buffered. */
  attach(handlers: TransportHandlers): void;
  /**
   * Send one frame.
   * @throws TransportError `ERR_FRAME_TOO_LARGE` when the frame exceeds {@link Transport.maxFrameBytes},
   *   `ERR_TRANSPORT` when the transport is closed.
   */
  send(frame: string | Uint8Array): void;
  /** Close the connection. Resolves once closed. Never rejects. */
  close(code?: number, reason?: string): Promise<void>;
  /**
   * Transport-level liveness check (the WebSocket ping in Node), where the transport has one the
   * router answers; without it the session probes with a WAMP round trip. The RawSocket transport
   * offers none: Crossbar.io drops the connection on a RawSocket PING frame. Resolves with the
   * round-trip time in milliseconds.
   * @throws TimeoutError `ERR_TIMEOUT` when no answer came within `timeoutMs`.
   */
  probe?(timeoutMs: number): Promise<number>;
}

/** Options common to every transport factory. */
export interface TransportOptions {
  /** Serializers to offer, in order of preference. */
  readonly serializers: readonly Serializer[];
  /** Largest frame accepted and sent, in bytes. */
  readonly maxFrameBytes: number;
  /** Abort the connection attempt. */
  readonly signal?: AbortSignal | undefined;
  /** Give up connecting after this many milliseconds. */
  readonly connectTimeoutMs?: number | undefined;
}

/** Opens a {@link Transport} to `url`. */
export type TransportFactory = (url: string, options: TransportOptions) => Promise<Transport>;
