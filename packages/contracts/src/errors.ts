/** The error a payload refused by its schema becomes. */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PayloadCodecError } from '@wampbox/core';
import { describePaths } from './paths.js';
import type { PayloadKind } from './schemas.js';

/** The WAMP error URI an INVOCATION refused by its schema is answered with (Crossbar's). */
export const INVALID_ARGUMENT_URI = 'wamp.error.invalid_argument';
/** The WAMP error URI a callee answers with when its own result fails outgoing validation. */
export const RUNTIME_ERROR_URI = 'wamp.error.runtime_error';

/** Which side's payload failed: one received, or one this side was about to send. */
export type ValidationDirection = 'inbound' | 'outbound';

/** What a {@link PayloadValidationError} is made from. */
export interface PayloadValidationInit {
  /** Which payload of the URI. */
  readonly kind: PayloadKind;
  /** The URI validated: topic or procedure. */
  readonly target: string;
  /** For `call_error`: the error URI. */
  readonly errorUri?: string | undefined;
  /** Where the schema found problems (`args[0]`, `kwargs.items[3].price`). */
  readonly paths: readonly string[];
  /** The schema library's issues (messages may quote the refused value). */
  readonly issues: readonly StandardSchemaV1.Issue[];
  /** Received or about to be sent. */
  readonly direction: ValidationDirection;
}

/**
 * A payload that opened (decrypted and authenticated, where its codec does that) but that its
 * schema refuses, or (outgoing validation) one this side was about to send. Code
 * `ERR_PAYLOAD_INVALID`; `uri` is what a callee answers a refused INVOCATION with,
 * `wamp.error.invalid_argument` (an outgoing refusal: `wamp.error.runtime_error`).
 *
 * The message and {@link PayloadValidationError.paths} name where the payload is wrong, never
 * what is in it; the schema library's issues are on {@link PayloadValidationError.issues}, which
 * is not enumerable (so printing or serializing the error leaves it out).
 *
 * @example
 * ```ts
 * session.on('error', (e) => {
 *   if (e instanceof PayloadValidationError) console.warn(e.kind, e.target, e.paths);
 * });
 * ```
 */
export class PayloadValidationError extends PayloadCodecError {
  override name = 'PayloadValidationError';
  /** Which payload of the URI failed. */
  declare readonly kind: PayloadKind;
  /** The topic or procedure. */
  declare readonly target: string;
  /** For `call_error`: the error URI whose payload failed. */
  declare readonly errorUri: string | undefined;
  /** Where the schema found problems, e.g. `args[0]`, `kwargs.items[3].price`. */
  declare readonly paths: readonly string[];
  /** Received (`inbound`) or about to be sent (`outbound`). */
  declare readonly direction: ValidationDirection;
  /**
   * The schema library's issues, for local diagnosis. Not enumerable: their messages may quote
   * the refused value, so wampbox never sends, logs or serializes them.
   */
  declare readonly issues: readonly StandardSchemaV1.Issue[];

  constructor(init: PayloadValidationInit) {
    const which = init.kind === 'call_error' ? `call_error (${init.errorUri ?? '?'})` : init.kind;
    const uri = init.direction === 'inbound' ? INVALID_ARGUMENT_URI : RUNTIME_ERROR_URI;
    const where = init.direction === 'inbound' ? 'received' : 'to send';
    const message = `invalid ${which} payload ${where} for ${init.target} at ${describePaths(init.paths)}`;
    super('ERR_PAYLOAD_INVALID', uri, message);
    this.kind = init.kind;
    this.target = init.target;
    this.errorUri = init.errorUri;
    this.paths = Object.freeze([...init.paths]);
    this.direction = init.direction;
    Object.defineProperty(this, 'issues', { value: init.issues, enumerable: false });
  }
}
