/** Calling one meta procedure: arguments checked first, the answer read into its typed shape. */
import { checkCount, checkOptions, invalid, rejected } from '../protocol/checks.js';
import type { Dict } from '../protocol/messages.js';
import type { WampApi } from '../session/wamp-api.js';
import type { Read } from './decode.js';

/** What {@link ask} sends: arguments are checked by `check` before anything goes out. */
export interface MetaCall<T> {
  /** The meta procedure. */
  readonly uri: string;
  /** Throws `InvalidArgumentError` for a bad argument. */
  readonly check?: (() => void) | undefined;
  readonly args?: unknown[] | undefined;
  readonly kwargs?: Dict | undefined;
  /** Reads the first positional result; none for a procedure without a result. */
  readonly read?: Read<T> | undefined;
}

/** Call a meta procedure on `api` and read its answer; a bad argument rejects before anything is sent. */
export function ask<T>(api: WampApi, c: MetaCall<T>): Promise<T> {
  try {
    c.check?.();
  } catch (e) {
    return rejected(e);
  }
  return api.call(c.uri, c.args, c.kwargs).then((r) => c.read?.(r.args[0], c.uri, 'result') as T);
}

/** A required WAMP id (a session, subscription or registration id). */
export function checkId(v: unknown, what: string): void {
  if (v === undefined) invalid(`${what} must be an id, got undefined`);
  checkCount(v, what);
}

/** The keyword arguments made of the set entries of `o`, or `undefined` when none is set. */
export function setEntries(o: Dict): Dict | undefined {
  const out: Dict = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An options argument: a plain object or `undefined` (without narrowing the caller's type). */
export function checkObject(v: unknown, what: string): void {
  checkOptions(v, what);
}
