/**
 * WAMP's URI rules (the WAMP spec, "URIs"), as routers enforce them. A router that receives a
 * URI breaking them treats the message as a protocol violation and drops the whole connection,
 * so the session checks every URI it sends before anything goes out.
 *
 * - **loose** (the default, what Crossbar.io enforces unless configured otherwise): components
 *   separated by `.`, none empty, none containing whitespace or `#`.
 * - **strict**: components of lowercase letters, digits and `_` only.
 *
 * Pattern forms (for subscriptions and registrations with a `match` policy):
 * - `prefix`: the last component may be empty (`com.example.` matches `com.example.a`).
 * - `wildcard`: any component may be empty (`com..create` matches `com.user.create`).
 */

/** Which rules URIs are checked against. */
export type UriRules = 'loose' | 'strict';

/** How a URI is used: an exact URI, or a pattern of a `prefix` / `wildcard` subscription or registration. */
export type UriForm = 'exact' | 'prefix' | 'wildcard';

const PATTERNS: Readonly<Record<UriRules, Readonly<Record<UriForm, RegExp>>>> = {
  loose: {
    exact: /^(?:[^\s.#]+\.)*[^\s.#]+$/,
    prefix: /^(?:[^\s.#]+\.)*[^\s.#]*$/,
    wildcard: /^(?:[^\s.#]*\.)*[^\s.#]*$/,
  },
  strict: {
    exact: /^(?:[0-9a-z_]+\.)*[0-9a-z_]+$/,
    prefix: /^(?:[0-9a-z_]+\.)*[0-9a-z_]*$/,
    wildcard: /^(?:[0-9a-z_]*\.)*[0-9a-z_]*$/,
  },
};

/**
 * Whether `uri` is a valid WAMP URI under `rules`, used as `form`. The empty string is never valid.
 *
 * @example
 * ```ts
 * isValidUri('com.example.add');                            // true
 * isValidUri('com..add');                                   // false: an empty component
 * isValidUri('com..add', 'loose', 'wildcard');              // true: a wildcard pattern
 * isValidUri('com.Example', 'strict');                      // false: uppercase under the strict rules
 * ```
 */
export function isValidUri(uri: unknown, rules: UriRules = 'loose', form: UriForm = 'exact'): uri is string {
  return typeof uri === 'string' && uri.length > 0 && PATTERNS[rules][form].test(uri);
}

/** Why `uri` is not valid, in a few words (for error messages; never echoes more than 80 characters). */
export function uriProblem(uri: unknown, rules: UriRules = 'loose', form: UriForm = 'exact'): string {
  if (typeof uri !== 'string') return `must be a string, got ${uri === null ? 'null' : typeof uri}`;
  if (uri.length === 0) return 'must not be empty';
  const shown = uri.length > 80 ? `${JSON.stringify(uri.slice(0, 80))}…` : JSON.stringify(uri);
  if (/[\s#]/.test(uri)) return `${shown} contains whitespace or "#"`;
  if (rules === 'strict' && /[^0-9a-z_.]/.test(uri)) {
    return `${shown} is not a strict URI (only a-z, 0-9, "_" and "." are allowed)`;
  }
  if (form === 'exact') return `${shown} has an empty component (allowed only in prefix or wildcard patterns)`;
  return `${shown} has an empty component where a ${form} pattern allows none`;
}
