/**
 * WAMP over RawSocket for Node: TCP, TLS and Unix domain sockets. {@link rawSocketTransport} makes
 * the transport factory `connect()` and `connection()` take; {@link connectRawSocket} opens one
 * transport directly.
 */
export { connectRawSocket, rawSocketTransport } from './connect.js';
export type { RawSocketConfig, RawSocketPingOptions, RawSocketTransport, RawSocketTransportOptions } from './types.js';
