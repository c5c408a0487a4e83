/**
 * RawSocket URLs: where a RawSocket transport connects.
 *
 * - `rs://host:port` and `tcp://host:port`: TCP
 * - `rss://host:port`: TLS
 * - `unix:///path` and `rs+unix:///path`: a Unix domain socket
 *
 * Schemes are case-insensitive; IPv6 hosts are written in brackets (`rs://[::1]:8080`).
 */
import { InvalidArgumentError } from '@wampbox/core';

/** Where to connect, as parsed from a RawSocket URL. */
export type RawSocketTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'tls'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/**
 * Parse a RawSocket URL.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a malformed URL, an unsupported scheme, a TCP or TLS URL
 *   without a host or a valid port or with a path, and a Unix socket URL without an absolute path.
 * @example
 * ```ts
 * parseRawSocketUrl('rss://router.example.com:8443'); // { kind: 'tls', host: 'router.example.com', port: 8443 }
 * parseRawSocketUrl('unix:///run/router.sock'); // { kind: 'unix', path: '/run/router.sock' }
 * ```
 */
export function parseRawSocketUrl(url: string): RawSocketTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new InvalidArgumentError(`invalid RawSocket URL "${url}"`, { cause });
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'unix' || scheme === 'rs+unix') {
    if (u.hostname !== '' || !u.pathname.startsWith('/')) {
      throw new InvalidArgumentError(
        `a Unix socket URL needs an absolute path, as in unix:///run/router.sock (got "${url}")`,
      );
    }
    return { kind: 'unix', path: decodeURIComponent(u.pathname) };
  }
  if (scheme === 'rs' || scheme === 'rss' || scheme === 'tcp') {
    const bracketed = u.hostname.startsWith('[') && u.hostname.endsWith(']');
    const host = bracketed ? u.hostname.slice(1, -1) : u.hostname;
    const port = Number(u.port);
    if (host === '' || u.port === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(
        `a RawSocket URL needs a host and a port, as in rs://localhost:8080 (got "${url}")`,
      );
    }
    if (u.pathname !== '' && u.pathname !== '/') {
      throw new InvalidArgumentError(`a RawSocket URL has no path (got "${url}")`);
    }
    return { kind: scheme === 'rss' ? 'tls' : 'tcp', host, port };
  }
  throw new InvalidArgumentError(`unsupported RawSocket URL scheme "${scheme}:" (use rs, rss, tcp, unix or rs+unix)`);
}
