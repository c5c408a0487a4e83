/**
 * `@wampbox/cryptobox`: end-to-end payload encryption for WAMP, interoperable with
 * Autobahn|Python's cryptobox through Crossbar.io, as a wampbox `PayloadCodec`.
 *
 * @packageDocumentation
 */
export { cryptobox, CRYPTOBOX_SCHEME, CRYPTOBOX_SERIALIZER } from './codec.js';
export type { CryptoboxOptions } from './codec.js';
export { KeyEntry, KeyRing } from './key-ring.js';
export type { BoxRole, KeyEntryInput } from './key-ring.js';
export { generateKeyPair, parseKey, publicKeyFromSecret } from './keys.js';
export type { KeyInput, KeyPair } from './keys.js';
export {
  CRYPTOSIGN_CHALLENGE_BYTES,
  CRYPTOSIGN_SEED_BYTES,
  cryptosign,
  cryptosignKeyPair,
  signCryptosignChallenge,
} from './cryptosign.js';
export type { CryptosignKeyPair, CryptosignOptions } from './cryptosign.js';
export { sodiumBackend } from './sodium.js';
export type { SodiumBackendInfo } from './sodium.js';
