/**
 * The key service (§b.8.3, Decisions 20 and 25): a key holder registers `‹ns›.e2e.key.get` as an
 * ordinary sealed procedure and hands a group key only to a reader entitled to it, end to end: the
 * reader is the call's authenticated signer (or the owner of the session it came in), never the
 * router's `caller_authid`, and the reply is sealed under the call's reply key, which only the
 * reader and the service know.
 *
 * A request is `kwargs {kid: bytes16, uri: text}` and no args. Checks, in order, each answered with
 * a sealed application error: `wampbox.e2e.error.invalid_request` (any other shape),
 * `wampbox.e2e.error.not_entitled` (no `read` grant on `uri`, checked before the key id is looked
 * up so that an outsider learns nothing about which keys exist), `wampbox.e2e.error.no_such_key`,
 * `wampbox.e2e.error.not_entitled` (the key's scope does not cover `uri`, or `authorize` said no).
 * The reply is `kwargs {kid, key, scope, not_after (ms or null), writers?}`.
 */
import {
  ApplicationError,
  InvalidArgumentError,
  Result,
  type Invocation,
  type RegistrationHandle,
  type WampApi,
} from '@wampbox/core';
import { keyServiceView, type E2eV2Codec } from './codec.js';
import { routeOf } from './envelope.js';
import { hexDecode } from '../keys.js';
import { toHex } from './derive.js';
import { covers } from './prefix.js';

/** The error URIs of a key service's refusals. */
export const KEY_SERVICE_ERRORS = Object.freeze({
  invalidRequest: 'wampbox.e2e.error.invalid_request',
  notEntitled: 'wampbox.e2e.error.not_entitled',
  noSuchKey: 'wampbox.e2e.error.no_such_key',
});

const PLAIN = { prefix: '', scheme: 'plaintext' } as const;

/** One request a key service is about to grant. */
export interface KeyRequest {
  /** The reader's Ed25519 key, authenticated end to end. */
  readonly reader: Uint8Array;
  /** The topic the reader wants to read. */
  readonly uri: string;
  /** The key id asked for (hex). */
  readonly kid: string;
  /** The scope of the key asked for. */
  readonly scope: string;
}

/** Options of {@link serveGroupKeys}. */
export interface KeyServiceOptions {
  /** The procedure to register, normally `‹ns›.e2e.key.get`. */
  readonly procedure: string;
  /**
   * A further check after the trust store's `read` grant (an allow list, a subscription in a
   * database…): `false` answers `not_entitled`.
   */
  readonly authorize?: ((request: KeyRequest) => boolean | Promise<boolean>) | undefined;
  /** Told of every request served or refused (never the key). */
  readonly onRequest?: ((event: KeyRequestEvent) => void) | undefined;
}

/** What {@link KeyServiceOptions.onRequest} is told. */
export interface KeyRequestEvent {
  readonly outcome: 'served' | 'refused';
  /** The refusal's error URI. */
  readonly error?: string | undefined;
  /** The reader, hex (absent for a request that could not be attributed). */
  readonly reader?: string | undefined;
  readonly kid?: string | undefined;
  readonly uri?: string | undefined;
}

/**
 * Register a key service for the group keys `codec` holds (the keys it was given, added or made by
 * rotation) on `api` (the session or connection `codec` runs on).
 *
 * @throws InvalidArgumentError when `codec` was not made by `e2eV2`, or the procedure is not sealed
 *   by it (a key must never travel in the clear).
 */
export async function serveGroupKeys(
  api: WampApi,
  codec: E2eV2Codec,
  options: KeyServiceOptions,
): Promise<RegistrationHandle> {
  const view = keyServiceView(codec);
  if (view === undefined) throw new InvalidArgumentError('serveGroupKeys: the codec is not an x_e2ev2 codec');
  if (typeof options.procedure !== 'string' || options.procedure === '') {
    throw new InvalidArgumentError('serveGroupKeys: procedure is a URI');
  }
  const config = await view.ready();
  if (routeOf(config.routes, options.procedure, PLAIN).scheme !== 'x_e2ev2') {
    throw new InvalidArgumentError('serveGroupKeys: the key service procedure cannot be sealed');
  }
  const report = options.onRequest ?? (() => undefined);
  const refuse = (error: string, fields: Omit<KeyRequestEvent, 'outcome' | 'error'>): never => {
    report({ outcome: 'refused', error, ...fields });
    throw new ApplicationError(error);
  };
  return api.register(options.procedure, async (inv: Invocation): Promise<Result> => {
    const reader = codec.callerOf(inv.exchange);
    if (reader === undefined) return refuse(KEY_SERVICE_ERRORS.notEntitled, {});
    const who = toHex(reader);
    const { kid, uri } = inv.kwargs;
    const wellFormed =
      inv.args.length === 0 &&
      Object.keys(inv.kwargs).length === 2 &&
      kid instanceof Uint8Array &&
      kid.length === 16 &&
      typeof uri === 'string';
    if (!wellFormed) return refuse(KEY_SERVICE_ERRORS.invalidRequest, { reader: who });
    const kidHex = toHex(kid);
    const fields = { reader: who, kid: kidHex, uri };
    if (!config.trust.isAuthorized(reader, uri, 'read')) return refuse(KEY_SERVICE_ERRORS.notEntitled, fields);
    const held = config.groupKeys.get(kidHex);
    if (held === undefined) return refuse(KEY_SERVICE_ERRORS.noSuchKey, fields);
    if (!covers(held.scope, uri)) return refuse(KEY_SERVICE_ERRORS.notEntitled, fields);
    const request: KeyRequest = { reader, uri, kid: kidHex, scope: held.scope };
    if (options.authorize !== undefined && !(await options.authorize(request))) {
      return refuse(KEY_SERVICE_ERRORS.notEntitled, fields);
    }
    report({ outcome: 'served', ...fields });
    const kwargs: Record<string, unknown> = {
      kid: held.kid.slice(),
      key: held.key.slice(),
      scope: held.scope,
      not_after: held.notAfter ?? null,
    };
    if (held.writers !== undefined) kwargs['writers'] = [...held.writers].map(hexDecode);
    return new Result([], kwargs);
  });
}
