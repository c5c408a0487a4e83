/**
 * E2E v2 refusals: one `PayloadCodecError` subclass whose `reason` is the identifier of the check
 * that failed (the identifiers of the interop implementation's README, so that tests compare them
 * with the known-answer vectors), with a stable `code` per family of reasons and the WAMP error URI
 * a callee answers an INVOCATION it refuses with.
 */
import { PAYLOAD_ERROR_URIS, PayloadCodecError } from '@wampbox/core';
import type { PayloadErrorCode } from '@wampbox/core';

/** What a callee answers when it does not hold the key a call names: the caller wraps its session key again. */
export const UNKNOWN_KEY_URI = 'wamp.error.encryption.unknown_key';

/**
 * Why E2E v2 refused a payload, in the order the receiver checks (envelope, parse, binding,
 * signature, freshness, replay, key, decryption, inner URI), why key material was refused
 * (`keypkg`: a key package, key record or key reply that is malformed, badly signed or expired;
 * `tofu-mismatch`: another key for a pinned identity), or why a payload could not be sealed (`seal`).
 */
export type E2eReason =
  | 'downgrade'
  | 'exchange'
  | 'envelope'
  | 'malformed'
  | 'magic'
  | 'suite'
  | 'reserved'
  | 'unsigned'
  | 'flags'
  | 'header'
  | 'type'
  | 'serializer'
  | 'progress'
  | 'key-id'
  | 'sender'
  | 'signature'
  | 'stale'
  | 'replay'
  | 'unknown_key'
  | 'key-expired'
  | 'wrong-recipient'
  | 'key-commitment'
  | 'decrypt'
  | 'padding'
  | 'plaintext'
  | 'uri'
  | 'keypkg'
  | 'tofu-mismatch'
  | 'seal';

const CODES: Readonly<Record<E2eReason, PayloadErrorCode>> = {
  downgrade: 'ERR_PAYLOAD_PLAINTEXT_REFUSED',
  exchange: 'ERR_PAYLOAD_REPLAY',
  envelope: 'ERR_PAYLOAD_CODEC',
  malformed: 'ERR_PAYLOAD_DECRYPT',
  magic: 'ERR_PAYLOAD_DECRYPT',
  suite: 'ERR_PAYLOAD_UNSUPPORTED',
  reserved: 'ERR_PAYLOAD_DECRYPT',
  unsigned: 'ERR_PAYLOAD_NOT_AUTHENTIC',
  flags: 'ERR_PAYLOAD_DECRYPT',
  header: 'ERR_PAYLOAD_DECRYPT',
  type: 'ERR_PAYLOAD_DECRYPT',
  serializer: 'ERR_PAYLOAD_DECRYPT',
  progress: 'ERR_PAYLOAD_DECRYPT',
  'key-id': 'ERR_PAYLOAD_DECRYPT',
  sender: 'ERR_PAYLOAD_NOT_AUTHENTIC',
  signature: 'ERR_PAYLOAD_NOT_AUTHENTIC',
  stale: 'ERR_PAYLOAD_REPLAY',
  replay: 'ERR_PAYLOAD_REPLAY',
  unknown_key: 'ERR_PAYLOAD_UNKNOWN_KEY',
  'key-expired': 'ERR_PAYLOAD_UNKNOWN_KEY',
  'wrong-recipient': 'ERR_PAYLOAD_DECRYPT',
  'key-commitment': 'ERR_PAYLOAD_DECRYPT',
  decrypt: 'ERR_PAYLOAD_DECRYPT',
  padding: 'ERR_PAYLOAD_DECRYPT',
  plaintext: 'ERR_PAYLOAD_DECRYPT',
  uri: 'ERR_PAYLOAD_URI_MISMATCH',
  keypkg: 'ERR_PAYLOAD_NOT_AUTHENTIC',
  'tofu-mismatch': 'ERR_PAYLOAD_NOT_AUTHENTIC',
  seal: 'ERR_PAYLOAD_CODEC',
};

/**
 * A payload E2E v2 refused to open (or could not seal). Never carries payload contents or keys.
 *
 * `code` is the family (`ERR_PAYLOAD_DECRYPT`, `ERR_PAYLOAD_NOT_AUTHENTIC`, `ERR_PAYLOAD_REPLAY`,
 * `ERR_PAYLOAD_UNKNOWN_KEY`, ...), `reason` the exact check, and `uri` what a callee answers the
 * caller: `wamp.error.encryption.unknown_key` for `unknown_key` (the caller then wraps its session
 * key again), `wamp.error.payload_codec` for `seal` (a local failure), else
 * `wamp.error.encryption.decrypt_error`, as the interop peer answers.
 */
export class E2eV2Error extends PayloadCodecError {
  override name = 'E2eV2Error';
  /** The check that failed. */
  declare readonly reason: E2eReason;
  /** With `unknown_key` and `key-expired`: the key id the payload names (16 bytes), for fetching it. */
  declare readonly kid: Uint8Array | undefined;

  constructor(reason: E2eReason, message: string, options?: { cause?: unknown; kid?: Uint8Array }) {
    super(CODES[reason], uriOf(reason), `${reason}: ${message}`, options);
    this.reason = reason;
    this.kid = options?.kid;
  }
}

function uriOf(reason: E2eReason): string {
  if (reason === 'unknown_key') return UNKNOWN_KEY_URI;
  if (reason === 'seal') return PAYLOAD_ERROR_URIS.codec;
  return PAYLOAD_ERROR_URIS.decrypt;
}
