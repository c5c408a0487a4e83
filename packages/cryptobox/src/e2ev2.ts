/**
 * `@wampbox/cryptobox/e2ev2`: E2E v2 (`x_e2ev2`), end-to-end payload encryption where reading and
 * writing are separate rights: signed group messages, session-keyed RPC, replay windows, key ids
 * with rotation, a key service over WAMP, trust stores (static, authority, trust on first use) and
 * key packages, in two carriages (the second crosses router links). docs/e2e-v2.md says what it
 * protects and how to set it up; docs/e2e-v2-wire.md and the vectors file give the wire format.
 *
 * A subpath of its own, so that the cryptobox browser bundles do not carry it.
 * @packageDocumentation
 */
export { e2eV2 } from './e2ev2/codec.js';
export type {
  E2eV2Codec,
  E2eV2CalleeScopeOption,
  E2eV2GroupKeyOption,
  E2eV2IdentityInput,
  E2eV2Options,
  E2eV2RouteOption,
} from './e2ev2/codec.js';
export { E2eV2Error, UNKNOWN_KEY_URI } from './e2ev2/errors.js';
export type { E2eReason } from './e2ev2/errors.js';
export type { TrustGrant, TrustRole } from './e2ev2/trust-store.js';
export { TrustStore } from './e2ev2/trust-store.js';
export type { GroupKeyInput } from './e2ev2/group-keys.js';
export type { E2eV2KeyInfo, RotateOptions } from './e2ev2/key-holder.js';
export type { KeyFetchOptions } from './e2ev2/key-fetch.js';
export { KEY_SERVICE_ERRORS, serveGroupKeys } from './e2ev2/key-service.js';
export type { KeyRequest, KeyRequestEvent, KeyServiceOptions } from './e2ev2/key-service.js';
export { certifyKeyPackage, makeKeyPackage, verifyKeyPackage } from './e2ev2/key-package.js';
export type { KeyPackage, KeyPackageGrant, VerifiedKeyPackage } from './e2ev2/key-package.js';
export { decodeKeyRecord, encodeKeyRecord, makeKeyBundle, openKeyBundle } from './e2ev2/key-record.js';
export type { KeyBundleEntry } from './e2ev2/key-record.js';
export { AuthorityTrustStore, TofuTrustStore } from './e2ev2/trust-modes.js';
export type { TofuMismatch, TofuScope } from './e2ev2/trust-modes.js';
export type { SenderClaims } from './e2ev2/trust-store.js';
export { keyPackageFromJson } from './cli-e2e.js';
export type { Carriage } from './e2ev2/envelope.js';
export { scrambled } from './e2ev2/scrambled-api.js';
export type { ScrambledApi } from './e2ev2/scrambled-api.js';
export type { E2eV2ScrambleOption } from './e2ev2/codec-options.js';
export type { ScrambleMode } from './e2ev2/scramble.js';
