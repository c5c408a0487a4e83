/**
 * The WAMP MessagePack serializer (`wamp.2.msgpack`).
 */
import type { Serializer } from '../serializer.js';
import { decodeMsgpack, encodeMsgpack } from './msgpack-codec.js';
import { binarySerializer } from './binary-serializer.js';

/**
 * Create the MessagePack serializer: id `msgpack`, subprotocol `wamp.2.msgpack`, RawSocket id 2,
 * binary frames.
 *
 * Data model: `Uint8Array` (any subclass, e.g. `Buffer`) is written as `bin`, strings as `str`,
 * plain objects as maps, integers up to 2^53 in magnitude as integers in their smallest form
 * (uint 64 / int 64 when needed), other numbers as float 64, `undefined` as in JSON; the bytes are
 * those Python's msgpack writes for the same message. Decoded maps are plain objects, decoded
 * `bin` values are fresh `Uint8Array`s (not views of the frame), and 64-bit integers are numbers
 * (beyond 2^53 they lose precision, as with JSON). Map keys that are numbers, `true`, `false` or
 * `nil` become strings as in JSON (`"1"`, `"true"`, `"false"`, `"null"`). Extension types are
 * rejected.
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

const MSGPACK_SERIALIZER: Serializer = /* @__PURE__ */ binarySerializer({
  id: 'msgpack',
  rawSocketId: 2,
  name: 'MessagePack',
  encode: encodeMsgpack,
  decode: decodeMsgpack,
});
