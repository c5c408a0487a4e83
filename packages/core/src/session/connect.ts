import { resolveAuthenticators } from '../auth/authenticator.js';
import type { Authenticator } from '../auth/authenticator.js';
import { json } from '../wire/serializers/json.js';
import { checkConnectOptions } from '../protocol/option-checks.js';
import type { Serializer } from '../wire/serializer.js';
import { Session } from './session.js';
import type { JoinOptions } from './join-options.js';
import type { TransportFactory } from '../wire/transport.js';

/** Default largest frame, in bytes (16 MiB, the RawSocket maximum). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Options of {@link connectWith}: where to connect, how, and how to join. */
export interface ConnectOptions extends JoinOptions {
  /** Router URL: `ws://`, `wss://` (and, in Node, `rs://`, `tcp://`, `unix://`). */
  url: string;
  /**
   * Serializers to offer, in order of preference; the router picks one.
   * Default here and in browsers: JSON only, so bundles carry no binary serializer unless asked;
   * the Node entry's `connect()` offers CBOR, MessagePack and JSON.
   */
  serializers?: Serializer[] | undefined;
  /** Largest frame accepted and sent, in bytes. Default 16 MiB. */
  maxFrameBytes?: number | undefined;
  /** Give up opening the transport after this many milliseconds. Default 10000. */
  connectTimeoutMs?: number | undefined;
  /** Abort connecting. */
  signal?: AbortSignal | undefined;
  /**
   * How to authenticate: one authenticator, or several in order of preference (the router picks
   * the method). They set `authmethods`, `authid` (unless `authid` is given here), `authextra`
   * (merged with `authextra` given here, which wins) and the CHALLENGE handler. Use either this or
   * the raw `authmethods`/`onChallenge` options. Without either, the client joins anonymously.
   * @example
   * ```ts
   * await connect({ url, realm: 'realm1', auth: wampcra('wampcra-secret', { authid: 'wampcra-user' }) });
   * ```
   */
  auth?: Authenticator | readonly Authenticator[] | undefined;
}

/**
 * Open a transport with `transport` and join a realm: the runtime-agnostic core of `connect()`.
 * @example
 * ```ts
 * const session = await connectWith(webSocketTransport({ WebSocket: globalThis.WebSocket }), { url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
 * ```
 * @throws TransportError `ERR_TRANSPORT` / `ERR_NO_SERIALIZER` when the connection cannot be opened.
 * @throws JoinRefusedError `ERR_JOIN_REFUSED` / `ERR_AUTHENTICATION` when the router refuses the session
 *   (or an authenticator fails).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a bad URL, realm, option or `auth` option.
 */
export async function connectWith(transport: TransportFactory, options: ConnectOptions): Promise<Session> {
  checkConnectOptions(options);
  const { url, auth } = options;
  const serializers = options.serializers ?? [json()];
  const joinOptions: JoinOptions =
    auth === undefined ? options : { ...options, ...(await resolveAuthenticators(auth, options)) };
  const t = await transport(url, {
    serializers,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    signal: options.signal,
    connectTimeoutMs: options.connectTimeoutMs ?? 10000,
  });
  return Session.join(t, joinOptions);
}
