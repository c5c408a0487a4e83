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
  /**
   * The exchange the payload belongs to: one object for a CALL and its RESULTs and ERROR (at the
   * caller), one for an INVOCATION and its YIELDs and ERROR (at the callee); `undefined` for
   * PUBLISH and EVENT. A stateful codec keys what it must remember about an exchange (an exchange
   * id, a reply key, the last result index) on it, in a `WeakMap`: the entry goes when the
   * exchange does.
   */
  readonly exchange?: PayloadExchange | undefined;
  /**
   * The envelope's `progress` flag: `true` for a progressive YIELD or RESULT, and for a chunk of a
   * streamed call's input (CALL, INVOCATION) that more chunks follow; `false` for a final one;
   * `undefined` for PUBLISH, EVENT and ERROR. Every chunk of a streamed call is encoded and decoded
   * in the same exchange.
   * A codec that seals it into the payload can refuse a payload whose flag was changed in transit.
   */
  readonly progress?: boolean | undefined;
  /** For EVENT: `true` when the router delivered it from retention (`details.retained`), not live. */
  readonly retained?: boolean | undefined;
  /**
   * For EVENT: the publication id. Overlapping subscriptions of one session receive one EVENT
   * each with the same publication id and payload; a codec that refuses repeated payloads can tell
   * these copies from replays by it.
   */
  readonly publication?: number | undefined;
  /**
   * For EVENT and INVOCATION: what the router says about the publisher or caller, when it
   * discloses it (`publisher`/`caller`, `…_authid`, `…_authrole`). Claims by the router, not
   * proof: a codec may use them as hints (which key to try), never as authentication.
   */
  readonly disclosed?: DisclosedIdentity | undefined;
  /** The session's clock (milliseconds since the Unix epoch): what freshness checks should use. */
  readonly now?: (() => number) | undefined;
}

/**
 * An exchange: a CALL with its results at the caller, or an INVOCATION with its answers at the
 * callee. Only its identity matters (a codec uses it as a `WeakMap` key); `procedure` is the
 * procedure the exchange is about.
 */
export interface PayloadExchange {
  /** The procedure called. */
  readonly procedure: string;
}

/** The router's claims about who sent a message, where it discloses them. */
export interface DisclosedIdentity {
  /** The sender's WAMP session id. */
  readonly session?: number | undefined;
  /** The sender's authid. */
  readonly authid?: string | undefined;
  /** The sender's authrole. */
  readonly authrole?: string | undefined;
}

/**
 * A pluggable payload codec. Implementations must be safe to call concurrently and must not
 * keep references to payloads. A codec may keep state of its own, bounded: per exchange in a
 * `WeakMap` keyed on {@link PayloadContext.exchange}, or per sender (replay windows), for example.
 * Either method may return synchronously (preferred on hot paths) or a promise.
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
