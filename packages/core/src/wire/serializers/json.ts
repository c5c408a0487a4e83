/**
 * The WAMP JSON serializer (`wamp.2.json`).
 *
 * Binary values follow the WAMP convention: a `Uint8Array` is sent as the string
 * `"\u0000" + base64(bytes)`, and every received string that starts with U+0000 is turned back into
 * a `Uint8Array`, at any depth.
 */
import { SerializationError } from '../../errors.js';
import type { Serializer } from '../serializer.js';
import { decodeReceivedBase64, encodeBase64 } from './base64.js';
import { MAX_DEPTH, describeError, isSkipped, setOwn } from './wire-values.js';

/** First character of a string that carries binary data. */
const BINARY_MARKER = '\u0000';
/** How that character must appear in JSON text (raw control characters are not allowed there). */
const ESCAPED_BINARY_MARKER = '\\u0000';

let utf8Decoder: TextDecoder | undefined;

/**
 * Create the JSON serializer: id `json`, subprotocol `wamp.2.json`, RawSocket id 1, text frames.
 *
 * Encoding gives `JSON.stringify` of the message after every `Uint8Array` inside arrays and plain
 * objects has been replaced by its `"\u0000" + base64` string (the message is never
 * modified). Decoding accepts a string, or UTF-8 bytes as a `Uint8Array` or `ArrayBuffer`.
 *
 * @example
 * ```ts
 * const s = json();
 * const frame = s.encode([48, 1, {}, 'com.example.echo', [new Uint8Array([1, 2, 3])]]);
 * // '[48,1,{},"com.example.echo",["\\u0000AQID"]]'
 * s.decode(frame); // [48, 1, {}, 'com.example.echo', [Uint8Array [1, 2, 3]]]
 * ```
 */
export function json(): Serializer {
  return JSON_SERIALIZER;
}

const JSON_SERIALIZER: Serializer = Object.freeze({
  id: 'json',
  protocol: 'wamp.2.json',
  rawSocketId: 1,
  binary: false,
  encode: encodeJson,
  decode: decodeJson,
});

function encodeJson(msg: readonly unknown[]): string {
  if (!Array.isArray(msg)) throw new SerializationError('cannot encode message: not a list');
  try {
    let out = '[';
    for (let i = 0; i < msg.length; i++) {
      if (i > 0) out += ',';
      out += writeElement(msg[i], 1);
    }
    return `${out}]`;
  } catch (err) {
    throw new SerializationError(`cannot encode message as JSON: ${describeError(err)}`, { cause: err });
  }
}

function decodeJson(frame: string | Uint8Array | ArrayBuffer): unknown[] {
  let text: string;
  if (typeof frame === 'string') {
    text = frame;
  } else if (ArrayBuffer.isView(frame) || isArrayBuffer(frame)) {
    try {
      text = (utf8Decoder ??= new TextDecoder('utf-8', { fatal: true })).decode(frame);
    } catch (err) {
      throw new SerializationError(`cannot decode JSON frame as UTF-8: ${describeError(err)}`, { cause: err });
    }
  } else {
    throw new SerializationError(
      `cannot decode JSON frame: expected a string, Uint8Array or ArrayBuffer, got ${typeof frame}`,
    );
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SerializationError(`cannot decode JSON frame: ${describeError(err)}`, { cause: err });
  }
  if (!Array.isArray(value)) throw new SerializationError('cannot decode JSON frame: not a list');
  if (text.includes(ESCAPED_BINARY_MARKER)) restoreBinariesInArray(value);
  return value;
}

/** The base64 of a binary value (`Uint8Array` or `ArrayBuffer`), or `undefined` for anything else. */
function binaryBase64(value: object): string | undefined {
  if (ArrayBuffer.isView(value)) return isBytes(value) ? encodeBase64(value) : undefined;
  if (isArrayBuffer(value)) return encodeBase64(new Uint8Array(value));
  return undefined;
}

/** Whether a plain object (where binaries are looked for) rather than a class instance. */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function tooDeep(): never {
  throw new SerializationError(`nesting deeper than ${MAX_DEPTH} levels (or a cyclic value)`);
}

/** Whether `value` holds a binary, at any depth of arrays and plain objects (read-only). */
function hasBinary(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_DEPTH) tooDeep();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && hasBinary(item, depth + 1)) return true;
    }
    return false;
  }
  if (ArrayBuffer.isView(value)) return isBytes(value);
  if (isArrayBuffer(value)) return true;
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && hasBinary(item, depth + 1)) return true;
  }
  return false;
}

/** Longest array {@link writeElement} writes itself; longer ones go to `JSON.stringify` whole. */
const SHORT_ARRAY = 8;
/** Most keys of a dictionary {@link writeElement} writes itself; larger ones go to `JSON.stringify`. */
const SHORT_OBJECT = 8;
/** Deepest nesting {@link writeElement} writes itself; deeper values go to `JSON.stringify` whole. */
const SHORT_DEPTH = 3;
/** Longest string {@link writeString} checks itself; longer ones go to `JSON.stringify`. */
const SHORT_STRING = 64;

/**
 * JSON text of a value as an array member, exactly as `JSON.stringify` writes it. A WAMP message
 * is a short list of ids, URIs, small dictionaries and an arguments list, mostly small, and a call
 * of `JSON.stringify` has a fixed cost that dominates for such values. So numbers, plain strings,
 * lists of up to {@link SHORT_ARRAY} plain values and dictionaries of up to {@link SHORT_OBJECT}
 * keys down to depth {@link SHORT_DEPTH} are written here; everything else (long, deep or
 * object-holding lists, binaries, class instances) goes to {@link writeValue}: `JSON.stringify`,
 * binaries by hand.
 * `depth` is the value's nesting depth, for the nesting limit.
 */
function writeElement(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'string':
      return writeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth <= SHORT_DEPTH) {
        if (Array.isArray(value))
          return value.length <= SHORT_ARRAY ? writeShortArray(value, depth) : (writeValue(value, depth) as string);
        if (isPlainObject(value)) return writeShortObject(value as Record<string, unknown>, depth);
      }
      return writeValue(value, depth) ?? 'null';
    default:
      // undefined, functions and symbols are null in an array; a bigint throws like JSON.stringify
      return writeValue(value, depth) ?? 'null';
  }
}

/**
 * A list of at most {@link SHORT_ARRAY} items: written here when they are all numbers, strings,
 * booleans or null. A list of objects (say eight records of six fields) goes to `JSON.stringify`
 * whole, which writes that many fields faster than this code.
 */
function writeShortArray(list: readonly unknown[], depth: number): string {
  for (let i = 0; i < list.length; i++) if (!isPrimitive(list[i])) return writeValue(list, depth) as string;
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ',';
    out += writeElement(list[i], depth + 1);
  }
  return `${out}]`;
}

/** Whether a value is written as itself: a number, string, boolean or null. */
function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  return type === 'object' ? value === null : type === 'number' || type === 'string' || type === 'boolean';
}

/**
 * A plain dictionary: written here when it has at most {@link SHORT_OBJECT} own keys and no
 * `toJSON` method (else by {@link writeValue}). Keys whose value JSON cannot hold (undefined,
 * functions, symbols) are left out, as by `JSON.stringify`.
 */
function writeShortObject(record: Record<string, unknown>, depth: number): string {
  if (typeof record['toJSON'] === 'function') return writeValue(record, depth) as string;
  let out = '{';
  let keys = 0;
  // for-in visits own keys in JSON.stringify's order; an inherited enumerable key sends the
  // object to JSON.stringify, which skips it
  for (const key in record) {
    if (++keys > SHORT_OBJECT || !Object.prototype.hasOwnProperty.call(record, key))
      return writeValue(record, depth) as string;
    const item = record[key];
    if (isSkipped(item)) continue;
    if (out.length > 1) out += ',';
    out += `${writeString(key)}:${writeElement(item, depth + 1)}`;
  }
  return `${out}}`;
}

/** A string as JSON: quoted as it is when nothing in it needs escaping, else by `JSON.stringify`. */
function writeString(text: string): string {
  const n = text.length;
  if (n > SHORT_STRING) return JSON.stringify(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // quote, backslash, control characters and (possibly lone) surrogates are JSON.stringify's
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/**
 * JSON text of `value`, which holds a binary somewhere. Written part by part so that a binary's
 * marked string is emitted as `"\u0000<base64>"` directly: handing it to `JSON.stringify` would
 * send the whole string through the slow, character-by-character escaping path because of its
 * control character (several microseconds per KiB). Parts without binary go to `JSON.stringify`
 * whole, so the output is what `JSON.stringify` gives for the message with each binary replaced
 * by its marked string.
 */
function writeValue(value: unknown, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || !hasBinary(value, depth)) return JSON.stringify(value);
  const base64 = binaryBase64(value);
  if (base64 !== undefined) return `"${ESCAPED_BINARY_MARKER}${base64}"`;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += writeValue(value[i], depth + 1) ?? 'null';
    }
    return `${out}]`;
  }
  // a plain object (hasBinary looks into no other kind); one with a toJSON() method is its result's text
  const record = value as Record<string, unknown>;
  if (typeof record['toJSON'] === 'function') return JSON.stringify(value);
  let out = '{';
  for (const key of Object.keys(record)) {
    const text = writeValue(record[key], depth + 1);
    if (text === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${text}`;
  }
  return `${out}}`;
}

/**
 * Return `value` with every `Uint8Array` (inside arrays and plain objects) replaced by its marked
 * base64 string. Containers that hold no binary are returned as they are, so a message without
 * binary costs one read-only pass and no allocation.
 */
function replaceBinaries(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = typeof item === 'object' && item !== null ? replaceBinaries(item) : item;
      if (copy !== undefined) copy.push(next);
      else if (next !== item) {
        copy = value.slice(0, i);
        copy.push(next);
      }
    }
    return copy ?? value;
  }
  if (ArrayBuffer.isView(value) || isArrayBuffer(value)) {
    const base64 = binaryBase64(value);
    return base64 === undefined ? value : BINARY_MARKER + base64;
  }
  if (!isPlainObject(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    const next = typeof item === 'object' && item !== null ? replaceBinaries(item) : item;
    if (copy === undefined && next !== item) {
      copy = {};
      for (let j = 0; j < i; j++) {
        const earlier = keys[j] as string;
        setOwn(copy, earlier, record[earlier]);
      }
    }
    if (copy !== undefined) setOwn(copy, key, next);
  }
  return copy ?? value;
}

/** Replace, in place, every marked string inside a freshly parsed array by its bytes. */
function restoreBinariesInArray(list: unknown[]): void {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === 'string') {
      if (item.charCodeAt(0) === 0) list[i] = decodeMarked(item);
    } else if (typeof item === 'object' && item !== null) {
      if (Array.isArray(item)) restoreBinariesInArray(item);
      else restoreBinariesInObject(item as Record<string, unknown>);
    }
  }
}

/** Replace, in place, every marked string inside a freshly parsed object by its bytes. */
function restoreBinariesInObject(record: Record<string, unknown>): void {
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    if (typeof item === 'string') {
      if (item.charCodeAt(0) === 0) setOwn(record, key, decodeMarked(item));
    } else if (typeof item === 'object' && item !== null) {
      if (Array.isArray(item)) restoreBinariesInArray(item);
      else restoreBinariesInObject(item as Record<string, unknown>);
    }
  }
}

function decodeMarked(text: string): Uint8Array {
  try {
    return decodeReceivedBase64(text, 1);
  } catch (err) {
    throw new SerializationError(
      `cannot decode JSON frame: a string starting with U+0000 is not valid base64 (${describeError(err)})`,
      {
        cause: err,
      },
    );
  }
}

/** Whether a view is a `Uint8Array` (or subclass), also one created in another realm. */
function isBytes(view: ArrayBufferView): view is Uint8Array {
  return view instanceof Uint8Array || Object.prototype.toString.call(view) === '[object Uint8Array]';
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/**
 * WAMP's JSON binary convention, for codecs that write JSON of their own: returns `value` with
 * every `Uint8Array` inside arrays and plain objects replaced by `"\u0000" + base64(bytes)`.
 * Parts without binary are returned as they are (no copy); the input is never modified.
 * @example
 * ```ts
 * JSON.stringify(encodeJsonBinaries({ b: new Uint8Array([1, 2, 3]) })); // '{"b":"\u0000AQID"}'
 * ```
 */
export function encodeJsonBinaries<T>(value: T): T {
  return replaceBinaries(value) as T;
}

/**
 * WAMP's JSON binary convention for codecs that write JSON of their own, in one step: the JSON
 * text of `value` with every `Uint8Array` (and `ArrayBuffer`) inside arrays and plain objects
 * written as the string `"\u0000" + base64(bytes)`. Equal to
 * `JSON.stringify(encodeJsonBinaries(value))`, and faster when there are binaries.
 * @throws SerializationError `ERR_SERIALIZATION` where `JSON.stringify` throws a `TypeError` (a cycle, a
 *   BigInt), and for nesting deeper than 512 levels.
 * @example
 * ```ts
 * stringifyJson({ b: new Uint8Array([1, 2, 3]) }); // '{"b":"\\u0000AQID"}'
 * ```
 */
export function stringifyJson(value: unknown): string {
  // small lists and dictionaries are written directly; writeValue hands a value without binaries
  // to JSON.stringify whole
  let text: string | undefined;
  try {
    text =
      typeof value === 'object' && value !== null && (Array.isArray(value) || isPlainObject(value))
        ? writeElement(value, 0)
        : writeValue(value);
  } catch (err) {
    // JSON.stringify's own TypeError (a BigInt, a throwing toJSON), typed like every wampbox error
    if (err instanceof SerializationError) throw err;
    throw new SerializationError(`cannot write JSON: ${describeError(err)}`, { cause: err });
  }
  if (text === undefined) throw new SerializationError(`${typeof value} has no JSON text`);
  return text;
}

/**
 * The reverse of {@link encodeJsonBinaries}, in place on a freshly parsed JSON value: every string
 * starting with U+0000 becomes a `Uint8Array`, at any depth (values only, not keys).
 * @throws SerializationError (`ERR_SERIALIZATION`) when such a string is not valid base64.
 * @example
 * ```ts
 * decodeJsonBinaries(JSON.parse('{"b":"\u0000AQID"}')); // { b: Uint8Array [1, 2, 3] }
 * ```
 */
export function decodeJsonBinaries<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) restoreBinariesInArray(value);
    else restoreBinariesInObject(value as Record<string, unknown>);
  }
  return value;
}
