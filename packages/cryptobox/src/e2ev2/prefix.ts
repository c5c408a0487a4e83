/**
 * Dot-aware URI prefixes (Decision 4), the one rule for routes, trust grants, scope keys, group key
 * scopes and scrambling namespaces: `""` covers every URI, `a.b.` covers `a.b.*`, and `a.b` covers
 * `a.b` and `a.b.*` but never `a.bx` (unlike cryptobox's raw string prefixes).
 */

/** Whether `prefix` covers `uri`. */
export function covers(prefix: string, uri: string): boolean {
  if (prefix === '') return true;
  if (prefix.endsWith('.')) return uri.startsWith(prefix);
  return uri === prefix || (uri.startsWith(prefix) && uri.charCodeAt(prefix.length) === 0x2e);
}

/** The entry with the longest prefix that covers `uri`, or `undefined`. */
export function longestCovering<T extends { readonly prefix: string }>(
  entries: Iterable<T>,
  uri: string,
): T | undefined {
  let best: T | undefined;
  for (const e of entries) {
    if (covers(e.prefix, uri) && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
  }
  return best;
}
