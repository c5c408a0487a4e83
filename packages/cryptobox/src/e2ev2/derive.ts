/**
 * The derivations of E2E v2 (§b.2), all BLAKE2b: key ids that commit to their key (`KID`), ids of
 * X25519 recipient keys (`PKID`), per-call reply keys (`K_reply`), and `U(uri)`, the length-prefixed
 * URI bound into every AAD and signature input.
 */
import { genericHash } from '../sodium-v2.js';
import { CONTENT_KEY_BYTES, KID_BYTES, KID_CTX, PKID_CTX, REPLY_CTX, XID_BYTES } from './constants.js';
import { E2eV2Error } from './errors.js';

const utf8 = new TextEncoder();

/** `KID(K) = BLAKE2b-128(key = K, "wampbox/e2e/v2 kid")`: the id of a content key, which commits to it. */
export function keyId(key: Uint8Array): Uint8Array {
  return genericHash(KID_BYTES, KID_CTX, key);
}

/** `PKID(pk) = BLAKE2b-128("wampbox/e2e/v2 pkid\0" || pk)`: the id of an X25519 recipient key. */
export function publicKeyId(publicKey: Uint8Array): Uint8Array {
  return genericHash(KID_BYTES, concatBytes(PKID_CTX, publicKey));
}

/**
 * `K_reply(K_s, xid) = BLAKE2b-256(key = K_s, "wampbox/e2e/v2 reply" || xid)`: the key of the
 * answers to one call.
 */
export function replyKey(sessionKey: Uint8Array, xid: Uint8Array): Uint8Array {
  if (sessionKey.length !== CONTENT_KEY_BYTES || xid.length !== XID_BYTES) {
    throw new E2eV2Error('seal', 'a reply key needs a 32-byte session key and a 16-byte exchange id');
  }
  return genericHash(CONTENT_KEY_BYTES, concatBytes(REPLY_CTX, xid), sessionKey);
}

/**
 * `U(uri) = u16be(byte length) || UTF-8(uri)`.
 * The result may be shared between calls (short URIs are cached): never modify it.
 * @throws E2eV2Error `seal` when the URI is longer than 65535 bytes in UTF-8.
 */
export function encodeUri(uri: string): Uint8Array {
  if (uri.length > CACHED_URI_MAX) return encodeUriUncached(uri);
  let out = encodedUris.get(uri);
  if (out === undefined) {
    out = encodeUriUncached(uri);
    if (encodedUris.size >= ENCODED_URI_CACHE) encodedUris.clear();
    encodedUris.set(uri, out);
  }
  return out;
}

/** How many encoded URIs {@link encodeUri} keeps (a codec binds a few URIs over and over). */
const ENCODED_URI_CACHE = 256;
/** Longer URIs are encoded every time. */
const CACHED_URI_MAX = 512;
const encodedUris = new Map<string, Uint8Array>();

function encodeUriUncached(uri: string): Uint8Array {
  const body = utf8.encode(uri);
  if (body.length > 0xffff) throw new E2eV2Error('seal', 'a URI longer than 65535 bytes cannot be bound');
  const out = new Uint8Array(2 + body.length);
  out[0] = body.length >>> 8;
  out[1] = body.length & 0xff;
  out.set(body, 2);
  return out;
}

/** The bytes of `parts`, one after another. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The character codes of `0123456789abcdef`. */
const HEX_DIGIT = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Longest input {@link toHex} converts in one piece. */
const HEX_CHUNK = 1024;

/**
 * Lowercase hex of `bytes` (`enc_key` / `ppt_keyid` carry `hex(kid)`). Made from character codes
 * in one piece: a flat string, which a map hashes at once, where appending two digits at a time
 * makes a chain of pieces to join first (half the cost of looking a key id up by it).
 */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > HEX_CHUNK) {
    let s = '';
    for (let at = 0; at < n; at += HEX_CHUNK) s += toHex(bytes.subarray(at, Math.min(n, at + HEX_CHUNK)));
    return s;
  }
  const codes = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    codes[2 * i] = HEX_DIGIT[b >>> 4]!;
    codes[2 * i + 1] = HEX_DIGIT[b & 15]!;
  }
  return String.fromCharCode(...codes);
}

/** Whether `hex` is exactly the lowercase hex of `bytes` ({@link toHex}), without making it. */
export function hexEquals(hex: string, bytes: Uint8Array): boolean {
  if (hex.length !== 2 * bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (hex.charCodeAt(2 * i) !== HEX_DIGIT[b >>> 4] || hex.charCodeAt(2 * i + 1) !== HEX_DIGIT[b & 15]) return false;
  }
  return true;
}

/**
 * The hex of the byte string it was given last, kept: the ids of a steady stream (sender key,
 * stream id, key id) are converted once, and the same string comes back, whose hash the maps it is
 * looked up in have already computed. For public values only (the comparison takes variable time).
 */
export class HexCache {
  #bytes: Uint8Array = new Uint8Array(0);
  #hex = '';

  /** `toHex(bytes)`. */
  hex(bytes: Uint8Array): string {
    const last = this.#bytes;
    let same = last.length === bytes.length;
    for (let i = 0; same && i < bytes.length; i++) same = last[i] === bytes[i];
    if (!same) {
      this.#bytes = bytes.slice();
      this.#hex = toHex(bytes);
    }
    return this.#hex;
  }
}

/** Whether every byte of `bytes` is zero. */
export function isZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}
