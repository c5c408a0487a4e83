/** Opening a RawSocket transport: the socket, the handshake, the fallback over serializers. */
import * as net from 'node:net';
import * as tls from 'node:tls';

import { InvalidArgumentError, TransportError, type TransportFactory } from '@wampbox/core';

import { MAX_FRAME_PAYLOAD } from './frame-reader.js';
import { RawSocketConnection, errorMessage } from './transport.js';
import type { RawSocketConfig, RawSocketTransport, RawSocketTransportOptions } from './types.js';
import { parseRawSocketUrl, type RawSocketTarget } from './url.js';

const DEFAULT_CLOSE_TIMEOUT_MS = 3000;

/** Whether a serializer's `rawSocketId` can be announced: an integer from 1 to 15. */
function hasRawSocketId(id: number | undefined): boolean {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 15;
}

function openSocket(target: RawSocketTarget, config: RawSocketConfig): net.Socket {
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
 * Connect over RawSocket and return the typed transport, with {@link RawSocketTransport.ping} and
 * {@link RawSocketTransport.routerMaxFrameBytes}: for applications that drive a transport
 * themselves (`Session.join(transport, ...)`) or send RawSocket PINGs. `connect()` and
 * `connection()` take the factory {@link rawSocketTransport} returns instead.
 *
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
 * const session = await Session.join(transport, { realm: 'realm1' });
 * ```
 */
export async function connectRawSocket(url: string, options: RawSocketTransportOptions): Promise<RawSocketTransport> {
  const target = parseRawSocketUrl(url);
  const { maxFrameBytes } = options;
  if (!(maxFrameBytes >= 1)) {
    throw new InvalidArgumentError(`maxFrameBytes must be a positive number (got ${String(maxFrameBytes)})`);
  }
  const receiveMaxBytes = Math.min(Math.floor(maxFrameBytes), MAX_FRAME_PAYLOAD);
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const candidates = options.serializers.filter((s) => hasRawSocketId(s.rawSocketId));
  if (candidates.length === 0) {
    throw new TransportError('none of the offered serializers has a RawSocket serializer id', {
      code: 'ERR_NO_SERIALIZER',
    });
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
  const onTimeout = (): void => stop(new TransportError(`connect to ${url} timed out after ${connectTimeoutMs} ms`));
  const timer =
    connectTimeoutMs !== undefined && connectTimeoutMs > 0 ? setTimeout(onTimeout, connectTimeoutMs) : undefined;

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
      const conn = new RawSocketConnection(socket, { url, serializer, receiveMaxBytes, closeTimeoutMs });
      current = conn;
      const outcome = await conn.handshake;
      current = undefined;
      if (outcome.ok) return conn;
      if (!outcome.serializerUnsupported) throw outcome.error;
      refused.push(`${serializer.id} (${serializer.rawSocketId})`);
    }
    const message = `RawSocket router at ${url} supports none of the offered serializers: ${refused.join(', ')}`;
    throw new TransportError(message, { code: 'ERR_NO_SERIALIZER' });
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The RawSocket {@link TransportFactory} for Node, with its settings (TLS options, ...): `rs://`,
 * `tcp://`, `rss://` (TLS), `unix:///path`, `rs+unix:///path`. The transports it opens are
 * {@link RawSocketTransport}s (see {@link connectRawSocket}, which it calls).
 *
 * @param config Settings for every transport the factory opens; none by default.
 * @returns A factory that opens a transport for a URL; it rejects as {@link connectRawSocket} does.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `config` is not an object.
 * @example
 * ```ts
 * const transport = rawSocketTransport({ tls: { ca: readFileSync('ca.pem') } });
 * const session = await connect({ url: 'rss://router.example.com:8443', realm: 'realm1', transport });
 * ```
 */
export function rawSocketTransport(config: RawSocketConfig = {}): TransportFactory {
  if (typeof config !== 'object' || config === null) {
    const got = config === null ? 'null' : typeof config;
    throw new InvalidArgumentError(`rawSocketTransport(config) takes RawSocket settings, an object (got ${got})`);
  }
  return (url, options) => connectRawSocket(url, { ...config, ...options });
}
