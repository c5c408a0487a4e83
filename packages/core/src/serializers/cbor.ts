/**
 * The WAMP CBOR serializer (`wamp.2.cbor`).
 */
import { SerializationError } from '../errors.js';
import type { WampMessage } from '../messages.js';
import type { Serializer } from '../serializer.js';
import { decodeCbor, encodeCbor } from './cbor-codec.js';
import { describeError, toPlainBytes } from './wire-values.js';

/**
 * Create the CBOR serializer: id `cbor`, subprotocol `wamp.2.cbor`, RawSocket id 3, binary frames.
 *
 * Data model: `Uint8Array` (any subclass, e.g. `Buffer`) is written as an untagged byte string
 * (major type 2), strings as text strings, plain objects as maps, integers up to 2^53 in magnitude
 * as integers in their smallest form, other numbers as float64, `undefined` as in JSON; the bytes
 * are those Python's cbor2 writes for the same message. Decoded maps are plain objects, decoded
 * byte strings are fresh `Uint8Array`s (not views of the frame), and 64-bit integers are numbers
 * (beyond 2^53 they lose precision, as with JSON). Indefinite lengths are accepted; tags are
 * unwrapped (bignums become numbers).
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

const CBOR_SERIALIZER: Serializer = /* @__PURE__ */ Object.freeze({
  id: 'cbor',
  protocol: 'wamp.2.cbor',
  rawSocketId: 3,
  binary: true,
  encode(msg: WampMessage | readonly unknown[]): Uint8Array {
    if (!Array.isArray(msg)) throw new SerializationError('cannot encode message: not a list');
    try {
      return encodeCbor(msg);
    } catch (err) {
      throw new SerializationError(`cannot encode message as CBOR: ${describeError(err)}`, { cause: err });
    }
  },
  decode(frame: string | Uint8Array | ArrayBuffer): unknown[] {
    const bytes = toPlainBytes(frame, 'CBOR');
    let value: unknown;
    try {
      value = decodeCbor(bytes);
    } catch (err) {
      throw new SerializationError(`cannot decode CBOR frame: ${describeError(err)}`, { cause: err });
    }
    if (!Array.isArray(value)) throw new SerializationError('cannot decode CBOR frame: not a list');
    return value;
  },
});
