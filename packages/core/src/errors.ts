/**
 * The error family. Every error thrown or rejected by wampbox is a {@link WampboxError}
 * with a stable string `code`; `docs/errors.md` has a heading for each code.
 */

/** Stable error codes. */
export type ErrorCode =
  | 'ERR_APPLICATION'
  | 'ERR_PROTOCOL_VIOLATION'
  | 'ERR_SESSION_CLOSED'
  | 'ERR_CONNECTION_LOST'
  | 'ERR_TRANSPORT'
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_BACKPRESSURE'
  | 'ERR_SERIALIZATION'
  | 'ERR_NO_SERIALIZER'
  | 'ERR_JOIN_REFUSED'
  | 'ERR_AUTHENTICATION'
  | 'ERR_TIMEOUT'
  | 'ERR_CANCELED'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_FEATURE_UNSUPPORTED'
  | 'ERR_PAYLOAD_CODEC'
  | 'ERR_PAYLOAD_DECRYPT'
  | 'ERR_PAYLOAD_URI_MISMATCH'
  | 'ERR_PAYLOAD_PLAINTEXT_REFUSED'
  | 'ERR_PAYLOAD_NO_KEY'
  | 'ERR_PAYLOAD_UNSUPPORTED';

/** Options accepted by every wampbox error constructor. */
export interface WampboxErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every wampbox error. */
export class WampboxError extends Error {
  /** Stable, documented error code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: WampboxErrorOptions) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A WAMP ERROR from a peer (or one to send to a peer): `uri` plus optional payload.
 * Throw it from a procedure handler to answer with that error.
 *
 * @example
 * ```ts
 * await session.register('com.example.div', (inv) => {
 *   if (inv.args[1] === 0) throw new ApplicationError('com.example.error.div_by_zero', ['cannot divide by zero']);
 *   return inv.args[0] / inv.args[1];
 * });
 * ```
 */
export class ApplicationError extends WampboxError {
  /** The error URI, e.g. `wamp.error.no_such_procedure`. */
  readonly uri: string;
  /** Positional payload of the error. */
  readonly args: unknown[];
  /** Keyword payload of the error. */
  readonly kwargs: Record<string, unknown>;
  /** Details dictionary of the ERROR message. */
  readonly details: Record<string, unknown>;

  constructor(
    uri: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    details: Record<string, unknown> = {},
    options?: WampboxErrorOptions,
  ) {
    const first = args.length > 0 && typeof args[0] === 'string' ? `: ${args[0]}` : '';
    super('ERR_APPLICATION', `${uri}${first}`, options);
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
    this.details = details;
  }
}

/** The router (or a local check) found a WAMP protocol violation; the session is aborted. */
export class ProtocolError extends WampboxError {
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_PROTOCOL_VIOLATION', message, options);
  }
}

/**
 * The session ended (GOODBYE, ABORT, or the transport closed) while an operation was pending,
 * or an operation was attempted on a closed session.
 */
export class SessionClosedError extends WampboxError {
  /** The WAMP reason URI the session closed with, e.g. `wamp.close.normal`. */
  readonly reason: string;

  constructor(reason: string, message?: string, options?: WampboxErrorOptions & { code?: 'ERR_SESSION_CLOSED' | 'ERR_CONNECTION_LOST' }) {
    super(options?.code ?? 'ERR_SESSION_CLOSED', message ?? `session closed: ${reason}`, options);
    this.reason = reason;
  }
}

/** The transport failed to connect, failed while open, or refused a frame. */
export class TransportError extends WampboxError {
  constructor(message: string, options?: WampboxErrorOptions & { code?: 'ERR_TRANSPORT' | 'ERR_FRAME_TOO_LARGE' | 'ERR_NO_SERIALIZER' | 'ERR_BACKPRESSURE' }) {
    super(options?.code ?? 'ERR_TRANSPORT', message, options);
  }
}

/** A frame could not be encoded or decoded by the serializer. */
export class SerializationError extends WampboxError {
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_SERIALIZATION', message, options);
  }
}

/** The router refused to open the session (ABORT in reply to HELLO or AUTHENTICATE). */
export class JoinRefusedError extends WampboxError {
  /** The ABORT reason URI, e.g. `wamp.error.no_such_realm` or `wamp.error.not_authorized`. */
  readonly reason: string;
  /** The ABORT details (usually carries `message`). */
  readonly details: Record<string, unknown>;

  constructor(reason: string, details: Record<string, unknown> = {}, options?: WampboxErrorOptions & { code?: 'ERR_JOIN_REFUSED' | 'ERR_AUTHENTICATION' }) {
    const msg = typeof details['message'] === 'string' ? `: ${details['message']}` : '';
    super(options?.code ?? 'ERR_JOIN_REFUSED', `join refused (${reason})${msg}`, options);
    this.reason = reason;
    this.details = details;
  }
}

/** A local deadline (`timeoutMs`) passed before the operation completed. */
export class TimeoutError extends WampboxError {
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_TIMEOUT', message, options);
  }
}

/** The operation was canceled through its `AbortSignal`. */
export class CanceledError extends WampboxError {
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_CANCELED', message, options);
  }
}

/** An argument passed to the API is invalid (bad URI, bad option, wrong type). */
export class InvalidArgumentError extends WampboxError {
  constructor(message: string, options?: WampboxErrorOptions & { code?: 'ERR_INVALID_ARGUMENT' | 'ERR_FEATURE_UNSUPPORTED' }) {
    super(options?.code ?? 'ERR_INVALID_ARGUMENT', message, options);
  }
}

/** Codes a {@link PayloadCodecError} can carry. */
export type PayloadErrorCode =
  | 'ERR_PAYLOAD_CODEC'
  | 'ERR_PAYLOAD_DECRYPT'
  | 'ERR_PAYLOAD_URI_MISMATCH'
  | 'ERR_PAYLOAD_PLAINTEXT_REFUSED'
  | 'ERR_PAYLOAD_NO_KEY'
  | 'ERR_PAYLOAD_UNSUPPORTED';

/**
 * A payload codec refused to encode or decode a payload (tampered or undecryptable ciphertext,
 * inner-URI mismatch, plaintext on a URI that requires encryption, unknown scheme).
 * Never carries payload contents or key material.
 */
export class PayloadCodecError extends WampboxError {
  /** The WAMP error URI this failure maps to when answering a peer. */
  readonly uri: string;

  constructor(code: PayloadErrorCode, uri: string, message: string, options?: WampboxErrorOptions) {
    super(code, message, options);
    this.uri = uri;
  }
}

/** WAMP error URIs for payload codec failures (as Autobahn uses them). */
export const PAYLOAD_ERROR_URIS = {
  /** The payload could not be opened (tampered, truncated, wrong key) or was invalid inside. */
  decrypt: 'wamp.error.encryption.decrypt_error',
  /** The URI sealed inside the payload differs from the one it arrived on. */
  uriMismatch: 'wamp.error.encryption.trusted_uri_mismatch',
  /** No codec for the payload's scheme. */
  noCodec: 'wamp.error.no_payload_codec',
  /** Strict mode refused plaintext on a keyed URI. */
  plaintextRefused: 'wamp.error.encryption.plaintext_refused',
  /** No key for the URI (for this side's role). */
  noKey: 'wamp.error.encryption.no_key',
  /** Scheme attributes and payload disagree, or the payload could not be serialized. */
  codec: 'wamp.error.payload_codec',
} as const;
