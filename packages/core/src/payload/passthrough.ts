import { PAYLOAD_ERROR_URIS, PayloadCodecError } from '../errors.js';
import type { Payload, PayloadCodec, PlainWirePayload, WirePayload } from './payload-codec.js';

function encodePlain(payload: Payload): PlainWirePayload {
  return { kind: 'plain', args: payload.args, kwargs: payload.kwargs };
}

function decodePlain(wire: WirePayload): Payload {
  if (wire.kind !== 'plain') {
    throw new PayloadCodecError(
      'ERR_PAYLOAD_UNSUPPORTED',
      PAYLOAD_ERROR_URIS.noCodec,
      `received an opaque payload (scheme "${wire.scheme}") but no codec for it is configured`,
    );
  }
  return wire;
}

const PASSTHROUGH: PayloadCodec = Object.freeze({ name: 'passthrough', encode: encodePlain, decode: decodePlain });

/**
 * The default payload codec: payloads travel as plain args/kwargs. An opaque (encrypted) payload
 * arriving is refused with `ERR_PAYLOAD_UNSUPPORTED` (`wamp.error.no_payload_codec`), never delivered.
 *
 * @example
 * ```ts
 * const session = await connect({ url, realm, codec: passthrough() }); // same as omitting `codec`
 * ```
 */
export function passthrough(): PayloadCodec {
  return PASSTHROUGH;
}

/**
 * `true` when `codec` is the built-in passthrough codec (lets the session skip it on hot paths).
 * @example
 * ```ts
 * isPassthrough(passthrough()); // true
 * ```
 */
export function isPassthrough(codec: PayloadCodec): boolean {
  return codec === PASSTHROUGH;
}
