/**
 * @wampbox/wamp-client for browsers (and runtimes with a global W3C `WebSocket`, such as Node 22).
 *
 * @example
 * ```ts
 * import { connect } from '@wampbox/wamp-client';
 * const session = await connect({ url: 'wss://example.com/ws', realm: 'realm1' });
 * ```
 * @packageDocumentation
 */
import { Connection, InvalidArgumentError, connectWith, webSocketTransport } from '@wampbox/core';
import { checkConnectOptions } from '@wampbox/core/internal';
import type {
  ConnectionOptions as CoreConnectionOptions,
  ConnectOptions as CoreConnectOptions,
  Session,
  TransportFactory,
  WebSocketConstructor,
} from '@wampbox/core';

export * from './common.js';

/** Options of {@link connect} in browsers. */
export interface ConnectOptions extends CoreConnectOptions {
  /** Use this transport factory instead of the global WebSocket. */
  transport?: TransportFactory | undefined;
}

/**
 * Connect to a router over the global `WebSocket` and join a realm.
 * @example
 * ```ts
 * const session = await connect({ url: 'wss://example.com/ws', realm: 'realm1', serializers: [cbor(), json()] });
 * const res = await session.call('com.example.add', [2, 3]);
 * ```
 * @throws TransportError `ERR_TRANSPORT` when the router cannot be reached.
 * @throws JoinRefusedError `ERR_JOIN_REFUSED` / `ERR_AUTHENTICATION` when the router refuses the session.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a non-WebSocket URL or when no global WebSocket exists.
 */
export async function connect(options: ConnectOptions): Promise<Session> {
  checkEntryOptions(options);
  return connectWith(options.transport ?? globalWebSocketTransport(options.url), options);
}

function globalWebSocketTransport(url: string): TransportFactory {
  if (!/^wss?:/i.test(url)) throw new InvalidArgumentError('only ws:// and wss:// URLs are supported in the browser');
  const WS = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof WS !== 'function') throw new InvalidArgumentError('no global WebSocket in this runtime');
  return webSocketTransport({ WebSocket: WS as WebSocketConstructor });
}

/** Options of {@link connection} in browsers. */
export interface ConnectionOptions extends CoreConnectionOptions {
  /** Use this transport factory instead of the global WebSocket. */
  transport?: TransportFactory | undefined;
}

/**
 * A long-lived connection that reconnects with backoff and restores subscriptions and
 * registrations. Browsers have no WebSocket ping, so its heartbeat uses a WAMP round trip.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a non-WebSocket URL or without a global WebSocket.
 */
export function connection(options: ConnectionOptions): Connection {
  checkEntryOptions(options);
  return new Connection(options.transport ?? globalWebSocketTransport(options.url), options);
}

/** The options every entry point takes, checked before a transport is chosen from the URL. */
function checkEntryOptions(options: ConnectOptions): void {
  checkConnectOptions(options);
  if (options.transport !== undefined && typeof options.transport !== 'function') {
    throw new InvalidArgumentError('transport must be a transport factory (a function)');
  }
}
