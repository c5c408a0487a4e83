/**
 * The payload-transparency layer: a {@link PayloadCodec} sits between the application API and the
 * serializer. It turns `{ args, kwargs }` into a {@link WirePayload} (plain, or one opaque binary
 * with scheme attributes) and back. It never sees message tuples: mapping scheme attributes onto
 * the wire dialect the router speaks is the session's job.
 */

/** Application payload: positional and keyword arguments. */
export interface Payload {
  /** Positional arguments, if any. */
  args?: unknown[] | undefined;
  /** Keyword arguments, if any. */
  kwargs?: Record<string, unknown> | undefined;
}

/** The payload forms a codec can produce or receive. */
export type WirePayload = PlainWirePayload | OpaqueWirePayload;

/** Plain args/kwargs that the serializer encodes as usual. */
export interface PlainWirePayload {
  /** Discriminator. */
  readonly kind: 'plain';
  /** Positional arguments, encoded by the serializer as they are. */
  args?: unknown[] | undefined;
  /** Keyword arguments, encoded by the serializer as they are. */
  kwargs?: Record<string, unknown> | undefined;
}

/**
 * One opaque binary payload plus its scheme attributes.
 * On a router speaking the Autobahn/Crossbar dialect these become `enc_algo` / `enc_serializer`
 * / `enc_key` and the binary replaces the Arguments list; on a router speaking the WAMP spec's
 * Payload PassThru Mode they become `ppt_scheme` / `ppt_serializer` / `ppt_keyid` and
 * the binary travels as `[binary]`.
 */
export interface OpaqueWirePayload {
  /** Discriminator. */
  readonly kind: 'opaque';
  /** The opaque bytes. */
  payload: Uint8Array;
  /** Scheme name: `cryptobox`, `mqtt`, `xbr`, or a custom `x_<lowercase>` name. */
  scheme: string;
  /** Serializer of the inner payload before it was made opaque (`json`, `msgpack`, `cbor`, or `x_<name>`). */
  serializer: string;
  /** Optional key identifier (`enc_key` / `ppt_keyid`). */
  keyId?: string | undefined;
  /** Optional cipher name (`ppt_cipher`, spec dialect only). */
  cipher?: string | undefined;
}

/** The message a payload belongs to. */
export type PayloadMessageType = 'PUBLISH' | 'EVENT' | 'CALL' | 'INVOCATION' | 'YIELD' | 'RESULT' | 'ERROR';

/**
 * What a codec knows about the payload it encodes or decodes.
 *
 * `uri` is the URI used for key lookup, chosen by the session per message:
 * PUBLISH/EVENT use the topic (`details.topic` for pattern subscriptions), CALL/INVOCATION/YIELD/RESULT
 * use the procedure (`details.procedure` for pattern registrations), ERROR uses the error URI.
 */
export interface PayloadContext {
  /** The URI used for key lookup (and bound into the payload, where the scheme does that). */
  readonly uri: string;
  /** The WAMP message that carries the payload. */
  readonly messageType: PayloadMessageType;
  /**
   * `true` when this side originates the exchange's direction: publisher (PUBLISH), caller (CALL),
   * and the caller receiving RESULT/ERROR. `false` for subscriber (EVENT), callee (INVOCATION,
   * YIELD, ERROR sent by a callee).
   */
  readonly originating: boolean;
  /** Sending side: `true` when encoding, `false` when decoding. */
  readonly sending: boolean;
  /**
   * For YIELD and a callee's ERROR: whether the INVOCATION being answered arrived opaque.
   * For RESULT and a caller's ERROR: whether the CALL was sent opaque.
   * Undefined where it does not apply.
   */
  readonly requestWasOpaque?: boolean | undefined;
  /** The procedure, for ERROR and RESULT messages (the error URI is in `uri`). */
  readonly procedure?: string | undefined;
}

/**
 * A pluggable payload codec. Implementations must be safe to call concurrently and must not
 * keep references to payloads. Either method may return synchronously (preferred on hot paths)
 * or a promise.
 *
 * Failures are thrown (or rejected) as `PayloadCodecError` with a stable code; the session
 * maps them onto WAMP (an INVOCATION that fails to decode is answered with ERROR `error.uri`,
 * an EVENT that fails is dropped and reported through the session's `error` event, a RESULT
 * that fails rejects the call).
 *
 * @example
 * ```ts
 * const upper: PayloadCodec = {
 *   name: 'x_example',
 *   encode: (p) => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
 *   decode: (w) => {
 *     if (w.kind !== 'plain') {
 *       throw new PayloadCodecError('ERR_PAYLOAD_UNSUPPORTED', PAYLOAD_ERROR_URIS.noCodec, 'opaque payload');
 *     }
 *     return { args: w.args, kwargs: w.kwargs };
 *   },
 * };
 * ```
 */
export interface PayloadCodec {
  /** A short name for logs and diagnostics. */
  readonly name: string;
  /** Turn an application payload into what goes on the wire. */
  encode(payload: Payload, ctx: PayloadContext): WirePayload | Promise<WirePayload>;
  /** Turn what came off the wire into an application payload. */
  decode(wire: WirePayload, ctx: PayloadContext): Payload | Promise<Payload>;
}
