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
 * {@link ByteWriter.ensure} first (every header fits in 9 bytes). {@link ByteWriter.bytes} and
 * {@link ByteWriter.textBody} check for themselves. Positions in `buf` are only stable until the
 * next write; use {@link ByteWriter.mark} and {@link ByteWriter.rewind} to come back to a point.
 */
export class ByteWriter {
  buf: Uint8Array = NO_BYTES;
  pos = 0;
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
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow_(n);
  }

  /** The current position, relative to the start of the frame. */
  mark(): number {
    return this.pos - this.start_;
  }

  /**
   * Go back to a position returned by {@link ByteWriter.mark}, dropping what was written after it.
   * The caller must have written at least one byte after taking the mark.
   */
  rewind(mark: number): void {
    this.pos = this.start_ + mark;
    const { large_, largeAt_ } = this;
    while (largeAt_.length > 0 && (largeAt_[largeAt_.length - 1] as number) > mark) {
      large_.pop();
      largeAt_.pop();
    }
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    const buf = this.buf;
    buf[this.pos++] = v >>> 8;
    buf[this.pos++] = v;
  }

  u32(v: number): void {
    const buf = this.buf;
    buf[this.pos++] = v >>> 24;
    buf[this.pos++] = v >>> 16;
    buf[this.pos++] = v >>> 8;
    buf[this.pos++] = v;
  }

  /** An unsigned 64-bit integer from a non-negative integral number (exact up to 2^53). */
  u64(v: number): void {
    this.u32(Math.floor(v / 0x100000000));
    this.u32(v >>> 0);
  }

  /** A 64-bit integer from a `bigint` (two's complement when negative). */
  big64(v: bigint): void {
    this.u32(Number((v >> 32n) & 0xffffffffn));
    this.u32(Number(v & 0xffffffffn));
  }

  f64(v: number): void {
    this.view_.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** Append raw bytes. */
  bytes(src: Uint8Array): void {
    const n = src.length;
    if (n >= LARGE_BYTES) {
      this.large_.push(src);
      this.largeAt_.push(this.pos - this.start_);
      return;
    }
    this.ensure(n);
    this.buf.set(src, this.pos);
    this.pos += n;
  }

  /**
   * Write `text` as UTF-8 behind room for its header, and return its length in bytes. `pos` is
   * left at the header: write it (1 byte for lengths below `tiny`, else 2, 3 or 5 bytes, as in
   * both CBOR and MessagePack), then advance `pos` by the returned length. The header room is
   * guessed from the UTF-16 length (exact for ASCII); the text is moved along when it is short.
   */
  textBody(text: string, tiny: number): number {
    this.ensure(9 + 3 * text.length);
    const start = this.pos;
    const guess = headerSize(text.length, tiny);
    const length = writeUtf8(this.buf, start + guess, text);
    const size = headerSize(length, tiny);
    if (size !== guess) this.buf.copyWithin(start + size, start + guess, start + guess + length);
    return length;
  }

  /** The frame written since the last call, sized exactly. */
  finish(): Uint8Array {
    const { buf, start_, pos } = this;
    if (this.large_.length > 0) return this.assemble_();
    if (buf.length <= MAX_CHUNK) {
      this.start_ = pos;
      return buf.subarray(start_, pos);
    }
    // A buffer of its own (start is 0): it leaves with the frame, unless it is mostly empty or
    // the spare; then the frame is copied out and the buffer kept as the spare.
    const keep = this.inSpare_ || 2 * pos < buf.length;
    this.leaveOwn_(keep ? buf : NO_BYTES);
    return keep ? copyBytes(buf, 0, pos) : buf.subarray(0, pos);
  }

  /** Drop the frame being written (after a failed encode). */
  reset(): void {
    this.pos = this.start_;
    this.large_.length = 0;
    this.largeAt_.length = 0;
  }

  /** The frame with its large byte strings in place, in a new buffer of its exact size. */
  private assemble_(): Uint8Array {
    const { buf, start_, large_, largeAt_ } = this;
    const used = this.pos - start_;
    let size = used;
    for (const bytes of large_) size += bytes.length;
    const frame = bytesToFill(size);
    let from = 0;
    let to = 0;
    for (let i = 0; i < large_.length; i++) {
      const bytes = large_[i] as Uint8Array;
      const at = largeAt_[i] as number;
      frame.set(buf.subarray(start_ + from, start_ + at), to);
      to += at - from;
      frame.set(bytes, to);
      to += bytes.length;
      from = at;
    }
    frame.set(buf.subarray(start_ + from, start_ + used), to);
    this.reset();
    if (buf.length > MAX_CHUNK) this.leaveOwn_(buf);
    return frame;
  }

  /** Move the frame being written to a new buffer with room for `n` more bytes. */
  private grow_(n: number): void {
    const used = this.pos - this.start_;
    let size = this.chunk_;
    if (this.buf.length > 0) this.chunk_ = Math.min(2 * this.chunk_, MAX_CHUNK);
    if (size < used + n) size = Math.max(2 * used, used + n + (n >>> 3));
    const own = size > MAX_CHUNK;
    if (own && this.buf.length <= MAX_CHUNK) {
      // come back to this shared buffer after the frame
      this.parked_ = this.buf;
      this.parkedAt_ = this.start_;
    }
    const fromSpare = own && !this.inSpare_ && this.spare_.length >= size;
    const next = fromSpare ? this.spare_ : new Uint8Array(size);
    if (used > 0) next.set(this.buf.subarray(this.start_, this.pos));
    if (fromSpare) this.spare_ = NO_BYTES;
    else if (this.inSpare_) this.spare_ = this.buf; // outgrown, but still no frame views it
    this.replace_(next);
    this.inSpare_ = fromSpare;
    this.pos = used;
  }

  /**
   * After a frame written in a buffer of its own: keep `unused` (a buffer no frame views, or
   * `NO_BYTES`) as the spare when it is not too large, and go on in the parked shared buffer.
   */
  private leaveOwn_(unused: Uint8Array): void {
    if (unused.length <= MAX_SPARE && unused.length > this.spare_.length) this.spare_ = unused;
    this.replace_(this.parked_);
    this.start_ = this.pos = this.parkedAt_;
    this.parked_ = NO_BYTES;
    this.parkedAt_ = 0;
    this.inSpare_ = false;
  }

  private replace_(buf: Uint8Array): void {
    this.buf = buf;
    this.view_ = new DataView(buf.buffer);
    this.start_ = 0;
    this.pos = 0;
  }
}

function headerSize(length: number, tiny: number): number {
  return length < tiny ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}
