/**
 * Encodes WAMP messages into transport frames and back. Binary values (`Uint8Array`) must
 * round-trip exactly at any depth of a message.
 */
export interface Serializer {
  /** Short id: `json`, `msgpack`, `cbor`, or a custom one. */
  readonly id: string;
  /** WebSocket subprotocol, e.g. `wamp.2.json`. */
  readonly protocol: string;
  /** RawSocket serializer id (1 = JSON, 2 = MessagePack, 3 = CBOR), if it has one. */
  readonly rawSocketId?: number;
  /** Whether frames are binary (`Uint8Array`) rather than text (`string`). */
  readonly binary: boolean;
  /**
   * Encode one message.
   * @throws SerializationError (`ERR_SERIALIZATION`) when a value cannot be encoded.
   */
  encode(msg: readonly unknown[]): string | Uint8Array;
  /**
   * Decode one frame. Performs no WAMP validation beyond "is a list".
   * @throws SerializationError (`ERR_SERIALIZATION`) when the frame is not a valid encoding of a list.
   */
  decode(frame: string | Uint8Array | ArrayBuffer): unknown[];
}
