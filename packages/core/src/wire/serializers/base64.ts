/**
 * Standard base64 (RFC 4648 section 4: alphabet `A–Z a–z 0–9 + /`, with `=` padding) for
 * `Uint8Array`, without importing any Node module, so it runs unchanged in browsers and Node.
 *
 * Where the runtime has Node's global `Buffer`, its native base64 is used (validated to the rules
 * below); elsewhere the platform's `btoa`/`atob` (native in browsers, workers, Deno and Bun).
 */
import { SerializationError } from '../../errors.js';
import { bytesToFill, pooledBytes } from './fast-alloc.js';

interface NativeBufferApi {
  from(
    data: ArrayBufferLike,
    offset: number,
    length: number,
  ): { toString(encoding: 'base64'): string; write(text: string, encoding: 'base64'): number };
  byteLength(text: string, encoding: 'utf8'): number;
}
const NativeBuffer = (globalThis as { Buffer?: NativeBufferApi }).Buffer;

/** The rules: standard alphabet, a multiple of four characters, at most two `=` and only at the end. */
const CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Bytes per `String.fromCharCode` call (its argument count is limited). */
const CHUNK = 0x2000;

/**
 * Encode bytes as standard base64 with padding.
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (NativeBuffer) return NativeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  return btoa(binary);
}

function invalid(reason: string): SerializationError {
  return new SerializationError(`invalid base64: ${reason}`);
}

/**
 * Decode standard base64 with padding, starting at character `start` of `text`.
 * The input must be canonical in shape: a multiple of four characters from the standard alphabet,
 * with at most two `=` and only at the end; whitespace, URL-safe characters and missing padding
 * are rejected. Non-zero bits in the last character before padding are accepted.
 *
 * @param text - The base64 text.
 * @param start - Index of the first base64 character in `text` (default 0).
 * @returns A new `Uint8Array` holding the decoded bytes, with a buffer of its own.
 * @throws SerializationError (`ERR_SERIALIZATION`) when the text is not valid base64.
 *
 * @example
 * ```ts
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function decodeBase64(text: string, start = 0): Uint8Array {
  return decode(text, start, bytesToFill);
}

/**
 * {@link decodeBase64} for a value received in a message (internal): the bytes may be a view into
 * a shared slab (see `pooledBytes`), which costs a fraction of a buffer of their own.
 */
export function decodeReceivedBase64(text: string, start: number): Uint8Array {
  return decode(text, start, pooledBytes);
}

function decode(text: string, start: number, alloc: (size: number) => Uint8Array): Uint8Array {
  const length = text.length - start;
  if (length < 0) throw invalid('start is past the end of the text');
  if (length % 4 !== 0) throw invalid('length is not a multiple of 4');
  const body = start === 0 ? text : text.slice(start);
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  const size = (length / 4) * 3 - padding;
  if (NativeBuffer) {
    // The native decoder skips characters outside the alphabet, stops at the first `=`, reads the
    // URL-safe `-` and `_`, and truncates characters beyond U+00FF to their low byte. So: ASCII
    // only, no URL-safe characters, and every character must have counted (a skipped character
    // or an early `=` yields fewer bytes than the length promises).
    if (NativeBuffer.byteLength(body, 'utf8') !== length) throw invalid('non-ASCII character');
    if (body.indexOf('-') !== -1 || body.indexOf('_') !== -1) throw invalid('URL-safe character');
    const out = alloc(size);
    if (size > 0 && NativeBuffer.from(out.buffer, out.byteOffset, size).write(body, 'base64') !== size)
      throw invalid('unexpected character');
    return out;
  }
  if (!CANONICAL.test(body)) throw invalid('unexpected character');
  const binary = atob(body);
  const out = alloc(size);
  for (let i = 0; i < size; i++) out[i] = binary.charCodeAt(i);
  return out;
}
