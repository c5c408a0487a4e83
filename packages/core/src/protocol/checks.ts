/**
 * Checks of what the application passes to the API, run before anything is sent: a bad argument
 * is refused with {@link InvalidArgumentError} (`ERR_INVALID_ARGUMENT`) and costs nothing else.
 * A router that receives a malformed message drops the whole connection, failing every other
 * operation in flight; a value the serializer cannot represent would be dropped silently.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Dict } from './messages.js';
import { isValidUri, uriProblem } from './uri.js';
import type { UriForm, UriRules } from './uri.js';

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A promise rejected with `err`, the error an argument check threw (typed: it is one of ours). */
export function rejected(err: unknown): Promise<never> {
  return Promise.reject(err instanceof Error ? err : new InvalidArgumentError(String(err)));
}

/** Throw `ERR_INVALID_ARGUMENT` with `message`. */
export function invalid(message: string): never {
  throw new InvalidArgumentError(message);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? Object.prototype.toString.call(v).slice(8, -1) : typeof v;
}

/** A URI (or pattern, for `form` other than `exact`) the router will accept. */
export function checkUri(
  uri: unknown,
  what: string,
  rules: UriRules = 'loose',
  form: UriForm = 'exact',
): asserts uri is string {
  if (!isValidUri(uri, rules, form)) invalid(`${what} ${uriProblem(uri, rules, form)}`);
}

/** `true` for a plain object (a dictionary): not null, not an array, not a typed array or another built-in. */
export function isPlainObject(v: unknown): v is Dict {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.prototype.toString.call(v) === '[object Object]'
  );
}

/** Refuse `v` unless `ok`: "`what` must be `kind`, got …". */
function must(ok: boolean, what: string, kind: string, v: unknown): void {
  if (!ok) invalid(`${what} must be ${kind}, got ${typeof v === 'string' ? JSON.stringify(v) : describe(v)}`);
}

/** Positional arguments: an array, or `undefined` for none. */
export function checkArgs(args: unknown, what = 'args'): asserts args is unknown[] | undefined {
  must(args === undefined || Array.isArray(args), what, 'an array or undefined', args);
}

/** Keyword arguments: a plain object, or `undefined` for none. */
export function checkKwargs(kwargs: unknown, what = 'kwargs'): asserts kwargs is Dict | undefined {
  must(kwargs === undefined || isPlainObject(kwargs), what, 'a plain object or undefined', kwargs);
}

/** An options argument: a plain object or `undefined`. */
export function checkOptions(o: unknown, what: string): asserts o is Dict | undefined {
  must(o === undefined || isPlainObject(o), what, 'an object', o);
}

/** An optional value of type `type` (`typeof`). */
export function checkType(v: unknown, type: 'boolean' | 'string' | 'function', what: string): void {
  must(v === undefined || typeof v === type, what, `a ${type}`, v);
}

/** An optional boolean. */
export function checkBoolean(v: unknown, what: string): void {
  checkType(v, 'boolean', what);
}

/** An optional string. */
export function checkString(v: unknown, what: string): void {
  checkType(v, 'string', what);
}

/** An optional function. */
export function checkFunction(v: unknown, what: string): void {
  checkType(v, 'function', what);
}

/** An optional value among `allowed`. */
export function checkOneOf(v: unknown, allowed: readonly string[], what: string): void {
  must(v === undefined || allowed.includes(v as string), what, `one of ${allowed.join(', ')}`, v);
}

/**
 * An optional duration in milliseconds: a number ≥ 0 and at most {@link MAX_TIMER_MS}, or
 * `Infinity` when `infinite` allows it (no deadline). Returns it, with `Infinity` as `undefined`.
 */
export function checkDuration(v: unknown, what: string, infinite = true): number | undefined {
  if (v === undefined || (v === Number.POSITIVE_INFINITY && infinite)) return undefined;
  const ok = typeof v === 'number' && v >= 0 && v <= MAX_TIMER_MS;
  must(ok, what, `a duration of 0..${MAX_TIMER_MS} ms${infinite ? ' or Infinity' : ''}`, v);
  return v as number;
}

/** An optional count or size: an integer ≥ `min` (and ≤ 2^53). */
export function checkCount(v: unknown, what: string, min = 0): void {
  must(v === undefined || (Number.isSafeInteger(v) && (v as number) >= min), what, `an integer ≥ ${min}`, v);
}

/** An optional `AbortSignal` (anything with `aborted` and `addEventListener`, as in every runtime). */
export function checkSignal(v: unknown, what = 'signal'): asserts v is AbortSignal | undefined {
  const s = (typeof v === 'object' ? v : null) as Partial<AbortSignal> | null;
  const ok = typeof s?.aborted === 'boolean' && typeof s.addEventListener === 'function';
  must(v === undefined || (ok && typeof s.removeEventListener === 'function'), what, 'an AbortSignal', v);
}

/** An optional list of WAMP ids (session ids): integers 0..2^53. */
export function checkIdList(v: unknown, what: string): void {
  const isId = (id: unknown): boolean => Number.isInteger(id) && (id as number) >= 0 && (id as number) <= 2 ** 53;
  must(v === undefined || (Array.isArray(v) && v.every(isId)), what, 'an array of session ids', v);
}

/** An optional list of strings. */
export function checkStringList(v: unknown, what: string): void {
  must(v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string')), what, 'an array of strings', v);
}
