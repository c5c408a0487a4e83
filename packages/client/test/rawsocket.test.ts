import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';

import { Session } from '@wampbox/core';
import type { Serializer, TransportCloseInfo, TransportHandlers } from '@wampbox/core';

import {
  connectRawSocket,
  rawSocketTransport,
  rawSocketTransportWith,
  type RawSocketTransport,
  type RawSocketTransportOptions,
} from '../src/rawsocket';

// ---------------------------------------------------------------------------------------------
// Test doubles: a fake serializer and a fake RawSocket router on a port the OS picks.
// ---------------------------------------------------------------------------------------------

function fakeSerializer(id: string, rawSocketId: number | undefined, binary = false): Serializer {
  return {
    id,
    protocol: `wamp.2.${id}`,
    rawSocketId,
    binary,
    encode: (msg) => JSON.stringify(msg),
    decode: (frame) => JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame as Uint8Array).toString('utf8')) as unknown[],
  };
}

const JSON_SER = fakeSerializer('json', 1);
const MSGPACK_SER = fakeSerializer('msgpack', 2, true);
const CBOR_SER = fakeSerializer('cbor', 3, true);

const MiB = 1024 * 1024;

function frameBytes(type: number, payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const header = Buffer.from([type, (body.length >>> 16) & 0xff, (body.length >>> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

/** Server side of one connection: reads exact byte counts without quadratic copying. */
class PeerConn {
  private chunks: Buffer[] = [];
  private total = 0;
  private pending: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  closed = false;
  readonly whenClosed: Promise<void>;
  handshakeRequest: Buffer = Buffer.alloc(0);

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.total += c.length;
      this.pump();
    });
    socket.on('error', () => undefined);
    this.whenClosed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.pending?.reject(new Error('peer closed'));
        this.pending = null;
        resolve();
      }),
    );
  }

  get available(): number {
    return this.total;
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.pending = { n, resolve, reject };
      this.pump();
    });
  }

  async readFrame(): Promise<{ type: number; payload: Buffer; header: Buffer }> {
    const header = await this.read(4);
    let length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
    if (header[0]! & 0x08) length = 2 ** 24;
    const payload = length === 0 ? Buffer.alloc(0) : await this.read(length);
    return { type: header[0]! & 0x07, payload, header };
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  private pump(): void {
    const p = this.pending;
    if (!p || this.total < p.n) return;
    this.pending = null;
    const parts: Buffer[] = [];
    let need = p.n;
    while (need > 0) {
      const head = this.chunks[0]!;
      if (head.length <= need) {
        parts.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    this.total -= p.n;
    p.resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }
}

interface RouterOptions {
  /** Handshake reply for a request; `null` never replies. Default: accept with `routerExp`. */
  reply?: (request: Buffer, attempt: number) => Buffer | null;
  /** LLLL of the default accepting reply. Default 15 (16 MiB). */
  routerExp?: number;
  /** Bytes written in the same write as the handshake reply. */
  afterHandshake?: Buffer;
  /** Listen on this Unix socket path instead of TCP. */
  path?: string;
}

interface FakeRouter {
  readonly url: string;
  readonly conns: PeerConn[];
  readonly requests: Buffer[];
  next(): Promise<PeerConn>;
  close(): Promise<void>;
}

const routers: FakeRouter[] = [];
const transports: RawSocketTransport[] = [];

async function startRouter(options: RouterOptions = {}): Promise<FakeRouter> {
  const conns: PeerConn[] = [];
  const requests: Buffer[] = [];
  const waiting: ((c: PeerConn) => void)[] = [];
  const ready: PeerConn[] = [];
  const server = net.createServer((socket) => {
    const conn = new PeerConn(socket);
    conns.push(conn);
    void conn
      .read(4)
      .then((request) => {
        conn.handshakeRequest = request;
        requests.push(request);
        const exp = options.routerExp ?? 15;
        const reply = options.reply
          ? options.reply(request, requests.length)
          : Buffer.from([0x7f, (exp << 4) | (request[1]! & 0x0f), 0, 0]);
        if (reply) {
          conn.write(options.afterHandshake && (reply[1]! & 0x0f) !== 0 ? Buffer.concat([reply, options.afterHandshake]) : reply);
          if ((reply[1]! & 0x0f) === 0) socket.end();
        }
        const w = waiting.shift();
        if (w) w(conn);
        else ready.push(conn);
      })
      .catch(() => undefined);
  });
  await new Promise<void>((resolve) => {
    if (options.path) server.listen(options.path, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address() as net.AddressInfo;
  const router: FakeRouter = {
    url: options.path ? `unix://${options.path}` : `rs://127.0.0.1:${address.port}`,
    conns,
    requests,
    next: () => {
      const c = ready.shift();
      return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const c of conns) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  routers.push(router);
  return router;
}

function opts(extra: Partial<RawSocketTransportOptions> = {}): RawSocketTransportOptions {
  return { serializers: [JSON_SER], maxFrameBytes: MiB, ...extra };
}

async function connect(url: string, options: RawSocketTransportOptions = opts()): Promise<RawSocketTransport> {
  const t = await connectRawSocket(url, options);
  transports.push(t);
  return t;
}

/** Handlers that record what arrives. */
function recorder(): TransportHandlers & { frames: Uint8Array[]; closes: TransportCloseInfo[]; closed: Promise<TransportCloseInfo>; frame(n: number): Promise<void> } {
  const frames: Uint8Array[] = [];
  const closes: TransportCloseInfo[] = [];
  let onClosed!: (i: TransportCloseInfo) => void;
  const closed = new Promise<TransportCloseInfo>((r) => (onClosed = r));
  const frameWaiters: { n: number; resolve: () => void }[] = [];
  return {
    frames,
    closes,
    closed,
    frame: (n) =>
      new Promise<void>((resolve) => {
        if (frames.length >= n) resolve();
        else frameWaiters.push({ n, resolve });
      }),
    onFrame(f) {
      frames.push(f as Uint8Array);
      for (const w of frameWaiters.filter((x) => frames.length >= x.n)) {
        frameWaiters.splice(frameWaiters.indexOf(w), 1);
        w.resolve();
      }
    },
    onClose(info) {
      closes.push(info);
      onClosed(info);
    },
  };
}

const text = (f: Uint8Array | undefined): string => Buffer.from(f ?? new Uint8Array(0)).toString('utf8');
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Feed bytes to the client exactly as chunked (white-box: bypasses TCP's own chunking). */
function inject(t: RawSocketTransport, chunk: Uint8Array): void {
  (t as unknown as { socket: net.Socket }).socket.emit('data', Buffer.from(chunk));
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(routers.splice(0).map((r) => r.close()));
});

// ---------------------------------------------------------------------------------------------

describe('rawSocketTransport: handshake', () => {
  test('sends 0x7F, LLLL SSSS, 0, 0 and adopts the negotiated serializer and limits', async () => {
    const router = await startRouter({ routerExp: 6 }); // router accepts 2^15 = 32 KiB
    const t = await connect(router.url, opts({ serializers: [CBOR_SER], maxFrameBytes: MiB }));
    expect([...router.requests[0]!]).toEqual([0x7f, (11 << 4) | 3, 0, 0]); // 2^(9+11) = 1 MiB
    expect(t.protocol).toBe('wamp.2.cbor');
    expect(t.serializer).toBe(CBOR_SER);
    expect(t.routerMaxFrameBytes).toBe(32 * 1024);
    expect(t.maxFrameBytes).toBe(32 * 1024);
    expect(typeof t.bufferedAmount).toBe('number');
  });

  test('announces the largest power of two not above maxFrameBytes, between 512 B and 16 MiB', async () => {
    const router = await startRouter();
    const cases: [number, number][] = [
      [100, 0],
      [512, 0],
      [1000, 0],
      [1024, 1],
      [MiB - 1, 10],
      [16 * MiB, 15],
      [64 * MiB, 15],
    ];
    for (const [max] of cases) await connect(router.url, opts({ maxFrameBytes: max }));
    expect(router.requests.map((r) => r[1]! >> 4)).toEqual(cases.map(([, e]) => e));
    expect(transports[transports.length - 1]!.maxFrameBytes).toBe(16 * MiB); // capped at 2^24
  });

  test('falls back to the next serializer after "serializer unsupported", on a new connection', async () => {
    const router = await startRouter({
      reply: (req) => ((req[1]! & 0x0f) === 1 ? Buffer.from([0x7f, 0xf1, 0, 0]) : Buffer.from([0x7f, 1 << 4, 0, 0])),
    });
    const noId = fakeSerializer('custom', undefined);
    const t = await connect(router.url, opts({ serializers: [noId, CBOR_SER, MSGPACK_SER, JSON_SER] }));
    expect(router.requests.map((r) => r[1]! & 0x0f)).toEqual([3, 2, 1]);
    expect(router.conns).toHaveLength(3);
    expect(t.serializer).toBe(JSON_SER);
    expect(t.protocol).toBe('wamp.2.json');
  });

  test('ERR_NO_SERIALIZER when the router supports none of the offered serializers', async () => {
    const router = await startRouter({ reply: () => Buffer.from([0x7f, 1 << 4, 0, 0]) });
    await expect(connect(router.url, opts({ serializers: [CBOR_SER, JSON_SER] }))).rejects.toMatchObject({
      name: 'TransportError',
      code: 'ERR_NO_SERIALIZER',
    });
    expect(router.requests).toHaveLength(2);
  });

  test('ERR_NO_SERIALIZER without connecting when no serializer has a RawSocket id', async () => {
    const router = await startRouter();
    await expect(connect(router.url, opts({ serializers: [fakeSerializer('x', undefined)] }))).rejects.toMatchObject({
      code: 'ERR_NO_SERIALIZER',
    });
    await tick(20);
    expect(router.conns).toHaveLength(0);
  });

  test.each([
    [2, /maximum message length unacceptable/],
    [3, /use of reserved bits/],
    [4, /maximum connection count reached/],
    [9, /unknown error/],
  ])('router error %i is a TransportError ERR_TRANSPORT and stops the fallback', async (code, message) => {
    const router = await startRouter({ reply: () => Buffer.from([0x7f, code << 4, 0, 0]) });
    const err = await connect(router.url, opts({ serializers: [CBOR_SER, JSON_SER] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(`error ${code}`);
    expect(router.requests).toHaveLength(1);
  });

  test('a reply without the magic octet, with another serializer, or with reserved bits fails', async () => {
    const replies = [Buffer.from([0x48, 0xf1, 0, 0]), Buffer.from([0x7f, 0xf2, 0, 0]), Buffer.from([0x7f, 0xf1, 0, 1])];
    for (const reply of replies) {
      const router = await startRouter({ reply: () => reply });
      await expect(connect(router.url)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
    }
  });

  test('handshake reply split into single bytes, followed by frames in the same chunk', async () => {
    const router = await startRouter({
      reply: () => null,
    });
    const pending = connect(router.url);
    const conn = await router.next();
    for (const b of [0x7f, 0xf1, 0, 0]) {
      conn.write(Buffer.from([b]));
      await tick(5);
    }
    conn.write(Buffer.concat([frameBytes(0, 'x'), frameBytes(0, 'y')]));
    const t = await pending;
    await tick(20);
    const r = recorder();
    t.attach(r);
    expect(r.frames.map(text)).toEqual(['x', 'y']);
  });

  test('the router closing during the handshake is ERR_TRANSPORT', async () => {
    const router = await startRouter({ reply: () => null });
    const pending = connect(router.url);
    const conn = await router.next();
    conn.socket.end();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_TRANSPORT', message: expect.stringMatching(/during the RawSocket handshake/) });
  });
});

describe('rawSocketTransport: connecting', () => {
  test('connection refused rejects with ERR_TRANSPORT and the cause', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rawSocketTransport(`rs://127.0.0.1:${port}`, opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('a missing Unix socket rejects with ERR_TRANSPORT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wampbox-rs-'));
    try {
      const err = await rawSocketTransport(`unix://${dir}/nope.sock`, opts()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_TRANSPORT' });
      expect((err as Error).cause).toMatchObject({ code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('abort signal stops a hanging handshake', async () => {
    const router = await startRouter({ reply: () => null });
    const ac = new AbortController();
    const pending = connect(router.url, opts({ signal: ac.signal }));
    const conn = await router.next();
    ac.abort(new Error('user gave up'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT', message: expect.stringMatching(/aborted/) });
    expect((err as Error).cause).toMatchObject({ message: 'user gave up' });
    await conn.whenClosed; // the socket was dropped
  });

  test('an already aborted signal rejects without connecting', async () => {
    const router = await startRouter();
    await expect(connect(router.url, opts({ signal: AbortSignal.abort() }))).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
    await tick(20);
    expect(router.conns).toHaveLength(0);
  });

  test('connectTimeoutMs covers the handshake', async () => {
    const router = await startRouter({ reply: () => null });
    const started = Date.now();
    await expect(connect(router.url, opts({ connectTimeoutMs: 80 }))).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringMatching(/timed out/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  test('a successful connect is unaffected by a later abort or timeout', async () => {
    const router = await startRouter();
    const ac = new AbortController();
    const t = await connect(router.url, opts({ signal: ac.signal, connectTimeoutMs: 30 }));
    ac.abort();
    await tick(60);
    const conn = await router.next();
    t.send('still here');
    expect(text((await conn.readFrame()).payload)).toBe('still here');
  });

  test.each(['http://x:1', 'rs://localhost', 'rs://:80', 'unix://relative/path', 'not a url', 'rs://h:1/path'])(
    'rejects the URL %s with ERR_INVALID_ARGUMENT',
    async (url) => {
      await expect(rawSocketTransport(url, opts())).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    },
  );

  test.each(['tcp', 'rs'])('%s:// URLs connect over TCP', async (scheme) => {
    const router = await startRouter();
    const t = await connect(router.url.replace(/^rs:/, `${scheme}:`));
    expect(t.protocol).toBe('wamp.2.json');
  });
});

describe('rawSocketTransport: Unix domain sockets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wampbox-rs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each(['unix', 'rs+unix'])('%s:///path: handshake and frames both ways', async (scheme) => {
    const path = join(dir, `${scheme.replace('+', '-')}.sock`);
    const router = await startRouter({ path });
    const t = await connect(`${scheme}://${path}`);
    const conn = await router.next();
    expect([...conn.handshakeRequest]).toEqual([0x7f, (11 << 4) | 1, 0, 0]);
    const r = recorder();
    t.attach(r);
    t.send('[1,"realm1",{}]');
    expect(text((await conn.readFrame()).payload)).toBe('[1,"realm1",{}]');
    conn.write(frameBytes(0, '[2,1,{}]'));
    await r.frame(1);
    expect(text(r.frames[0])).toBe('[2,1,{}]');
  });
});

describe('rawSocketTransport: frames', () => {
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
    const socket = (t as unknown as { socket: net.Socket }).socket;
    const writes: number[] = [];
    const write = socket._write.bind(socket);
    const writev = socket._writev!.bind(socket);
    socket._write = (chunk, encoding, cb) => (writes.push(1), write(chunk, encoding, cb));
    socket._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb));
    for (let i = 0; i < 20; i++) t.send(`[16,${i},{},"com.example.t"]`);
    for (let i = 0; i < 20; i++) expect((await conn.readFrame()).payload.toString()).toBe(`[16,${i},{},"com.example.t"]`);
    expect(writes).toEqual([20]);
    t.send('[16,20,{},"com.example.t"]');
    await conn.readFrame();
    expect(writes).toEqual([20, 1]);
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

  test('one frame split into 1-byte chunks, and frames straddling chunk boundaries', async () => {
    const router = await startRouter();
    const t = await connect(router.url);
    const r = recorder();
    t.attach(r);
    const stream = Buffer.concat([frameBytes(0, '[1,"one"]'), frameBytes(0, ''), frameBytes(1, 'pp'), frameBytes(0, '[2,"two"]')]);
    for (const b of stream) inject(t, Uint8Array.of(b));
    expect(r.frames.map(text)).toEqual(['[1,"one"]', '', '[2,"two"]']);
    // Chunks of 3 and 7 bytes: headers and payloads split at every offset.
    for (const size of [3, 7]) {
      r.frames.length = 0;
      for (let off = 0; off < stream.length; off += size) inject(t, stream.subarray(off, off + size));
      expect(r.frames.map(text)).toEqual(['[1,"one"]', '', '[2,"two"]']);
    }
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
    inject(t, Uint8Array.of(0x08, 0, 0, 0));
    inject(t, payload);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]!.length).toBe(16 * MiB);
    expect(r.frames[0]![16 * MiB - 1]).toBe(9);
  });

  test('frames arriving before attach() are buffered, then delivered in order', async () => {
    const router = await startRouter({ afterHandshake: Buffer.concat([frameBytes(0, 'early-1'), frameBytes(0, 'early-2')]) });
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
    t.attach({ onFrame: (f) => order.push(`frame:${text(f as Uint8Array)}`), onClose: (i) => order.push(`close:${i.local}`) });
    expect(order).toEqual(['frame:last words', 'close:false']);
  });
});

describe('rawSocketTransport: random byte streams', () => {
  test('delivers the frames before the first bad header, then closes once with a typed error (seeded)', async () => {
    let seed = 0xb17e5;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const router = await startRouter();
    const outcomes = { broken: 0, intact: 0 };
    for (let round = 0; round < 40; round++) {
      const t = await connect(router.url, opts({ maxFrameBytes: 4096 }));
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
      // fed in random chunks, headers and bodies split anywhere
      for (let off = 0; off < stream.length; ) {
        const size = 1 + next(9);
        inject(t, stream.subarray(off, off + size));
        off += size;
      }
      await tick(5);
      expect(r.frames.map(text)).toEqual(expected);
      if (broken) {
        const info = await r.closed;
        expect(info.error).toMatchObject({ name: 'TransportError', code: expect.stringMatching(/^ERR_(TRANSPORT|FRAME_TOO_LARGE)$/) });
        expect(r.closes).toHaveLength(1);
        expect(() => t.send('[1]')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
      } else {
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

describe('rawSocketTransport: limits', () => {
  test('sending over min(ours, router) throws ERR_FRAME_TOO_LARGE, sends nothing, and stays usable', async () => {
    const router = await startRouter({ routerExp: 1 }); // router accepts 1024 bytes
    const t = await connect(router.url);
    const conn = await router.next();
    expect(t.maxFrameBytes).toBe(1024);
    expect(() => t.send('x'.repeat(1025))).toThrow(expect.objectContaining({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' }));
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

describe('rawSocketTransport: ping / pong', () => {
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

describe('rawSocketTransport: closing', () => {
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

/** A throwaway self-signed certificate for 127.0.0.1, or `null` where no `openssl` binary exists. */
function selfSignedCert(dir: string): { key: Buffer; cert: Buffer } | null {
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'),
        '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  }
}

describe('rawSocketTransport: TLS (rss://)', () => {
  test('handshake and frames over TLS with a custom CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wampbox-rss-'));
    const creds = selfSignedCert(dir);
    rmSync(dir, { recursive: true, force: true });
    if (!creds) return; // no openssl here: nothing to test with
    const server = tls.createServer(creds, (socket) => {
      const conn = new PeerConn(socket);
      void conn.read(4).then(async (req) => {
        conn.write(Buffer.from([0x7f, 0xf0 | (req[1]! & 0x0f), 0, 0]));
        const f = await conn.readFrame();
        conn.write(frameBytes(0, `echo:${text(f.payload)}`));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const factory = rawSocketTransportWith({ tls: { ca: creds.cert } });
      const t = (await factory(`rss://127.0.0.1:${port}`, opts())) as RawSocketTransport;
      transports.push(t);
      const r = recorder();
      t.attach(r);
      t.send('hello');
      await r.frame(1);
      expect(text(r.frames[0])).toBe('echo:hello');
      await t.close();
      // Without the CA the certificate is refused.
      await expect(rawSocketTransport(`rss://127.0.0.1:${port}`, opts())).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
