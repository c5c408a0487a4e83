/** The public types of the RawSocket transport. */
import type * as tls from 'node:tls';

import type { Transport, TransportOptions } from '@wampbox/core';

/** Settings of the RawSocket transport, beyond the common {@link TransportOptions}. */
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
