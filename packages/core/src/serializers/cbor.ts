/**
 * The WAMP CBOR serializer (`wamp.2.cbor`), on cbor-x.
 */
import { Encoder, type Options as CborOptions } from 'cbor-x';
import { SerializationError } from '../errors.js';
import type { WampMessage } from '../messages.js';
import type { Serializer } from '../serializer.js';
import { createWireValuePreparer, describeError, toPlainBytes } from './binary-support.js';

/** cbor-x options that its type declarations do not list. */
interface ExtraCborOptions {
  /** Write a JS `Map` as a plain CBOR map rather than under tag 259. */
  useTag259ForMaps?: boolean;
  /** Decode 64-bit integers as numbers rather than `bigint`. */
  int64AsNumber?: boolean;
}

/**
 * cbor-x settings for interoperable WAMP frames: plain maps (no record extension, no tag 259),
 * minimal map headers, untagged byte strings (cbor-x tags a plain `Uint8Array` with tag 64 under
 * Node unless `tagUint8Array` is `false`), 64-bit integers decoded as numbers, and decoded bytes
 * copied out of the frame. No global state of cbor-x is changed.
 */
const CBOR_OPTIONS: CborOptions & ExtraCborOptions = {
  useRecords: false,
  mapsAsObjects: true,
  useTag259ForMaps: false,
  variableMapSize: true,
  tagUint8Array: false,
  structuredClone: false,
  bundleStrings: false,
  pack: false,
  int64AsNumber: true,
  copyBuffers: true,
};

/** Integers from -2^32 on are written as integers by cbor-x itself. */
const prepareWireValue = createWireValuePreparer(-0x100000000);

/**
 * Create the CBOR serializer: id `cbor`, subprotocol `wamp.2.cbor`, RawSocket id 3, binary frames.
 *
 * Data model: `Uint8Array` (any subclass, e.g. `Buffer`) is written as an untagged byte string
 * (major type 2), strings as text strings, plain objects as maps, integers up to 2^53 in magnitude
 * as integers (64-bit when needed), `undefined` as in JSON. Decoded maps are plain objects,
 * decoded byte strings are fresh `Uint8Array`s (not views of the frame), and 64-bit integers are
 * numbers (beyond 2^53 they lose precision, as with JSON).
 *
 * @example
 * ```ts
 * const s = cbor();
 * const frame = s.encode([48, 1, {}, 'com.example.echo', [new Uint8Array([1, 2, 3])]]);
 * s.decode(frame); // [48, 1, {}, 'com.example.echo', [Uint8Array [1, 2, 3]]]
 * ```
 */
export function cbor(): Serializer {
  const encoder = new Encoder(CBOR_OPTIONS);
  return {
    id: 'cbor',
    protocol: 'wamp.2.cbor',
    rawSocketId: 3,
    binary: true,
    encode(msg: WampMessage | readonly unknown[]): Uint8Array {
      if (!Array.isArray(msg)) throw new SerializationError('cannot encode message: not a list');
      try {
        return encoder.encode(prepareWireValue(msg));
      } catch (err) {
        throw new SerializationError(`cannot encode message as CBOR: ${describeError(err)}`, { cause: err });
      }
    },
    decode(frame: string | Uint8Array | ArrayBuffer): unknown[] {
      const bytes = toPlainBytes(frame, 'CBOR');
      let value: unknown;
      try {
        value = encoder.decode(bytes);
      } catch (err) {
        throw new SerializationError(`cannot decode CBOR frame: ${describeError(err)}`, { cause: err });
      }
      if (!Array.isArray(value)) throw new SerializationError('cannot decode CBOR frame: not a list');
      return value;
    },
  };
}
