/**
 * The WAMP MessagePack serializer (`wamp.2.msgpack`).
 */
import { SerializationError } from '../errors.js';
import type { WampMessage } from '../messages.js';
import type { Serializer } from '../serializer.js';
import { decodeMsgpack, encodeMsgpack } from './msgpack-codec.js';
import { describeError, toPlainBytes } from './wire-values.js';

/**
 * Create the MessagePack serializer: id `msgpack`, subprotocol `wamp.2.msgpack`, RawSocket id 2,
 * binary frames.
 *
 * Data model: `Uint8Array` (any subclass, e.g. `Buffer`) is written as `bin`, strings as `str`,
 * plain objects as maps, integers up to 2^53 in magnitude as integers in their smallest form
 * (uint 64 / int 64 when needed), other numbers as float 64, `undefined` as in JSON; the bytes are
 * those Python's msgpack writes for the same message. Decoded maps are plain objects, decoded
 * `bin` values are fresh `Uint8Array`s (not views of the frame), and 64-bit integers are numbers
 * (beyond 2^53 they lose precision, as with JSON). Extension types are rejected.
 *
 * @example
 * ```ts
 * const s = msgpack();
 * const frame = s.encode([48, 1, {}, 'com.example.echo', [new Uint8Array([1, 2, 3])]]);
 * s.decode(frame); // [48, 1, {}, 'com.example.echo', [Uint8Array [1, 2, 3]]]
 * ```
 */
export function msgpack(): Serializer {
  return MSGPACK_SERIALIZER;
}

const MSGPACK_SERIALIZER: Serializer = /* @__PURE__ */ Object.freeze({
  id: 'msgpack',
  protocol: 'wamp.2.msgpack',
  rawSocketId: 2,
  binary: true,
  encode(msg: WampMessage | readonly unknown[]): Uint8Array {
    if (!Array.isArray(msg)) throw new SerializationError('cannot encode message: not a list');
    try {
      return encodeMsgpack(msg);
    } catch (err) {
      throw new SerializationError(`cannot encode message as MessagePack: ${describeError(err)}`, { cause: err });
    }
  },
  decode(frame: string | Uint8Array | ArrayBuffer): unknown[] {
    const bytes = toPlainBytes(frame, 'MessagePack');
    let value: unknown;
    try {
      value = decodeMsgpack(bytes);
    } catch (err) {
      throw new SerializationError(`cannot decode MessagePack frame: ${describeError(err)}`, { cause: err });
    }
    if (!Array.isArray(value)) throw new SerializationError('cannot decode MessagePack frame: not a list');
    return value;
  },
});
