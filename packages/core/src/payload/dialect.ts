/**
 * Payloads on the wire: running a {@link PayloadCodec} for a session, and the mapping between
 * {@link WirePayload} and the payload slots of WAMP messages in the two wire dialects of payload
 * transparency:
 *
 * - `transparency` (Autobahn / Crossbar.io): `enc_algo`, `enc_serializer`, `enc_key` in
 *   Options/Details and the bare binary in place of the Arguments list;
 * - `passthru` (WAMP spec, Payload PassThru Mode): `ppt_scheme`, `ppt_serializer`, `ppt_cipher`,
 *   `ppt_keyid` and the binary as a one-element Arguments list.
 *
 * Beside an opaque payload, ArgumentsKw may be absent or empty in either dialect (the spec's
 * wording); a non-empty one makes the payload inconsistent.
 */
import { PAYLOAD_ERROR_URIS, PayloadCodecError, WampboxError } from '../errors.js';
import { MessageType as T, MessageTypeName } from '../protocol/messages.js';
import type { ArgsSlot, Dict } from '../protocol/messages.js';
import { passthrough } from './passthrough.js';
import type {
  Payload,
  PayloadCodec,
  PayloadContext,
  PayloadExchange,
  PayloadMessageType,
  WirePayload,
} from './payload-codec.js';

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
    if (features?.['payload_transparency'] === true) return 'transparency';
    if (features?.['payload_passthru_mode'] === true) ppt = true;
  }
  return ppt ? 'passthru' : 'none';
}

/**
 * The `ppt_scheme` for a scheme name. {@link WirePayload} schemes use Crossbar.io's names; two of
 * its predefined ones, `cryptobox` and `xbr`, are not names the spec allows (it predefines `mqtt`
 * and `wamp`/`wamp.eth` and leaves `x_…` to custom schemes; wampy and nexus's client refuse any other
 * `ppt_scheme`), so in the spec dialect they travel as the custom names `x_cryptobox` and `x_xbr`.
 */
export function toPptScheme(scheme: string): string {
  return scheme === 'cryptobox' || scheme === 'xbr' ? `x_${scheme}` : scheme;
}

/**
 * The scheme name for a received `ppt_scheme`: the inverse of {@link toPptScheme}. A bare
 * `cryptobox` or `xbr` (earlier versions of wampbox sent `ppt_scheme: "cryptobox"`) is read as it
 * is, so such payloads still open.
 */
export function fromPptScheme(pptScheme: string): string {
  return pptScheme === 'x_cryptobox' || pptScheme === 'x_xbr' ? pptScheme.slice(2) : pptScheme;
}

/** Whether `d` is absent or has no keys. */
function isEmptyDict(d: Dict | undefined | null): boolean {
  if (d) for (const _ in d) return false;
  return true;
}

/** Append plain args/kwargs to `msg`, omitting empty trailing elements. */
export function appendPlainPayload(
  msg: unknown[],
  args: unknown[] | undefined | null,
  kwargs: Dict | undefined | null,
): void {
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
 * @throws PayloadCodecError `ERR_PAYLOAD_UNSUPPORTED` for an opaque payload when `dialect` is `none`.
 */
export function appendWirePayload(msg: unknown[], options: Dict, wire: WirePayload, dialect: PayloadDialect): void {
  if (wire.kind === 'plain') return appendPlainPayload(msg, wire.args, wire.kwargs);
  if (dialect === 'none') {
    throw new PayloadCodecError(
      'ERR_PAYLOAD_UNSUPPORTED',
      PAYLOAD_ERROR_URIS.noCodec,
      'the router announced neither payload_transparency nor payload_passthru_mode; an opaque payload cannot be sent',
    );
  }
  const ppt = dialect === 'passthru';
  options[ppt ? 'ppt_scheme' : 'enc_algo'] = ppt ? toPptScheme(wire.scheme) : wire.scheme;
  options[ppt ? 'ppt_serializer' : 'enc_serializer'] = wire.serializer;
  if (ppt && wire.cipher !== undefined) options['ppt_cipher'] = wire.cipher;
  if (wire.keyId !== undefined) options[ppt ? 'ppt_keyid' : 'enc_key'] = wire.keyId;
  msg.push(ppt ? [wire.payload] : wire.payload);
}

/**
 * Read the payload of a received message: `slot` is the Arguments element (or undefined),
 * `kw` the ArgumentsKw element (or undefined), `details` the Details/Options dictionary. An
 * opaque payload may come with an empty ArgumentsKw; its `ppt_scheme` is read with
 * {@link fromPptScheme}.
 * @throws PayloadCodecError `ERR_PAYLOAD_CODEC` when scheme attributes and payload disagree, or
 *   an opaque payload comes with a non-empty ArgumentsKw.
 */
export function readWirePayload(slot: ArgsSlot | undefined, kw: Dict | undefined, details: Dict): WirePayload {
  const str = (k: string): string | undefined => (typeof details[k] === 'string' ? details[k] : undefined);
  const inconsistent = (why: string): never => {
    throw new PayloadCodecError('ERR_PAYLOAD_CODEC', PAYLOAD_ERROR_URIS.codec, why);
  };
  const encAlgo = details['enc_algo'];
  if (slot instanceof Uint8Array) {
    if (typeof encAlgo !== 'string') inconsistent('binary payload without enc_algo');
    if (!isEmptyDict(kw)) inconsistent('binary payload with a non-empty ArgumentsKw');
    return {
      kind: 'opaque',
      payload: slot,
      scheme: encAlgo as string,
      serializer: str('enc_serializer') ?? '',
      keyId: str('enc_key'),
    };
  }
  if (encAlgo !== undefined) inconsistent('enc_algo set but the payload is not binary');
  const scheme = str('ppt_scheme');
  if (scheme === undefined) return { kind: 'plain', args: slot, kwargs: kw };
  const only = slot?.length === 1 ? slot[0] : undefined;
  if (!(only instanceof Uint8Array)) inconsistent('ppt_scheme set but the payload is not [binary]');
  if (!isEmptyDict(kw)) inconsistent('ppt_scheme set with a non-empty ArgumentsKw');
  return {
    kind: 'opaque',
    payload: only as Uint8Array,
    scheme: fromPptScheme(scheme),
    serializer: str('ppt_serializer') ?? '',
    cipher: str('ppt_cipher'),
    keyId: str('ppt_keyid'),
  };
}

/** `true` for a promise (or any thenable). */
export function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/**
 * A failure inside a codec as the application sees it: a codec's own `WampboxError` as it is,
 * anything else (a plugin's `TypeError`, a thrown string) as `ERR_PAYLOAD_CODEC` with the original
 * as `cause`, so that every payload failure is typed.
 */
function codecFailure(codec: PayloadCodec, step: 'encode' | 'decode', err: unknown): WampboxError {
  if (err instanceof WampboxError) return err;
  return new PayloadCodecError(
    'ERR_PAYLOAD_CODEC',
    PAYLOAD_ERROR_URIS.codec,
    `the ${codec.name} codec failed to ${step}: ${err instanceof Error ? err.message : String(err)}`,
    {
      cause: err,
    },
  );
}

function misbehaved(codec: PayloadCodec, what: string): PayloadCodecError {
  return new PayloadCodecError(
    'ERR_PAYLOAD_CODEC',
    PAYLOAD_ERROR_URIS.codec,
    `the ${codec.name} codec returned ${what}`,
  );
}

// absent may be undefined or null (a codec mirroring another language's None)
const isOptionalList = (v: unknown): boolean => v == null || Array.isArray(v);
const isOptionalDict = (v: unknown): boolean => v == null || (typeof v === 'object' && !Array.isArray(v));
const isOptionalText = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** `w` if it is a well-formed {@link WirePayload}; throws `ERR_PAYLOAD_CODEC` otherwise. */
function checkedWire(codec: PayloadCodec, w: WirePayload): WirePayload {
  const o = w as unknown as Record<string, unknown> | null;
  if (typeof o === 'object' && o !== null) {
    if (o['kind'] === 'plain' && isOptionalList(o['args']) && isOptionalDict(o['kwargs'])) return w;
    if (
      o['kind'] === 'opaque' &&
      o['payload'] instanceof Uint8Array &&
      typeof o['scheme'] === 'string' &&
      o['scheme'] !== '' &&
      typeof o['serializer'] === 'string' &&
      isOptionalText(o['keyId']) &&
      isOptionalText(o['cipher'])
    ) {
      return w;
    }
  }
  throw misbehaved(codec, 'a malformed wire payload from encode()');
}

/** `p` if it is a well-formed {@link Payload}; throws `ERR_PAYLOAD_CODEC` otherwise. */
function checkedPayload(codec: PayloadCodec, p: Payload): Payload {
  if (typeof p === 'object' && p !== null && isOptionalList(p.args) && isOptionalDict(p.kwargs)) return p;
  throw misbehaved(codec, 'a malformed payload from decode() (args must be a list, kwargs a dictionary)');
}

/** What a session knows about the INVOCATION a YIELD or ERROR answers. */
export interface Answering {
  /** The procedure invoked. */
  readonly procedure: string;
  /** Whether the INVOCATION arrived opaque. */
  readonly opaque: boolean;
  /** The exchange the INVOCATION opened (the codec saw it when decoding the INVOCATION). */
  readonly exchange: PayloadExchange;
}

/** What {@link encodeWith} encodes: a payload, where its scheme attributes go, what it answers. */
export interface EncodeInput {
  /** The message's Options/Details: receives the scheme attributes of an opaque payload. */
  readonly options: Dict;
  readonly args: unknown[] | undefined;
  readonly kwargs: Dict | undefined;
  /** The INVOCATION a YIELD or ERROR answers. */
  readonly inv?: Answering | undefined;
  /** A CALL's exchange (YIELD and ERROR take theirs from `inv`). */
  readonly exchange?: PayloadExchange | undefined;
  /** The envelope's `progress` flag of a CALL or YIELD. */
  readonly progress?: boolean | undefined;
  /** The session's clock. */
  readonly now?: (() => number) | undefined;
}

/**
 * Run `codec` on the payload of `msg`, a CALL, PUBLISH, YIELD or ERROR that ends before its
 * Arguments (YIELD and ERROR answer `inv`), and append the result in `dialect`, with its scheme
 * attributes in `options` (the message's Options/Details). Returns whether the payload went out
 * opaque, or a promise of that when the codec answers with one. What the codec throws or returns
 * malformed becomes a typed error (see `codecFailure`). Not part of the public API.
 */
export function encodeWith(
  codec: PayloadCodec,
  msg: unknown[],
  input: EncodeInput,
  dialect: PayloadDialect,
): boolean | Promise<boolean> {
  const { options, args, kwargs, inv } = input;
  const type = msg[0] as number;
  const ctx: PayloadContext = {
    uri: type === T.YIELD ? inv!.procedure : (msg[type === T.ERROR ? 4 : 3] as string),
    messageType: MessageTypeName[type] as PayloadMessageType,
    originating: !inv,
    sending: true,
    requestWasOpaque: inv?.opaque,
    procedure: type === T.ERROR ? inv?.procedure : undefined,
    exchange: inv ? inv.exchange : input.exchange,
    progress: type === T.CALL || type === T.YIELD ? input.progress === true : undefined,
    now: input.now,
  };
  const append = (w: WirePayload): boolean => {
    appendWirePayload(msg, options, checkedWire(codec, w), dialect);
    return w.kind === 'opaque';
  };
  let wire: WirePayload | Promise<WirePayload>;
  try {
    wire = codec.encode({ args, kwargs }, ctx);
  } catch (e) {
    throw codecFailure(codec, 'encode', e);
  }
  if (!isThenable<WirePayload>(wire)) return append(wire);
  return Promise.resolve(wire).then(append, (e: unknown) => {
    throw codecFailure(codec, 'encode', e);
  });
}

/** A received payload, opened. */
export interface OpenedPayload extends Payload {
  /** Whether it arrived opaque. */
  readonly opaque: boolean;
}

/**
 * Read a received payload and open it with `codec`; without a codec an opaque payload is refused
 * as the passthrough codec refuses it. Returns a promise when the codec answers with one.
 * @throws PayloadCodecError when the payload is inconsistent or the codec refuses it.
 * Not part of the public API.
 */
export function decodeWith(
  codec: PayloadCodec | undefined,
  slot: ArgsSlot | undefined,
  kw: Dict | undefined,
  details: Dict,
  ctx: PayloadContext,
): OpenedPayload | Promise<OpenedPayload> {
  const wire = readWirePayload(slot, kw, details);
  const opaque = wire.kind === 'opaque';
  const c = codec ?? passthrough();
  const opened = (p: Payload): OpenedPayload => {
    const checked = checkedPayload(c, p);
    return { args: checked.args ?? undefined, kwargs: checked.kwargs ?? undefined, opaque };
  };
  let out: Payload | Promise<Payload>;
  try {
    out = c.decode(wire, ctx);
  } catch (e) {
    throw codecFailure(c, 'decode', e);
  }
  if (!isThenable<Payload>(out)) return opened(out);
  return Promise.resolve(out).then(opened, (e: unknown) => {
    throw codecFailure(c, 'decode', e);
  });
}
