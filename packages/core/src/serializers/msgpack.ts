/**
 * The WAMP MessagePack serializer (`wamp.2.msgpack`), on msgpackr.
 */
import { Packr, type Options as PackrOptions } from 'msgpackr';
import { SerializationError } from '../errors.js';
import type { WampMessage } from '../messages.js';
import type { Serializer } from '../serializer.js';
import { createWireValuePreparer, describeError, toPlainBytes } from './binary-support.js';

/**
 * msgpackr settings for interoperable WAMP frames: plain maps (no record extension), minimal map
 * headers, no custom extensions, `bin` for bytes, `nil` for `undefined`, 64-bit integers decoded
 * as numbers, and decoded bytes copied out of the frame.
 */
const PACKR_OPTIONS: PackrOptions = {
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  encodeUndefinedAsNil: true,
  int64AsType: 'number',
  copyBuffers: true,
};

/** Integers from -2^31 on are written as integers by msgpackr itself. */
const prepareWireValue = createWireValuePreparer(-0x80000000);

/**
 * Create the MessagePack serializer: id `msgpack`, subprotocol `wamp.2.msgpack`, RawSocket id 2,
 * binary frames.
 *
 * Data model: `Uint8Array` (any subclass, e.g. `Buffer`) is written as `bin`, strings as `str`,
 * plain objects as maps, integers up to 2^53 in magnitude as integers (64-bit when needed),
 * `undefined` as in JSON. Decoded maps are plain objects, decoded `bin` values are fresh `Uint8Array`s (not views of the
 * frame), and 64-bit integers are numbers (beyond 2^53 they lose precision, as with JSON).
 *
 * @example
 * ```ts
 * const s = msgpack();
 * const frame = s.encode([48, 1, {}, 'com.example.echo', [new Uint8Array([1, 2, 3])]]);
 * s.decode(frame); // [48, 1, {}, 'com.example.echo', [Uint8Array [1, 2, 3]]]
 * ```
 */
export function msgpack(): Serializer {
  const packr = new Packr(PACKR_OPTIONS);
  return {
    id: 'msgpack',
    protocol: 'wamp.2.msgpack',
    rawSocketId: 2,
    binary: true,
    encode(msg: WampMessage | readonly unknown[]): Uint8Array {
      if (!Array.isArray(msg)) throw new SerializationError('cannot encode message: not a list');
      try {
        return packr.pack(prepareWireValue(msg));
      } catch (err) {
        throw new SerializationError(`cannot encode message as MessagePack: ${describeError(err)}`, { cause: err });
      }
    },
    decode(frame: string | Uint8Array | ArrayBuffer): unknown[] {
      const bytes = toPlainBytes(frame, 'MessagePack');
      let value: unknown;
      try {
        value = packr.unpack(bytes);
      } catch (err) {
        throw new SerializationError(`cannot decode MessagePack frame: ${describeError(err)}`, { cause: err });
      }
      if (!Array.isArray(value)) throw new SerializationError('cannot decode MessagePack frame: not a list');
      return value;
    },
  };
}
