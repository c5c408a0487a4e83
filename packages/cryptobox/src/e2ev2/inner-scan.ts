/**
 * The data-model check of a binary inner plaintext, before @wampbox/core's decoders read it.
 *
 * E2E v2 accepts any valid encoding of the inner map, but only WAMP's data model (Decision 9):
 * null, booleans, integers, finite floats, text, bytes, lists and maps whose keys are text. The
 * core decoders are more lenient for the outer WAMP message (they accept CBOR bignums, tag 64,
 * self-described CBOR and `undefined`, and turn number or boolean map keys into strings), so a
 * sealed plaintext is walked here first and refused when it uses any of that, a msgpack extension,
 * NaN or an infinity. The walk only reads; decoding (and UTF-8 validation) stays with the core
 * decoders.
 */

/** Nesting deeper than this is refused, as the core serializers refuse it. */
const MAX_DEPTH = 512;

/** Internal control flow: caught in this module, never thrown out of it. */
class Refused extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/**
 * Why `bytes` is not exactly one CBOR item within the data model, or `undefined` when it is.
 * Indefinite lengths are accepted (they are valid CBOR); tags and simple values other than
 * false/true/null are not.
 */
export function cborOutsideModel(bytes: Uint8Array): string | undefined {
  return scan(() => {
    const end = new CborWalker(bytes).item(0);
    if (end !== bytes.length) throw new Refused('trailing bytes after the value');
  });
}

/** Why `bytes` is not exactly one MessagePack value within the data model, or `undefined` when it is. */
export function msgpackOutsideModel(bytes: Uint8Array): string | undefined {
  return scan(() => {
    const end = new MsgpackWalker(bytes).value(0);
    if (end !== bytes.length) throw new Refused('trailing bytes after the value');
  });
}

function scan(walk: () => void): string | undefined {
  try {
    walk();
    return undefined;
  } catch (err) {
    if (err instanceof Refused) return err.why;
    throw err;
  }
}

class Cursor {
  pos = 0;
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number): void {
    if (n > this.bytes.length - this.pos) throw new Refused('truncated');
  }

  /** An unsigned big-endian integer of `size` bytes (1, 2, 4 or 8). */
  uint(size: number): number {
    this.need(size);
    const at = this.pos;
    this.pos += size;
    if (size === 1) return this.view.getUint8(at);
    if (size === 2) return this.view.getUint16(at);
    if (size === 4) return this.view.getUint32(at);
    return Number(this.view.getBigUint64(at));
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  finite(value: number): void {
    if (!Number.isFinite(value)) throw new Refused('NaN or an infinity');
  }
}

class CborWalker extends Cursor {
  /** Walks one item and returns the position after it. */
  item(depth: number): number {
    if (depth > MAX_DEPTH) throw new Refused('nested too deeply');
    const initial = this.uint(1);
    const major = initial >> 5;
    const info = initial & 31;
    if (major === 7) {
      this.simple(info);
      return this.pos;
    }
    if (major === 6) throw new Refused('CBOR tags are outside the data model');
    if (info === 31) {
      if (major === 0 || major === 1) throw new Refused('indefinite length on an integer');
      this.indefinite(major, depth);
      return this.pos;
    }
    const n = this.argument(info);
    if (major === 2 || major === 3) this.skip(n);
    else if (major === 4) for (let i = 0; i < n; i++) this.item(depth + 1);
    else if (major === 5) for (let i = 0; i < n; i++) this.entry(depth);
    return this.pos;
  }

  private argument(info: number): number {
    if (info < 24) return info;
    if (info > 27) throw new Refused('reserved additional information');
    return this.uint(1 << (info - 24));
  }

  private entry(depth: number): void {
    const key = this.bytes[this.pos];
    if (key === undefined) throw new Refused('truncated');
    if (key >> 5 !== 3) throw new Refused('a map key that is not text');
    this.item(depth + 1);
    this.item(depth + 1);
  }

  private indefinite(major: number, depth: number): void {
    for (;;) {
      const next = this.bytes[this.pos];
      if (next === undefined) throw new Refused('truncated');
      if (next === 0xff) {
        this.pos++;
        return;
      }
      if (major === 2 || major === 3) {
        // chunks: definite strings of the same major type
        if (next >> 5 !== major || (next & 31) === 31) throw new Refused('a bad chunk in an indefinite string');
        this.item(depth + 1);
      } else if (major === 4) this.item(depth + 1);
      else this.entry(depth);
    }
  }

  private simple(info: number): void {
    if (info === 20 || info === 21 || info === 22) return; // false, true, null
    if (info === 25) {
      // a half float is NaN or an infinity exactly when its five exponent bits are all set
      if (((this.uint(2) >> 10) & 0x1f) === 0x1f) throw new Refused('NaN or an infinity');
    } else if (info === 26) {
      this.skip(4);
      this.finite(this.view.getFloat32(this.pos - 4));
    } else if (info === 27) {
      this.skip(8);
      this.finite(this.view.getFloat64(this.pos - 8));
    } else throw new Refused(info === 31 ? 'a misplaced break' : 'a simple value outside the data model');
  }
}

class MsgpackWalker extends Cursor {
  /** Walks one value and returns the position after it. */
  value(depth: number): number {
    if (depth > MAX_DEPTH) throw new Refused('nested too deeply');
    const b = this.uint(1);
    if (b <= 0x7f || b >= 0xe0) return this.pos; // fixints
    if (b <= 0x8f) return this.map(b & 0x0f, depth);
    if (b <= 0x9f) return this.list(b & 0x0f, depth);
    if (b <= 0xbf) return (this.skip(b & 0x1f), this.pos);
    switch (b) {
      case 0xc0: // nil
      case 0xc2: // false
      case 0xc3: // true
        return this.pos;
      case 0xc4: // bin 8, 16, 32
      case 0xd9: // str 8, 16, 32
        return (this.skip(this.uint(1)), this.pos);
      case 0xc5:
      case 0xda:
        return (this.skip(this.uint(2)), this.pos);
      case 0xc6:
      case 0xdb:
        return (this.skip(this.uint(4)), this.pos);
      case 0xca:
        this.skip(4);
        this.finite(this.view.getFloat32(this.pos - 4));
        return this.pos;
      case 0xcb:
        this.skip(8);
        this.finite(this.view.getFloat64(this.pos - 8));
        return this.pos;
      case 0xcc:
      case 0xd0:
        return (this.skip(1), this.pos);
      case 0xcd:
      case 0xd1:
        return (this.skip(2), this.pos);
      case 0xce:
      case 0xd2:
        return (this.skip(4), this.pos);
      case 0xcf:
      case 0xd3:
        return (this.skip(8), this.pos);
      case 0xdc:
        return this.list(this.uint(2), depth);
      case 0xdd:
        return this.list(this.uint(4), depth);
      case 0xde:
        return this.map(this.uint(2), depth);
      case 0xdf:
        return this.map(this.uint(4), depth);
      default: // 0xc1, and the extension types 0xc7..0xc9, 0xd4..0xd8
        throw new Refused(`MessagePack type 0x${b.toString(16)} is outside the data model`);
    }
  }

  private list(n: number, depth: number): number {
    for (let i = 0; i < n; i++) this.value(depth + 1);
    return this.pos;
  }

  private map(n: number, depth: number): number {
    for (let i = 0; i < n; i++) {
      const key = this.bytes[this.pos];
      if (key === undefined) throw new Refused('truncated');
      const isText = (key >= 0xa0 && key <= 0xbf) || key === 0xd9 || key === 0xda || key === 0xdb;
      if (!isText) throw new Refused('a map key that is not text');
      this.value(depth + 1);
      this.value(depth + 1);
    }
    return this.pos;
  }
}
