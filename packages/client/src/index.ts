/**
 * @wampbox/wamp-client for Node.js: WebSocket (through `ws`) and RawSocket (TCP and Unix sockets).
 *
 * @example
 * ```ts
 * import { connect } from '@wampbox/wamp-client';
 * const session = await connect({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
 * await session.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
 * const res = await session.call('com.example.add', [2, 3]); // res.args[0] === 5
 * await session.close();
 * ```
 * @packageDocumentation
 */
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { Connection, InvalidArgumentError, connectWith, defaultSerializers, webSocketTransport } from '@wampbox/core';
import { checkConnectOptions } from '@wampbox/core/internal';
import type {
  ConnectionOptions as CoreConnectionOptions,
  ConnectOptions as CoreConnectOptions,
  Session,
  TransportFactory,
  WebSocketConstructor,
  WebSocketLike,
} from '@wampbox/core';
import type { CorkableStream } from '@wampbox/core/internal';
import { rawSocketTransport } from './rawsocket/index.js';

export * from './common.js';
export { connectRawSocket, rawSocketTransport } from './rawsocket/index.js';
export type {
  RawSocketConfig,
  RawSocketPingOptions,
  RawSocketTransport,
  RawSocketTransportOptions,
} from './rawsocket/index.js';

/** Options of {@link connect} in Node. */
export interface ConnectOptions extends CoreConnectOptions {
  /**
   * Options for the `ws` WebSocket: `headers`, TLS (`ca`, `cert`, `key`, `rejectUnauthorized`, ...),
   * `agent`, `handshakeTimeout`, ... Passed through as they are.
   */
  webSocket?: ClientOptions | undefined;
  /** Use this transport factory instead of choosing one from the URL scheme. */
  transport?: TransportFactory | undefined;
}

/**
 * Pick the transport for a URL: WebSocket for `ws:`/`wss:`, RawSocket for `rs:`, `rss:`, `tcp:`, `unix:`.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for any other scheme.
 * @example
 * ```ts
 * const session = await connect({ url, realm, transport: transportFor('unix:///run/router.sock') });
 * ```
 */
export function transportFor(url: string, webSocket?: ClientOptions): TransportFactory {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  switch (scheme) {
    case 'ws':
    case 'wss':
      return webSocketTransport({
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        options: webSocket as Record<string, unknown> | undefined,
        socketOf: socketOfWs,
      });
    case 'rs':
    case 'rss':
    case 'tcp':
    case 'unix':
    case 'rs+unix':
      return rawSocketTransport();
    default:
      throw new InvalidArgumentError(`unsupported URL scheme "${scheme}" (use ws, wss, rs, rss, tcp or unix)`);
  }
}

/**
 * The TCP or TLS socket under an open `ws` WebSocket, for write batching. `ws` keeps it in
 * `_socket` (not part of its documented API, unchanged since ws 1); anything else: no batching.
 */
function socketOfWs(ws: WebSocketLike): CorkableStream | undefined {
  const socket = (ws as unknown as { _socket?: Partial<CorkableStream> | null })._socket;
  return socket && typeof socket.cork === 'function' && typeof socket.uncork === 'function'
    ? (socket as CorkableStream)
    : undefined;
}

/** In Node every serializer is offered by default (CBOR, MessagePack, JSON); the router picks. */
function withDefaults<O extends CoreConnectOptions>(options: O): O {
  return options.serializers ? options : { ...options, serializers: defaultSerializers() };
}

/**
 * Connect to a router and join a realm.
 * @throws TransportError `ERR_TRANSPORT` when the router cannot be reached.
 * @throws JoinRefusedError `ERR_JOIN_REFUSED` / `ERR_AUTHENTICATION` when the router refuses the session.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a bad URL or realm.
 * @example
 * ```ts
 * const session = await connect({ url: 'rs://127.0.0.1:8081', realm: 'realm1', serializers: [cbor()] });
 * ```
 */
export async function connect(options: ConnectOptions): Promise<Session> {
  checkEntryOptions(options);
  const factory = options.transport ?? transportFor(options.url, options.webSocket);
  return connectWith(factory, withDefaults(options));
}

/** Options of {@link connection} in Node: {@link ConnectOptions} plus reconnect, heartbeat and offline policies. */
export interface ConnectionOptions extends CoreConnectionOptions {
  /** Options for the `ws` WebSocket (headers, TLS, agent, ...). */
  webSocket?: ClientOptions | undefined;
  /** Use this transport factory instead of choosing one from the URL scheme. */
  transport?: TransportFactory | undefined;
}

/**
 * A long-lived connection that reconnects with backoff and restores subscriptions and
 * registrations. Call `open()` to start it.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an unsupported URL scheme.
 * @example
 * ```ts
 * const conn = connection({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', reconnect: { maxDelayMs: 10_000 } });
 * conn.on('retry', ({ attempt, delayMs }) => console.log(`reconnecting, attempt ${attempt} in ${delayMs} ms`));
 * await conn.open();
 * await conn.subscribe('com.example.tick', (ev) => console.log(ev.args));
 * ```
 */
export function connection(options: ConnectionOptions): Connection {
  checkEntryOptions(options);
  return new Connection(options.transport ?? transportFor(options.url, options.webSocket), withDefaults(options));
}

/** The options every entry point takes, checked before a transport is chosen from the URL. */
function checkEntryOptions(options: ConnectOptions): void {
  checkConnectOptions(options);
  if (options.transport !== undefined && typeof options.transport !== 'function') {
    throw new InvalidArgumentError('transport must be a transport factory (a function)');
  }
  if (options.webSocket !== undefined && (typeof options.webSocket !== 'object' || options.webSocket === null)) {
    throw new InvalidArgumentError('webSocket must be an object of ws client options');
  }
}
