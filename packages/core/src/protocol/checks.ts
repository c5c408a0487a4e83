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

/** Positional arguments: an array, or `undefined` for none. */
export function checkArgs(args: unknown, what = 'args'): asserts args is unknown[] | undefined {
  if (args !== undefined && !Array.isArray(args)) {
    invalid(`${what} must be an array (or undefined for none), got ${describe(args)}`);
  }
}

/** Keyword arguments: a plain object, or `undefined` for none. */
export function checkKwargs(kwargs: unknown, what = 'kwargs'): asserts kwargs is Dict | undefined {
  if (kwargs !== undefined && !isPlainObject(kwargs)) {
    invalid(`${what} must be a plain object (or undefined for none), got ${describe(kwargs)}`);
  }
}

/** An options argument: a plain object or `undefined`. */
export function checkOptions(o: unknown, what: string): asserts o is Dict | undefined {
  if (o !== undefined && !isPlainObject(o)) invalid(`${what} must be an object, got ${describe(o)}`);
}

/** An optional boolean. */
export function checkBoolean(v: unknown, what: string): void {
  if (v !== undefined && typeof v !== 'boolean') invalid(`${what} must be a boolean, got ${describe(v)}`);
}

/** An optional string. */
export function checkString(v: unknown, what: string): void {
  if (v !== undefined && typeof v !== 'string') invalid(`${what} must be a string, got ${describe(v)}`);
}

/** An optional function. */
export function checkFunction(v: unknown, what: string): void {
  if (v !== undefined && typeof v !== 'function') invalid(`${what} must be a function, got ${describe(v)}`);
}

/** An optional value among `allowed`. */
export function checkOneOf(v: unknown, allowed: readonly string[], what: string): void {
  if (v !== undefined && !allowed.includes(v as string)) {
    invalid(
      `${what} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${typeof v === 'string' ? JSON.stringify(v) : describe(v)}`,
    );
  }
}

/**
 * An optional duration in milliseconds: a number ≥ 0 and at most {@link MAX_TIMER_MS}, or
 * `Infinity` when `infinite` allows it (no deadline). Returns it, with `Infinity` as `undefined`.
 */
export function checkDuration(v: unknown, what: string, infinite = true): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0)
    invalid(`${what} must be a number of milliseconds ≥ 0, got ${describe(v)}`);
  if (v === Number.POSITIVE_INFINITY && infinite) return undefined;
  if (v > MAX_TIMER_MS)
    invalid(`${what} must be at most ${MAX_TIMER_MS} ms${infinite ? ' (or Infinity for none)' : ''}, got ${v}`);
  return v;
}

/** An optional count or size: an integer ≥ `min` (and ≤ 2^53). */
export function checkCount(v: unknown, what: string, min = 0): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= min)) {
    invalid(`${what} must be an integer ≥ ${min}, got ${typeof v === 'number' ? v : describe(v)}`);
  }
}

/** An optional `AbortSignal` (anything with `aborted` and `addEventListener`, as in every runtime). */
export function checkSignal(v: unknown, what = 'signal'): asserts v is AbortSignal | undefined {
  if (v === undefined) return;
  if (typeof v !== 'object' || v === null) invalid(`${what} must be an AbortSignal, got ${describe(v)}`);
  const s = v as Partial<AbortSignal>;
  if (
    typeof s.aborted !== 'boolean' ||
    typeof s.addEventListener !== 'function' ||
    typeof s.removeEventListener !== 'function'
  ) {
    invalid(`${what} must be an AbortSignal, got ${describe(v)}`);
  }
}

/** An optional list of WAMP ids (session ids): integers 0..2^53. */
export function checkIdList(v: unknown, what: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || !v.every((id) => Number.isInteger(id) && (id as number) >= 0 && (id as number) <= 2 ** 53)) {
    invalid(`${what} must be an array of session ids (integers 0..2^53)`);
  }
}

/** An optional list of strings. */
export function checkStringList(v: unknown, what: string): void {
  if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === 'string')))
    invalid(`${what} must be an array of strings`);
}
