/**
 * The cryptobox plaintext: the UTF-8 JSON text `{"uri":URI,"args":ARGS,"kwargs":KWARGS}`, written
 * the way Autobahn|Python writes it (`json.dumps(..., separators=(",", ":"), ensure_ascii=False)`,
 * keys in that order, absent args/kwargs as `null`). Binary values anywhere inside args/kwargs
 * travel as the string `"\u0000" + base64(bytes)`, as in WAMP's JSON serializer.
 *
 * For the vectors (and any payload of strings, integers, booleans, null, lists and objects) the
 * text is byte-identical to Python's. Floats may be spelled differently (Python writes `1e-07` and
 * `100.0` where JavaScript writes `1e-7` and `100`); both parse to the same numbers, and the
 * exact bytes of the plaintext never need to match for interoperability.
 */
import { decodeJsonBinaries, PAYLOAD_ERROR_URIS, PayloadCodecError, stringifyJson } from '@wampbox/core';

/** How U+0000 (the first character of a binary value) appears inside JSON text. */
const ESCAPED_BINARY_PREFIX = '\\u0000';

/**
 * Serialize the inner payload. Throws like `JSON.stringify` (cycles, BigInt); the caller maps it
 * to a codec error.
 */
export function stringifyInner(
  uri: string,
  args: unknown[] | null | undefined,
  kwargs: Record<string, unknown> | null | undefined,
): string {
  return stringifyJson({ uri, args: args ?? null, kwargs: kwargs ?? null });
}

/** The parsed inner payload, not yet validated. */
export interface ParsedInner {
  uri: unknown;
  args: unknown;
  kwargs: unknown;
}

/**
 * Parse the inner payload and turn `"\u0000"`-prefixed strings (at any depth, values only, not
 * keys) back into bytes, in place. Throws on invalid JSON or a malformed binary string (as
 * `JSON.parse` and `decodeJsonBinaries` do), and `ERR_PAYLOAD_DECRYPT` for a text that is not a
 * JSON object; the caller maps all of them to `ERR_PAYLOAD_DECRYPT` for its URI.
 */
export function parseInner(text: string): ParsedInner {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const uri = PAYLOAD_ERROR_URIS.decrypt;
    throw new PayloadCodecError('ERR_PAYLOAD_DECRYPT', uri, 'the inner payload is not a JSON object');
  }
  // JSON escapes U+0000, so a text without the escape has no binary values: skip the walk.
  if (text.includes(ESCAPED_BINARY_PREFIX)) decodeJsonBinaries(parsed);
  return parsed as ParsedInner;
}
