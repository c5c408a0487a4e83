/**
 * The WAMP CBOR serializer (`wamp.2.cbor`).
 */
import type { Serializer } from '../serializer.js';
import { decodeCbor, encodeCbor } from './cbor-codec.js';
import { binarySerializer } from './binary-serializer.js';

/**
 * Create the CBOR serializer: id `cbor`, subprotocol `wamp.2.cbor`, RawSocket id 3, binary frames.
 *
 * Data model: `Uint8Array` (any subclass, e.g. `Buffer`) is written as an untagged byte string
 * (major type 2), strings as text strings, plain objects as maps, integers up to 2^53 in magnitude
 * as integers in their smallest form, other numbers as float64, `undefined` as in JSON; the bytes
 * are those Python's cbor2 writes for the same message. Decoded maps are plain objects, decoded
 * byte strings are fresh `Uint8Array`s (not views of the frame), and 64-bit integers are numbers
 * (beyond 2^53 they lose precision, as with JSON). Map keys `true`, `false` and `null` (which
 * Python's cbor2 writes as they are) become the strings `"true"`, `"false"` and `"null"`, and number
 * keys their decimal string, as in JSON. Indefinite lengths are accepted. Of the tags, bignums
 * (2, 3) become numbers, tag 64 over bytes gives the bytes and self-described CBOR (55799) the item
 * it wraps; any other tag fails with `ERR_SERIALIZATION` instead of being dropped.
 *
 * @example
 * ```ts
 * const s = cbor();
 * const frame = s.encode([48, 1, {}, 'com.example.echo', [new Uint8Array([1, 2, 3])]]);
 * s.decode(frame); // [48, 1, {}, 'com.example.echo', [Uint8Array [1, 2, 3]]]
 * ```
 */
export function cbor(): Serializer {
  return CBOR_SERIALIZER;
}

const CBOR_SERIALIZER: Serializer = /* @__PURE__ */ binarySerializer({
  id: 'cbor',
  rawSocketId: 3,
  name: 'CBOR',
  encode: encodeCbor,
  decode: decodeCbor,
});
