/**
 * MessagePack for WAMP messages (internal): the data model of `wire-values.ts`, written the way
 * Python's msgpack writes it, so that a message re-encodes to the same bytes:
 * - non-negative integers as positive fixint, uint 8/16/32/64; negative ones as negative fixint,
 *   int 8/16/32/64; a `bigint` always as uint 64 (or int 64 when negative);
 * - other numbers as float 64;
 * - strings as fixstr/str 8/16/32, bytes as bin 8/16/32, arrays and maps in their smallest form.
 *
 * Decoding also accepts float 32 and non-minimal forms. Extension types (including the timestamp
 * extension), the never-used byte 0xc1 and trailing bytes are errors.
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
const EMPTY = /* @__PURE__ */ new Uint8Array(0);

// ---- encoding ----

const out = /* @__PURE__ */ new ByteWriter();
let depth = 0;
let encoding = false;

/**
 * Encode one value.
 * @throws SerializationError (`ERR_SERIALIZATION`) or a `RangeError` when the value cannot be encoded.
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  if (encoding) invalid('MessagePack encoding was re-entered (from a toJSON method or a getter)');
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
      return writeString(value);
    case 'number':
      return writeNumber(value);
    case 'boolean':
      out.ensure_(1);
      return out.u8_(value ? 0xc3 : 0xc2);
    case 'object':
      if (value !== null) return writeObject(value);
      out.ensure_(1);
      return out.u8_(0xc0);
    case 'bigint':
      return writeBigInt(value);
    default:
      // undefined, functions and symbols, inside an array
      out.ensure_(1);
      return out.u8_(0xc0);
  }
}

function writeNumber(n: number): void {
  out.ensure_(9);
  if (n >>> 0 === n) {
    if (n < 0x80) return out.u8_(n);
    if (n < 0x100) {
      out.u8_(0xcc);
      return out.u8_(n);
    }
    if (n < 0x10000) {
      out.u8_(0xcd);
      return out.u16_(n);
    }
    out.u8_(0xce);
    return out.u32_(n);
  }
  if ((n | 0) === n) {
    // negative, from -2^31
    if (n >= -32) return out.u8_(n & 0xff);
    if (n >= -0x80) {
      out.u8_(0xd0);
      return out.u8_(n & 0xff);
    }
    if (n >= -0x8000) {
      out.u8_(0xd1);
      return out.u16_(n & 0xffff);
    }
    out.u8_(0xd2);
    return out.u32_(n);
  }
  if (Number.isInteger(n) && n <= MAX_EXACT_INTEGER && n >= -MAX_EXACT_INTEGER) {
    if (n > 0) {
      out.u8_(0xcf);
      return out.u64_(n);
    }
    out.u8_(0xd3);
    out.u32_(Math.floor(n / 0x100000000)); // high word, two's complement
    return out.u32_(n >>> 0);
  }
  out.u8_(0xcb);
  out.f64_(n);
}

function writeBigInt(n: bigint): void {
  if (n > 0xffffffffffffffffn || n < -0x8000000000000000n)
    invalid(`bigint ${n} does not fit in a 64-bit MessagePack integer`);
  out.ensure_(9);
  out.u8_(n < 0n ? 0xd3 : 0xcf);
  out.big64_(n);
}

function writeString(text: string): void {
  const n = out.textBody_(text, 32);
  if (n < 32) {
    out.u8_(0xa0 | n);
  } else if (n < 0x100) {
    out.u8_(0xd9);
    out.u8_(n);
  } else if (n < 0x10000) {
    out.u8_(0xda);
    out.u16_(n);
  } else {
    out.u8_(0xdb);
    out.u32_(n);
  }
  out.pos_ += n;
}

function writeBytes(bytes: Uint8Array): void {
  const n = bytes.length;
  out.ensure_(5);
  if (n < 0x100) {
    out.u8_(0xc4);
    out.u8_(n);
  } else if (n < 0x10000) {
    out.u8_(0xc5);
    out.u16_(n);
  } else {
    out.u8_(0xc6);
    out.u32_(n);
  }
  out.bytes_(bytes);
}

/** An array (`fix` 0x90, then 0xdc/0xdd) or map (0x80, then 0xde/0xdf) header. */
function writeContainerHead(n: number, fix: number): void {
  out.ensure_(5);
  if (n < 16) return out.u8_(fix | n);
  const code16 = fix === 0x90 ? 0xdc : 0xde;
  if (n < 0x10000) {
    out.u8_(code16);
    return out.u16_(n);
  }
  out.u8_(code16 + 1);
  out.u32_(n);
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
  writeContainerHead(n, 0x90);
  for (let i = 0; i < n; i++) writeValue(list[i]);
  depth--;
}

function writeMap(record: Record<string, unknown>): void {
  if (++depth > MAX_DEPTH) tooDeep();
  const keys = writtenKeys(record);
  writeContainerHead(keys.length, 0x80);
  for (const key of keys) {
    writeString(key);
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
 * @throws SerializationError (`ERR_SERIALIZATION`) when the bytes are not valid MessagePack of the
 *   supported kinds, are truncated or are followed by more bytes.
 */
export function decodeMsgpack(bytes: Uint8Array): unknown {
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

/** Read an unsigned big-endian integer of `size` (1, 2 or 4) bytes. */
function readUint(size: number): number {
  if (size > end - pos) truncated();
  const b = buf;
  const p = pos;
  pos += size;
  if (size === 1) return b[p] as number;
  if (size === 2) return ((b[p] as number) << 8) | (b[p + 1] as number);
  return (
    (b[p] as number) * 0x1000000 + (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number))
  );
}

function readFloatOf(size: 4 | 8): number {
  if (size > end - pos) truncated();
  pos += size;
  return readFloat(buf, pos - size, size);
}

function readItem(): unknown {
  if (pos >= end) truncated();
  const b = buf[pos++] as number;
  if (b < 0x80) return b;
  if (b < 0x90) return readMap(b & 0x0f);
  if (b < 0xa0) return readArray(b & 0x0f);
  if (b < 0xc0) return readString(b & 0x1f);
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
    case 0xc5:
    case 0xc6: {
      const n = readUint(1 << (b - 0xc4));
      if (n > end - pos) truncated();
      const bytes = copyToPooled(buf, pos, pos + n);
      pos += n;
      return bytes;
    }
    case 0xca:
      return readFloatOf(4);
    case 0xcb:
      return readFloatOf(8);
    case 0xcc:
    case 0xcd:
    case 0xce:
      return readUint(1 << (b - 0xcc));
    case 0xcf:
      return readUint(4) * 0x100000000 + readUint(4);
    case 0xd0:
      return (readUint(1) << 24) >> 24;
    case 0xd1:
      return (readUint(2) << 16) >> 16;
    case 0xd2:
      return readUint(4) | 0;
    case 0xd3:
      return (readUint(4) | 0) * 0x100000000 + readUint(4);
    case 0xd9:
    case 0xda:
    case 0xdb:
      return readString(readUint(1 << (b - 0xd9)));
    case 0xdc:
      return readArray(readUint(2));
    case 0xdd:
      return readArray(readUint(4));
    case 0xde:
      return readMap(readUint(2));
    case 0xdf:
      return readMap(readUint(4));
    case 0xc1:
      return invalid('the never-used byte 0xc1');
    default:
      // 0xc7-0xc9, 0xd4-0xd8
      return invalid(`extension type (0x${b.toString(16)}) is not supported`);
  }
}

function readMapKey(): string {
  const initial = pos < end ? (buf[pos] as number) : 0;
  if (initial >= 0xa0 && initial < 0xc0) {
    // fixstr
    const n = initial - 0xa0;
    if (++pos + n > end) truncated();
    pos += n;
    return readKey(buf, pos - n, pos);
  }
  return propertyName(readItem());
}

function readString(n: number): string {
  if (n > end - pos) truncated();
  const text = readUtf8(buf, pos, pos + n);
  pos += n;
  return text;
}

function readArray(n: number): unknown[] {
  if (n > end - pos) truncated(); // every item takes at least one byte
  if (++nesting > MAX_DEPTH) tooDeep();
  const list = new Array<unknown>(n);
  for (let i = 0; i < n; i++) list[i] = readItem();
  nesting--;
  return list;
}

function readMap(n: number): Record<string, unknown> {
  if (2 * n > end - pos) truncated();
  if (++nesting > MAX_DEPTH) tooDeep();
  const record: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) setOwn(record, readMapKey(), readItem());
  nesting--;
  return record;
}
