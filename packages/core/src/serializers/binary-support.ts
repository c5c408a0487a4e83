/**
 * Support code shared by the MessagePack and CBOR serializers (internal, not re-exported).
 *
 * Both libraries write a JavaScript number that is an integer beyond the 32-bit range as a 64-bit
 * float (cbor-x writes negative integers down to -2^32 as integers, msgpackr down to -2^31).
 * WAMP ids go up to 2^53 and must be integers on the wire, so such numbers are handed to the
 * encoder as `bigint`, which both libraries write as 64-bit integers. `undefined` follows JSON:
 * dropped from objects, `null` in arrays.
 */

import { SerializationError } from '../errors.js';

/** Largest magnitude converted to a 64-bit integer (WAMP ids are in [0, 2^53]). */
const MAX_EXACT_INTEGER = 2 ** 53;

/**
 * Make a function that returns a value ready for a binary encoder: integers (up to 2^53 in
 * magnitude) that the encoder would write as floats become `bigint`, `undefined` is removed from
 * plain objects and becomes `null` in arrays. Only arrays and plain objects are entered.
 * Containers that need no change are returned as they are; the input is never modified.
 *
 * @param minNativeInteger - The most negative integer the encoder writes as an integer by itself
 *   (the positive limit is 2^32 - 1 for both libraries).
 */
export function createWireValuePreparer(minNativeInteger: number): (value: unknown) => unknown {
  const needsInt64 = (n: number): boolean =>
    n >>> 0 !== n &&
    (n | 0) !== n &&
    Number.isInteger(n) &&
    n <= MAX_EXACT_INTEGER &&
    n >= -MAX_EXACT_INTEGER &&
    (n > 0 || n < minNativeInteger);

  const prepare = (value: unknown): unknown => {
    if (typeof value === 'number') return needsInt64(value) ? BigInt(value) : value;
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return prepareArray(value);
    if (ArrayBuffer.isView(value)) return value instanceof Uint8Array ? value : fromOtherRealm(value);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return prepareRecord(value as Record<string, unknown>);
  };

  const prepareItem = (item: unknown): unknown => {
    if (typeof item === 'number') return needsInt64(item) ? BigInt(item) : item;
    if (typeof item === 'object' && item !== null) return prepare(item);
    return item;
  };

  const prepareArray = (list: readonly unknown[]): readonly unknown[] => {
    let copy: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const item: unknown = list[i];
      const next = item === undefined ? null : prepareItem(item);
      if (copy !== undefined) copy.push(next);
      else if (next !== item && !(next !== next && item !== item)) {
        copy = list.slice(0, i);
        copy.push(next);
      }
    }
    return copy ?? list;
  };

  const prepareRecord = (record: Record<string, unknown>): Record<string, unknown> => {
    const keys = Object.keys(record);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = record[key];
      const next = item === undefined ? undefined : prepareItem(item);
      if (copy === undefined && (item === undefined || (next !== item && !(next !== next && item !== item)))) {
        copy = {};
        for (let j = 0; j < i; j++) {
          const earlier = keys[j] as string;
          setOwn(copy, earlier, record[earlier]);
        }
      }
      if (copy !== undefined && next !== undefined) setOwn(copy, key, next);
    }
    return copy ?? record;
  };

  return prepare;
}

/** A `Uint8Array` created in another realm becomes a local view of the same memory. */
function fromOtherRealm(view: ArrayBufferView): ArrayBufferView {
  return Object.prototype.toString.call(view) === '[object Uint8Array]' ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : view;
}

/** Assign an own data property, also for the key `__proto__` (where `=` would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * A plain `Uint8Array` view of a binary frame (no copy). The decoders slice byte strings with the
 * input's own type, so this keeps decoded bytes plain `Uint8Array`s also when the frame is a Node
 * `Buffer`.
 * @throws SerializationError (`ERR_SERIALIZATION`) when the frame is not binary.
 */
export function toPlainBytes(frame: unknown, format: string): Uint8Array {
  if (ArrayBuffer.isView(frame)) {
    if (frame.constructor === Uint8Array) return frame as Uint8Array;
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  }
  if (frame instanceof ArrayBuffer || Object.prototype.toString.call(frame) === '[object ArrayBuffer]') {
    return new Uint8Array(frame as ArrayBuffer);
  }
  throw new SerializationError(`cannot decode ${format} frame: expected binary data (Uint8Array or ArrayBuffer), got ${typeof frame}`);
}

/** The message of a caught error, for wrapping it in a {@link SerializationError}. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
