/**
 * The WAMP framing around a binary codec (MessagePack, CBOR): a message must be a list, and codec
 * failures become `SerializationError`s naming the format.
 */
import { SerializationError } from '../../errors.js';
import type { Serializer } from '../serializer.js';
import { describeError, toPlainBytes } from './wire-values.js';

/** What differs between the binary serializers. */
export interface BinaryFormat {
  readonly id: string;
  readonly rawSocketId: number;
  /** Name in error messages, e.g. `CBOR`. */
  readonly name: string;
  readonly encode: (value: unknown) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => unknown;
}

/** Build the frozen {@link Serializer} for a binary format. */
export function binarySerializer(format: BinaryFormat): Serializer {
  const { name, encode, decode } = format;
  return Object.freeze({
    id: format.id,
    protocol: `wamp.2.${format.id}`,
    rawSocketId: format.rawSocketId,
    binary: true,
    encode(msg: readonly unknown[]): Uint8Array {
      if (!Array.isArray(msg)) throw new SerializationError('cannot encode message: not a list');
      try {
        return encode(msg);
      } catch (err) {
        throw new SerializationError(`cannot encode message as ${name}: ${describeError(err)}`, { cause: err });
      }
    },
    decode(frame: string | Uint8Array | ArrayBuffer): unknown[] {
      const bytes = toPlainBytes(frame, name);
      let value: unknown;
      try {
        value = decode(bytes);
      } catch (err) {
        throw new SerializationError(`cannot decode ${name} frame: ${describeError(err)}`, { cause: err });
      }
      if (!Array.isArray(value)) throw new SerializationError(`cannot decode ${name} frame: not a list`);
      return value;
    },
  });
}
