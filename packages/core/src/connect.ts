import { InvalidArgumentError } from './errors.js';
import { defaultSerializers } from './serializers/index.js';
import type { Serializer } from './serializer.js';
import { Session } from './session.js';
import type { JoinOptions } from './session.js';
import type { TransportFactory } from './transport.js';

/** Default largest frame, in bytes (16 MiB, the RawSocket maximum). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Options of {@link connectWith}: where to connect, how, and how to join. */
export interface ConnectOptions extends JoinOptions {
  /** Router URL: `ws://`, `wss://` (and, in Node, `rs://`, `tcp://`, `unix://`). */
  url: string;
  /**
   * Serializers to offer, in order of preference; the router picks one.
   * Default: CBOR, MessagePack, JSON.
   */
  serializers?: Serializer[] | undefined;
  /** Largest frame accepted and sent, in bytes. Default 16 MiB. */
  maxFrameBytes?: number | undefined;
  /** Give up opening the transport after this many milliseconds. Default 10000. */
  connectTimeoutMs?: number | undefined;
  /** Abort connecting. */
  signal?: AbortSignal | undefined;
}

/**
 * Open a transport with `transport` and join a realm: the runtime-agnostic core of `connect()`.
 * @throws TransportError `ERR_TRANSPORT` / `ERR_NO_SERIALIZER` when the connection cannot be opened.
 * @throws JoinRefusedError `ERR_JOIN_REFUSED` / `ERR_AUTHENTICATION` when the router refuses the session.
 */
export async function connectWith(transport: TransportFactory, options: ConnectOptions): Promise<Session> {
  if (typeof options.url !== 'string' || options.url.length === 0) throw new InvalidArgumentError('url must be a non-empty string');
  if (typeof options.realm !== 'string' || options.realm.length === 0) throw new InvalidArgumentError('realm must be a non-empty string');
  const serializers = options.serializers ?? defaultSerializers();
  if (serializers.length === 0) throw new InvalidArgumentError('at least one serializer is needed');
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const t = await transport(options.url, {
    serializers,
    maxFrameBytes,
    signal: options.signal,
    connectTimeoutMs: options.connectTimeoutMs ?? 10000,
  });
  return Session.join(t, options);
}
