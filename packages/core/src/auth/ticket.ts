/** WAMP-Ticket: the client answers the CHALLENGE with a ticket (a password or a token). */
import { InvalidArgumentError } from '../errors.js';
import type { Authenticator } from './authenticator.js';

/** Where a ticket comes from: a fixed string, or a function asked on every challenge. */
export type TicketSource = string | (() => string | Promise<string>);

/** Options of {@link ticket}. */
export interface TicketOptions {
  /** The authentication id to announce in HELLO (routers with a static principal list need it). */
  authid?: string | undefined;
}

/**
 * The `ticket` authentication method. The ticket is sent as it is, so use it only over TLS
 * (`wss://`, `rss://`) outside of local development.
 *
 * With a function, it is called afresh for every CHALLENGE, that is on every join, so a short-lived
 * token can be fetched (or refreshed) each time; the ticket is never stored. If it throws or
 * rejects, the join is aborted with `ERR_AUTHENTICATION`.
 *
 * @param ticketOrCallback - the ticket, or a function returning it (possibly asynchronously).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `ticketOrCallback` is neither a string
 *   nor a function, or `authid` is not a string.
 * @example
 * ```ts
 * const session = await connect({
 *   url: 'wss://example.com/ws',
 *   realm: 'realm1',
 *   auth: ticket(() => fetchAccessToken(), { authid: 'joe' }),
 * });
 * ```
 */
export function ticket(ticketOrCallback: TicketSource, options: TicketOptions = {}): Authenticator {
  if (typeof ticketOrCallback !== 'string' && typeof ticketOrCallback !== 'function') {
    throw new InvalidArgumentError('ticket must be a string or a function returning one');
  }
  if (options.authid !== undefined && typeof options.authid !== 'string') {
    throw new InvalidArgumentError('authid must be a string');
  }
  const source = ticketOrCallback;
  const checked = (t: unknown): string => {
    if (typeof t !== 'string') throw new InvalidArgumentError('the ticket callback did not return a string');
    return t;
  };
  return {
    method: 'ticket',
    authid: options.authid,
    challenge(): string | Promise<string> {
      if (typeof source === 'string') return source;
      const t = source();
      return typeof t === 'string' ? t : Promise.resolve(t).then(checked);
    },
  };
}
