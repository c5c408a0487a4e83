/**
 * RawSocket frames in, without I/O: {@link FrameReader} is fed the bytes that follow the handshake,
 * in chunks of any size, and hands on each complete frame.
 *
 * Wire format (WAMP spec, "RawSocket Transport"): a 4-byte prefix `RRRR XTTT` + 24-bit big-endian
 * length, then the payload. TTT is the frame type (0 message, 1 PING, 2 PONG); X is a 25th length
 * bit, set only for exactly 2^24 bytes (with the 24 length bits cleared); RRRR must be zero.
 */
import { InvalidArgumentError, TransportError } from '@wampbox/core';

/** Frame type of a WAMP message. */
export const FRAME_MESSAGE = 0;
/** Frame type of a RawSocket PING. */
export const FRAME_PING = 1;
/** Frame type of a RawSocket PONG. */
export const FRAME_PONG = 2;
/** The frame types RawSocket defines. */
export type FrameType = typeof FRAME_MESSAGE | typeof FRAME_PING | typeof FRAME_PONG;

/** Length of a frame prefix. */
export const FRAME_HEADER_BYTES = 4;
/** Largest payload a frame prefix can express (24 length bits plus the X bit): 16 MiB. */
export const MAX_FRAME_PAYLOAD = 2 ** 24;
const X_BIT = 0x08;
const RESERVED_BITS = 0xf0;
const TYPE_BITS = 0x07;

const EMPTY = new Uint8Array(0);

/** Options of {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Largest payload accepted, in bytes: an integer from 0 to 2^24. */
  readonly maxFrameBytes: number;
  /**
   * Called with each complete frame, in order. A frame that arrived within one chunk is a view of
   * that chunk (no copy); a frame split across chunks is a buffer of its own, filled as its bytes arrive.
   */
  readonly onFrame: (type: FrameType, payload: Uint8Array) => void;
}

/**
 * Splits a RawSocket byte stream into frames. Reassembly is linear in the number of bytes whatever
 * the chunking: a frame split across chunks is copied once into a buffer of its exact size,
 * allocated when its prefix arrives.
 *
 * A prefix that announces more than `maxFrameBytes`, sets reserved bits, sets the X bit with a
 * non-zero length, or names a reserved frame type is refused as soon as its 4 bytes are in, before
 * any of its payload is buffered. The frames before it have been delivered; the reader is then
 * failed for good.
 *
 * @example
 * ```ts
 * const reader = new FrameReader({ maxFrameBytes: 1 << 20, onFrame: (type, payload) => console.log(type, payload) });
 * socket.on('data', (chunk: Buffer) => reader.push(chunk));
 * ```
 */
export class FrameReader {
  private readonly max_: number;
  private readonly onFrame_: (type: FrameType, payload: Uint8Array) => void;
  private readonly header_ = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill_ = 0;
  /** The payload being reassembled across chunks. */
  private payload_: Uint8Array | null = null;
  private payloadFill_ = 0;
  private payloadType_: FrameType = FRAME_MESSAGE;
  private failure_: TransportError | null = null;

  /**
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when `maxFrameBytes` is not an integer from 0 to 2^24.
   */
  constructor(options: FrameReaderOptions) {
    const { maxFrameBytes } = options;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || maxFrameBytes > MAX_FRAME_PAYLOAD) {
      throw new InvalidArgumentError(
        `maxFrameBytes of a RawSocket frame reader is an integer from 0 to 2^24 (got ${String(maxFrameBytes)})`,
      );
    }
    this.max_ = maxFrameBytes;
    this.onFrame_ = options.onFrame;
  }

  /** Bytes of an incomplete frame (prefix and payload) held until the rest arrives. */
  get pendingBytes(): number {
    return this.payload_ ? FRAME_HEADER_BYTES + this.payloadFill_ : this.headerFill_;
  }

  /** The error that failed the reader, or `null` while it reads. */
  get error(): TransportError | null {
    return this.failure_;
  }

  /**
   * Feed the next bytes of the stream. Delivers every frame the bytes complete, in order.
   * @throws TransportError `ERR_FRAME_TOO_LARGE` for a prefix announcing more than `maxFrameBytes`;
   *   `ERR_TRANSPORT` for reserved prefix bits, the X bit with a non-zero length, or a reserved frame
   *   type. The frames before the bad prefix have been delivered. Once failed, every later call
   *   throws the same error.
   */
  push(chunk: Uint8Array): void {
    if (this.failure_) throw this.failure_;
    const end = chunk.byteLength;
    let pos = 0;
    while (pos < end) {
      const payload = this.payload_;
      if (payload) {
        const take = Math.min(payload.byteLength - this.payloadFill_, end - pos);
        payload.set(chunk.subarray(pos, pos + take), this.payloadFill_);
        this.payloadFill_ += take;
        pos += take;
        if (this.payloadFill_ === payload.byteLength) {
          this.payload_ = null;
          this.onFrame_(this.payloadType_, payload);
        }
        continue;
      }
      let b0: number, b1: number, b2: number, b3: number;
      if (this.headerFill_ === 0 && end - pos >= FRAME_HEADER_BYTES) {
        // the common case: the whole prefix in this chunk, read in place
        b0 = chunk[pos]!;
        b1 = chunk[pos + 1]!;
        b2 = chunk[pos + 2]!;
        b3 = chunk[pos + 3]!;
        pos += FRAME_HEADER_BYTES;
      } else {
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFill_, end - pos);
        this.header_.set(chunk.subarray(pos, pos + take), this.headerFill_);
        this.headerFill_ += take;
        pos += take;
        if (this.headerFill_ < FRAME_HEADER_BYTES) return;
        this.headerFill_ = 0;
        const h = this.header_;
        b0 = h[0]!;
        b1 = h[1]!;
        b2 = h[2]!;
        b3 = h[3]!;
      }
      const low = (b1 << 16) | (b2 << 8) | b3;
      const type = this.frameType_(b0, low);
      const length = b0 & X_BIT ? MAX_FRAME_PAYLOAD : low;
      if (length > this.max_) {
        const message = `received a frame of ${length} bytes, over the limit of ${this.max_} bytes`;
        throw this.fail_(message, 'ERR_FRAME_TOO_LARGE');
      }
      if (length === 0) {
        this.onFrame_(type, EMPTY);
      } else if (end - pos >= length) {
        const view = new Uint8Array(chunk.buffer, chunk.byteOffset + pos, length);
        pos += length;
        this.onFrame_(type, view);
      } else {
        this.payload_ = new Uint8Array(length);
        this.payloadFill_ = 0;
        this.payloadType_ = type;
      }
    }
  }

  /** The type of a frame with prefix octet `b0` and 24-bit length `low`. @throws TransportError */
  private frameType_(b0: number, low: number): FrameType {
    if (b0 & X_BIT && low !== 0) throw this.fail_('RawSocket frame prefix sets the X bit with a non-zero length');
    if (b0 & RESERVED_BITS) throw this.fail_('RawSocket frame prefix sets reserved bits');
    const type = b0 & TYPE_BITS;
    if (type !== FRAME_MESSAGE && type !== FRAME_PING && type !== FRAME_PONG) {
      throw this.fail_(`RawSocket frame of reserved type ${type}`);
    }
    return type;
  }

  private fail_(message: string, code?: 'ERR_FRAME_TOO_LARGE'): TransportError {
    this.failure_ = new TransportError(message, code ? { code } : undefined);
    this.payload_ = null;
    this.headerFill_ = 0;
    return this.failure_;
  }
}
