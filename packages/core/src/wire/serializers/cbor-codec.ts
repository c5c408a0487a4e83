/**
 * CBOR (RFC 8949) for WAMP messages (internal): the data model of `wire-values.ts`, written the
 * way Python's cbor2 writes it, so that a message re-encodes to the same bytes:
 * - integers in the smallest head (major type 0 or 1, up to 8 bytes), `bigint` always in 8 bytes;
 * - other numbers as float64, except NaN and ±Infinity, which take the 3-byte half-float form;
 * - byte strings untagged (major type 2), text, arrays and maps with definite lengths.
 *
 * Decoding also accepts: indefinite-length byte strings, text strings, arrays and maps; float16,
 * float32 and float64; `undefined` (as `null`); and the tags whose meaning fits the data model:
 * bignums (tags 2 and 3 over a byte string) become numbers like 64-bit integers do, tag 64 (a
 * uint8 typed array, how cbor-x tags byte strings by default) over a byte string gives the bytes,
 * and tag 55799 (self-described CBOR, no meaning of its own) gives the item it wraps. Any other
 * tag (a date, a URI, cbor-x's records, ...) is an error rather than being dropped, and so are
 * these tags over another kind of item, other simple values, the reserved additional-information
 * values 28 to 30, a misplaced break and trailing bytes.
 */
import { ByteWriter } from './byte-writer.js';
import { copyToPooled } from './fast-alloc.js';
import { readFloat } from './floats.js';
import { readKey, readUtf8 } from './utf8.js';
import {
  MAX_DEPTH,
  invalid,
  propertyName,
  setOwn,
  substitute,
  tooDeep,
  truncated,
  writtenKeys,
} from './wire-values.js';

const MAX_EXACT_INTEGER = 2 ** 53;
const BREAK = 0xff;
const EMPTY = /* @__PURE__ */ new Uint8Array(0);

// ---- encoding ----

const out = /* @__PURE__ */ new ByteWriter();
let depth = 0;
let encoding = false;

/**
 * Encode one value.
 * @throws SerializationError (`ERR_SERIALIZATION`) or a `RangeError` when the value cannot be encoded.
 */
export function encodeCbor(value: unknown): Uint8Array {
  if (encoding) invalid('CBOR encoding was re-entered (from a toJSON method or a getter)');
  encoding = true;
  depth = 0;
  try {
    writeValue(value);
    return out.finish_();
  } catch (err) {
    out.reset_();
    throw err;
  } finally {
    encoding = false;
  }
}

function writeValue(value: unknown): void {
  switch (typeof value) {
    case 'string':
      return writeText(value);
    case 'number':
      return writeNumber(value);
    case 'boolean':
      out.ensure_(1);
      return out.u8_(value ? 0xf5 : 0xf4);
    case 'object':
      if (value !== null) return writeObject(value);
      out.ensure_(1);
      return out.u8_(0xf6);
    case 'bigint':
      return writeBigInt(value);
    default:
      // undefined, functions and symbols, inside an array
      out.ensure_(1);
      return out.u8_(0xf6);
  }
}

/** A head: major type and argument, in the smallest form. */
function head(major: number, n: number): void {
  out.ensure_(9);
  const m = major << 5;
  if (n < 24) {
    out.u8_(m | n);
  } else if (n < 0x100) {
    out.u8_(m | 24);
    out.u8_(n);
  } else if (n < 0x10000) {
    out.u8_(m | 25);
    out.u16_(n);
  } else if (n < 0x100000000) {
    out.u8_(m | 26);
    out.u32_(n);
  } else {
    out.u8_(m | 27);
    out.u64_(n);
  }
}

function writeNumber(n: number): void {
  if (n >>> 0 === n) return head(0, n);
  if (Number.isInteger(n) && n <= MAX_EXACT_INTEGER && n >= -MAX_EXACT_INTEGER)
    return n < 0 ? head(1, -1 - n) : head(0, n);
  out.ensure_(9);
  if (Number.isFinite(n)) {
    out.u8_(0xfb);
    return out.f64_(n);
  }
  out.u8_(0xf9);
  out.u16_(n !== n ? 0x7e00 : n > 0 ? 0x7c00 : 0xfc00);
}

function writeBigInt(n: bigint): void {
  const negative = n < 0n;
  const magnitude = negative ? -1n - n : n;
  if (magnitude > 0xffffffffffffffffn) invalid(`bigint ${n} does not fit in a 64-bit CBOR integer`);
  out.ensure_(9);
  out.u8_(negative ? 0x3b : 0x1b);
  out.big64_(magnitude);
}

function writeText(text: string): void {
  const length = out.textBody_(text, 24);
  head(3, length);
  out.pos_ += length;
}

function writeBytes(bytes: Uint8Array): void {
  head(2, bytes.length);
  out.bytes_(bytes);
}

function writeObject(value: object): void {
  if (Array.isArray(value)) return writeArray(value);
  if (value instanceof Uint8Array) return writeBytes(value);
  const replacement = substitute(value);
  if (replacement !== value) {
    if (++depth > MAX_DEPTH) tooDeep();
    writeValue(replacement);
    depth--;
    return;
  }
  writeMap(value as Record<string, unknown>);
}

function writeArray(list: readonly unknown[]): void {
  if (++depth > MAX_DEPTH) tooDeep();
  const n = list.length;
  head(4, n);
  for (let i = 0; i < n; i++) writeValue(list[i]);
  depth--;
}

function writeMap(record: Record<string, unknown>): void {
  if (++depth > MAX_DEPTH) tooDeep();
  const keys = writtenKeys(record);
  head(5, keys.length);
  for (const key of keys) {
    writeText(key);
    writeValue(record[key]);
  }
  depth--;
}

// ---- decoding ----

let buf: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
let nesting = 0;

/**
 * Decode one value that fills all of `bytes`.
 * @throws SerializationError (`ERR_SERIALIZATION`) when the bytes are not well-formed CBOR of the
 *   supported kinds, are truncated or are followed by more bytes.
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  buf = bytes;
  pos = 0;
  end = bytes.length;
  nesting = 0;
  try {
    const value = readItem();
    if (pos !== end) invalid(`${end - pos} trailing bytes after the value`);
    return value;
  } finally {
    buf = EMPTY;
  }
}

function need(n: number): void {
  if (n > end - pos) truncated();
}

function readArgument(info: number): number {
  let n: number;
  switch (info) {
    case 24:
      need(1);
      return buf[pos++] as number;
    case 25:
      need(2);
      n = ((buf[pos] as number) << 8) | (buf[pos + 1] as number);
      pos += 2;
      return n;
    case 26:
      need(4);
      n = readUint32(pos);
      pos += 4;
      return n;
    case 27:
      need(8);
      n = readUint32(pos) * 0x100000000 + readUint32(pos + 4);
      pos += 8;
      return n;
    default:
      if (info < 24) return info;
      return invalid(`reserved additional information ${info}`);
  }
}

function readUint32(at: number): number {
  return (
    (buf[at] as number) * 0x1000000 +
    (((buf[at + 1] as number) << 16) | ((buf[at + 2] as number) << 8) | (buf[at + 3] as number))
  );
}

function readItem(): unknown {
  if (pos >= end) truncated();
  const initial = buf[pos++] as number;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === 7) return readSimple(info);
  if (info === 31) return readIndefinite(major);
  const n = info < 24 ? info : readArgument(info);
  switch (major) {
    case 0:
      return n;
    case 1:
      return -1 - n;
    case 2: {
      need(n);
      const bytes = copyToPooled(buf, pos, pos + n);
      pos += n;
      return bytes;
    }
    case 3: {
      need(n);
      const text = readUtf8(buf, pos, pos + n);
      pos += n;
      return text;
    }
    case 4:
      return readArray(n);
    case 5:
      return readMap(n);
    default:
      return readTagged(n);
  }
}

function readSimple(info: number): unknown {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
    case 23: // undefined
      return null;
    case 25:
    case 26:
    case 27: {
      const size = info === 25 ? 2 : info === 26 ? 4 : 8;
      need(size);
      pos += size;
      return readFloat(buf, pos - size, size);
    }
    case 31:
      return invalid('unexpected break');
    default:
      return invalid(`unsupported simple value (additional information ${info})`);
  }
}

function readArray(n: number): unknown[] {
  need(n); // every item takes at least one byte
  if (++nesting > MAX_DEPTH) tooDeep();
  const list = new Array<unknown>(n);
  for (let i = 0; i < n; i++) list[i] = readItem();
  nesting--;
  return list;
}

function readMap(n: number): Record<string, unknown> {
  need(2 * n);
  if (++nesting > MAX_DEPTH) tooDeep();
  const record: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) setOwn(record, readMapKey(), readItem());
  nesting--;
  return record;
}

function readMapKey(): string {
  const initial = pos < end ? (buf[pos] as number) : 0;
  if (initial >= 0x60 && initial < 0x78) {
    // a text string shorter than 24 bytes
    const n = initial - 0x60;
    if (++pos + n > end) truncated();
    pos += n;
    return readKey(buf, pos - n, pos);
  }
  return propertyName(readItem());
}

/** Tag 55799: "self-described CBOR", a marker without meaning of its own. */
const SELF_DESCRIBED = 55799;

function readTagged(tag: number): unknown {
  if (tag !== 2 && tag !== 3 && tag !== 64 && tag !== SELF_DESCRIBED) {
    invalid(`CBOR tag ${tag} is not supported (only bignums, tag 64 over bytes and tag ${SELF_DESCRIBED})`);
  }
  if (++nesting > MAX_DEPTH) tooDeep();
  const value = readItem();
  nesting--;
  if (tag === SELF_DESCRIBED) return value;
  if (!(value instanceof Uint8Array)) return invalid(`CBOR tag ${tag} must wrap a byte string`);
  if (tag === 64) return value;
  let n = 0;
  for (let i = 0; i < value.length; i++) n = n * 256 + (value[i] as number);
  return tag === 2 ? n : -1 - n;
}

/** Whether the next byte ends an indefinite-length item (and if so, consume it). */
function atBreak(): boolean {
  if (pos >= end) truncated();
  if (buf[pos] !== BREAK) return false;
  pos++;
  return true;
}

function readIndefinite(major: number): unknown {
  if (major === 2 || major === 3) return readChunks(major);
  if (major !== 4 && major !== 5) invalid(`indefinite length for major type ${major}`);
  if (++nesting > MAX_DEPTH) tooDeep();
  let value: unknown[] | Record<string, unknown>;
  if (major === 4) {
    const list: unknown[] = [];
    while (!atBreak()) list.push(readItem());
    value = list;
  } else {
    const record: Record<string, unknown> = {};
    while (!atBreak()) setOwn(record, readMapKey(), readItem());
    value = record;
  }
  nesting--;
  return value;
}

/** An indefinite-length byte or text string: definite-length chunks of the same type up to a break. */
function readChunks(major: number): Uint8Array | string {
  const parts: Uint8Array[] = [];
  let text = '';
  let total = 0;
  while (!atBreak()) {
    const initial = buf[pos++] as number;
    if (initial >> 5 !== major || (initial & 0x1f) === 31)
      invalid('a chunk of an indefinite-length string has the wrong type');
    const n = readArgument(initial & 0x1f);
    need(n);
    if (major === 3) text += readUtf8(buf, pos, pos + n);
    else parts.push(buf.subarray(pos, pos + n));
    pos += n;
    total += n;
  }
  if (major === 3) return text;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
