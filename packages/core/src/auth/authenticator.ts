/**
 * The contract of an authentication method, and how a list of them becomes the HELLO
 * `authmethods`/`authid`/`authextra` and the CHALLENGE handler of a join.
 */
import { InvalidArgumentError, JoinRefusedError } from '../errors.js';
import type { Dict } from '../messages.js';
import type { ChallengeHandler, ChallengeResponse, JoinOptions } from '../session.js';

/**
 * One WAMP authentication method on the client side: what it announces in HELLO, and how it
 * answers the router's CHALLENGE. Pass one or several to `connect({ auth })`.
 *
 * The built-in ones are `anonymous()`, `ticket()`, `wampcra()` (in `@wampbox/core`) and
 * `cryptosign()` (in `@wampbox/cryptobox`). Implement this interface for any other method the
 * router understands.
 *
 * @example
 * ```ts
 * // A custom method: the router sends a nonce, the client answers with a token bound to it.
 * const token: Authenticator = {
 *   method: 'x-token',
 *   authid: 'alice',
 *   challenge: async (extra) => await fetchTokenFor(String(extra['nonce'])),
 * };
 * const session = await connect({ url, realm: 'realm1', auth: token });
 * ```
 */
export interface Authenticator {
  /** The WAMP authentication method name sent in HELLO `authmethods`, e.g. `ticket`. */
  readonly method: string;
  /** The authentication id this method identifies as (HELLO `authid`), if it has one. */
  readonly authid?: string | undefined;
  /** Fields this method adds to HELLO `authextra`, e.g. `{ pubkey }` for cryptosign. */
  readonly authextra?: Dict | undefined;
  /**
   * Optional asynchronous set-up, awaited once per connect before the transport is opened and
   * before {@link Authenticator.authid} and {@link Authenticator.authextra} are read (for example
   * to initialize a crypto library and derive a public key). A rejection fails the connect with
   * `ERR_AUTHENTICATION`, before any connection is opened.
   */
  prepare?(): Promise<void> | void;
  /**
   * Answer a CHALLENGE for this method. `extra` is the CHALLENGE's extra dictionary. Throwing (or
   * rejecting) aborts the join with `ERR_AUTHENTICATION`.
   */
  challenge(extra: Dict): ChallengeResponse | Promise<ChallengeResponse>;
}

/**
 * Run an authenticator's `prepare()`; a failure means the join cannot authenticate.
 * @throws JoinRefusedError `ERR_AUTHENTICATION` (reason `wamp.error.authentication_failed`, the
 *   original error as `cause`) when `prepare()` throws or rejects.
 */
async function prepare(a: Authenticator): Promise<void> {
  try {
    await a.prepare?.();
  } catch (e) {
    const message = `the ${a.method} authenticator failed to prepare: ${e instanceof Error ? e.message : String(e)}`;
    throw new JoinRefusedError('wamp.error.authentication_failed', { message }, { code: 'ERR_AUTHENTICATION', cause: e });
  }
}

/** Join options with the authentication fields an authenticator list produces. */
type AuthFields = Pick<JoinOptions, 'authmethods' | 'authid' | 'authrole' | 'authextra' | 'onChallenge'>;

/**
 * Check an `auth` option and normalize it to a non-empty list with distinct methods.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an empty list, a malformed
 *   authenticator or a method offered twice.
 */
export function authenticatorList(auth: Authenticator | readonly Authenticator[]): Authenticator[] {
  const list: Authenticator[] = Array.isArray(auth) ? [...(auth as readonly Authenticator[])] : [auth as Authenticator];
  if (list.length === 0) throw new InvalidArgumentError('auth must hold at least one authenticator');
  const seen = new Set<string>();
  for (const a of list) {
    if (typeof a !== 'object' || a === null) throw new InvalidArgumentError('each auth entry must be an Authenticator object');
    if (typeof a.method !== 'string' || a.method.length === 0) throw new InvalidArgumentError('an authenticator needs a non-empty method');
    if (typeof a.challenge !== 'function') throw new InvalidArgumentError(`the ${a.method} authenticator has no challenge() function`);
    if (a.prepare !== undefined && typeof a.prepare !== 'function') throw new InvalidArgumentError(`the ${a.method} authenticator's prepare is not a function`);
    if (seen.has(a.method)) throw new InvalidArgumentError(`authentication method "${a.method}" is offered twice`);
    seen.add(a.method);
  }
  return list;
}

/**
 * Turn authenticators into the authentication fields of a join:
 *
 * - `authmethods`: their methods, in the order given (the router picks one);
 * - `authid`: `options.authid` if set, else the first authenticator's that has one;
 * - `authextra`: every authenticator's `authextra` merged (on a clash the earlier authenticator
 *   wins), then `options.authextra` on top;
 * - `onChallenge`: dispatches the CHALLENGE to the authenticator of that method; a challenge for a
 *   method that was not offered throws, which aborts the join with `ERR_AUTHENTICATION`.
 *
 * Each authenticator's {@link Authenticator.prepare} is awaited first.
 *
 * @throws JoinRefusedError `ERR_AUTHENTICATION` when an authenticator's `prepare()` fails.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an invalid `auth` list, or when
 *   `authmethods` or `onChallenge` are set as well (use one or the other).
 * @example
 * ```ts
 * const fields = await resolveAuthenticators([ticket('secret', { authid: 'joe' })], { realm: 'realm1' });
 * // fields.authmethods: ['ticket'], fields.authid: 'joe'
 * ```
 */
export async function resolveAuthenticators(
  auth: Authenticator | readonly Authenticator[],
  options: Pick<JoinOptions, 'authmethods' | 'authid' | 'authrole' | 'authextra' | 'onChallenge'>,
): Promise<AuthFields> {
  const list = authenticatorList(auth);
  if (options.authmethods !== undefined || options.onChallenge !== undefined) {
    throw new InvalidArgumentError('pass either auth or authmethods/onChallenge, not both');
  }
  await Promise.all(list.map((a) => prepare(a)));
  const authid = options.authid ?? list.find((a) => a.authid !== undefined)?.authid;
  let authextra: Dict | undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const extra = list[i]!.authextra;
    if (extra !== undefined) authextra = { ...authextra, ...extra };
  }
  if (options.authextra !== undefined) authextra = { ...authextra, ...options.authextra };
  const byMethod = new Map(list.map((a) => [a.method, a] as const));
  const offered = list.map((a) => a.method);
  const onChallenge: ChallengeHandler = (method, extra) => {
    const a = byMethod.get(method);
    if (a === undefined) {
      throw new InvalidArgumentError(`the router challenged with "${method}", which was not offered (offered: ${offered.join(', ')})`);
    }
    return a.challenge(extra);
  };
  return { authmethods: offered, authid, authrole: options.authrole, authextra, onChallenge };
}
