/**
 * Mapping between {@link WirePayload} and the payload slots of WAMP messages, in the two wire
 * dialects of payload transparency:
 *
 * - `transparency` (Autobahn / Crossbar.io): `enc_algo`, `enc_serializer`, `enc_key` in
 *   Options/Details and the bare binary in place of the Arguments list;
 * - `passthru` (WAMP spec, Payload PassThru Mode): `ppt_scheme`, `ppt_serializer`, `ppt_cipher`,
 *   `ppt_keyid` and the binary as a one-element Arguments list.
 */
import { PAYLOAD_ERROR_URIS, PayloadCodecError } from './errors.js';
import type { ArgsSlot, Dict } from './messages.js';
import type { OpaqueWirePayload, WirePayload } from './payload-codec.js';

/** Which dialect the router speaks, decided once from WELCOME. */
export type PayloadDialect = 'transparency' | 'passthru' | 'none';

/**
 * Pick the dialect from the router's announced roles.
 * @example
 * ```ts
 * dialectFromRoles({ broker: { features: { payload_transparency: true } } }); // 'transparency'
 * ```
 */
export function dialectFromRoles(roles: Dict): PayloadDialect {
  let ppt = false;
  for (const role of Object.values(roles)) {
    const features = (role as { features?: Dict } | null)?.features;
    if (!features) continue;
    if (features['payload_transparency'] === true) return 'transparency';
    if (features['payload_passthru_mode'] === true) ppt = true;
  }
  return ppt ? 'passthru' : 'none';
}

/** Append plain args/kwargs to `msg`, omitting empty trailing elements. */
export function appendPlainPayload(msg: unknown[], args: unknown[] | undefined | null, kwargs: Dict | undefined | null): void {
  if (kwargs) {
    for (const _ in kwargs) {
      msg.push(args ?? [], kwargs);
      return;
    }
  }
  if (args && args.length > 0) msg.push(args);
}

/**
 * Append the payload of `wire` to `msg` (which ends just before the Arguments slot) and add
 * scheme attributes to `options`. Trailing empty args/kwargs are omitted.
 */
export function appendWirePayload(msg: unknown[], options: Dict, wire: WirePayload, dialect: PayloadDialect): void {
  if (wire.kind === 'plain') {
    appendPlainPayload(msg, wire.args, wire.kwargs);
    return;
  }
  if (dialect === 'transparency') {
    options['enc_algo'] = wire.scheme;
    options['enc_serializer'] = wire.serializer;
    if (wire.keyId !== undefined) options['enc_key'] = wire.keyId;
    msg.push(wire.payload);
  } else if (dialect === 'passthru') {
    options['ppt_scheme'] = wire.scheme;
    options['ppt_serializer'] = wire.serializer;
    if (wire.cipher !== undefined) options['ppt_cipher'] = wire.cipher;
    if (wire.keyId !== undefined) options['ppt_keyid'] = wire.keyId;
    msg.push([wire.payload]);
  } else {
    throw new PayloadCodecError(
      'ERR_PAYLOAD_UNSUPPORTED',
      PAYLOAD_ERROR_URIS.noCodec,
      'the router announced neither payload_transparency nor payload_passthru_mode; an opaque payload cannot be sent',
    );
  }
}

/**
 * Read the payload of a received message: `slot` is the Arguments element (or undefined),
 * `kw` the ArgumentsKw element (or undefined), `details` the Details/Options dictionary.
 * @throws PayloadCodecError `ERR_PAYLOAD_CODEC` when scheme attributes and payload disagree.
 */
export function readWirePayload(slot: ArgsSlot | undefined, kw: Dict | undefined, details: Dict): WirePayload {
  const encAlgo = details['enc_algo'];
  if (slot instanceof Uint8Array) {
    if (typeof encAlgo !== 'string') {
      throw new PayloadCodecError('ERR_PAYLOAD_CODEC', PAYLOAD_ERROR_URIS.codec, 'binary payload without enc_algo');
    }
    const w: OpaqueWirePayload = {
      kind: 'opaque',
      payload: slot,
      scheme: encAlgo,
      serializer: typeof details['enc_serializer'] === 'string' ? (details['enc_serializer'] as string) : '',
      keyId: typeof details['enc_key'] === 'string' ? (details['enc_key'] as string) : undefined,
    };
    return w;
  }
  if (encAlgo !== undefined) {
    throw new PayloadCodecError('ERR_PAYLOAD_CODEC', PAYLOAD_ERROR_URIS.codec, 'enc_algo set but the payload is not binary');
  }
  const ppt = details['ppt_scheme'];
  if (typeof ppt === 'string') {
    const only = slot?.length === 1 ? slot[0] : undefined;
    if (!(only instanceof Uint8Array) || kw !== undefined) {
      throw new PayloadCodecError('ERR_PAYLOAD_CODEC', PAYLOAD_ERROR_URIS.codec, 'ppt_scheme set but the payload is not [binary]');
    }
    return {
      kind: 'opaque',
      payload: only,
      scheme: ppt,
      serializer: typeof details['ppt_serializer'] === 'string' ? (details['ppt_serializer'] as string) : '',
      cipher: typeof details['ppt_cipher'] === 'string' ? (details['ppt_cipher'] as string) : undefined,
      keyId: typeof details['ppt_keyid'] === 'string' ? (details['ppt_keyid'] as string) : undefined,
    };
  }
  return { kind: 'plain', args: slot, kwargs: kw };
}
