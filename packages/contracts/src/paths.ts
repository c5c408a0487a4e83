/**
 * Where a schema found a problem, written as a path (`args[0]`, `kwargs.items[3].price`): the only
 * part of a schema library's issue that is sent to a peer or put in an error message, because
 * issue messages may quote the refused value.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** At most this many paths are named in a message; the rest are counted. */
export const MAX_PATHS = 20;
/** A key longer than this is cut (a dictionary key is data too: keep what is sent small). */
const MAX_KEY = 64;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function segment(key: PropertyKey): string {
  if (typeof key === 'number') return `[${key}]`;
  if (typeof key === 'symbol') return '[symbol]';
  const cut = key.length > MAX_KEY ? `${key.slice(0, MAX_KEY)}…` : key;
  return IDENTIFIER.test(key) ? `.${cut}` : `[${JSON.stringify(cut)}]`;
}

/**
 * The path of `issue` under `root` (`args`, `kwargs`, or `''` for a whole-payload schema, whose
 * paths start with `args` or `kwargs` themselves). An issue without a path is at `root` itself.
 */
export function issuePath(issue: StandardSchemaV1.Issue, root: string): string {
  let out = root;
  for (const s of issue.path ?? []) {
    const key = typeof s === 'object' ? s.key : s;
    out += out === '' && typeof key === 'string' && IDENTIFIER.test(key) ? key : segment(key);
  }
  return out === '' ? 'payload' : out;
}

/** The paths, once each, at most {@link MAX_PATHS} of them and how many more there were. */
export function describePaths(paths: readonly string[]): string {
  const unique = [...new Set(paths)];
  const shown = unique.slice(0, MAX_PATHS).join(', ');
  return unique.length > MAX_PATHS ? `${shown} and ${unique.length - MAX_PATHS} more` : shown;
}
