/** Checking what the router's meta API answers against the typed shapes. */
import { WampboxError } from '../errors.js';
import type { EventData, MatchPolicy } from '../types.js';
import type { IdsByMatch, RegistrationInfo, SessionInfo, SessionLeft, SubscriptionInfo } from './types.js';

/**
 * A meta procedure answered, or a meta event carried, something of another shape than the typed
 * helper knows (a router other than Crossbar.io, or a version that changed the shape). `uri` is
 * the procedure or topic; the message names the part that did not fit, never its value.
 */
export class UnexpectedResultError extends WampboxError {
  override name = 'UnexpectedResultError';
  /** The meta procedure or topic. */
  declare readonly uri: string;

  /**
   * @param uri - the meta procedure or topic
   * @param what - the part that did not fit
   */
  constructor(uri: string, what: string) {
    super('ERR_UNEXPECTED_RESULT', `${uri}: unexpected ${what}`);
    this.uri = uri;
  }
}

/** Reads one value of a meta result or event, throwing {@link UnexpectedResultError} for the wrong shape. */
export type Read<T> = (v: unknown, uri: string, what: string) => T;

function fail(uri: string, what: string): never {
  throw new UnexpectedResultError(uri, what);
}

/** A WAMP id. */
export const id: Read<number> = (v, uri, what) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(uri, what);

/** A count. */
export const count: Read<number> = id;

/** A list of ids. */
export const ids: Read<number[]> = (v, uri, what) =>
  Array.isArray(v) ? v.map((x, i) => id(x, uri, `${what}[${i}]`)) : fail(uri, what);

/** An id, or `null` (none). */
export const idOrNull: Read<number | null> = (v, uri, what) =>
  v === null || v === undefined ? null : id(v, uri, what);

/** A list of ids, or `null` (Crossbar's answer for none): an empty list then. */
export const idsOrNone: Read<number[]> = (v, uri, what) => (v === null || v === undefined ? [] : ids(v, uri, what));

function dict(v: unknown, uri: string, what: string): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(uri, what);
}

function str(v: unknown, uri: string, what: string): string {
  return typeof v === 'string' ? v : fail(uri, what);
}

/** Ids by match policy. */
export const idsByMatch: Read<IdsByMatch> = (v, uri, what) => {
  const d = dict(v, uri, what);
  const list = (k: string): number[] => idsOrNone(d[k], uri, `${what}.${k}`);
  return { exact: list('exact'), prefix: list('prefix'), wildcard: list('wildcard') };
};

/** A session's details. */
export const sessionInfo: Read<SessionInfo> = (v, uri, what) => {
  const d = dict(v, uri, what);
  id(d['session'], uri, `${what}.session`);
  for (const k of ['authid', 'authrole', 'authmethod', 'authprovider']) str(d[k], uri, `${what}.${k}`);
  return d as unknown as SessionInfo;
};

function observation(v: unknown, uri: string, what: string): Record<string, unknown> {
  const d = dict(v, uri, what);
  id(d['id'], uri, `${what}.id`);
  for (const k of ['created', 'uri', 'match']) str(d[k], uri, `${what}.${k}`);
  return d;
}

/** A subscription's details. */
export const subscriptionInfo: Read<SubscriptionInfo> = (v, uri, what) => {
  const d = observation(v, uri, what);
  return {
    id: d['id'] as number,
    created: d['created'] as string,
    uri: d['uri'] as string,
    match: d['match'] as MatchPolicy,
  };
};

/** A registration's details: a subscription's, and `invoke`. */
export const registrationInfo: Read<RegistrationInfo> = (v, uri, what) => ({
  ...subscriptionInfo(v, uri, what),
  invoke: str((v as Record<string, unknown>)['invoke'], uri, `${what}.invoke`),
});

/** `wamp.session.on_leave`: the session id, then (by the spec, not Crossbar) authid and authrole. */
export function sessionLeft(ev: EventData): SessionLeft {
  const [session, authid, authrole] = ev.args;
  const left: { session: number; authid?: string; authrole?: string } = { session: id(session, ev.topic, 'args[0]') };
  if (typeof authid === 'string') left.authid = authid;
  if (typeof authrole === 'string') left.authrole = authrole;
  return left;
}
