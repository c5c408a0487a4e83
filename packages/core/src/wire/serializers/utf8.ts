/**
 * UTF-8 for the binary codecs (internal). Short strings are converted in plain JavaScript, which
 * is faster than a call into `TextEncoder`/`TextDecoder` for the URIs, dictionary keys and short
 * values that make up most of a WAMP message; longer ones go through the platform.
 */
import { SerializationError } from '../../errors.js';

/** Strings up to this many UTF-16 units (encoding) or bytes (decoding) take the JavaScript path. */
const SHORT = 32;

/** Map keys up to this many bytes go through the key cache. */
const MAX_CACHED_KEY = 24;
/** Recently decoded ASCII map keys, by a hash of their bytes (a power of two in size). */
const keyCache: (string | undefined)[] = /* @__PURE__ */ new Array<string | undefined>(1024);

let textEncoder: TextEncoder | undefined;
let textDecoder: TextDecoder | undefined;

/**
 * Write `text` as UTF-8 into `buf` at `at` and return the number of bytes written. The caller
 * guarantees room for `3 * text.length` bytes. Lone surrogates become U+FFFD, as with `TextEncoder`.
 */
export function writeUtf8(buf: Uint8Array, at: number, text: string): number {
  const n = text.length;
  if (n > SHORT) return (textEncoder ??= new TextEncoder()).encodeInto(text, at === 0 ? buf : buf.subarray(at)).written;
  let p = at;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (next & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c & 0x3ff) << 10) + (next & 0x3ff);
          i++;
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - at;
}

/**
 * Read a map key: like {@link readUtf8}, but a short ASCII key that was seen before is returned as
 * the same string object, which saves the allocation and makes storing the property cheaper.
 */
export function readKey(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > MAX_CACHED_KEY) return readUtf8(buf, start, end);
  let hash = n;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + (buf[i] as number)) | 0;
  const slot = (hash ^ (hash >>> 10)) & (keyCache.length - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === n) return cached;
  }
  const key = readUtf8(buf, start, end);
  if (key.length === n) keyCache[slot] = key; // ASCII only
  return key;
}

/**
 * Read `buf[start..end)` as UTF-8.
 * @throws SerializationError (`ERR_SERIALIZATION`) when the bytes are not valid UTF-8.
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= SHORT) {
    const codes = new Array<number>(n);
    let ascii = 0;
    for (let i = 0; i < n; i++) ascii |= codes[i] = buf[start + i] as number;
    if (ascii < 0x80) return String.fromCharCode.apply(null, codes);
  }
  try {
    return (textDecoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })).decode(
      buf.subarray(start, end),
    );
  } catch (err) {
    throw new SerializationError('invalid UTF-8 in a text string', { cause: err });
  }
}
