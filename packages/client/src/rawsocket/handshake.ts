/**
 * The RawSocket opening handshake (WAMP spec, "RawSocket Transport"), without I/O.
 *
 * The client sends `0x7F, LLLL SSSS, 0x00, 0x00`: it accepts messages up to 2^(9+LLLL) bytes and
 * asks for serializer SSSS. The router echoes the same layout with its own limit, or answers
 * `0x7F, EEEE 0000, 0x00, 0x00` with an error code EEEE.
 */
import { InvalidArgumentError, TransportError } from '@wampbox/core';

/** The first octet of both handshake messages. */
export const HANDSHAKE_MAGIC = 0x7f;
/** Length of the client's handshake and of the router's reply. */
export const HANDSHAKE_BYTES = 4;
/** The smallest length a handshake can announce is 2^9 = 512 bytes. */
const MIN_LENGTH_EXP = 9;
const MAX_LENGTH_EXP = 15;

const ROUTER_ERRORS: Readonly<Record<number, string>> = {
  0: 'illegal error code 0',
  1: 'serializer unsupported',
  2: 'maximum message length unacceptable',
  3: 'use of reserved bits (unsupported feature)',
  4: 'maximum connection count reached',
};
const ERROR_SERIALIZER_UNSUPPORTED = 1;

/** What the router's reply to a handshake says. */
export type HandshakeReply =
  | {
      readonly ok: true;
      /** The largest message the router accepts, in bytes (512 … 16 MiB). */
      readonly maxFrameBytes: number;
      /** The serializer the router agreed to (the one requested). */
      readonly serializerId: number;
    }
  | {
      readonly ok: false;
      /**
       * Why the handshake failed: `ERR_NO_SERIALIZER` when the router does not support the requested
       * serializer (another one may work), `ERR_TRANSPORT` for every other refusal or a malformed reply.
       */
      readonly error: TransportError;
    };

/** What {@link parseHandshakeReply} checks the reply against. */
export interface HandshakeRequest {
  /** The serializer id the client asked for (1 … 15). */
  readonly serializerId: number;
  /** How errors name the router, e.g. its URL. Default `"the router"`. */
  readonly peer?: string | undefined;
}

/** The length exponent (LLLL) to announce: the largest 2^(9+e) that does not exceed `max`, e in 0 … 15. */
export function lengthExponent(max: number): number {
  let e = 0;
  while (e < MAX_LENGTH_EXP && 2 ** (MIN_LENGTH_EXP + e + 1) <= max) e++;
  return e;
}

function checkSerializerId(serializerId: number): void {
  if (!Number.isInteger(serializerId) || serializerId < 1 || serializerId > 15) {
    throw new InvalidArgumentError(`a RawSocket serializer id is an integer from 1 to 15 (got ${serializerId})`);
  }
}

/**
 * The client's 4-byte handshake. It announces the largest power of two from 512 bytes to 16 MiB
 * that does not exceed `maxFrameBytes` (512 when `maxFrameBytes` is smaller).
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a serializer id outside 1 … 15.
 * @example
 * ```ts
 * buildHandshake(1 << 20, 3); // 0x7F, 0xB3, 0x00, 0x00: up to 1 MiB, CBOR
 * ```
 */
export function buildHandshake(maxFrameBytes: number, serializerId: number): Uint8Array {
  checkSerializerId(serializerId);
  return Uint8Array.of(HANDSHAKE_MAGIC, (lengthExponent(maxFrameBytes) << 4) | serializerId, 0, 0);
}

/**
 * Read the router's 4-byte reply to the handshake asking for `request.serializerId`.
 * @returns the router's limit and serializer, or the typed error the reply amounts to.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `reply` is not 4 bytes long or the serializer id is
 *   outside 1 … 15.
 * @example
 * ```ts
 * const reply = parseHandshakeReply(Uint8Array.of(0x7f, 0xf3, 0, 0), { serializerId: 3 });
 * if (reply.ok) console.log(reply.maxFrameBytes); // 16777216
 * ```
 */
export function parseHandshakeReply(reply: Uint8Array, request: HandshakeRequest): HandshakeReply {
  if (reply.byteLength !== HANDSHAKE_BYTES) {
    throw new InvalidArgumentError(`a RawSocket handshake reply is ${HANDSHAKE_BYTES} bytes (got ${reply.byteLength})`);
  }
  checkSerializerId(request.serializerId);
  const peer = request.peer ?? 'the router';
  const [magic = 0, second = 0, reserved1 = 0, reserved2 = 0] = reply;
  const serializerId = second & 0x0f;
  const fail = (message: string, code?: 'ERR_NO_SERIALIZER'): HandshakeReply => ({
    ok: false,
    error: new TransportError(message, code ? { code } : undefined),
  });
  if (magic !== HANDSHAKE_MAGIC) {
    return fail(`${peer} is not a RawSocket router: handshake reply starts with 0x${magic.toString(16)}`);
  }
  if (serializerId === 0) {
    const code = second >> 4;
    const text = ROUTER_ERRORS[code] ?? 'unknown error';
    const message = `RawSocket router at ${peer} refused the handshake: ${text} (error ${code})`;
    return fail(message, code === ERROR_SERIALIZER_UNSUPPORTED ? 'ERR_NO_SERIALIZER' : undefined);
  }
  if (serializerId !== request.serializerId) {
    return fail(`RawSocket router answered with serializer ${serializerId}, not the requested ${request.serializerId}`);
  }
  if (reserved1 !== 0 || reserved2 !== 0) {
    return fail('RawSocket router set reserved bits in its handshake reply');
  }
  return { ok: true, maxFrameBytes: 2 ** (MIN_LENGTH_EXP + (second >> 4)), serializerId };
}
