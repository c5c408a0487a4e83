import {
  FRAME_MESSAGE,
  FRAME_PING,
  FRAME_PONG,
  FrameReader,
  MAX_FRAME_PAYLOAD,
  type FrameType,
} from '../../src/rawsocket/frame-reader';
import { MiB, TYPED_READ_ERROR, frameBytes, seeded, text } from './helpers';

interface Frame {
  type: FrameType;
  payload: Uint8Array;
}

/** A reader that records the frames it hands on. */
function reader(maxFrameBytes = MiB): { reader: FrameReader; frames: Frame[] } {
  const frames: Frame[] = [];
  const onFrame = (type: FrameType, payload: Uint8Array): void => void frames.push({ type, payload });
  return { reader: new FrameReader({ maxFrameBytes, onFrame }), frames };
}

const summary = (frames: Frame[]): [number, string][] => frames.map((f) => [f.type, text(f.payload)]);

/** The error `push(chunk)` throws, or `undefined`. */
function pushError(r: FrameReader, chunk: Uint8Array): unknown {
  try {
    r.push(chunk);
    return undefined;
  } catch (err) {
    return err;
  }
}

const STREAM = Buffer.concat([
  frameBytes(FRAME_MESSAGE, '[1,"one"]'),
  frameBytes(FRAME_MESSAGE, ''),
  frameBytes(FRAME_PING, 'pp'),
  frameBytes(FRAME_PONG, 'q'),
  frameBytes(FRAME_MESSAGE, '[2,"two"]'),
]);
const STREAM_FRAMES: [number, string][] = [
  [FRAME_MESSAGE, '[1,"one"]'],
  [FRAME_MESSAGE, ''],
  [FRAME_PING, 'pp'],
  [FRAME_PONG, 'q'],
  [FRAME_MESSAGE, '[2,"two"]'],
];

describe('FrameReader: frames', () => {
  test('a frame that arrives whole is handed on as a view of the chunk, without a copy', () => {
    const { reader: r, frames } = reader();
    const chunk = frameBytes(FRAME_MESSAGE, '[1,"realm1",{}]');
    r.push(chunk);
    expect(summary(frames)).toEqual([[FRAME_MESSAGE, '[1,"realm1",{}]']]);
    expect(frames[0]!.payload).toBeInstanceOf(Uint8Array);
    expect(frames[0]!.payload.buffer).toBe(chunk.buffer);
    expect(r.pendingBytes).toBe(0);
  });

  test('many frames of every type in one chunk come out in order', () => {
    const { reader: r, frames } = reader();
    const msgs = Array.from({ length: 300 }, (_, i) => [i % 3, `[36,${i},1,{},["e${i}"]]`] as [number, string]);
    r.push(Buffer.concat(msgs.map(([type, body]) => frameBytes(type, body))));
    expect(summary(frames)).toEqual(msgs);
  });

  test('PING and PONG frames are handed on with their type, empty ones too', () => {
    const { reader: r, frames } = reader();
    const pings = [frameBytes(FRAME_PING, 'ping-✓'), frameBytes(FRAME_PONG, 'pong'), frameBytes(FRAME_PING, '')];
    r.push(Buffer.concat(pings));
    expect(summary(frames)).toEqual([
      [FRAME_PING, 'ping-✓'],
      [FRAME_PONG, 'pong'],
      [FRAME_PING, ''],
    ]);
  });

  test('fed one byte at a time, each frame comes out with its last byte and not before', () => {
    const { reader: r, frames } = reader();
    const ends: number[] = [];
    let offset = 0;
    for (const [, body] of STREAM_FRAMES) ends.push((offset += 4 + Buffer.byteLength(body)));
    STREAM.forEach((byte, i) => {
      r.push(Uint8Array.of(byte));
      expect(frames).toHaveLength(ends.filter((end) => end <= i + 1).length);
    });
    expect(summary(frames)).toEqual(STREAM_FRAMES);
    expect(r.pendingBytes).toBe(0);
  });

  test('a prefix split anywhere, and a stream cut at every pair of offsets, give the same frames', () => {
    for (let a = 0; a <= STREAM.length; a++) {
      for (let b = a; b <= STREAM.length; b++) {
        const { reader: r, frames } = reader();
        for (const part of [STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)]) r.push(part);
        expect(summary(frames)).toEqual(STREAM_FRAMES);
      }
    }
  });

  test('a frame split across chunks is a buffer of its own, not a view of a chunk', () => {
    const { reader: r, frames } = reader();
    const bytes = frameBytes(FRAME_MESSAGE, 'abcdef');
    const first = bytes.subarray(0, 6);
    const second = Buffer.from(bytes.subarray(6));
    r.push(first);
    expect(r.pendingBytes).toBe(6);
    r.push(second);
    second.fill(0); // the chunk is reused by whoever fed it
    expect(text(frames[0]!.payload)).toBe('abcdef');
    expect(frames[0]!.payload.buffer.byteLength).toBe(6);
  });

  test('pendingBytes counts the bytes of the incomplete frame', () => {
    const { reader: r } = reader();
    const bytes = frameBytes(FRAME_MESSAGE, 'x'.repeat(10));
    r.push(bytes.subarray(0, 2));
    expect(r.pendingBytes).toBe(2);
    r.push(bytes.subarray(2, 9));
    expect(r.pendingBytes).toBe(9);
    r.push(bytes.subarray(9));
    expect(r.pendingBytes).toBe(0);
  });

  test('an empty chunk changes nothing', () => {
    const { reader: r, frames } = reader();
    r.push(STREAM.subarray(0, 3));
    r.push(new Uint8Array(0));
    r.push(STREAM.subarray(3));
    expect(summary(frames)).toEqual(STREAM_FRAMES);
  });
});

describe('FrameReader: sizes', () => {
  test('a frame of exactly maxFrameBytes is accepted; one byte more is refused at its prefix', () => {
    const { reader: r, frames } = reader(4096);
    r.push(frameBytes(FRAME_MESSAGE, new Uint8Array(4096)));
    expect(frames[0]!.payload.byteLength).toBe(4096);
    const err = pushError(r, Buffer.concat([frameBytes(FRAME_MESSAGE, 'ok'), Buffer.from([0, 0, 0x10, 0x01])]));
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
    expect((err as Error).message).toBe('received a frame of 4097 bytes, over the limit of 4096 bytes');
    expect(summary(frames).slice(1)).toEqual([[FRAME_MESSAGE, 'ok']]);
    expect(r.pendingBytes).toBe(0); // nothing of the oversize payload was buffered
  });

  test('the largest 24-bit length, 2^24 - 1, is read without the X bit', () => {
    const { reader: r, frames } = reader(MAX_FRAME_PAYLOAD);
    const payload = new Uint8Array(MAX_FRAME_PAYLOAD - 1);
    payload[payload.length - 1] = 5;
    r.push(Uint8Array.of(0, 0xff, 0xff, 0xff));
    r.push(payload);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload.byteLength).toBe(MAX_FRAME_PAYLOAD - 1);
    expect(frames[0]!.payload[MAX_FRAME_PAYLOAD - 2]).toBe(5);
  });

  test('the X bit with a zero length is a frame of exactly 2^24 bytes, for every frame type', () => {
    const { reader: r, frames } = reader(MAX_FRAME_PAYLOAD);
    const payload = new Uint8Array(MAX_FRAME_PAYLOAD);
    payload[0] = 7;
    payload[payload.length - 1] = 9;
    r.push(Buffer.concat([Buffer.from([0x08, 0, 0, 0]), payload]));
    r.push(Uint8Array.of(0x08 | FRAME_PING, 0, 0, 0));
    r.push(payload);
    expect(frames.map((f) => [f.type, f.payload.byteLength, f.payload[0], f.payload[MAX_FRAME_PAYLOAD - 1]])).toEqual([
      [FRAME_MESSAGE, MAX_FRAME_PAYLOAD, 7, 9],
      [FRAME_PING, MAX_FRAME_PAYLOAD, 7, 9],
    ]);
  });

  test('the X bit counts against maxFrameBytes like any length', () => {
    const { reader: r } = reader(16 * MiB - 1);
    expect(pushError(r, Uint8Array.of(0x08, 0, 0, 0))).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
  });

  test('maxFrameBytes 0 accepts empty frames only', () => {
    const { reader: r, frames } = reader(0);
    r.push(frameBytes(FRAME_MESSAGE, ''));
    expect(frames).toHaveLength(1);
    expect(pushError(r, frameBytes(FRAME_MESSAGE, 'x'))).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
  });

  test.each([-1, 1.5, NaN, MAX_FRAME_PAYLOAD + 1, Infinity])('maxFrameBytes %p is refused', (maxFrameBytes) => {
    expect(() => new FrameReader({ maxFrameBytes, onFrame: () => undefined })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('FrameReader: bad prefixes', () => {
  test.each([3, 4, 5, 6, 7])('reserved frame type %i is refused with ERR_TRANSPORT', (type) => {
    const { reader: r, frames } = reader();
    const err = pushError(r, Buffer.concat([frameBytes(FRAME_MESSAGE, 'before'), Buffer.from([type, 0, 0, 1, 0x41])]));
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).message).toBe(`RawSocket frame of reserved type ${type}`);
    expect(summary(frames)).toEqual([[FRAME_MESSAGE, 'before']]);
  });

  test.each([
    ['0x10', 0x10],
    ['0x20', 0x20],
    ['0x40', 0x40],
    ['0x80', 0x80],
    ['0xf0', 0xf0],
  ])('reserved prefix bits %s are refused with ERR_TRANSPORT', (_name, bits) => {
    const { reader: r } = reader();
    const err = pushError(r, Uint8Array.of(bits, 0, 0, 0));
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).message).toBe('RawSocket frame prefix sets reserved bits');
  });

  test('the X bit with a non-zero length is refused with ERR_TRANSPORT', () => {
    const { reader: r } = reader(MAX_FRAME_PAYLOAD);
    const err = pushError(r, Uint8Array.of(0x08, 0, 0, 1));
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).message).toBe('RawSocket frame prefix sets the X bit with a non-zero length');
  });

  test('a bad prefix split over chunks is refused once its fourth byte arrives', () => {
    const { reader: r } = reader();
    r.push(Uint8Array.of(0x03));
    r.push(Uint8Array.of(0, 0));
    expect(r.error).toBeNull();
    expect(pushError(r, Uint8Array.of(1))).toMatchObject({ code: 'ERR_TRANSPORT' });
  });

  test('after an error the reader stays failed: the same error again, no more frames', () => {
    const { reader: r, frames } = reader();
    const err = pushError(r, Uint8Array.of(0x07, 0, 0, 0));
    expect(r.error).toBe(err);
    expect(pushError(r, frameBytes(FRAME_MESSAGE, 'later'))).toBe(err);
    expect(frames).toHaveLength(0);
    expect(r.pendingBytes).toBe(0);
  });

  test('text from a server that is not a RawSocket router is refused at its first byte', () => {
    const { reader: r, frames } = reader();
    const err = pushError(r, Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect(frames).toHaveLength(0);
  });

  test('random garbage (seeded) yields only valid frames or a typed error, never anything else', () => {
    const next = seeded(0x9a4ba6e);
    let failed = 0;
    let delivered = 0;
    for (let round = 0; round < 300; round++) {
      const max = 1 + next(512);
      const { reader: r, frames } = reader(max);
      let err: unknown;
      for (let k = 0; k < 20 && err === undefined; k++) {
        // random bytes, mostly behind something that looks like a prefix, so that some get read as frames
        const looksValid = next(8) !== 0;
        const head = looksValid ? [next(3), 0, next(3), next(256)] : [];
        const chunk = Uint8Array.from([...head, ...Array.from({ length: next(600) }, () => next(256))]);
        err = pushError(r, chunk);
      }
      if (err !== undefined) {
        failed++;
        expect(err).toMatchObject(TYPED_READ_ERROR);
        expect(r.error).toBe(err);
      }
      for (const f of frames) {
        expect([FRAME_MESSAGE, FRAME_PING, FRAME_PONG]).toContain(f.type);
        expect(f.payload.byteLength).toBeLessThanOrEqual(max);
      }
      delivered += frames.length;
    }
    // the garbage both failed readers and got read as frames
    expect(failed).toBeGreaterThan(50);
    expect(delivered).toBeGreaterThan(50);
  });
});

describe('FrameReader: random frame streams', () => {
  test('delivers the frames before the first bad prefix, then fails with a typed error (seeded)', () => {
    const next = seeded(0xb17e5);
    const outcomes = { broken: 0, intact: 0 };
    for (let round = 0; round < 200; round++) {
      const { reader: r, frames } = reader(4096);
      // a stream of valid frames (messages, PINGs, PONGs) with, in most rounds, one bad prefix in it
      const parts: Buffer[] = [];
      const expected: [number, string][] = [];
      let broken = false;
      for (let k = 0, n = 1 + next(12); k < n && !broken; k++) {
        const kind = next(10);
        if (kind < 6) {
          const body = `[${round},${k},"${'x'.repeat(next(40))}"]`;
          parts.push(frameBytes(FRAME_MESSAGE, body));
          expected.push([FRAME_MESSAGE, body]);
        } else if (kind < 8) {
          const type = next(2) + 1;
          const body = String.fromCharCode(0x61 + next(26), 0x61 + next(26));
          parts.push(frameBytes(type, body));
          expected.push([type, body]);
        } else if (round % 4 !== 0) {
          // reserved type or bits, or a length over the limit
          parts.push(
            Buffer.from(
              [
                [0x03, 0, 0, 1, 0x41],
                [0x10 | next(3), 0, 0, 0],
                [0x00, 0, 0x10, 0x01],
              ][next(3)]!,
            ),
          );
          broken = true;
        }
      }
      const stream = Buffer.concat(parts);
      // fed in random chunks, prefixes and payloads split anywhere
      let err: unknown;
      for (let off = 0; off < stream.length && err === undefined;) {
        const size = 1 + next(9);
        err = pushError(r, stream.subarray(off, off + size));
        off += size;
      }
      expect(summary(frames)).toEqual(expected);
      if (broken) {
        expect(err).toMatchObject(TYPED_READ_ERROR);
      } else {
        expect(err).toBeUndefined();
        expect(r.pendingBytes).toBe(0);
      }
      outcomes[broken ? 'broken' : 'intact']++;
    }
    // both kinds of stream occurred
    expect(outcomes.broken).toBeGreaterThan(20);
    expect(outcomes.intact).toBeGreaterThan(20);
  });
});
