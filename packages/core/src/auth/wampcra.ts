/**
 * WAMP-CRA: challenge-response with a shared secret. The router sends a challenge string; the
 * client answers with `base64(HMAC-SHA256(key, challenge))`. The key is the secret itself, or,
 * when the router stores salted secrets (the CHALLENGE then carries `salt`, `iterations` and
 * `keylen`), the base64 text of `PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen)`: the
 * derived key is used in its base64 form, exactly as Autobahn and Crossbar.io compute it.
 *
 * Built on WebCrypto (`globalThis.crypto.subtle`), available in Node 20+ and in browsers on
 * secure origins (https or localhost).
 */
import { InvalidArgumentError } from '../errors.js';
import type { Dict } from '../protocol/messages.js';
import { encodeBase64 } from '../wire/serializers/base64.js';
import type { Authenticator } from './authenticator.js';

/** PBKDF2 iterations when a salted CHALLENGE names none (the WAMP-CRA default). */
export const WAMPCRA_DEFAULT_ITERATIONS = 1000;
/** Derived key length in bytes when a salted CHALLENGE names none (the WAMP-CRA default). */
export const WAMPCRA_DEFAULT_KEYLEN = 32;

/** Longest derived key accepted, in bytes (a guard against absurd router-supplied parameters). */
const MAX_KEYLEN = 1024;

/** Options of {@link wampcra}. */
export interface WampcraOptions {
  /** The authentication id to announce in HELLO (the router looks the secret up by it). */
  authid?: string | undefined;
}

let encoder: TextEncoder | undefined;
function utf8(s: string): Uint8Array<ArrayBuffer> {
  encoder ??= new TextEncoder();
  return encoder.encode(s);
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (s === undefined) {
    throw new InvalidArgumentError(
      'WAMP-CRA needs WebCrypto (globalThis.crypto.subtle); browsers offer it on secure origins only',
      {
        code: 'ERR_FEATURE_UNSUPPORTED',
      },
    );
  }
  return s;
}

function bytesOf(v: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof v === 'string' ? utf8(v) : new Uint8Array(v);
}

function checkCount(v: unknown, what: string, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new InvalidArgumentError(`${what} must be an integer from 1 to ${max}`);
  }
  return v;
}

/**
 * Derive a salted WAMP-CRA key: `base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen))`.
 * Strings are taken as UTF-8. The result is the key in its base64 form, which is what
 * {@link computeWampcraSignature} takes (matching Autobahn's `derive_key`).
 *
 * @param secret - the user's secret.
 * @param salt - the salt from the CHALLENGE (`extra.salt`).
 * @param iterations - PBKDF2 iterations (`extra.iterations`). Default 1000.
 * @param keylen - derived key length in bytes (`extra.keylen`). Default 32.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a non-string secret or salt, or
 *   iterations/keylen that are not positive integers; `ERR_FEATURE_UNSUPPORTED` without WebCrypto.
 * @example
 * ```ts
 * const key = await deriveWampcraKey('secret', 'salt123', 100, 32);
 * const signature = await computeWampcraSignature(key, challengeString);
 * ```
 */
export async function deriveWampcraKey(
  secret: string | Uint8Array,
  salt: string | Uint8Array,
  iterations: number = WAMPCRA_DEFAULT_ITERATIONS,
  keylen: number = WAMPCRA_DEFAULT_KEYLEN,
): Promise<string> {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array))
    throw new InvalidArgumentError('secret must be a string or bytes');
  if (typeof salt !== 'string' && !(salt instanceof Uint8Array))
    throw new InvalidArgumentError('salt must be a string or bytes');
  checkCount(iterations, 'iterations', Number.MAX_SAFE_INTEGER);
  checkCount(keylen, 'keylen', MAX_KEYLEN);
  const s = subtle();
  const base = await s.importKey('raw', bytesOf(secret), 'PBKDF2', false, ['deriveBits']);
  const bits = await s.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bytesOf(salt), iterations },
    base,
    keylen * 8,
  );
  return encodeBase64(new Uint8Array(bits));
}

/**
 * Compute a WAMP-CRA signature: `base64(HMAC-SHA256(key, challenge))`, strings taken as UTF-8
 * (matching Autobahn's `compute_wcs`). `key` is the secret itself, or the base64 text returned by
 * {@link deriveWampcraKey} for salted secrets.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a non-string challenge or a key that
 *   is neither a string nor bytes; `ERR_FEATURE_UNSUPPORTED` without WebCrypto.
 * @example
 * ```ts
 * const signature = await computeWampcraSignature('wampcra-secret', String(extra['challenge']));
 * ```
 */
export async function computeWampcraSignature(key: string | Uint8Array, challenge: string): Promise<string> {
  if (typeof key !== 'string' && !(key instanceof Uint8Array))
    throw new InvalidArgumentError('key must be a string or bytes');
  if (typeof challenge !== 'string') throw new InvalidArgumentError('challenge must be a string');
  const s = subtle();
  const k = await s.importKey('raw', bytesOf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await s.sign('HMAC', k, utf8(challenge));
  return encodeBase64(new Uint8Array(mac));
}

/**
 * Answer a WAMP-CRA CHALLENGE: derive the key when `extra` carries a salt, then sign
 * `extra.challenge`.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `extra` lacks a string `challenge` or
 *   carries invalid salting parameters.
 */
async function answer(secret: string, extra: Dict): Promise<string> {
  const challenge = extra['challenge'];
  if (typeof challenge !== 'string') throw new InvalidArgumentError('the WAMP-CRA challenge has no challenge string');
  const salt = extra['salt'];
  if (salt === undefined || salt === null) return computeWampcraSignature(secret, challenge);
  if (typeof salt !== 'string')
    throw new InvalidArgumentError('the WAMP-CRA challenge has a salt that is not a string');
  const iterations = extra['iterations'] ?? WAMPCRA_DEFAULT_ITERATIONS;
  const keylen = extra['keylen'] ?? WAMPCRA_DEFAULT_KEYLEN;
  const key = await deriveWampcraKey(secret, salt, iterations as number, keylen as number);
  return computeWampcraSignature(key, challenge);
}

/**
 * The `wampcra` authentication method (WAMP Challenge-Response Authentication). The secret never
 * leaves the client; only an HMAC of the router's challenge does. Salted secrets are handled
 * automatically from the CHALLENGE's `salt`, `iterations` and `keylen`.
 *
 * @param secret - the shared secret (for salted principals, the plain secret, not a derived key).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `secret` or `authid` is not a string.
 * @example
 * ```ts
 * const session = await connect({
 *   url: 'wss://example.com/ws',
 *   realm: 'realm1',
 *   auth: wampcra('wampcra-secret', { authid: 'wampcra-user' }),
 * });
 * ```
 */
export function wampcra(secret: string, options: WampcraOptions = {}): Authenticator {
  if (typeof secret !== 'string') throw new InvalidArgumentError('secret must be a string');
  if (options.authid !== undefined && typeof options.authid !== 'string')
    throw new InvalidArgumentError('authid must be a string');
  return {
    method: 'wampcra',
    authid: options.authid,
    challenge: (extra) => answer(secret, extra),
  };
}
