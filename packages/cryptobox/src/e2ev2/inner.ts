/**
 * The inner plaintext of an `x_e2ev2` payload (§b.4, Decision 9): a map with exactly the keys
 * `args` (a list), `kwargs` (a map) and, only with `INNER_URI`, `uri` (the clear URI), in that
 * order, written with the header's serializer exactly as @wampbox/core's serializers write WAMP
 * messages: JSON compact, non-ASCII as UTF-8 and binary values as `"\u0000" + base64`
 * (`stringifyJson`); MessagePack and CBOR in their smallest forms (the map is encoded as the only
 * element of a list by the core serializer, whose one-byte list header is dropped). That fixed form
 * is what makes known-answer vectors byte-exact; any valid encoding within the data model is read.
 */
import { cbor, decodeJsonBinaries, msgpack, stringifyJson } from '@wampbox/core';
import type { Serializer } from '@wampbox/core';
import type { InnerSerializer } from './constants.js';
import { E2eV2Error } from './errors.js';
import { cborOutsideModel, msgpackOutsideModel } from './inner-scan.js';

/** The payload sealed inside. */
export interface InnerPayload {
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  /** The clear URI, present exactly when the header has `INNER_URI`. */
  readonly uri?: string | undefined;
}

/** The one-byte header of a one-element list, in MessagePack (fixarray 1) and CBOR (array of 1). */
const LIST_OF_ONE: Readonly<Record<'msgpack' | 'cbor', number>> = { msgpack: 0x91, cbor: 0x81 };
const BINARY: Readonly<Record<'msgpack' | 'cbor', Serializer>> = { msgpack: msgpack(), cbor: cbor() };

const utf8 = new TextEncoder();
/** How U+0000, the first character of a binary value, appears in JSON text. */
const ESCAPED_BINARY_PREFIX = '\\u0000';
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The serialized inner map of `args`, `kwargs` (absent = empty) and, when given, the clear URI.
 * @throws E2eV2Error `seal` when the payload cannot be serialized (a `BigInt`, a cycle).
 */
export function encodeInner(
  ser: InnerSerializer,
  args: readonly unknown[] | undefined,
  kwargs: Readonly<Record<string, unknown>> | undefined,
  clearUri?: string,
): Uint8Array {
  const source = innerSource(ser, args, kwargs, clearUri);
  return typeof source === 'string' ? utf8.encode(source) : source.slice();
}

/**
 * {@link encodeInner} before the last step: JSON as text (what sealing writes into the heap as
 * UTF-8, so that the plaintext is never an array of its own), MessagePack and CBOR as bytes (a
 * view into the serializer's output, which the caller may wipe once it is sealed).
 * @throws E2eV2Error `seal` when the payload cannot be serialized (a `BigInt`, a cycle).
 */
export function innerSource(
  ser: InnerSerializer,
  args: readonly unknown[] | undefined,
  kwargs: Readonly<Record<string, unknown>> | undefined,
  clearUri?: string,
): string | Uint8Array {
  const inner: Record<string, unknown> =
    clearUri === undefined
      ? { args: args ?? [], kwargs: kwargs ?? {} }
      : { args: args ?? [], kwargs: kwargs ?? {}, uri: clearUri };
  try {
    if (ser === 'json') return stringifyJson(inner);
    const list = BINARY[ser].encode([inner]) as Uint8Array;
    if (list[0] !== LIST_OF_ONE[ser]) throw new E2eV2Error('seal', `unexpected ${ser} list header`);
    return list.subarray(1);
  } catch (cause) {
    if (cause instanceof E2eV2Error) throw cause;
    throw new E2eV2Error('seal', `the payload cannot be written as ${ser}`, { cause });
  }
}

/**
 * The inner map of a decrypted (and unpadded) plaintext.
 * @throws E2eV2Error `plaintext` when it is not exactly one value of `ser` within the data model,
 *   not a map with exactly the keys `args` (a list), `kwargs` (a map) and `uri` (text) if and only
 *   if `innerUri`.
 */
export function decodeInner(ser: InnerSerializer, plaintext: Uint8Array, innerUri: boolean): InnerPayload {
  let value: unknown;
  try {
    value = ser === 'json' ? parseJson(plaintext) : parseBinary(ser, plaintext);
  } catch (cause) {
    if (cause instanceof E2eV2Error) throw cause;
    throw new E2eV2Error('plaintext', `the plaintext is not valid ${ser}`, { cause });
  }
  if (!isMap(value)) throw new E2eV2Error('plaintext', 'the plaintext is not a map');
  let keys = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    keys++;
    if (key !== 'args' && key !== 'kwargs' && !(innerUri && key === 'uri')) {
      throw new E2eV2Error('plaintext', 'the plaintext has a key other than args, kwargs and uri (with INNER_URI)');
    }
  }
  const { args, kwargs, uri } = value;
  if (!Array.isArray(args)) throw new E2eV2Error('plaintext', 'args is not a list');
  if (!isMap(kwargs)) throw new E2eV2Error('plaintext', 'kwargs is not a map');
  if (innerUri && typeof uri !== 'string') throw new E2eV2Error('plaintext', 'INNER_URI without a text uri');
  if (keys !== (innerUri ? 3 : 2)) throw new E2eV2Error('plaintext', 'the plaintext lacks args or kwargs');
  return innerUri ? { args, kwargs, uri: uri as string } : { args, kwargs };
}

function parseJson(plaintext: Uint8Array): unknown {
  // JSON.parse refuses NaN and infinities, and every JSON value is within the data model
  const text = utf8Strict.decode(plaintext);
  const value: unknown = JSON.parse(text);
  // JSON text cannot hold a raw U+0000, only its escape: without one there is no binary to restore
  return text.includes(ESCAPED_BINARY_PREFIX) ? decodeJsonBinaries(value) : value;
}

function parseBinary(ser: 'msgpack' | 'cbor', plaintext: Uint8Array): unknown {
  const outside = ser === 'cbor' ? cborOutsideModel(plaintext) : msgpackOutsideModel(plaintext);
  if (outside !== undefined) throw new E2eV2Error('plaintext', `the ${ser} plaintext has ${outside}`);
  const framed = new Uint8Array(plaintext.length + 1);
  framed[0] = LIST_OF_ONE[ser];
  framed.set(plaintext, 1);
  return BINARY[ser].decode(framed)[0];
}

function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
