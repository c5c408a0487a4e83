/**
 * Step 1 of the receiver: parsing a payload and the checks that need nothing but its bytes and the
 * receiver's signing policy (§b.6 step 1, Decisions 1, 2 and 5), in this order:
 *
 * 1. `malformed`: fewer than 5 bytes; then fewer than `120 + 80W + 16 + 64S`, with W and S read from
 *    the flags byte as received (so the magic of a short payload is never looked at);
 * 2. `magic`, `suite` (only 1; 2 and 3 are reserved), `reserved` (bytes 6..7, flag bit 7, bucket
 *    bits without `PADDED`, bucket 3);
 * 3. `unsigned` (`WRAPPED` without `SIGNED`), `flags` (`WRAPPED` on a type other than CALL),
 *    `unsigned` (PUBLISH without `SIGNED`; then the receiver's policy: an unsigned CALL when every
 *    call must be signed, an unsigned YIELD or ERROR when replies must be);
 * 4. `header`: `seq` 0; a PUBLISH with a non-zero `xid`; a CALL, YIELD or ERROR with a zero one.
 */
import {
  Flag,
  HEADER_BYTES,
  KID_BYTES,
  MAGIC_0,
  MAGIC_1,
  MessageKind,
  NONCE_BYTES,
  OFF_FLAGS,
  OFF_KID,
  OFF_MAGIC,
  OFF_NONCE,
  OFF_RESERVED,
  OFF_SEQ,
  OFF_SER,
  OFF_SID,
  OFF_SPK,
  OFF_SUITE,
  OFF_TS,
  OFF_TYPE,
  OFF_XID,
  SID_BYTES,
  SIG_BYTES,
  SPK_BYTES,
  SUITE_1,
  TAG_BYTES,
  WRAP_BYTES,
  XID_BYTES,
} from './constants.js';
import { isZero } from './derive.js';
import { E2eV2Error } from './errors.js';
import { decodeFlags, readU64, type FlagBits, type HeaderFields } from './header.js';

/**
 * A payload split into its parts (views into it). `seq` and `ts` are numbers up to 2^53 - 1 and
 * bigints beyond (see `readU64`): no BigInt is made for the values every sender uses.
 */
export interface ParsedPayload extends Omit<HeaderFields, 'seq' | 'ts'> {
  readonly seq: bigint | number;
  readonly ts: bigint | number;
  readonly bits: FlagBits;
  /** From the start to the end of the wrap: what the AAD binds after `U(uri)`. */
  readonly bound: Uint8Array;
  readonly wrap: Uint8Array | undefined;
  readonly ciphertext: Uint8Array;
  /** From the start to the end of the ciphertext: what the signature covers after `U(uri)`. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array | undefined;
}

/** The receiver's signing policy. */
export interface SigningPolicy {
  /** Refuse unsigned CALLs (`signEveryCall`). */
  readonly signEveryCall: boolean;
  /** Refuse unsigned YIELDs and ERRORs (`signReplies`). */
  readonly signReplies: boolean;
}

/**
 * Split `payload` and run the checks of step 1.
 * @throws E2eV2Error `malformed`, `magic`, `suite`, `reserved`, `unsigned`, `flags` or `header`.
 */
export function parsePayload(payload: Uint8Array, policy: SigningPolicy): ParsedPayload {
  if (payload.length < 5) throw new E2eV2Error('malformed', 'fewer than 5 bytes');
  const flags = payload[OFF_FLAGS]!;
  const wrapped = (flags & Flag.WRAPPED) !== 0;
  const signedFlag = (flags & Flag.SIGNED) !== 0;
  const wrapEnd = HEADER_BYTES + (wrapped ? WRAP_BYTES : 0);
  const sigBytes = signedFlag ? SIG_BYTES : 0;
  if (payload.length < wrapEnd + TAG_BYTES + sigBytes) {
    throw new E2eV2Error('malformed', 'shorter than its flags require');
  }
  if (payload[OFF_MAGIC] !== MAGIC_0 || payload[OFF_MAGIC + 1] !== MAGIC_1) throw new E2eV2Error('magic', 'not "W2"');
  if (payload[OFF_SUITE] !== SUITE_1) throw new E2eV2Error('suite', `suite ${payload[OFF_SUITE]!} is not supported`);
  const bits = decodeFlags(flags);
  if (payload[OFF_RESERVED] !== 0 || payload[OFF_RESERVED + 1] !== 0) {
    throw new E2eV2Error('reserved', 'reserved bytes are not zero');
  }
  if ((flags & Flag.RESERVED) !== 0) throw new E2eV2Error('reserved', 'flag bit 7 is set');
  if (bits.bucket === undefined && (flags & Flag.BUCKET_MASK) !== 0) {
    throw new E2eV2Error('reserved', 'bucket bits without PADDED');
  }
  if (bits.bucket === 3) throw new E2eV2Error('reserved', 'pad bucket 3 is reserved');
  const type = payload[OFF_TYPE]!;
  const seq = readU64(payload, OFF_SEQ);
  const xid = payload.subarray(OFF_XID, OFF_XID + XID_BYTES);
  if (wrapped && !signedFlag) throw new E2eV2Error('unsigned', 'WRAPPED without SIGNED');
  if (wrapped && type !== MessageKind.CALL) throw new E2eV2Error('flags', 'WRAPPED on a type other than CALL');
  if (type === MessageKind.PUBLISH && !signedFlag) throw new E2eV2Error('unsigned', 'an unsigned PUBLISH');
  if (type === MessageKind.CALL && !signedFlag && policy.signEveryCall) {
    throw new E2eV2Error('unsigned', 'an unsigned CALL where every call must be signed');
  }
  const isReply = type === MessageKind.YIELD || type === MessageKind.ERROR;
  if (isReply && !signedFlag && policy.signReplies) {
    throw new E2eV2Error('unsigned', 'an unsigned reply where replies must be signed');
  }
  if (seq === 0) throw new E2eV2Error('header', 'seq 0');
  const zeroXid = isZero(xid);
  if (type === MessageKind.PUBLISH && !zeroXid) throw new E2eV2Error('header', 'a PUBLISH with an xid');
  if ((type === MessageKind.CALL || isReply) && zeroXid) throw new E2eV2Error('header', 'a zero xid');
  const ctEnd = payload.length - sigBytes;
  return {
    type,
    flags,
    ser: payload[OFF_SER]!,
    kid: payload.subarray(OFF_KID, OFF_KID + KID_BYTES),
    spk: payload.subarray(OFF_SPK, OFF_SPK + SPK_BYTES),
    sid: payload.subarray(OFF_SID, OFF_SID + SID_BYTES),
    seq,
    ts: readU64(payload, OFF_TS),
    xid,
    nonce: payload.subarray(OFF_NONCE, OFF_NONCE + NONCE_BYTES),
    bits,
    bound: payload.subarray(0, wrapEnd),
    wrap: wrapped ? payload.subarray(HEADER_BYTES, wrapEnd) : undefined,
    ciphertext: payload.subarray(wrapEnd, ctEnd),
    signed: payload.subarray(0, ctEnd),
    signature: signedFlag ? payload.subarray(ctEnd) : undefined,
  };
}
