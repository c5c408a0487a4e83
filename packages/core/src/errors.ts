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
  | 'ERR_SLOW_CONSUMER'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_FEATURE_UNSUPPORTED'
  | 'ERR_UNEXPECTED_RESULT'
  | 'ERR_PAYLOAD_CODEC'
  | 'ERR_PAYLOAD_DECRYPT'
  | 'ERR_PAYLOAD_URI_MISMATCH'
  | 'ERR_PAYLOAD_PLAINTEXT_REFUSED'
  | 'ERR_PAYLOAD_NO_KEY'
  | 'ERR_PAYLOAD_UNSUPPORTED'
  | 'ERR_PAYLOAD_NOT_AUTHENTIC'
  | 'ERR_PAYLOAD_REPLAY'
  | 'ERR_PAYLOAD_UNKNOWN_KEY'
  | 'ERR_PAYLOAD_INVALID';

/** Options accepted by every wampbox error constructor. */
export interface WampboxErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every wampbox error. */
export class WampboxError extends Error {
  // each class writes its name out: minifiers rename classes, so `new.target.name` would not
  // survive a bundle
  override name = 'WampboxError';
  /** Stable, documented error code. */
  declare readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: WampboxErrorOptions) {
    super(message, options && options.cause !== undefined ? { cause: options.cause } : undefined);
    // a subclass with several codes passes its options through: their `code` replaces its default
    this.code = (options && (options as { code?: ErrorCode }).code) || code;
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
  override name = 'ApplicationError';
  /** The error URI, e.g. `wamp.error.no_such_procedure`. */
  declare readonly uri: string;
  /** Positional payload of the error. */
  declare readonly args: unknown[];
  /** Keyword payload of the error. */
  declare readonly kwargs: Record<string, unknown>;
  /** Details dictionary of the ERROR message. */
  declare readonly details: Record<string, unknown>;

  constructor(
    uri: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    details: Record<string, unknown> = {},
    options?: WampboxErrorOptions,
  ) {
    super('ERR_APPLICATION', typeof args[0] === 'string' ? `${uri}: ${args[0]}` : uri, options);
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
    this.details = details;
  }
}

/** The router (or a local check) found a WAMP protocol violation; the session is aborted. */
export class ProtocolError extends WampboxError {
  override name = 'ProtocolError';
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_PROTOCOL_VIOLATION', message, options);
  }
}

/**
 * The session ended (GOODBYE, ABORT, or the transport closed) while an operation was pending,
 * or an operation was attempted on a closed session.
 */
export class SessionClosedError extends WampboxError {
  override name = 'SessionClosedError';
  /** The WAMP reason URI the session closed with, e.g. `wamp.close.normal`. */
  declare readonly reason: string;

  constructor(
    reason: string,
    message?: string,
    options?: WampboxErrorOptions & { code?: 'ERR_SESSION_CLOSED' | 'ERR_CONNECTION_LOST' },
  ) {
    super('ERR_SESSION_CLOSED', message ?? `session closed: ${reason}`, options);
    this.reason = reason;
  }
}

/** The transport failed to connect, failed while open, or refused a frame. */
export class TransportError extends WampboxError {
  override name = 'TransportError';
  constructor(
    message: string,
    options?: WampboxErrorOptions & {
      code?: 'ERR_TRANSPORT' | 'ERR_FRAME_TOO_LARGE' | 'ERR_NO_SERIALIZER' | 'ERR_BACKPRESSURE';
    },
  ) {
    super('ERR_TRANSPORT', message, options);
  }
}

/** A frame could not be encoded or decoded by the serializer. */
export class SerializationError extends WampboxError {
  override name = 'SerializationError';
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_SERIALIZATION', message, options);
  }
}

/** The router refused to open the session (ABORT in reply to HELLO or AUTHENTICATE). */
export class JoinRefusedError extends WampboxError {
  override name = 'JoinRefusedError';
  /** The ABORT reason URI, e.g. `wamp.error.no_such_realm` or `wamp.error.not_authorized`. */
  declare readonly reason: string;
  /** The ABORT details (usually carries `message`). */
  declare readonly details: Record<string, unknown>;

  constructor(
    reason: string,
    details: Record<string, unknown> = {},
    options?: WampboxErrorOptions & { code?: 'ERR_JOIN_REFUSED' | 'ERR_AUTHENTICATION' },
  ) {
    const why = details['message'];
    super('ERR_JOIN_REFUSED', `join refused (${reason})${typeof why === 'string' ? `: ${why}` : ''}`, options);
    this.reason = reason;
    this.details = details;
  }
}

/** A local deadline (`timeoutMs`) passed before the operation completed. */
export class TimeoutError extends WampboxError {
  override name = 'TimeoutError';
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_TIMEOUT', message, options);
  }
}

/** The operation was canceled through its `AbortSignal`. */
export class CanceledError extends WampboxError {
  override name = 'CanceledError';
  constructor(message: string, options?: WampboxErrorOptions) {
    super('ERR_CANCELED', message, options);
  }
}

/**
 * A subscription's reader does not keep up: its buffer for async iteration is full
 * (the `maxBuffered` subscribe option) and events are being dropped for it. Reported on the
 * session's (or connection's) `error` event, once per overflow.
 */
export class SlowConsumerError extends WampboxError {
  override name = 'SlowConsumerError';
  /** The topic (or pattern) of the subscription. */
  declare readonly topic: string;
  /** How many events the subscription's iterator has missed so far. */
  declare readonly dropped: number;

  constructor(topic: string, dropped: number, limit: number) {
    super('ERR_SLOW_CONSUMER', `${topic}: ${limit} events wait for the iterator, newer ones are dropped`);
    this.topic = topic;
    this.dropped = dropped;
  }
}

/** An argument passed to the API is invalid (bad URI, bad option, wrong type). */
export class InvalidArgumentError extends WampboxError {
  override name = 'InvalidArgumentError';
  constructor(
    message: string,
    options?: WampboxErrorOptions & { code?: 'ERR_INVALID_ARGUMENT' | 'ERR_FEATURE_UNSUPPORTED' },
  ) {
    super('ERR_INVALID_ARGUMENT', message, options);
  }
}

/** Codes a {@link PayloadCodecError} can carry. */
export type PayloadErrorCode =
  | 'ERR_PAYLOAD_CODEC'
  | 'ERR_PAYLOAD_DECRYPT'
  | 'ERR_PAYLOAD_URI_MISMATCH'
  | 'ERR_PAYLOAD_PLAINTEXT_REFUSED'
  | 'ERR_PAYLOAD_NO_KEY'
  | 'ERR_PAYLOAD_UNSUPPORTED'
  | 'ERR_PAYLOAD_NOT_AUTHENTIC'
  | 'ERR_PAYLOAD_REPLAY'
  | 'ERR_PAYLOAD_UNKNOWN_KEY'
  | 'ERR_PAYLOAD_INVALID';

/**
 * A payload codec refused to encode or decode a payload (tampered or undecryptable ciphertext,
 * inner-URI mismatch, plaintext on a URI that requires encryption, unknown scheme, a payload its
 * schema refuses).
 * Never carries payload contents or key material.
 */
export class PayloadCodecError extends WampboxError {
  override name = 'PayloadCodecError';
  /** The WAMP error URI this failure maps to when answering a peer. */
  declare readonly uri: string;

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
  /** The payload opened but its schema refuses it (Crossbar's URI for a payload that fails validation). */
  invalidArgument: 'wamp.error.invalid_argument',
} as const;
