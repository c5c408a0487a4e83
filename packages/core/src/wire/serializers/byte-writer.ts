/**
 * The output buffer of the binary encoders (internal): big-endian integers and floats, raw bytes
 * and UTF-8 text, appended to a growable buffer.
 *
 * Frames are handed out as exact-length `subarray` views, and the next frame is written after
 * the previous one in the same buffer (never over it), so a small frame costs no allocation and
 * no copy of its own. When a buffer is full, a new one is started, each twice the size of the
 * last, from 1 KiB up to 16 KiB; the old one stays alive as long as frames that view it do. A
 * frame that outgrows 16 KiB gets a buffer of its own, which it takes along when it fills at
 * least half of it; otherwise the frame is copied out, and the buffer (up to 256 KiB) is kept as
 * the spare that the next such frame is written into, instead of a new zero-filled one. A frame
 * never views the spare, so no frame shows bytes of another one. After a frame of its own, the
 * next frame goes on in the shared buffer that was left.
 *
 * Large byte strings are not copied into the buffer: they are noted, and the frame is then
 * assembled once in a new buffer of its exact size, so that a large binary is copied only once.
 */
import { bytesToFill, copyBytes } from './fast-alloc.js';
import { writeUtf8 } from './utf8.js';

/** Size of the first buffer. */
const MIN_CHUNK = 1024;
/** Largest buffer shared by several frames. */
const MAX_CHUNK = 16 * 1024;
/** Byte strings from this size on are copied straight into the finished frame. */
const LARGE_BYTES = 16 * 1024;
const NO_BYTES = /* @__PURE__ */ new Uint8Array(0);
/** Largest buffer of its own kept as the spare. */
const MAX_SPARE = 256 * 1024;

/**
 * An append-only byte buffer. The `u*`/`f64` writers do not check for room: call
 * {@link ByteWriter.ensure_} first (every header fits in 9 bytes). {@link ByteWriter.bytes_} and
 * {@link ByteWriter.textBody_} check for themselves. Positions in `buf` are only stable until the
 * next write; use {@link ByteWriter.mark_} and {@link ByteWriter.rewind_} to come back to a point.
 */
export class ByteWriter {
  buf_: Uint8Array = NO_BYTES;
  pos_ = 0;
  /** Start of the frame being written in `buf`. */
  private start_ = 0;
  /** Size of the next shared buffer. */
  private chunk_ = MIN_CHUNK;
  private view_: DataView = new DataView(NO_BYTES.buffer);
  /** Large byte strings of the frame, and where they go (offsets from `start` in `buf`). */
  private large_: Uint8Array[] = [];
  private largeAt_: number[] = [];
  /** The shared buffer, and where its free part starts, left when a frame outgrew it. */
  private parked_: Uint8Array = NO_BYTES;
  private parkedAt_ = 0;
  /** A buffer of its own that no frame views, for the next frame that outgrows the shared ones. */
  private spare_: Uint8Array = NO_BYTES;
  /** Whether `buf` is the spare (then frames are copied out of it, never views of it). */
  private inSpare_ = false;

  /** Make room for `n` more bytes. */
  ensure_(n: number): void {
    if (this.pos_ + n > this.buf_.length) this.grow_(n);
  }

  /** The current position, relative to the start of the frame. */
  mark_(): number {
    return this.pos_ - this.start_;
  }

  /**
   * Go back to a position returned by {@link ByteWriter.mark_}, dropping what was written after it.
   * The caller must have written at least one byte after taking the mark.
   */
  rewind_(mark: number): void {
    this.pos_ = this.start_ + mark;
    const { large_, largeAt_ } = this;
    while (largeAt_.length > 0 && (largeAt_[largeAt_.length - 1] as number) > mark) {
      large_.pop();
      largeAt_.pop();
    }
  }

  u8_(v: number): void {
    this.buf_[this.pos_++] = v;
  }

  u16_(v: number): void {
    const buf = this.buf_;
    buf[this.pos_++] = v >>> 8;
    buf[this.pos_++] = v;
  }

  u32_(v: number): void {
    const buf = this.buf_;
    buf[this.pos_++] = v >>> 24;
    buf[this.pos_++] = v >>> 16;
    buf[this.pos_++] = v >>> 8;
    buf[this.pos_++] = v;
  }

  /** An unsigned 64-bit integer from a non-negative integral number (exact up to 2^53). */
  u64_(v: number): void {
    this.u32_(Math.floor(v / 0x100000000));
    this.u32_(v >>> 0);
  }

  /** A 64-bit integer from a `bigint` (two's complement when negative). */
  big64_(v: bigint): void {
    this.u32_(Number((v >> 32n) & 0xffffffffn));
    this.u32_(Number(v & 0xffffffffn));
  }

  f64_(v: number): void {
    this.view_.setFloat64(this.pos_, v);
    this.pos_ += 8;
  }

  /** Append raw bytes. */
  bytes_(src: Uint8Array): void {
    const n = src.length;
    if (n >= LARGE_BYTES) {
      this.large_.push(src);
      this.largeAt_.push(this.pos_ - this.start_);
      return;
    }
    this.ensure_(n);
    this.buf_.set(src, this.pos_);
    this.pos_ += n;
  }

  /**
   * Write `text` as UTF-8 behind room for its header, and return its length in bytes. `pos` is
   * left at the header: write it (1 byte for lengths below `tiny`, else 2, 3 or 5 bytes, as in
   * both CBOR and MessagePack), then advance `pos` by the returned length. The header room is
   * guessed from the UTF-16 length (exact for ASCII); the text is moved along when it is short.
   */
  textBody_(text: string, tiny: number): number {
    this.ensure_(9 + 3 * text.length);
    const start = this.pos_;
    const guess = headerSize(text.length, tiny);
    const length = writeUtf8(this.buf_, start + guess, text);
    const size = headerSize(length, tiny);
    if (size !== guess) this.buf_.copyWithin(start + size, start + guess, start + guess + length);
    return length;
  }

  /** The frame written since the last call, sized exactly. */
  finish_(): Uint8Array {
    const { buf_, start_, pos_ } = this;
    if (this.large_.length > 0) return this.assemble_();
    if (buf_.length <= MAX_CHUNK) {
      this.start_ = pos_;
      return buf_.subarray(start_, pos_);
    }
    // A buffer of its own (start is 0): it leaves with the frame, unless it is mostly empty or
    // the spare; then the frame is copied out and the buffer kept as the spare.
    const keep = this.inSpare_ || 2 * pos_ < buf_.length;
    this.leaveOwn_(keep ? buf_ : NO_BYTES);
    return keep ? copyBytes(buf_, 0, pos_) : buf_.subarray(0, pos_);
  }

  /** Drop the frame being written (after a failed encode). */
  reset_(): void {
    this.pos_ = this.start_;
    this.large_.length = 0;
    this.largeAt_.length = 0;
  }

  /** The frame with its large byte strings in place, in a new buffer of its exact size. */
  private assemble_(): Uint8Array {
    const { buf_, start_, large_, largeAt_ } = this;
    const used = this.pos_ - start_;
    let size = used;
    for (const bytes of large_) size += bytes.length;
    const frame = bytesToFill(size);
    let from = 0;
    let to = 0;
    for (let i = 0; i < large_.length; i++) {
      const bytes = large_[i] as Uint8Array;
      const at = largeAt_[i] as number;
      frame.set(buf_.subarray(start_ + from, start_ + at), to);
      to += at - from;
      frame.set(bytes, to);
      to += bytes.length;
      from = at;
    }
    frame.set(buf_.subarray(start_ + from, start_ + used), to);
    this.reset_();
    if (buf_.length > MAX_CHUNK) this.leaveOwn_(buf_);
    return frame;
  }

  /** Move the frame being written to a new buffer with room for `n` more bytes. */
  private grow_(n: number): void {
    const used = this.pos_ - this.start_;
    let size = this.chunk_;
    if (this.buf_.length > 0) this.chunk_ = Math.min(2 * this.chunk_, MAX_CHUNK);
    if (size < used + n) size = Math.max(2 * used, used + n + (n >>> 3));
    const own = size > MAX_CHUNK;
    if (own && this.buf_.length <= MAX_CHUNK) {
      // come back to this shared buffer after the frame
      this.parked_ = this.buf_;
      this.parkedAt_ = this.start_;
    }
    const fromSpare = own && !this.inSpare_ && this.spare_.length >= size;
    const next = fromSpare ? this.spare_ : new Uint8Array(size);
    if (used > 0) next.set(this.buf_.subarray(this.start_, this.pos_));
    if (fromSpare) this.spare_ = NO_BYTES;
    else if (this.inSpare_) this.spare_ = this.buf_; // outgrown, but still no frame views it
    this.replace_(next);
    this.inSpare_ = fromSpare;
    this.pos_ = used;
  }

  /**
   * After a frame written in a buffer of its own: keep `unused` (a buffer no frame views, or
   * `NO_BYTES`) as the spare when it is not too large, and go on in the parked shared buffer.
   */
  private leaveOwn_(unused: Uint8Array): void {
    if (unused.length <= MAX_SPARE && unused.length > this.spare_.length) this.spare_ = unused;
    this.replace_(this.parked_);
    this.start_ = this.pos_ = this.parkedAt_;
    this.parked_ = NO_BYTES;
    this.parkedAt_ = 0;
    this.inSpare_ = false;
  }

  private replace_(buf: Uint8Array): void {
    this.buf_ = buf;
    this.view_ = new DataView(buf.buffer);
    this.start_ = 0;
    this.pos_ = 0;
  }
}

function headerSize(length: number, tiny: number): number {
  return length < tiny ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}
