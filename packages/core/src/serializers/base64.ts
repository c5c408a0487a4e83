/**
 * Standard base64 (RFC 4648 section 4: alphabet `A–Z a–z 0–9 + /`, with `=` padding) for
 * `Uint8Array`, without importing any Node module, so it runs unchanged in browsers and Node.
 *
 * Where the runtime has Node's global `Buffer`, inputs beyond a few dozen bytes use its native
 * base64 (validated to the same rules). Elsewhere small inputs are handled with string operations
 * and larger ones go through a byte buffer and the platform's `TextEncoder`/`TextDecoder`, which is
 * several times faster from a few hundred bytes on.
 */
import { SerializationError } from '../errors.js';
import { bytesToFill, pooledBytes } from './fast-alloc.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
const INVALID = 0xff;

/** Input sizes (bytes to encode, characters to decode) from which the buffer-based paths are used. */
const ENCODE_BUFFER_THRESHOLD = 96;

/**
 * The runtime's native base64 (Node's `Buffer`), when there is one: several times faster than the
 * portable code for payloads beyond a few dozen bytes. Browsers use the portable code.
 */
interface NativeBufferApi {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string; write(text: string, encoding: 'base64'): number };
  byteLength(text: string, encoding: 'utf8'): number;
}
const NativeBuffer = (globalThis as { Buffer?: NativeBufferApi }).Buffer;
const NATIVE_THRESHOLD = 64;
const DECODE_BUFFER_THRESHOLD = 512;

/** Two output characters for each 12-bit value, as strings. */
const PAIR_STRINGS: string[] = new Array<string>(4096);
/** Two output characters for each 12-bit value, as two ASCII bytes in platform byte order. */
const PAIR_CODES = new Uint16Array(4096);
/** Sextet value of each ASCII code, or {@link INVALID}. */
const SEXTETS = new Uint8Array(256).fill(INVALID);

{
  const pairBytes = new Uint8Array(PAIR_CODES.buffer);
  for (let hi = 0; hi < 64; hi++) {
    for (let lo = 0; lo < 64; lo++) {
      const index = (hi << 6) | lo;
      PAIR_STRINGS[index] = ALPHABET.charAt(hi) + ALPHABET.charAt(lo);
      pairBytes[2 * index] = ALPHABET.charCodeAt(hi);
      pairBytes[2 * index + 1] = ALPHABET.charCodeAt(lo);
    }
  }
  for (let i = 0; i < 64; i++) SEXTETS[ALPHABET.charCodeAt(i)] = i;
}

let textDecoder: TextDecoder | undefined;
let textEncoder: TextEncoder | undefined;

/**
 * Encode bytes as standard base64 with padding.
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  if (NativeBuffer && length >= NATIVE_THRESHOLD) {
    return NativeBuffer.from(bytes.buffer, bytes.byteOffset, length).toString('base64');
  }
  const whole = length - (length % 3);
  let out: string;
  let i = 0;
  if (length < ENCODE_BUFFER_THRESHOLD) {
    out = '';
    for (; i < whole; i += 3) {
      const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      out += (PAIR_STRINGS[v >>> 12] as string) + (PAIR_STRINGS[v & 0xfff] as string);
    }
  } else {
    const codes = new Uint16Array((whole / 3) * 2);
    let o = 0;
    for (; i < whole; i += 3) {
      const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      codes[o++] = PAIR_CODES[v >>> 12] as number;
      codes[o++] = PAIR_CODES[v & 0xfff] as number;
    }
    out = (textDecoder ??= new TextDecoder()).decode(codes);
  }
  const rest = length - whole;
  if (rest === 1) {
    const v = (bytes[i] as number) << 4;
    out += (PAIR_STRINGS[v] as string) + '==';
  } else if (rest === 2) {
    const v = ((bytes[i] as number) << 10) | ((bytes[i + 1] as number) << 2);
    out += (PAIR_STRINGS[v >>> 6] as string) + ALPHABET.charAt(v & 0x3f) + '=';
  }
  return out;
}

function invalid(reason: string): SerializationError {
  return new SerializationError(`invalid base64: ${reason}`);
}

/**
 * Decode standard base64 with padding, starting at character `start` of `text`.
 * The input must be canonical in shape: a multiple of four characters from the standard alphabet,
 * with at most two `=` and only at the end; whitespace, URL-safe characters and missing padding
 * are rejected.
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
  if (length === 0) return new Uint8Array(0);

  const end = text.length;
  let padding = 0;
  if (text.charCodeAt(end - 1) === PAD) padding = text.charCodeAt(end - 2) === PAD ? 2 : 1;
  const size = (length / 4) * 3 - padding;
  if (NativeBuffer && length >= NATIVE_THRESHOLD) {
    const body = start === 0 ? text : text.slice(start);
    // The native decoder skips characters outside the alphabet, stops at the first `=`, reads the
    // URL-safe `-` and `_`, and truncates characters beyond U+00FF to their low byte. So: ASCII
    // only, no URL-safe characters, and every character must have counted (a skipped character
    // or an early `=` yields fewer bytes than the length promises).
    if (NativeBuffer.byteLength(body, 'utf8') !== length) throw invalid('non-ASCII character');
    if (body.indexOf('-') !== -1 || body.indexOf('_') !== -1) throw invalid('URL-safe character');
    const out = alloc(size);
    if (NativeBuffer.from(out.buffer, out.byteOffset, size).write(body, 'base64') !== size) throw invalid('unexpected character');
    return out;
  }
  const out = alloc(size);
  const lastQuad = end - 4;
  let o = 0;

  if (length < DECODE_BUFFER_THRESHOLD) {
    for (let i = start; i < lastQuad; i += 4) {
      const c0 = text.charCodeAt(i);
      const c1 = text.charCodeAt(i + 1);
      const c2 = text.charCodeAt(i + 2);
      const c3 = text.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) > 0x7f) throw invalid('non-ASCII character');
      const a = SEXTETS[c0] as number;
      const b = SEXTETS[c1] as number;
      const c = SEXTETS[c2] as number;
      const d = SEXTETS[c3] as number;
      if ((a | b | c | d) > 63) throw invalid(`unexpected character near offset ${i - start}`);
      const v = (a << 18) | (b << 12) | (c << 6) | d;
      out[o++] = v >>> 16;
      out[o++] = (v >>> 8) & 0xff;
      out[o++] = v & 0xff;
    }
  } else {
    const encoded = (textEncoder ??= new TextEncoder()).encode(start === 0 ? text : text.slice(start));
    // Any non-ASCII character makes the UTF-8 longer than the text.
    if (encoded.length !== length) throw invalid('non-ASCII character');
    const quads = length - 4;
    for (let i = 0; i < quads; i += 4) {
      const a = SEXTETS[encoded[i] as number] as number;
      const b = SEXTETS[encoded[i + 1] as number] as number;
      const c = SEXTETS[encoded[i + 2] as number] as number;
      const d = SEXTETS[encoded[i + 3] as number] as number;
      if ((a | b | c | d) > 63) throw invalid(`unexpected character near offset ${i}`);
      const v = (a << 18) | (b << 12) | (c << 6) | d;
      out[o++] = v >>> 16;
      out[o++] = (v >>> 8) & 0xff;
      out[o++] = v & 0xff;
    }
  }

  // Last quad: up to two padding characters.
  const c0 = text.charCodeAt(lastQuad);
  const c1 = text.charCodeAt(lastQuad + 1);
  const c2 = text.charCodeAt(lastQuad + 2);
  const c3 = text.charCodeAt(lastQuad + 3);
  if ((c0 | c1 | c2 | c3) > 0x7f) throw invalid('non-ASCII character');
  const a = SEXTETS[c0] as number;
  const b = SEXTETS[c1] as number;
  const c = padding === 2 ? 0 : (SEXTETS[c2] as number);
  const d = padding >= 1 ? 0 : (SEXTETS[c3] as number);
  if ((a | b | c | d) > 63) throw invalid('unexpected character in the last group');
  const v = (a << 18) | (b << 12) | (c << 6) | d;
  out[o++] = v >>> 16;
  if (padding < 2) out[o++] = (v >>> 8) & 0xff;
  if (padding < 1) out[o] = v & 0xff;
  return out;
}
