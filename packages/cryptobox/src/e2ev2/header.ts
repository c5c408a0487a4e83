/**
 * The fixed 120-byte header of an `x_e2ev2` payload (§b.4), the flags byte, and the two byte
 * strings a payload binds: the AAD (`AAD_CTX || U(uri) || header || wrap`) and the signature input
 * (`SIG_CTX || U(uri) || header || wrap || ciphertext`).
 */
import {
  AAD_CTX,
  BUCKET_SHIFT,
  Flag,
  HEADER_BYTES,
  KID_BYTES,
  MAGIC_0,
  MAGIC_1,
  NONCE_BYTES,
  OFF_FLAGS,
  OFF_KID,
  OFF_MAGIC,
  OFF_NONCE,
  OFF_SEQ,
  OFF_SER,
  OFF_SID,
  OFF_SPK,
  OFF_SUITE,
  OFF_TS,
  OFF_TYPE,
  OFF_XID,
  SID_BYTES,
  SIG_CTX,
  SPK_BYTES,
  SUITE_1,
  U64_MAX,
  XID_BYTES,
} from './constants.js';
import { concatBytes } from './derive.js';
import { E2eV2Error } from './errors.js';

/** The fields of a header. Byte fields are exactly their size; `seq` and `ts` are u64. */
export interface HeaderFields {
  /** Byte 3: the message type code (1..4 when sealing; anything when parsed). */
  readonly type: number;
  /** Byte 4. */
  readonly flags: number;
  /** Byte 5: the inner serializer code. */
  readonly ser: number;
  readonly kid: Uint8Array;
  readonly spk: Uint8Array;
  readonly sid: Uint8Array;
  readonly seq: bigint;
  readonly ts: bigint;
  readonly xid: Uint8Array;
  readonly nonce: Uint8Array;
}

/** What the flags byte says, decoded. */
export interface FlagBits {
  readonly more: boolean;
  /** The pad bucket (0..2, 3 is reserved), or `undefined` when not `PADDED`. */
  readonly bucket: number | undefined;
  readonly innerUri: boolean;
  readonly signed: boolean;
  readonly wrapped: boolean;
}

/** The flags byte for `bits` (bucket `undefined` = not padded). */
export function encodeFlags(bits: FlagBits): number {
  let f = 0;
  if (bits.more) f |= Flag.MORE;
  if (bits.bucket !== undefined) f |= Flag.PADDED | (bits.bucket << BUCKET_SHIFT);
  if (bits.innerUri) f |= Flag.INNER_URI;
  if (bits.signed) f |= Flag.SIGNED;
  if (bits.wrapped) f |= Flag.WRAPPED;
  return f;
}

/** The flags byte decoded (no validity checks: see the receiver's parse step). */
export function decodeFlags(flags: number): FlagBits {
  return {
    more: (flags & Flag.MORE) !== 0,
    bucket: (flags & Flag.PADDED) !== 0 ? (flags & Flag.BUCKET_MASK) >>> BUCKET_SHIFT : undefined,
    innerUri: (flags & Flag.INNER_URI) !== 0,
    signed: (flags & Flag.SIGNED) !== 0,
    wrapped: (flags & Flag.WRAPPED) !== 0,
  };
}

function checkSize(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new E2eV2Error('seal', `${what} must be ${size} bytes`);
  }
}

function checkU64(n: bigint, what: string): void {
  if (n < 0n || n > U64_MAX) throw new E2eV2Error('seal', `${what} must be a u64`);
}

/**
 * The 120-byte header: magic, suite 1, the fields, reserved bytes zero.
 * @throws E2eV2Error `seal` when a field has the wrong size or range.
 */
export function writeHeader(h: HeaderFields): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  writeHeaderInto(out, h);
  return out;
}

/** The header's fields, with `seq` and `ts` as a bigint or a safe integer. */
export type HeaderInput = Omit<HeaderFields, 'seq' | 'ts'> & {
  readonly seq: bigint | number;
  readonly ts: bigint | number;
};

const TWO_32 = 0x1_0000_0000;

/** Whether `n` fits a u64 (a `number` must be a safe integer; beyond 2^53 - 1 it is a bigint). */
function checkU64Input(n: bigint | number, what: string): void {
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return;
  checkU64(typeof n === 'bigint' ? n : BigInt(n), what); // a fraction throws a RangeError
}

/** Write the u64 `n` (checked) big-endian at `offset`, without a BigInt when `n` is a number. */
function setU64(out: Uint8Array, offset: number, n: bigint | number): void {
  let hi: number;
  let lo: number;
  if (typeof n === 'number') {
    hi = Math.floor(n / TWO_32);
    lo = n >>> 0;
  } else {
    hi = Number(n >> 32n);
    lo = Number(n & 0xffff_ffffn);
  }
  out[offset] = hi >>> 24;
  out[offset + 1] = (hi >>> 16) & 0xff;
  out[offset + 2] = (hi >>> 8) & 0xff;
  out[offset + 3] = hi & 0xff;
  out[offset + 4] = lo >>> 24;
  out[offset + 5] = (lo >>> 16) & 0xff;
  out[offset + 6] = (lo >>> 8) & 0xff;
  out[offset + 7] = lo & 0xff;
}

/**
 * The u64 at `offset` of `bytes` (big-endian): a `number` when it is at most 2^53 - 1 (every
 * sequence number and timestamp in practice), else a `bigint`. Both compare exactly with `<`, `>`.
 */
export function readU64(bytes: Uint8Array, offset: number): bigint | number {
  const hi =
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
  const lo =
    ((bytes[offset + 4]! << 24) | (bytes[offset + 5]! << 16) | (bytes[offset + 6]! << 8) | bytes[offset + 7]!) >>> 0;
  if (hi < 0x20_0000) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Check the fields of a header to be written: the byte fields' sizes, `seq` and `ts` u64.
 * @throws E2eV2Error `seal` when a field has the wrong size or range.
 */
export function checkHeaderInput(h: HeaderInput): void {
  checkSize(h.kid, KID_BYTES, 'kid');
  checkSize(h.spk, SPK_BYTES, 'spk');
  checkSize(h.sid, SID_BYTES, 'sid');
  checkSize(h.xid, XID_BYTES, 'xid');
  checkSize(h.nonce, NONCE_BYTES, 'nonce');
  checkU64Input(h.seq, 'seq');
  checkU64Input(h.ts, 'ts');
}

/**
 * Write the 120-byte header into the first 120 bytes of `out` (whose reserved bytes must be zero,
 * as a new array's are): the same bytes as {@link writeHeader}, without a copy.
 * @throws E2eV2Error `seal` when a field has the wrong size or range.
 */
export function writeHeaderInto(out: Uint8Array, h: HeaderInput): void {
  checkHeaderInput(h);
  writeCheckedHeader(out, h);
}

/** {@link writeHeaderInto} for fields {@link checkHeaderInput} passed. */
export function writeCheckedHeader(out: Uint8Array, h: HeaderInput): void {
  out[OFF_MAGIC] = MAGIC_0;
  out[OFF_MAGIC + 1] = MAGIC_1;
  out[OFF_SUITE] = SUITE_1;
  out[OFF_TYPE] = h.type;
  out[OFF_FLAGS] = h.flags;
  out[OFF_SER] = h.ser;
  out.set(h.kid, OFF_KID);
  out.set(h.spk, OFF_SPK);
  out.set(h.sid, OFF_SID);
  setU64(out, OFF_SEQ, h.seq);
  setU64(out, OFF_TS, h.ts);
  out.set(h.xid, OFF_XID);
  out.set(h.nonce, OFF_NONCE);
}

/**
 * The fields of the first 120 bytes of `payload` (which must hold them), as views into it: no
 * check beyond the length. Magic, suite and reserved bytes are the parse step's business.
 */
export function readHeader(payload: Uint8Array): HeaderFields {
  const view = new DataView(payload.buffer, payload.byteOffset, HEADER_BYTES);
  return {
    type: payload[OFF_TYPE]!,
    flags: payload[OFF_FLAGS]!,
    ser: payload[OFF_SER]!,
    kid: payload.subarray(OFF_KID, OFF_KID + KID_BYTES),
    spk: payload.subarray(OFF_SPK, OFF_SPK + SPK_BYTES),
    sid: payload.subarray(OFF_SID, OFF_SID + SID_BYTES),
    seq: view.getBigUint64(OFF_SEQ),
    ts: view.getBigUint64(OFF_TS),
    xid: payload.subarray(OFF_XID, OFF_XID + XID_BYTES),
    nonce: payload.subarray(OFF_NONCE, OFF_NONCE + NONCE_BYTES),
  };
}

/**
 * `AAD_CTX || U(uri) || bound`, where `bound` is the payload's bytes from its start to the end of
 * the wrap (the header, plus the wrap when `WRAPPED`).
 */
export function aadOf(encodedUri: Uint8Array, bound: Uint8Array): Uint8Array {
  return concatBytes(AAD_CTX, encodedUri, bound);
}

/**
 * `SIG_CTX || U(uri) || signed`, where `signed` is the payload's bytes from its start to the end of
 * the ciphertext. Never 32 bytes long (at least 19 + 2 + 120 + 16), so it cannot be mistaken for a
 * WAMP-cryptosign challenge.
 */
export function signatureInputOf(encodedUri: Uint8Array, signed: Uint8Array): Uint8Array {
  return concatBytes(SIG_CTX, encodedUri, signed);
}
