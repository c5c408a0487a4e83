/**
 * WAMP-Cryptosign: public-key authentication with Ed25519. The client announces its public key in
 * HELLO (`authextra.pubkey`); the router sends 32 random bytes; the client signs them and answers
 * with `hex(signature (64 bytes) || signed message (32 bytes))`, 192 hex digits, the format
 * Autobahn and Crossbar.io use.
 *
 * TLS channel binding (`tls-unique`, where the signed message is the challenge XORed with the TLS
 * channel id) is not supported: no wampbox transport exposes the TLS channel id, and the binding
 * type is undefined for TLS 1.3. {@link signCryptosignChallenge} takes a channel id for callers that
 * have one.
 */
import { InvalidArgumentError } from '@wampbox/core';
import type { Authenticator, Dict } from '@wampbox/core';
import { hexDecode as hexBytes, hexEncode } from './keys.js';
import { isSodiumReady, signDetached, signSeedKeypair, sodiumReady } from './sodium.js';

/** Bytes in an Ed25519 seed (the private key as Autobahn and Crossbar.io store it). */
export const CRYPTOSIGN_SEED_BYTES = 32;
/** Bytes in a cryptosign challenge (and in a TLS channel id). */
export const CRYPTOSIGN_CHALLENGE_BYTES = 32;

/** Options of {@link cryptosign}. */
export interface CryptosignOptions {
  /**
   * The authentication id to announce in HELLO. Optional with Crossbar.io's static principals:
   * the router then finds the principal by the public key.
   */
  authid?: string | undefined;
  /**
   * TLS channel binding. Not supported (no wampbox transport exposes the TLS channel id):
   * setting it throws `ERR_INVALID_ARGUMENT`.
   */
  channelBinding?: 'tls-unique' | undefined;
}

/** An Ed25519 key pair made from a seed. */
export interface CryptosignKeyPair {
  /** The public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The public key as lowercase hex (what `authextra.pubkey` and Crossbar's `authorized_keys` hold). */
  readonly publicKeyHex: string;
  /** The libsodium secret key (64 bytes: seed followed by public key). */
  readonly secretKey: Uint8Array;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function hexDecode(text: string, what: string, bytes: number): Uint8Array {
  if (text.length !== bytes * 2 || !HEX.test(text))
    throw new InvalidArgumentError(`${what} must be ${bytes * 2} hex digits`);
  return hexBytes(text);
}

/** A fresh copy of a 32-byte seed given as 64 hex digits or bytes. */
function parseSeed(seed: string | Uint8Array): Uint8Array {
  if (seed instanceof Uint8Array) {
    if (seed.length !== CRYPTOSIGN_SEED_BYTES)
      throw new InvalidArgumentError(`the cryptosign seed must be ${CRYPTOSIGN_SEED_BYTES} bytes, got ${seed.length}`);
    return seed.slice();
  }
  if (typeof seed !== 'string')
    throw new InvalidArgumentError('the cryptosign seed must be a hex string or a Uint8Array');
  return hexDecode(seed.trim(), 'the cryptosign seed', CRYPTOSIGN_SEED_BYTES);
}

/**
 * The Ed25519 key pair of a 32-byte seed (`crypto_sign_seed_keypair`).
 *
 * @param seed - 64 hex digits or 32 bytes.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `seed` is not a 32-byte seed.
 * @example
 * ```ts
 * const { publicKeyHex } = await cryptosignKeyPair(seedHex);
 * // put publicKeyHex in the router's authorized_keys
 * ```
 */
export async function cryptosignKeyPair(seed: string | Uint8Array): Promise<CryptosignKeyPair> {
  const s = parseSeed(seed);
  await sodiumReady();
  return keyPairOf(s);
}

function keyPairOf(seed: Uint8Array): CryptosignKeyPair {
  const kp = signSeedKeypair(seed);
  return { publicKey: kp.publicKey, publicKeyHex: hexEncode(kp.publicKey), secretKey: kp.secretKey };
}

/**
 * Sign a cryptosign challenge: returns `hex(Ed25519 signature || message)` where the message is
 * the 32-byte challenge, XORed with `channelId` when one is given (`tls-unique` binding).
 *
 * @param secretKey - a 32-byte seed (hex or bytes) or a 64-byte libsodium secret key.
 * @param challengeHex - the router's `extra.challenge` (64 hex digits).
 * @param channelId - the 32-byte TLS channel id, only with channel binding.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a malformed key, challenge or channel id.
 * @example
 * ```ts
 * const signature = await signCryptosignChallenge(seedHex, String(extra['challenge'])); // 192 hex digits
 * ```
 */
export async function signCryptosignChallenge(
  secretKey: string | Uint8Array,
  challengeHex: string,
  channelId?: Uint8Array,
): Promise<string> {
  const sk = secretKey instanceof Uint8Array && secretKey.length === 64 ? secretKey : parseSeed(secretKey);
  const message = challengeMessage(challengeHex, channelId);
  await sodiumReady();
  const full = sk.length === 64 ? sk : keyPairOf(sk).secretKey;
  return signMessage(full, message);
}

function challengeMessage(challengeHex: unknown, channelId: Uint8Array | undefined): Uint8Array {
  if (typeof challengeHex !== 'string') throw new InvalidArgumentError('the cryptosign challenge must be a hex string');
  const challenge = hexDecode(challengeHex, 'the cryptosign challenge', CRYPTOSIGN_CHALLENGE_BYTES);
  if (channelId === undefined) return challenge;
  if (!(channelId instanceof Uint8Array) || channelId.length !== CRYPTOSIGN_CHALLENGE_BYTES) {
    throw new InvalidArgumentError(`the channel id must be ${CRYPTOSIGN_CHALLENGE_BYTES} bytes`);
  }
  for (let i = 0; i < challenge.length; i++) challenge[i] = challenge[i]! ^ channelId[i]!;
  return challenge;
}

function signMessage(secretKey: Uint8Array, message: Uint8Array): string {
  const signature = signDetached(message, secretKey);
  return hexEncode(signature) + hexEncode(message);
}

/**
 * The `cryptosign` authentication method (WAMP-Cryptosign, Ed25519). The private key never leaves
 * the client: HELLO carries `authextra.pubkey` (the hex public key) and the answer to the
 * CHALLENGE is a signature of the router's random challenge.
 *
 * The public key is derived when connecting (libsodium initializes asynchronously), so
 * `authextra` is available once `prepare()` resolved; `connect()` takes care of that.
 *
 * @param seed - the Ed25519 private key as a 32-byte seed: 64 hex digits (Autobahn's
 *   `private_seed_hex`, Crossbar's key files) or 32 bytes. It is copied.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `seed` is not a 32-byte seed, `authid`
 *   is not a string, or `channelBinding` is set (not supported).
 * @example
 * ```ts
 * import { connect } from '@wampbox/wamp-client';
 * import { cryptosign } from '@wampbox/cryptobox';
 * const session = await connect({
 *   url: 'wss://example.com/ws',
 *   realm: 'realm1',
 *   auth: cryptosign(process.env.WAMP_PRIVATE_SEED_HEX!, { authid: 'cryptosign-user' }),
 * });
 * ```
 */
export function cryptosign(seed: string | Uint8Array, options: CryptosignOptions = {}): Authenticator {
  const s = parseSeed(seed);
  if (options.authid !== undefined && typeof options.authid !== 'string')
    throw new InvalidArgumentError('authid must be a string');
  if (options.channelBinding !== undefined) {
    throw new InvalidArgumentError(
      `cryptosign channel binding "${options.channelBinding}" is not supported: no wampbox transport exposes the TLS channel id`,
    );
  }
  let keys: CryptosignKeyPair | undefined;
  const keyPair = (): CryptosignKeyPair => (keys ??= keyPairOf(s));
  if (isSodiumReady()) keyPair();
  return {
    method: 'cryptosign',
    authid: options.authid,
    get authextra(): Dict | undefined {
      return keys === undefined ? undefined : { pubkey: keys.publicKeyHex };
    },
    async prepare(): Promise<void> {
      await sodiumReady();
      keyPair();
    },
    async challenge(extra: Dict): Promise<string> {
      const binding = extra['channel_binding'];
      if (binding !== undefined && binding !== null) {
        throw new InvalidArgumentError(
          `the router asked for cryptosign channel binding ${JSON.stringify(binding)}, which this client does not use`,
        );
      }
      const message = challengeMessage(extra['challenge'], undefined);
      await sodiumReady();
      return signMessage(keyPair().secretKey, message);
    },
  };
}
