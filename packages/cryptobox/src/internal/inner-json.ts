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
import { base64Decode, base64Encode } from './base64.js';

/** Depth past which the binary scan gives up and lets the replacer (and its cycle check) run. */
const SCAN_DEPTH_LIMIT = 64;

const BINARY_PREFIX = '\u0000';
/** How a string starting with U+0000 appears inside JSON text. */
const ESCAPED_BINARY_PREFIX = '\\u0000';

/**
 * Serialize the inner payload. Throws a `TypeError` (cycles, BigInt) or `SyntaxError` like
 * `JSON.stringify` does; the caller maps it to a codec error.
 */
export function stringifyInner(uri: string, args: unknown[] | null | undefined, kwargs: Record<string, unknown> | null | undefined): string {
  const inner = { uri, args: args ?? null, kwargs: kwargs ?? null };
  // The common case has no binary: skip the (much slower) replacer entirely.
  if (!containsBinary(args, 0) && !containsBinary(kwargs, 0)) return JSON.stringify(inner);
  return JSON.stringify(inner, binaryReplacer);
}

function containsBinary(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return true;
  if (depth > SCAN_DEPTH_LIMIT) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object' && containsBinary(v, depth + 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object' && containsBinary(v, depth + 1)) return true;
  }
  return false;
}

/**
 * `JSON.stringify` hands the replacer the value after `toJSON` (a Node `Buffer` would already be
 * `{type, data}`), so look at the holder's own property instead.
 */
function binaryReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return BINARY_PREFIX + base64Encode(raw);
  if (raw instanceof ArrayBuffer) return BINARY_PREFIX + base64Encode(new Uint8Array(raw));
  return value;
}

/** The parsed inner payload, not yet validated. */
export interface ParsedInner {
  uri: unknown;
  args: unknown;
  kwargs: unknown;
}

/**
 * Parse the inner payload and turn `"\u0000"`-prefixed strings (at any depth, values only, not
 * keys) back into bytes, in place. Throws `SyntaxError` on invalid JSON, `RangeError` on a
 * malformed binary string, `TypeError` when the text is not a JSON object.
 */
export function parseInner(text: string): ParsedInner {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('inner payload is not a JSON object');
  }
  // JSON escapes U+0000, so a text without the escape has no binary values: skip the walk.
  if (text.includes(ESCAPED_BINARY_PREFIX)) reviveBinary(parsed as Record<string, unknown>);
  return parsed as ParsedInner;
}

function reviveBinary(node: Record<string, unknown> | unknown[]): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') {
        if (v.charCodeAt(0) === 0) node[i] = decodeBinaryString(v);
      } else if (v !== null && typeof v === 'object') {
        reviveBinary(v as Record<string, unknown>);
      }
    }
    return;
  }
  for (const key in node) {
    const v = node[key];
    if (typeof v === 'string') {
      if (v.charCodeAt(0) === 0) node[key] = decodeBinaryString(v);
    } else if (v !== null && typeof v === 'object') {
      reviveBinary(v as Record<string, unknown>);
    }
  }
}

function decodeBinaryString(s: string): Uint8Array {
  const bytes = base64Decode(s.slice(1));
  if (bytes === undefined) throw new RangeError('malformed binary value in inner payload');
  return bytes;
}
