/**
 * Sealing one `x_e2ev2` payload from explicit inputs (§b.4, §b.5 step 6): the content key, the
 * header fields, the signer and the optional key wrap are given; choosing them (group key, session
 * key, counters, clock, random nonces) is the sender's business. The result has every intermediate
 * byte string, as the known-answer vectors list them.
 */
import { bytesEqual, signDetached } from '../sodium.js';
import { aeadEncryptFramed, boxSeal, boxSealWithEphemeral, pad } from '../sodium-v2.js';
import {
  AAD_CTX,
  BUCKET_SIZES,
  CONTENT_KEY_BYTES,
  HEADER_BYTES,
  SIG_BYTES,
  SIG_CTX,
  TAG_BYTES,
  MessageKind,
  SerializerCode,
  XID_BYTES,
  type InnerSerializer,
  type MessageKindName,
} from './constants.js';
import { concatBytes, encodeUri, isZero, keyId, replyKey } from './derive.js';
import { E2eV2Error } from './errors.js';
import { checkHeaderInput, encodeFlags, writeCheckedHeader, type HeaderInput } from './header.js';
import { encodeInner, innerSource } from './inner.js';

/** The `WRAPPED` key wrap of a session's first CALL: `crypto_box_seal(K_s, CK.pk)`. */
export interface WrapInput {
  /** `K_s`: the session key, which is also the CALL's content key. */
  readonly sessionKey: Uint8Array;
  /** `CK.pk`: the callee scope's X25519 public key. */
  readonly scopePublicKey: Uint8Array;
  /**
   * Only for known-answer vectors: the sealed box's ephemeral secret key. Absent (always, outside
   * tests), `crypto_box_seal` draws a fresh one.
   */
  readonly ephemeralSecretKey?: Uint8Array | undefined;
}

/** Everything one payload is sealed from. */
export interface SealInput {
  readonly type: MessageKindName;
  /**
   * The URI bound in the AAD and the signature, as on the wire (scrambled when it is): PUBLISH the
   * topic, CALL the procedure, YIELD the procedure of the call, ERROR the error URI (Decision 3).
   */
  readonly uri: string;
  /** With a scrambled `uri`: the clear URI, sealed inside (`INNER_URI`). */
  readonly clearUri?: string | undefined;
  readonly ser: InnerSerializer;
  readonly args?: readonly unknown[] | undefined;
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined;
  /** The content key: `K_g` (PUBLISH), `K_s` (CALL), `K_reply` (YIELD, ERROR). */
  readonly key: Uint8Array;
  /** The sender's Ed25519 public key, written in the header. */
  readonly spk: Uint8Array;
  /**
   * The sender's Ed25519 secret key (libsodium's 64 bytes, whose public half is `spk`): the payload
   * is `SIGNED` exactly when this is given.
   */
  readonly signer?: Uint8Array | undefined;
  readonly sid: Uint8Array;
  readonly seq: bigint | number;
  /** Milliseconds since the Unix epoch. */
  readonly ts: bigint | number;
  /** The exchange id: zero for PUBLISH. */
  readonly xid: Uint8Array;
  /** 24 random bytes. */
  readonly nonce: Uint8Array;
  /** `MORE`: a progressive chunk that more will follow. */
  readonly more?: boolean | undefined;
  /** Pad to bucket 0, 1 or 2 (blocks of 64, 256, 1024 bytes); absent: not padded. */
  readonly bucket?: number | undefined;
  readonly wrap?: WrapInput | undefined;
}

/** A sealed payload and the byte strings it was made of. */
export interface SealedPayload {
  /** `KID(key)`, which `enc_key` / `ppt_keyid` carry in hex. */
  readonly kid: Uint8Array;
  readonly flags: number;
  /** Bytes 0..119. */
  readonly header: Uint8Array;
  /** The 80-byte key wrap, or `undefined`. */
  readonly wrap: Uint8Array | undefined;
  /** `AAD_CTX || U(uri) || header || wrap`. */
  readonly aad: Uint8Array;
  /** The serialized inner map. */
  readonly plaintext: Uint8Array;
  /** The plaintext after padding (the plaintext itself when not padded). */
  readonly paddedPlaintext: Uint8Array;
  /** The AEAD output, tag included. */
  readonly ciphertext: Uint8Array;
  /** `SIG_CTX || U(uri) || header || wrap || ciphertext`, when signed. */
  readonly signatureInput: Uint8Array | undefined;
  readonly signature: Uint8Array | undefined;
  /** The whole payload: header, wrap, ciphertext, signature. */
  readonly payload: Uint8Array;
}

/**
 * Seal one payload, enforcing the rules per type of §b.4: PUBLISH signed with a zero `xid`; a wrap
 * only on a signed CALL, around the CALL's own key; every other type with a non-zero `xid`; `seq`
 * at least 1.
 *
 * @throws E2eV2Error `seal` for inputs that break those rules or have the wrong sizes, or a payload
 *   that cannot be serialized.
 */
export function sealPayload(input: SealInput): SealedPayload {
  const { type, wrap } = input;
  const signed = input.signer !== undefined;
  if (!(type in MessageKind)) throw new E2eV2Error('seal', 'type must be PUBLISH, CALL, YIELD or ERROR');
  if (type === 'PUBLISH' && !signed) throw new E2eV2Error('seal', 'a PUBLISH must be signed');
  if (!(input.xid instanceof Uint8Array) || input.xid.length !== XID_BYTES) {
    throw new E2eV2Error('seal', `xid must be ${XID_BYTES} bytes`);
  }
  if ((type === 'PUBLISH') !== isZero(input.xid)) {
    throw new E2eV2Error('seal', 'a PUBLISH has a zero xid, every other type a non-zero one');
  }
  if (typeof input.seq === 'number' ? !(input.seq >= 1) : input.seq < 1n)
    throw new E2eV2Error('seal', 'seq starts at 1');
  if (wrap !== undefined) {
    if (type !== 'CALL' || !signed) throw new E2eV2Error('seal', 'only a signed CALL carries a key wrap');
    if (!bytesEqual(wrap.sessionKey, input.key)) {
      throw new E2eV2Error('seal', 'a wrapped CALL is sealed with the wrapped session key');
    }
  }
  if (input.bucket !== undefined && BUCKET_SIZES[input.bucket] === undefined) {
    throw new E2eV2Error('seal', 'bucket must be 0, 1 or 2');
  }
  return assemblePayload(input);
}

/**
 * Seal one payload as `input` says, without the rules per type: the primitive under
 * {@link sealPayload}, which tests also use to make hostile payloads. Internal.
 *
 * The payload is written into one buffer: the header (and wrap) first, then the ciphertext, which
 * the AEAD writes straight into it from a plaintext serialized into the WebAssembly heap; the
 * additional data and the signature input are written into the heap part by part. The other byte
 * strings of the result (plaintext, additional data, signature input) are made only when read.
 *
 * @throws E2eV2Error `seal` for fields of the wrong size or a payload that cannot be serialized.
 */
export function assemblePayload(input: SealInput, rawPlaintext?: Uint8Array): SealedPayload {
  const { key, wrap, bucket, signer } = input;
  if (!(key instanceof Uint8Array) || key.length !== CONTENT_KEY_BYTES) {
    throw new E2eV2Error('seal', `the content key must be ${CONTENT_KEY_BYTES} bytes`);
  }
  if (signer !== undefined && !(signer.length === 64 && bytesEqual(signer.subarray(32), input.spk))) {
    throw new E2eV2Error('seal', "the signer's secret key must be 64 bytes and belong to spk");
  }
  const kid = keyId(key);
  const flags = encodeFlags({
    more: input.more === true,
    bucket,
    innerUri: input.clearUri !== undefined,
    signed: signer !== undefined,
    wrapped: wrap !== undefined,
  });
  const header: HeaderInput = {
    type: MessageKind[input.type],
    flags,
    ser: SerializerCode[input.ser],
    kid,
    spk: input.spk,
    sid: input.sid,
    seq: input.seq,
    ts: input.ts,
    xid: input.xid,
    nonce: input.nonce,
  };
  checkHeaderInput(header);
  const wrapBytes = wrap === undefined ? undefined : sealKey(wrap);
  const boundLength = HEADER_BYTES + (wrapBytes === undefined ? 0 : wrapBytes.length);
  const encodedUri = encodeUri(input.uri);
  const sigBytes = signer === undefined ? 0 : SIG_BYTES;
  // serialized last, so that nothing can fail between it and the sealing that wipes it
  const source = rawPlaintext ?? innerSource(input.ser, input.args, input.kwargs, input.clearUri);
  let payload: Uint8Array = EMPTY;
  try {
    const layout = {
      blockSize: bucket === undefined ? undefined : BUCKET_SIZES[bucket],
      adLength: AAD_CTX.length + encodedUri.length + boundLength,
    };
    aeadEncryptFramed(
      source,
      layout,
      (length) => {
        // one buffer for the whole payload: header, wrap, ciphertext and signature written in place
        payload = payloadBytes(boundLength + length + TAG_BYTES + sigBytes);
        writeCheckedHeader(payload, header);
        if (wrapBytes !== undefined) payload.set(wrapBytes, HEADER_BYTES);
        return { target: payload.subarray(boundLength), ad: [AAD_CTX, encodedUri, payload.subarray(0, boundLength)] };
      },
      input.nonce,
      key,
    );
  } finally {
    // the serializer's bytes of a binary plaintext are not kept (a given raw plaintext is the caller's)
    if (rawPlaintext === undefined && typeof source !== 'string') source.fill(0);
  }
  const bodyLength = payload.length - sigBytes;
  if (signer !== undefined) {
    payload.set(signDetached(concatBytes(SIG_CTX, encodedUri, payload.subarray(0, bodyLength)), signer), bodyLength);
  }
  return new Sealed(input, rawPlaintext, { kid, flags, wrap: wrapBytes, payload, boundLength, bodyLength, encodedUri });
}

const EMPTY = new Uint8Array(0);

/** Payloads of 65 bytes to 4 KiB are carved out of slabs of this size. */
const SLAB_BYTES = 32 * 1024;
const SLAB_MIN = 65;
const SLAB_MAX = 4 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/**
 * A zero-filled array of `size` bytes for a sealed payload. From 65 bytes to 4 KiB it is a view
 * into a shared slab, as @wampbox/core places received binaries: an `ArrayBuffer` of its own costs
 * about a microsecond in V8, more than writing the header. A region is handed out once and never
 * reused (its bytes are zero, as the header's reserved bytes must be); a slab is freed when no
 * payload of it is left.
 */
function payloadBytes(size: number): Uint8Array {
  if (size < SLAB_MIN || size > SLAB_MAX) return new Uint8Array(size);
  if (slabUsed + size > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, size);
  slabUsed = (slabUsed + size + 7) & ~7;
  return bytes;
}

/** What {@link Sealed} is made of. */
interface SealedParts {
  readonly kid: Uint8Array;
  readonly flags: number;
  readonly wrap: Uint8Array | undefined;
  readonly payload: Uint8Array;
  /** The header and wrap's length. */
  readonly boundLength: number;
  /** The payload's length without the signature. */
  readonly bodyLength: number;
  readonly encodedUri: Uint8Array;
}

/** A sealed payload; the byte strings it was made of, other than the payload's parts, made when read. */
class Sealed implements SealedPayload {
  readonly kid: Uint8Array;
  readonly flags: number;
  readonly wrap: Uint8Array | undefined;
  readonly payload: Uint8Array;
  readonly #input: SealInput;
  readonly #boundLength: number;
  readonly #bodyLength: number;
  readonly #encodedUri: Uint8Array;
  #plaintext: Uint8Array | undefined;

  constructor(input: SealInput, rawPlaintext: Uint8Array | undefined, parts: SealedParts) {
    this.kid = parts.kid;
    this.flags = parts.flags;
    this.wrap = parts.wrap;
    this.payload = parts.payload;
    this.#boundLength = parts.boundLength;
    this.#bodyLength = parts.bodyLength;
    this.#encodedUri = parts.encodedUri;
    this.#input = input;
    this.#plaintext = rawPlaintext;
  }

  get header(): Uint8Array {
    return this.payload.subarray(0, HEADER_BYTES);
  }

  get ciphertext(): Uint8Array {
    return this.payload.subarray(this.#boundLength, this.#bodyLength);
  }

  get signature(): Uint8Array | undefined {
    return this.payload.length === this.#bodyLength ? undefined : this.payload.subarray(this.#bodyLength);
  }

  get aad(): Uint8Array {
    return concatBytes(AAD_CTX, this.#encodedUri, this.payload.subarray(0, this.#boundLength));
  }

  get signatureInput(): Uint8Array | undefined {
    if (this.payload.length === this.#bodyLength) return undefined;
    return concatBytes(SIG_CTX, this.#encodedUri, this.payload.subarray(0, this.#bodyLength));
  }

  /** Serialized again from the input (the same bytes): sealing never held them in an array. */
  get plaintext(): Uint8Array {
    const i = this.#input;
    this.#plaintext ??= encodeInner(i.ser, i.args, i.kwargs, i.clearUri);
    return this.#plaintext;
  }

  get paddedPlaintext(): Uint8Array {
    const bucket = this.#input.bucket;
    return bucket === undefined ? this.plaintext : pad(this.plaintext, BUCKET_SIZES[bucket]!);
  }
}

function sealKey(wrap: WrapInput): Uint8Array {
  if (wrap.sessionKey.length !== CONTENT_KEY_BYTES) throw new E2eV2Error('seal', 'the wrapped key must be 32 bytes');
  return wrap.ephemeralSecretKey === undefined
    ? boxSeal(wrap.sessionKey, wrap.scopePublicKey)
    : boxSealWithEphemeral(wrap.sessionKey, wrap.scopePublicKey, wrap.ephemeralSecretKey);
}

/** The reply key of a CALL's answers, and its id: what the caller keeps for the exchange. */
export function replyKeyOf(sessionKey: Uint8Array, xid: Uint8Array): { key: Uint8Array; kid: Uint8Array } {
  const key = replyKey(sessionKey, xid);
  return { key, kid: keyId(key) };
}
