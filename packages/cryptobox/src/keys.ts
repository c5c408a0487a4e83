/**
 * X25519 key material: parsing the forms users configure (standard base64 as Autobahn|Python
 * takes it, 64-character hex, raw bytes) and making new key pairs.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { decodeBase64, encodeBase64 } from '@wampbox/core';
import { boxKeypair, KEY_BYTES, scalarmultBase, sodiumReady } from './sodium.js';

/**
 * A 32-byte X25519 key: standard base64 (with or without padding, as Autobahn|Python's
 * `Key(...)` takes it), 64 hex digits, or the raw bytes. Surrounding whitespace is ignored.
 */
export type KeyInput = string | Uint8Array;

/** A new X25519 key pair, as bytes and in the two text forms. */
export interface KeyPair {
  /** The public key (32 bytes): hand it to the other side. */
  readonly publicKey: Uint8Array;
  /** The secret key (32 bytes): keep it. */
  readonly secretKey: Uint8Array;
  /** {@link KeyPair.publicKey} as standard base64. */
  readonly publicKeyBase64: string;
  /** {@link KeyPair.secretKey} as standard base64. */
  readonly secretKeyBase64: string;
  /** {@link KeyPair.publicKey} as lowercase hex. */
  readonly publicKeyHex: string;
  /** {@link KeyPair.secretKey} as lowercase hex. */
  readonly secretKeyHex: string;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * Parse a key into a fresh 32-byte array (never the caller's array, so later changes to the
 * input do not affect the key ring).
 *
 * @param input - base64, hex, or bytes.
 * @param what - how to name the key in the error message (never includes the key itself).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the input is not a 32-byte key.
 *
 * @example
 * ```ts
 * parseKey('AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA='); // Uint8Array(32)
 * ```
 */
export function parseKey(input: KeyInput, what = 'key'): Uint8Array {
  if (input instanceof Uint8Array) {
    if (input.length !== KEY_BYTES) {
      throw new InvalidArgumentError(`${what} must be ${KEY_BYTES} bytes, got ${input.length}`);
    }
    return input.slice();
  }
  if (typeof input !== 'string') {
    throw new InvalidArgumentError(`${what} must be a base64 or hex string or a Uint8Array`);
  }
  const text = input.trim();
  if (HEX_KEY.test(text)) return hexDecode(text);
  const bytes = decodeKeyBase64(text);
  if (bytes === undefined) {
    throw new InvalidArgumentError(`${what} is neither 64 hex digits nor standard base64`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new InvalidArgumentError(`${what} must decode to ${KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/**
 * Make a new X25519 key pair (`crypto_box_keypair`), the kind Autobahn|Python's
 * `KeyRing.generate_key()` makes.
 *
 * @example
 * ```ts
 * const { secretKeyBase64, publicKeyBase64 } = await generateKeyPair();
 * ```
 */
export async function generateKeyPair(): Promise<KeyPair> {
  await sodiumReady();
  const { publicKey, secretKey } = boxKeypair();
  return {
    publicKey,
    secretKey,
    publicKeyBase64: encodeBase64(publicKey),
    secretKeyBase64: encodeBase64(secretKey),
    publicKeyHex: hexEncode(publicKey),
    secretKeyHex: hexEncode(secretKey),
  };
}

/**
 * The X25519 public key that belongs to a secret key (`crypto_scalarmult_base`).
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `secretKey` is not a 32-byte key.
 *
 * @example
 * ```ts
 * const pub = await publicKeyFromSecret(secretKeyBase64);
 * ```
 */
export async function publicKeyFromSecret(secretKey: KeyInput): Promise<Uint8Array> {
  const sk = parseKey(secretKey, 'secret key');
  await sodiumReady();
  return scalarmultBase(sk);
}

/** Lowercase hex of bytes. */
export function hexEncode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

/** The bytes of an even number of hex digits (either case; the caller checks the digits). */
export function hexDecode(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Standard base64 with optional padding, or `undefined` when malformed. */
function decodeKeyBase64(text: string): Uint8Array | undefined {
  try {
    return decodeBase64(text.length % 4 === 0 ? text : text + '='.repeat(4 - (text.length % 4)));
  } catch {
    return undefined;
  }
}
