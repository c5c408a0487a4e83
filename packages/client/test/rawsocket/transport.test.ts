import * as net from 'node:net';

import { Session, type TransportError } from '@wampbox/core';

import { connectRawSocket } from '../../src/rawsocket';
import {
  CBOR_SER,
  MiB,
  TYPED_READ_ERROR,
  closeAll,
  connect,
  frameBytes,
  opts,
  recorder,
  seeded,
  startRouter,
  text,
  tick,
} from './helpers';

afterEach(closeAll);

describe('RawSocket transport: frames', () => {
  test('text frames are sent UTF-8 encoded with a correct length prefix', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const msg = '[16,1,{},"com.example.héllo",["✓ 😀"]]';
    t.send(msg);
    const f = await conn.readFrame();
    const utf8 = Buffer.from(msg, 'utf8');
    expect(f.type).toBe(0);
    expect([...f.header]).toEqual([0, 0, 0, utf8.length]);
    expect(f.payload.equals(utf8)).toBe(true);
  });

  test('messages sent in one task leave in one write, in order', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    // count the writes Node's stream layer makes on the socket whose peer is the router
    const writes: number[] = [];
    const proto = net.Socket.prototype;
    const { _write: write, _writev: writev } = proto;
    proto._write = function (this: net.Socket, chunk, encoding, cb) {
      if (this.remotePort === router.port) writes.push(1);
      write.call(this, chunk, encoding, cb);
    };
    proto._writev = function (this: net.Socket, chunks, cb) {
      if (this.remotePort === router.port) writes.push(chunks.length);
      writev!.call(this, chunks, cb);
    };
    try {
      for (let i = 0; i < 20; i++) t.send(`[16,${i},{},"com.example.t"]`);
      for (let i = 0; i < 20; i++) {
        expect((await conn.readFrame()).payload.toString()).toBe(`[16,${i},{},"com.example.t"]`);
      }
      expect(writes).toEqual([20]);
      t.send('[16,20,{},"com.example.t"]');
      await conn.readFrame();
      expect(writes).toEqual([20, 1]);
    } finally {
      proto._write = write;
      proto._writev = writev;
    }
  });

  test('binary frames, small and large, arrive intact and in order', async () => {
    const router = await startRouter();
    const t = await connect(router.url, opts({ serializers: [CBOR_SER], maxFrameBytes: 4 * MiB }));
    const conn = await router.next();
    const small = Uint8Array.of(1, 2, 3);
    const large = new Uint8Array(300_000).map((_, i) => i % 251);
    t.send(small);
    t.send(large);
    t.send(new Uint8Array(0));
    const a = await conn.readFrame();
    const b = await conn.readFrame();
    const c = await conn.readFrame();
    expect([...a.payload]).toEqual([1, 2, 3]);
    expect([...b.header]).toEqual([0, 0x04, 0x93, 0xe0]);
    expect(Buffer.compare(b.payload, Buffer.from(large))).toBe(0);
    expect(c.payload.length).toBe(0);
  });

  test('frames are delivered as Uint8Array, many frames in one chunk', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    const msgs = Array.from({ length: 200 }, (_, i) => `[36,${i},1,{},["e${i}"]]`);
    conn.write(Buffer.concat(msgs.map((m) => frameBytes(0, m))));
    await r.frame(200);
    expect(r.frames.every((f) => f instanceof Uint8Array)).toBe(true);
    expect(r.frames.map(text)).toEqual(msgs);
  });

  test('a large frame spread over many TCP chunks is reassembled', async () => {
    const router = await startRouter();
    const t = await connect(router.url, opts({ serializers: [CBOR_SER], maxFrameBytes: 8 * MiB }));
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    const big = Buffer.alloc(5 * MiB);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i >>> 2, i);
    const bytes = frameBytes(0, big);
    for (let off = 0; off < bytes.length; off += 100_000) {
      conn.write(bytes.subarray(off, off + 100_000));
      if (off % 1_000_000 === 0) await tick(1);
    }
    conn.write(frameBytes(0, 'after'));
    await r.frame(2);
    expect(Buffer.compare(Buffer.from(r.frames[0]!), big)).toBe(0);
    expect(text(r.frames[1])).toBe('after');
  });

  test('frames written a byte at a time arrive whole; a PING among them is answered, not delivered', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    const stream = Buffer.concat([
      frameBytes(0, '[1,"one"]'),
      frameBytes(0, ''),
      frameBytes(1, 'pp'),
      frameBytes(0, '[2,"two"]'),
    ]);
    for (const b of stream) {
      conn.write(Uint8Array.of(b));
      await tick(1);
    }
    await r.frame(3);
    expect(r.frames.map(text)).toEqual(['[1,"one"]', '', '[2,"two"]']);
    const pong = await conn.readFrame();
    expect([pong.type, text(pong.payload)]).toEqual([2, 'pp']);
  });

  test('a frame of exactly 16 MiB uses the X bit', async () => {
    const router = await startRouter();
    const t = await connect(router.url, opts({ serializers: [CBOR_SER], maxFrameBytes: 16 * MiB }));
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    const payload = new Uint8Array(16 * MiB);
    payload[0] = 7;
    payload[payload.length - 1] = 9;
    t.send(payload);
    const f = await conn.readFrame();
    expect([...f.header]).toEqual([0x08, 0, 0, 0]);
    expect(f.payload.length).toBe(16 * MiB);
    conn.write(Uint8Array.of(0x08, 0, 0, 0));
    conn.write(payload);
    await r.frame(1);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]!.length).toBe(16 * MiB);
    expect(r.frames[0]![16 * MiB - 1]).toBe(9);
  });

  test('frames arriving before attach() are buffered, then delivered in order', async () => {
    const afterHandshake = Buffer.concat([frameBytes(0, 'early-1'), frameBytes(0, 'early-2')]);
    const router = await startRouter({ afterHandshake });
    const t = await connect(router.url);
    const conn = await router.next();
    conn.write(frameBytes(0, 'early-3'));
    await tick(30);
    const r = recorder();
    t.attach(r);
    expect(r.frames.map(text)).toEqual(['early-1', 'early-2', 'early-3']);
    conn.write(frameBytes(0, 'late'));
    await r.frame(4);
    expect(text(r.frames[3])).toBe('late');
  });

  test('a close before attach() is reported by attach() after the buffered frames', async () => {
    const router = await startRouter({ afterHandshake: frameBytes(0, 'last words') });
    const t = await connect(router.url);
    const conn = await router.next();
    conn.socket.end();
    await tick(30);
    const order: string[] = [];
    t.attach({
      onFrame: (f) => order.push(`frame:${text(f as Uint8Array)}`),
      onClose: (i) => order.push(`close:${i.local}`),
    });
    expect(order).toEqual(['frame:last words', 'close:false']);
  });
});

describe('RawSocket transport: random byte streams', () => {
  test('delivers the frames before the first bad header, then closes once with a typed error (seeded)', async () => {
    const next = seeded(0xb17e5);
    const router = await startRouter();
    const outcomes = { broken: 0, intact: 0 };
    for (let round = 0; round < 40; round++) {
      const t = await connect(router.url, opts({ maxFrameBytes: 4096 }));
      const conn = await router.next();
      const r = recorder();
      t.attach(r);
      // a stream of valid frames (messages, PINGs, PONGs) with, in most rounds, one bad header in it
      const parts: Buffer[] = [];
      const expected: string[] = [];
      let broken = false;
      for (let k = 0, n = 1 + next(12); k < n && !broken; k++) {
        const kind = next(10);
        if (kind < 6) {
          const body = `[${round},${k},"${'x'.repeat(next(40))}"]`;
          parts.push(frameBytes(0, body));
          expected.push(body);
        } else if (kind < 8) {
          parts.push(frameBytes(next(2) + 1, Buffer.from([next(256), next(256)])));
        } else if (round % 4 !== 0) {
          // reserved type or bits, or a length over our limit
          const bad = [
            [0x03, 0, 0, 1, 0x41],
            [0x10 | next(3), 0, 0, 0],
            [0x00, 0, 0x10, 0x01],
          ][next(3)]!;
          parts.push(Buffer.from(bad));
          broken = true;
        }
      }
      const stream = Buffer.concat(parts);
      // written in random pieces, headers and bodies split anywhere
      for (let off = 0; off < stream.length;) {
        const size = 1 + next(9);
        conn.write(stream.subarray(off, off + size));
        off += size;
      }
      if (broken) {
        const info = await r.closed;
        expect(r.frames.map(text)).toEqual(expected);
        expect(info.code).toBe((info.error as TransportError).code === 'ERR_FRAME_TOO_LARGE' ? 1009 : 1002);
        expect(info.error).toMatchObject(TYPED_READ_ERROR);
        expect(r.closes).toHaveLength(1);
        expect(() => t.send('[1]')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
      } else {
        await r.frame(expected.length);
        await tick(5);
        expect(r.frames.map(text)).toEqual(expected);
        expect(r.closes).toHaveLength(0);
      }
      await t.close();
      expect(r.closes.length).toBe(1);
      outcomes[broken ? 'broken' : 'intact']++;
    }
    // both kinds of stream occurred
    expect(outcomes.broken).toBeGreaterThan(5);
    expect(outcomes.intact).toBeGreaterThan(5);
  });
});

describe('RawSocket transport: limits', () => {
  test('sending over min(ours, router) throws ERR_FRAME_TOO_LARGE, sends nothing, and stays usable', async () => {
    const router = await startRouter({ routerExp: 1 }); // router accepts 1024 bytes
    const t = await connect(router.url);
    const conn = await router.next();
    expect(t.maxFrameBytes).toBe(1024);
    const tooLarge = expect.objectContaining({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
    expect(() => t.send('x'.repeat(1025))).toThrow(tooLarge);
    expect(() => t.send(new Uint8Array(1025))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
    // 400 three-byte characters: 400 UTF-16 units but 1200 bytes.
    expect(() => t.send('€'.repeat(400))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
    t.send('x'.repeat(1024));
    const f = await conn.readFrame();
    expect(f.payload.length).toBe(1024);
    await tick(20);
    expect(conn.available).toBe(0);
  });

  test('our own maxFrameBytes limits sending when it is below the router limit', async () => {
    const router = await startRouter();
    const t = await connect(router.url, opts({ maxFrameBytes: 2000 }));
    expect(t.maxFrameBytes).toBe(2000);
    expect(() => t.send(new Uint8Array(2001))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
    expect(() => t.send(new Uint8Array(2000))).not.toThrow();
  });

  test('an incoming header over our limit closes the connection with ERR_FRAME_TOO_LARGE', async () => {
    const router = await startRouter();
    const t = await connect(router.url, opts({ maxFrameBytes: 4096 }));
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    conn.write(Buffer.concat([frameBytes(0, 'ok'), Buffer.from([0, 0, 0x10, 0x01])])); // 4097 bytes announced
    const info = await r.closed;
    expect(r.frames.map(text)).toEqual(['ok']);
    expect(info.error).toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
    expect(info.code).toBe(1009);
    await conn.whenClosed;
    expect(() => t.send('x')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
    await tick(20);
    expect(r.closes).toHaveLength(1);
  });

  test('a frame at exactly our limit is accepted', async () => {
    const router = await startRouter();
    const t = await connect(router.url, opts({ maxFrameBytes: 4096 }));
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    conn.write(frameBytes(0, new Uint8Array(4096)));
    await r.frame(1);
    expect(r.frames[0]!.length).toBe(4096);
  });

  test.each([
    ['reserved frame type 3', Buffer.from([3, 0, 0, 1, 0])],
    ['reserved frame type 7', Buffer.from([7, 0, 0, 0])],
    ['reserved prefix bits', Buffer.from([0x10, 0, 0, 1, 0])],
    ['X bit with a non-zero length', Buffer.from([0x08, 0, 0, 1, 0])],
  ])('%s closes the connection with a protocol error', async (_name, bytes) => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    conn.write(Buffer.concat([bytes, frameBytes(0, 'never delivered')]));
    const info = await r.closed;
    expect(info.code).toBe(1002);
    expect(info.error).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect(r.frames).toHaveLength(0);
    await conn.whenClosed;
  });
});

describe('RawSocket transport: ping / pong', () => {
  test('answers a router PING with a PONG echoing the payload, without a frame for the session', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    const payload = Buffer.from('ping-payload-✓');
    conn.write(frameBytes(1, payload));
    const pong = await conn.readFrame();
    expect(pong.type).toBe(2);
    expect(pong.payload.equals(payload)).toBe(true);
    conn.write(frameBytes(1, ''));
    const empty = await conn.readFrame();
    expect(empty.type).toBe(2);
    expect(empty.payload.length).toBe(0);
    expect(r.frames).toHaveLength(0);
  });

  test('answers PINGs that arrive before attach()', async () => {
    const router = await startRouter({ afterHandshake: frameBytes(1, 'early') });
    await connect(router.url);
    const conn = await router.next();
    const pong = await conn.readFrame();
    expect(pong.type).toBe(2);
    expect(text(pong.payload)).toBe('early');
  });

  test('ping() resolves with the round-trip time once the matching PONG arrives', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    t.attach(recorder());
    const p1 = t.ping();
    const p2 = t.ping('custom');
    const f1 = await conn.readFrame();
    const f2 = await conn.readFrame();
    expect(f1.type).toBe(1);
    expect(f1.payload.length).toBe(8);
    expect(text(f2.payload)).toBe('custom');
    let done1 = false;
    void p1.then(() => (done1 = true));
    conn.write(frameBytes(2, 'unrelated')); // an unsolicited PONG is ignored
    await tick(10);
    conn.write(frameBytes(2, f2.payload)); // out of order: matched by payload
    const rtt2 = await p2;
    expect(done1).toBe(false);
    conn.write(frameBytes(2, f1.payload));
    const rtt1 = await p1;
    expect(rtt1).toBeGreaterThanOrEqual(0);
    expect(rtt2).toBeGreaterThanOrEqual(0);
  });

  test('ping() times out with ERR_TIMEOUT, can be canceled, and fails on close', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    await router.next();
    t.attach(recorder());
    await expect(t.ping(undefined, { timeoutMs: 30 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    const ac = new AbortController();
    const canceled = t.ping(undefined, { signal: ac.signal });
    ac.abort();
    await expect(canceled).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    const pending = t.ping();
    await t.close();
    await expect(pending).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    await expect(t.ping()).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
  });

  test('offers no probe: session.ping() is a WAMP round trip, not a PING (Crossbar drops on PING)', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    expect(t.probe).toBeUndefined();
    const conn = await router.next();
    const joining = Session.join(t, { realm: 'realm1' });
    expect(JSON.parse(text((await conn.readFrame()).payload))[0]).toBe(1); // HELLO
    conn.write(frameBytes(0, JSON.stringify([2, 1, { roles: { broker: {}, dealer: {} } }])));
    const session = await joining;
    const rtt = session.ping(5000);
    const call = await conn.readFrame();
    expect(call.type).toBe(0);
    const [type, request] = JSON.parse(text(call.payload)) as [number, number];
    expect(type).toBe(48); // CALL
    conn.write(frameBytes(0, JSON.stringify([8, 48, request, {}, 'wamp.error.no_such_procedure'])));
    await expect(rtt).resolves.toEqual(expect.any(Number));
    expect(session.isOpen).toBe(true);
  });

  test('ping() with an oversize payload rejects with ERR_FRAME_TOO_LARGE', async () => {
    const router = await startRouter({ routerExp: 0 });
    const t = await connect(router.url);
    await expect(t.ping(new Uint8Array(513))).rejects.toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
  });
});

describe('RawSocket transport: closing', () => {
  test('close() resolves once the socket is closed; onClose once with local: true', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    const a = t.close(1000, 'bye');
    const b = t.close();
    await Promise.all([a, b]);
    expect(r.closes).toEqual([{ local: true, code: 1000, reason: 'bye' }]);
    await conn.whenClosed;
    await t.close();
    await tick(20);
    expect(r.closes).toHaveLength(1);
    expect(() => t.send('x')).toThrow(expect.objectContaining({ name: 'TransportError', code: 'ERR_TRANSPORT' }));
  });

  test('send() while closing throws ERR_TRANSPORT', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const closing = t.close();
    expect(() => t.send('x')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
    await closing;
  });

  test('close() gives up waiting for a peer that does not close after closeTimeoutMs', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write(Buffer.from([0x7f, 0xf1, 0, 0])));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const t = await connectRawSocket(`rs://127.0.0.1:${port}`, opts({ closeTimeoutMs: 50 }));
      const r = recorder();
      t.attach(r);
      const started = Date.now();
      await t.close();
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
      expect(r.closes).toEqual([{ local: true, code: 1000, reason: '' }]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('the router closing reports onClose once with local: false', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    conn.socket.end();
    const info = await r.closed;
    expect(info.local).toBe(false);
    expect(info.error).toBeUndefined();
    await t.close(); // resolves at once
    await tick(20);
    expect(r.closes).toHaveLength(1);
    expect(() => t.send('x')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
  });

  test('a reset connection reports onClose with a TransportError', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const conn = await router.next();
    const r = recorder();
    t.attach(r);
    conn.socket.resetAndDestroy();
    const info = await r.closed;
    expect(info.local).toBe(false);
    expect(info.code).toBe(1006);
    expect(info.error).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((info.error as Error).cause).toMatchObject({ code: 'ECONNRESET' });
  });
});
