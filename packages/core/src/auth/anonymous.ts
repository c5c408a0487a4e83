/** WAMP-Anonymous: join without credentials; the router assigns an authid and a role. */
import { InvalidArgumentError } from '../errors.js';
import type { Authenticator } from './authenticator.js';

/**
 * The `anonymous` authentication method. It is what a join without any `auth` does implicitly;
 * name it explicitly to offer it as a fallback after another method, e.g.
 * `auth: [ticket(...), anonymous()]` (note that Crossbar.io commits to the first offered method it
 * has configured and does not fall back when that one fails).
 *
 * The router never sends a CHALLENGE for this method; if it does, the join is aborted.
 *
 * @example
 * ```ts
 * const session = await connect({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', auth: anonymous() });
 * session.welcome.authmethod; // 'anonymous'
 * ```
 */
export function anonymous(): Authenticator {
  return {
    method: 'anonymous',
    challenge(): never {
      throw new InvalidArgumentError('the router sent a CHALLENGE for anonymous authentication');
    },
  };
}
