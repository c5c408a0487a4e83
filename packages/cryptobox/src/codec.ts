/**
 * The cryptobox payload codec: seals and opens payloads with a {@link KeyRing}, following
 * Autobahn|Python's cryptobox on the wire, with a stricter receive policy by default.
 */
import { InvalidArgumentError, PAYLOAD_ERROR_URIS, PayloadCodecError } from '@wampbox/core';
import type { Payload, PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { KeyRing, openWith, ringSharedKey, sealWith } from './key-ring.js';
import { isSodiumReady, sodiumReady } from './sodium.js';

/**
 * The scheme name: `enc_algo` on routers of Crossbar.io's dialect. On routers of the spec's
 * dialect (Payload PassThru Mode) the session writes it as `ppt_scheme: "x_cryptobox"`, since the
 * spec allows only `x_…` names for custom schemes, and reads both `x_cryptobox` and `cryptobox`.
 */
export const CRYPTOBOX_SCHEME = 'cryptobox';
/** The inner serializer on the wire (`enc_serializer` / `ppt_serializer`): always JSON. */
export const CRYPTOBOX_SERIALIZER = 'json';
/** The cipher, as the spec names it: `ppt_cipher` in the spec's dialect (Crossbar's has no such attribute). */
const CIPHER = 'xsalsa20poly1305';

/** Options of {@link cryptobox}. */
export interface CryptoboxOptions {
  /**
   * Refuse plaintext received on a keyed URI (`ERR_PAYLOAD_PLAINTEXT_REFUSED`), and refuse to
   * send plaintext on a keyed URI whose entry lacks the key for this side's role
   * (`ERR_PAYLOAD_NO_KEY`). Default `true`. With `false` both pass in plaintext, as
   * Autobahn|Python does, which lets anyone on the path downgrade a keyed URI to plaintext.
   */
  strict?: boolean | undefined;
}

/** Router meta API and errors (`wamp.*`) are addressed to or made by the router: never sealed. */
function isWampUri(uri: string): boolean {
  return uri.startsWith('wamp.');
}

/**
 * Make the cryptobox payload codec: end-to-end encryption of args/kwargs, interoperable with
 * Autobahn|Python's `KeyRing` through Crossbar.io.
 *
 * Sending: a payload on a keyed URI is sealed (`enc_algo: "cryptobox"`, `enc_serializer: "json"`;
 * on a router of the spec's dialect `ppt_scheme: "x_cryptobox"`, `ppt_serializer: "json"`,
 * `ppt_cipher: "xsalsa20poly1305"`);
 * a YIELD is sealed only when the INVOCATION it answers arrived sealed; `wamp.*` URIs are never
 * sealed. Receiving: a sealed payload is opened (and its inner URI checked); in strict mode
 * plaintext on a keyed URI (other than `wamp.*`) is refused.
 *
 * Once libsodium is initialized both directions complete synchronously; before that they
 * return a promise.
 *
 * @param ring - the keys; changes to it apply to the next message.
 * @param options - see {@link CryptoboxOptions}.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `ring` is not a {@link KeyRing} or
 *   `options` is not an object of the documented options.
 * @throws PayloadCodecError from `decode`: `ERR_PAYLOAD_DECRYPT`, `ERR_PAYLOAD_URI_MISMATCH`,
 *   `ERR_PAYLOAD_NO_KEY`, `ERR_PAYLOAD_UNSUPPORTED` (another scheme, inner serializer or cipher),
 *   `ERR_PAYLOAD_PLAINTEXT_REFUSED` (strict mode); from `encode`: `ERR_PAYLOAD_NO_KEY`,
 *   `ERR_PAYLOAD_CODEC` (payload not serializable as JSON).
 *
 * @example
 * ```ts
 * import { connect } from '@wampbox/wamp-client';
 * import { KeyRing, cryptobox } from '@wampbox/cryptobox';
 *
 * const ring = new KeyRing();
 * ring.setKey('com.myapp.encrypted.', { originatorPriv: process.env.MY_SECRET_KEY, responderPub: THEIR_PUBLIC_KEY });
 * const session = await connect({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', codec: cryptobox(ring) });
 * await session.publish('com.myapp.encrypted.hello', ['Hello, world!', 42]); // only ciphertext reaches the router
 * ```
 */
export function cryptobox(ring: KeyRing, options: CryptoboxOptions = {}): PayloadCodec {
  if (!(ring instanceof KeyRing)) throw new InvalidArgumentError('cryptobox(ring): ring must be a KeyRing');
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('cryptobox(ring, options): options must be an object');
  }
  if (options.strict !== undefined && typeof options.strict !== 'boolean') {
    throw new InvalidArgumentError('cryptobox(ring, options): options.strict must be a boolean');
  }
  const strict = options.strict ?? true;

  function encodeNow(payload: Payload, ctx: PayloadContext): WirePayload {
    const { uri } = ctx;
    if (isWampUri(uri) || (ctx.messageType === 'YIELD' && ctx.requestWasOpaque !== true)) {
      return { kind: 'plain', args: payload.args, kwargs: payload.kwargs };
    }
    const key = ringSharedKey(ring, uri, ctx.originating);
    if (key === undefined) {
      if (ctx.messageType === 'YIELD') {
        // The INVOCATION arrived sealed: never answer it in clear.
        throw new PayloadCodecError(
          'ERR_PAYLOAD_NO_KEY',
          PAYLOAD_ERROR_URIS.noKey,
          `no key to seal the result for "${uri}"`,
        );
      }
      return { kind: 'plain', args: payload.args, kwargs: payload.kwargs };
    }
    if (key === null) {
      // Keyed, but this side lacks the key for its role.
      if (!strict && ctx.messageType !== 'YIELD') return { kind: 'plain', args: payload.args, kwargs: payload.kwargs };
      throw new PayloadCodecError(
        'ERR_PAYLOAD_NO_KEY',
        PAYLOAD_ERROR_URIS.noKey,
        `"${uri}" is keyed, but not for the ${ctx.originating ? 'originator' : 'responder'} role`,
      );
    }
    return {
      kind: 'opaque',
      payload: sealWith(key, uri, payload),
      scheme: CRYPTOBOX_SCHEME,
      serializer: CRYPTOBOX_SERIALIZER,
      cipher: CIPHER,
    };
  }

  function decodeNow(wire: WirePayload, ctx: PayloadContext): Payload {
    const { uri } = ctx;
    if (wire.kind === 'plain') {
      if (strict && !isWampUri(uri) && ring.hasKey(uri)) {
        throw new PayloadCodecError(
          'ERR_PAYLOAD_PLAINTEXT_REFUSED',
          PAYLOAD_ERROR_URIS.plaintextRefused,
          `refused a plaintext ${ctx.messageType} payload on the keyed URI "${uri}"`,
        );
      }
      return wire;
    }
    // an absent cipher is ours too: Crossbar's dialect has no attribute for it
    const cipher = wire.cipher ?? CIPHER;
    if (wire.scheme !== CRYPTOBOX_SCHEME || wire.serializer !== CRYPTOBOX_SERIALIZER || cipher !== CIPHER) {
      throw new PayloadCodecError(
        'ERR_PAYLOAD_UNSUPPORTED',
        PAYLOAD_ERROR_URIS.noCodec,
        `unsupported opaque payload (scheme "${wire.scheme}", serializer "${wire.serializer}", cipher "${cipher}")`,
      );
    }
    const key = ringSharedKey(ring, uri, ctx.originating);
    if (key == null) {
      throw new PayloadCodecError(
        'ERR_PAYLOAD_NO_KEY',
        PAYLOAD_ERROR_URIS.noKey,
        `received a sealed payload for "${uri}" but have no ${ctx.originating ? 'originator' : 'responder'} key for it`,
      );
    }
    return openWith(key, uri, wire.payload);
  }

  return Object.freeze({
    name: CRYPTOBOX_SCHEME,
    encode(payload: Payload, ctx: PayloadContext): WirePayload | Promise<WirePayload> {
      if (isSodiumReady()) return encodeNow(payload, ctx);
      return sodiumReady().then(() => encodeNow(payload, ctx));
    },
    decode(wire: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> {
      if (isSodiumReady()) return decodeNow(wire, ctx);
      return sodiumReady().then(() => decodeNow(wire, ctx));
    },
  });
}
