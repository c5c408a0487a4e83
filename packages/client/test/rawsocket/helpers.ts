/**
 * Test doubles for the RawSocket tests: a fake serializer, frame bytes, and a fake RawSocket router
 * on a port the OS picks (or a Unix socket) that the tests drive byte by byte.
 */
import { Prng } from '../../../core/test/helpers/prng';
import * as net from 'node:net';

import type { Serializer, TransportCloseInfo, TransportHandlers } from '@wampbox/core';

import { connectRawSocket, type RawSocketTransport, type RawSocketTransportOptions } from '../../src/rawsocket';

export function fakeSerializer(id: string, rawSocketId: number | undefined, binary = false): Serializer {
  return {
    id,
    protocol: `wamp.2.${id}`,
    rawSocketId,
    binary,
    encode: (msg) => JSON.stringify(msg),
    decode: (frame) =>
      JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame as Uint8Array).toString('utf8')) as unknown[],
  };
}

export const JSON_SER = fakeSerializer('json', 1);
export const MSGPACK_SER = fakeSerializer('msgpack', 2, true);
export const CBOR_SER = fakeSerializer('cbor', 3, true);

export const MiB = 1024 * 1024;

/** One frame on the wire: prefix (type, 24-bit length) and payload. */
export function frameBytes(type: number, payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const header = Buffer.from([type, (body.length >>> 16) & 0xff, (body.length >>> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

/** The generator of the seeded stream tests: an integer in [0, n) per call, replayable from `seed`. */
export function seeded(seed: number): (n: number) => number {
  const prng = new Prng(seed);
  return (n) => prng.int(n);
}

/** What a stream the reader refuses fails with: a typed transport error with one of its two codes. */
export const TYPED_READ_ERROR = {
  name: 'TransportError',
  code: expect.stringMatching(/^ERR_(TRANSPORT|FRAME_TOO_LARGE)$/),
};

export const text = (f: Uint8Array | undefined): string => Buffer.from(f ?? new Uint8Array(0)).toString('utf8');
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Server side of one connection: reads exact byte counts without quadratic copying. */
export class PeerConn {
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

export interface RouterOptions {
  /** Handshake reply for a request; `null` never replies. Default: accept with `routerExp`. */
  reply?: (request: Buffer, attempt: number) => Buffer | null;
  /** LLLL of the default accepting reply. Default 15 (16 MiB). */
  routerExp?: number;
  /** Bytes written in the same write as the handshake reply. */
  afterHandshake?: Buffer;
  /** Listen on this Unix socket path instead of TCP. */
  path?: string;
}

export interface FakeRouter {
  readonly url: string;
  readonly port: number;
  readonly conns: PeerConn[];
  readonly requests: Buffer[];
  next(): Promise<PeerConn>;
  close(): Promise<void>;
}

const routers: FakeRouter[] = [];
const transports: RawSocketTransport[] = [];

export async function startRouter(options: RouterOptions = {}): Promise<FakeRouter> {
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
          const accepted = (reply[1]! & 0x0f) !== 0;
          conn.write(options.afterHandshake && accepted ? Buffer.concat([reply, options.afterHandshake]) : reply);
          if (!accepted) socket.end();
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
  const port = options.path ? 0 : (server.address() as net.AddressInfo).port;
  const router: FakeRouter = {
    url: options.path ? `unix://${options.path}` : `rs://127.0.0.1:${port}`,
    port,
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

export function opts(extra: Partial<RawSocketTransportOptions> = {}): RawSocketTransportOptions {
  return { serializers: [JSON_SER], maxFrameBytes: MiB, ...extra };
}

/** Keep `t` to close it after the test. */
export function track<T extends RawSocketTransport>(t: T): T {
  transports.push(t);
  return t;
}

/** {@link connectRawSocket}, closed after the test. */
export async function connect(url: string, options: RawSocketTransportOptions = opts()): Promise<RawSocketTransport> {
  return track(await connectRawSocket(url, options));
}

/** Close what the test opened: its transports, then its routers. */
export async function closeAll(): Promise<void> {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(routers.splice(0).map((r) => r.close()));
}

export type Recorder = TransportHandlers & {
  frames: Uint8Array[];
  closes: TransportCloseInfo[];
  closed: Promise<TransportCloseInfo>;
  frame(n: number): Promise<void>;
};

/** Handlers that record what arrives. */
export function recorder(): Recorder {
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
