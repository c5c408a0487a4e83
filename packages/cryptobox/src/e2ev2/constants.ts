/**
 * The constants of the `x_e2ev2` wire format, suite 1 (design: E2E v2 §b.2 and §b.4): the header
 * layout, the type, flag and serializer codes, the padding buckets and the context strings of the
 * derivations. Internal to the E2E v2 modules.
 */

/** The scheme name (`enc_algo` / `ppt_scheme`). */
export const E2EV2_SCHEME = 'x_e2ev2';
/** The `ppt_cipher` of suite 1 in the spec's dialect. */
export const E2EV2_CIPHER = 'xchacha20poly1305';

/** Bytes 0..1: "W2". */
export const MAGIC_0 = 0x57;
export const MAGIC_1 = 0x32;
/** Byte 2: suite 1 = Ed25519 / XChaCha20-Poly1305-IETF / BLAKE2b / X25519 sealed box. */
export const SUITE_1 = 1;

/** The message type in byte 3. */
export const MessageKind = { PUBLISH: 1, CALL: 2, YIELD: 3, ERROR: 4 } as const;
/** A type code of {@link MessageKind}. */
export type MessageKindCode = (typeof MessageKind)[keyof typeof MessageKind];
/** The name of a type code. */
export type MessageKindName = keyof typeof MessageKind;

/** Flag bits of byte 4. */
export const Flag = {
  /** Progressive: more follows (equals the envelope's `progress`). */
  MORE: 0x01,
  /** The plaintext is padded; the bucket is in bits 5 and 6. */
  PADDED: 0x02,
  /** The clear URI is sealed inside (scrambled wire URI). */
  INNER_URI: 0x04,
  /** A 64-byte Ed25519 signature ends the payload. */
  SIGNED: 0x08,
  /** An 80-byte key wrap follows the nonce (CALL only). */
  WRAPPED: 0x10,
  /** Bits 5 and 6: the pad bucket. */
  BUCKET_MASK: 0x60,
  /** Bit 7: reserved, 0. */
  RESERVED: 0x80,
} as const;
/** Where the bucket sits in the flags byte. */
export const BUCKET_SHIFT = 5;
/** Block sizes of pad buckets 0, 1 and 2 (bucket 3 is reserved). */
export const BUCKET_SIZES: readonly number[] = [64, 256, 1024];

/** The inner serializer in byte 5, by the names `enc_serializer` uses. */
export const SerializerCode = { json: 1, msgpack: 2, cbor: 3 } as const;
/** An inner serializer name. */
export type InnerSerializer = keyof typeof SerializerCode;
/** The names of serializer codes 1, 2 and 3. */
export const SERIALIZER_NAMES: readonly (InnerSerializer | undefined)[] = [undefined, 'json', 'msgpack', 'cbor'];

// Header layout (byte offsets; integers big-endian).
export const OFF_MAGIC = 0;
export const OFF_SUITE = 2;
export const OFF_TYPE = 3;
export const OFF_FLAGS = 4;
export const OFF_SER = 5;
export const OFF_RESERVED = 6;
export const OFF_KID = 8;
export const OFF_SPK = 24;
export const OFF_SID = 56;
export const OFF_SEQ = 64;
export const OFF_TS = 72;
export const OFF_XID = 80;
export const OFF_NONCE = 96;
/** Bytes of the fixed header (up to and including the nonce). */
export const HEADER_BYTES = 120;

export const KID_BYTES = 16;
export const SPK_BYTES = 32;
export const SID_BYTES = 8;
export const XID_BYTES = 16;
export const NONCE_BYTES = 24;
/** Bytes of a `WRAPPED` key wrap: `crypto_box_seal` of a 32-byte key. */
export const WRAP_BYTES = 80;
export const TAG_BYTES = 16;
export const SIG_BYTES = 64;
/** Bytes of every content key (group, session, reply) and of a scope key. */
export const CONTENT_KEY_BYTES = 32;

/** The largest u64 (sequence numbers and timestamps are u64). */
export const U64_MAX = (1n << 64n) - 1n;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `"wampbox/e2e/v2 sig\0"`: starts every signature input. */
export const SIG_CTX = ascii('wampbox/e2e/v2 sig\0');
/** `"wampbox/e2e/v2 aad\0"`: starts every AAD. */
export const AAD_CTX = ascii('wampbox/e2e/v2 aad\0');
/** The data of `KID(K)`. */
export const KID_CTX = ascii('wampbox/e2e/v2 kid');
/** Prefix of the data of `PKID(pk)`. */
export const PKID_CTX = ascii('wampbox/e2e/v2 pkid\0');
/** Prefix of the data of `K_reply(K_s, xid)`. */
export const REPLY_CTX = ascii('wampbox/e2e/v2 reply');
/** Prefix of the data of a namespace key `K_ns`. */
export const URI_KEY_CTX = ascii('wampbox/e2e/v2 uri-key');
/** Prefix of a chained scramble step. */
export const URI_CHAINED_CTX = ascii('wampbox/e2e/v2 uri c\0');
/** Prefix of a positional scramble tag. */
export const URI_POSITIONAL_CTX = ascii('wampbox/e2e/v2 uri p\0');
