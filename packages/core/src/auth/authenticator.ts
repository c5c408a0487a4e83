/**
 * The contract of an authentication method, and how a list of them becomes the HELLO
 * `authmethods`/`authid`/`authextra` and the CHALLENGE handler of a join.
 */
import { InvalidArgumentError, JoinRefusedError } from '../errors.js';
import type { Dict } from '../protocol/messages.js';
import type { ChallengeResponse, JoinOptions } from '../session/join-options.js';

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

/** Join options with the authentication fields an authenticator list produces. */
type AuthFields = Pick<JoinOptions, 'authmethods' | 'authid' | 'authrole' | 'authextra' | 'onChallenge'>;

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
 * @throws JoinRefusedError `ERR_AUTHENTICATION` (reason `wamp.error.authentication_failed`, the
 *   original error as `cause`) when an authenticator's `prepare()` fails.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an empty list, a malformed
 *   authenticator, a method offered twice, or when `authmethods` or `onChallenge` are set as well
 *   (use one or the other).
 * @example
 * ```ts
 * const fields = await resolveAuthenticators([ticket('secret', { authid: 'joe' })], { realm: 'realm1' });
 * // fields.authmethods: ['ticket'], fields.authid: 'joe'
 * ```
 */
export async function resolveAuthenticators(
  auth: Authenticator | readonly Authenticator[],
  options: AuthFields,
): Promise<AuthFields> {
  const list = ([] as Authenticator[]).concat(auth);
  const invalid = (why: string): never => {
    throw new InvalidArgumentError(`invalid auth option: ${why}`);
  };
  if (list.length === 0) invalid('no authenticator');
  const methods = list.map((a, i) => {
    const method = a && a.method;
    if (
      typeof method !== 'string' ||
      !method ||
      typeof a.challenge !== 'function' ||
      !['undefined', 'function'].includes(typeof a.prepare)
    ) {
      invalid(`entry ${i} is not an Authenticator (a non-empty method, challenge() and an optional prepare())`);
    }
    return method;
  });
  methods.forEach((m, i) => methods.indexOf(m) < i && invalid(`method "${m}" is offered twice`));
  if (options.authmethods !== undefined || options.onChallenge !== undefined)
    invalid('pass either auth or authmethods/onChallenge, not both');
  await Promise.all(
    list.map(async (a) => {
      try {
        await (a.prepare && a.prepare());
      } catch (cause) {
        const message = `the ${a.method} authenticator failed to prepare: ${cause instanceof Error ? cause.message : String(cause)}`;
        throw new JoinRefusedError(
          'wamp.error.authentication_failed',
          { message },
          { code: 'ERR_AUTHENTICATION', cause },
        );
      }
    }),
  );
  // read only now: prepare() may have set them
  const extras = [...list.map((a) => a.authextra).reverse(), options.authextra].filter((e) => e !== undefined);
  return {
    authmethods: methods,
    authid: options.authid ?? list.map((a) => a.authid).find((id) => id !== undefined),
    authrole: options.authrole,
    authextra: extras.length > 0 ? (Object.assign({}, ...extras) as Dict) : undefined,
    onChallenge: (method, extra) => {
      const a = list[methods.indexOf(method)];
      if (!a)
        throw new InvalidArgumentError(
          `the router challenged with "${method}", which was not offered (offered: ${methods.join(', ')})`,
        );
      return a.challenge(extra);
    },
  };
}
