/**
 * URI scrambling (§c.2, Decision 16): below a clear routing prefix, every component of a URI
 * becomes a 16-character tag, the lowercase base32 (RFC 4648, no padding) of 80 bits of a keyed
 * BLAKE2b, so the router still routes by exact URI, prefix and (positional mode) wildcard without
 * learning the clear names.
 *
 * - namespace key: `K_ns = BLAKE2b-256(key = master, "wampbox/e2e/v2 uri-key" || UTF-8(prefix))`;
 * - chained (default): `state_i = BLAKE2b-256(key = K_ns, "wampbox/e2e/v2 uri c\0" || state_(i-1) || s_i)`,
 *   `state_0` = 32 zero bytes, tag = base32 of the first 10 bytes of `state_i`;
 * - positional: tag = base32(BLAKE2b-80(key = K_ns, "wampbox/e2e/v2 uri p\0" || u8(i) || s_i)), `i`
 *   from 1 (BLAKE2b with a 10-byte digest, not a truncation), so at most 255 components.
 */
import { genericHash } from '../sodium-v2.js';
import { URI_CHAINED_CTX, URI_KEY_CTX, URI_POSITIONAL_CTX } from './constants.js';
import { concatBytes } from './derive.js';

/** How a namespace scrambles. */
export type ScrambleMode = 'chained' | 'positional';

/** A scrambled namespace: its clear routing prefix (ending with a dot), its key and its mode. */
export interface Namespace {
  readonly prefix: string;
  /** `K_ns`, 32 bytes. */
  readonly key: Uint8Array;
  readonly mode: ScrambleMode;
}

const TAG_BYTES = 10;
const MAX_POSITIONAL_COMPONENTS = 255;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const utf8 = new TextEncoder();

/** `K_ns` of the namespace `prefix` (with its trailing dot) under an application's master secret. */
export function namespaceKey(master: Uint8Array, prefix: string): Uint8Array {
  return genericHash(32, concatBytes(URI_KEY_CTX, utf8.encode(prefix)), master);
}

/**
 * The wire form of the clear URI or pattern `clear`, which the namespace's prefix covers, or
 * `undefined` when it cannot be scrambled: not under the prefix, an empty component in a URI that
 * is not a pattern, a wildcard (an empty component other than one trailing one) in chained mode,
 * or more than 255 components in positional mode. The prefix alone scrambles to itself.
 */
export function scrambleUri(ns: Namespace, clear: string, options?: { pattern?: boolean }): string | undefined {
  if (!clear.startsWith(ns.prefix)) return undefined;
  const rest = clear.slice(ns.prefix.length);
  if (rest === '') return ns.prefix;
  const parts = rest.split('.');
  const pattern = options?.pattern === true;
  const tags: string[] = [];
  if (ns.mode === 'chained') {
    let state: Uint8Array = new Uint8Array(32);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '') {
        if (!pattern || i !== parts.length - 1) return undefined;
        tags.push('');
        continue;
      }
      state = genericHash(32, concatBytes(URI_CHAINED_CTX, state, utf8.encode(part)), ns.key);
      tags.push(base32(state.subarray(0, TAG_BYTES)));
    }
  } else {
    if (parts.length > MAX_POSITIONAL_COMPONENTS) return undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '') {
        if (!pattern) return undefined;
        tags.push('');
        continue;
      }
      const data = concatBytes(URI_POSITIONAL_CTX, Uint8Array.of(i + 1), utf8.encode(part));
      tags.push(base32(genericHash(TAG_BYTES, data, ns.key)));
    }
  }
  return ns.prefix + tags.join('.');
}

/** Lowercase RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31]!;
  return out;
}
