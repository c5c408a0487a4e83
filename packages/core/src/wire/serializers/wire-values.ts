/**
 * The data model shared by the CBOR and MessagePack codecs (internal, not re-exported); the JSON
 * serializer uses its helpers (`isSkipped`, `setOwn`, `describeError`, `MAX_DEPTH`) too.
 *
 * Encoding sees a message as `JSON.stringify` would, plus bytes and exact integers:
 * - `null`, booleans, strings, arrays;
 * - numbers: integers up to 2^53 in magnitude as integers in their smallest form, everything else
 *   (fractions, larger magnitudes, NaN, infinities) as floats; `bigint` as a 64-bit integer;
 * - `Uint8Array` (any subclass such as `Buffer`, also from another realm) as a byte string;
 * - other objects: the result of their `toJSON()` if they have one (a `Date` becomes its ISO
 *   string), else a map of their own enumerable string keys (for a class instance, a `Map` or a
 *   typed array other than `Uint8Array` that is what JSON sends as well);
 * - `undefined`, functions and symbols: left out of objects, `null` in arrays.
 * Nesting deeper than {@link MAX_DEPTH} (or a cycle) is an error.
 *
 * Decoding yields `null`, booleans, numbers (64-bit integers beyond 2^53 lose precision, as in
 * JSON), strings, plain `Uint8Array`s with bytes of their own (never views of the frame; mid-sized ones
 * share a slab, see `pooledBytes`), arrays and plain objects.
 * Map keys must be text strings; integer and float keys are turned into their decimal string (as a
 * JS property name would be), `true`, `false` and `null` keys into `"true"`, `"false"` and `"null"`
 * (as Python's `json` writes them), and any other key (bytes, a list, a map) is an error. A
 * `__proto__` key becomes an own property, never the prototype.
 */
import { SerializationError } from '../../errors.js';

/** Deepest nesting of arrays, maps (and CBOR tags) accepted in either direction. */
export const MAX_DEPTH = 512;

/** Whether an object value is left out of a map (and written as `null` in an array). */
export function isSkipped(value: unknown): boolean {
  const type = typeof value;
  return type === 'undefined' || type === 'function' || type === 'symbol';
}

/**
 * The keys of `record` whose values are written (those {@link isSkipped} does not drop), in order.
 * Without a skipped value (the usual case) this is `Object.keys(record)` itself.
 */
export function writtenKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  for (const k of keys) if (isSkipped(record[k])) return keys.filter((key) => !isSkipped(record[key]));
  return keys;
}

/**
 * What to write for an object that is neither an array nor a `Uint8Array`: a `Uint8Array` from
 * another realm becomes a local view of its bytes, an object with a `toJSON()` method the result
 * of that call, anything else itself (then written as a map).
 */
export function substitute(value: object): unknown {
  if (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]') {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
}

/** Assign an own data property, also for the key `__proto__` (where `=` would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A decoded map key as a property name. */
export function propertyName(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean' || key === null) return String(key);
  const kind = Array.isArray(key) ? 'list' : key instanceof Uint8Array ? 'bytes' : typeof key;
  throw new SerializationError(`map key of type ${kind} (only text, number, boolean and null keys are accepted)`);
}

export function invalid(reason: string): never {
  throw new SerializationError(reason);
}

export function truncated(): never {
  throw new SerializationError('truncated (a length or item runs past the end of the frame)');
}

export function tooDeep(): never {
  throw new SerializationError(`nesting deeper than ${MAX_DEPTH} levels (or a cyclic value)`);
}

/**
 * A binary frame as a `Uint8Array`, without a copy: a `Uint8Array` (a Node `Buffer` included) as it
 * is, another view or an `ArrayBuffer` as a `Uint8Array` over the same memory. A `Buffer` is not
 * wrapped in a plain view (which cost a quarter of decoding a small message): the decoders copy
 * every byte string into a plain `Uint8Array` of its own, never slice the frame.
 * @throws SerializationError (`ERR_SERIALIZATION`) when the frame is not binary.
 */
export function toPlainBytes(frame: unknown, format: string): Uint8Array {
  if (frame instanceof Uint8Array) return frame;
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame instanceof ArrayBuffer || Object.prototype.toString.call(frame) === '[object ArrayBuffer]') {
    return new Uint8Array(frame as ArrayBuffer);
  }
  throw new SerializationError(
    `cannot decode ${format} frame: expected binary data (Uint8Array or ArrayBuffer), got ${typeof frame}`,
  );
}

/** The message of a caught error, for wrapping it in a {@link SerializationError}. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
