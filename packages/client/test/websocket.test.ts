import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { json, webSocketTransport } from '@wampbox/core';
import type { Transport, TransportCloseInfo, WebSocketConstructor } from '@wampbox/core';
import { connect, transportFor } from '../src/index';

/** A TCP server on a loopback port that accepts connections and never answers (a stalled router). */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A `ws` server playing a JSON WAMP router: WELCOME for HELLO, nothing else by itself. It records
 * the messages and the pings it receives; with `autoPong: false` it leaves pings unanswered.
 */
async function fakeRouter(autoPong = true) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const peers: WebSocket[] = [];
  const pings: Buffer[] = [];
  const received: unknown[][] = [];
  const closes: number[] = [];
  server.on('connection', (peer: WebSocket) => {
    peers.push(peer);
    peer.on('ping', (data: Buffer) => void pings.push(data));
    peer.on('close', (code: number) => void closes.push(code));
    peer.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as unknown[];
      received.push(msg);
      if (msg[0] === 1) peer.send(JSON.stringify([2, 1, { roles: { broker: {}, dealer: {} } }]));
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    peers,
    pings,
    received,
    closes,
    close: () =>
      new Promise<void>((r) => {
        for (const p of peers) p.terminate();
        server.close(() => r());
      }),
  };
}

/** Open a transport over `ws` through the core factory, keeping the client's `ws` object. */
async function openTransport(url: string, maxFrameBytes = 1 << 20): Promise<{ t: Transport; ws: WebSocket }> {
  let ws: WebSocket | undefined;
  class Recorded extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      ws = this;
    }
  }
  const t = await webSocketTransport({ WebSocket: Recorded as unknown as WebSocketConstructor })(url, {
    serializers: [json()],
    maxFrameBytes,
  });
  return { t, ws: ws! };
}

async function waitFor(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WebSocket over ws (Node)', () => {
  let uncaught: unknown[] = [];
  const record = (e: unknown): void => {
    uncaught.push(e);
  };
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', record);
  });
  afterEach(() => {
    process.off('uncaughtException', record);
  });

  it('gives up on a stalled handshake (timeout or abort) without an uncaught error from ws', async () => {
    const server = await silentServer();
    try {
      await expect(connect({ url: server.url, realm: 'realm1', connectTimeoutMs: 50 })).rejects.toMatchObject({
        code: 'ERR_TRANSPORT',
        message: expect.stringContaining('timed out after 50 ms'),
      });
      const ac = new AbortController();
      const aborted = connect({ url: server.url, realm: 'realm1', signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await expect(aborted).rejects.toMatchObject({ code: 'ERR_TRANSPORT', message: 'connect aborted' });
      // ws reports the abandoned handshake on the next tick
      await new Promise((r) => setTimeout(r, 50));
      expect(uncaught).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('sends the frames of one task in one write, in order', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const received: string[] = [];
    let arrived: () => void = () => undefined;
    server.on('connection', (peer: WebSocket) =>
      peer.on('message', (data: Buffer) => {
        received.push(data.toString());
        if (received.length === 21) arrived();
      }),
    );
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    const t = await transportFor(url)(url, { serializers: [json()], maxFrameBytes: 1 << 20 });
    const proto = net.Socket.prototype;
    const writes: number[] = [];
    const { _write: write, _writev: writev } = proto;
    proto._write = function (this: net.Socket, chunk, encoding, cb) {
      writes.push(1);
      return write.call(this, chunk, encoding, cb);
    };
    proto._writev = function (this: net.Socket, chunks, cb) {
      writes.push(chunks.length);
      return writev!.call(this, chunks, cb);
    };
    try {
      const all = new Promise<void>((r) => (arrived = r));
      for (let i = 0; i < 20; i++) t.send(`[16,${i},{},"com.example.t"]`);
      await new Promise((r) => setTimeout(r, 0));
      const batched = [...writes];
      t.send('[16,20,{},"com.example.t"]');
      await all;
      // each frame is a header and a payload chunk: one writev with all of them, then one alone
      expect(batched).toEqual([40]);
      expect(writes.length).toBe(2);
      expect(received).toEqual(Array.from({ length: 21 }, (_, i) => `[16,${i},{},"com.example.t"]`));
    } finally {
      proto._write = write;
      proto._writev = writev;
      await t.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  describe('ping', () => {
    it('settles each ping only with the pong that echoes its own payload', async () => {
      const router = await fakeRouter(false);
      const { t } = await openTransport(router.url);
      try {
        const settled: string[] = [];
        const first = t.probe!(5000).then(() => void settled.push('first'));
        const second = t.probe!(5000).then(() => void settled.push('second'));
        await waitFor(() => router.pings.length === 2, 'two pings');
        const [p1, p2] = router.pings as [Buffer, Buffer];
        expect(p1.equals(p2)).toBe(false);
        const peer = router.peers[0]!;
        peer.pong(p2);
        await second;
        peer.pong(Buffer.from('unsolicited'));
        peer.pong();
        await new Promise((r) => setTimeout(r, 50));
        expect(settled).toEqual(['second']);
        peer.pong(p1);
        await first;
        expect(settled).toEqual(['second', 'first']);
      } finally {
        await t.close();
        await router.close();
      }
    });

    it('keeps one pong listener however many pings are in flight, and none after', async () => {
      const router = await fakeRouter();
      const { t, ws } = await openTransport(router.url);
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => void warnings.push(w);
      process.on('warning', onWarning);
      try {
        const pings = Array.from({ length: 50 }, () => t.probe!(5000));
        expect(ws.listenerCount('pong')).toBe(1);
        const rtts = await Promise.all(pings);
        expect(rtts).toEqual(rtts.map(() => expect.any(Number)));
        expect(ws.listenerCount('pong')).toBe(0);
        await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
        expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      } finally {
        process.off('warning', onWarning);
        await t.close();
        await router.close();
      }
    });

    it('rejects a session.ping() in flight when the session ends, without waiting for its timeout', async () => {
      const router = await fakeRouter(false);
      try {
        const aborted = await connect({ url: router.url, realm: 'realm1', serializers: [json()] });
        const started = Date.now();
        const first = aborted.ping(10_000);
        await waitFor(() => router.pings.length === 1, 'the ping');
        aborted.abort('test');
        await expect(first).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
        expect(Date.now() - started).toBeLessThan(2000);

        const lost = await connect({ url: router.url, realm: 'realm1', serializers: [json()] });
        const second = lost.ping(10_000);
        await waitFor(() => router.pings.length === 2, 'the second ping');
        router.peers[1]!.terminate();
        await expect(second).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
        expect(Date.now() - started).toBeLessThan(4000);
        expect((await lost.closed).reason).toBe('wamp.close.transport_lost');
      } finally {
        await router.close();
      }
    });
  });

  describe('frame limit', () => {
    it('reports a frame over maxFrameBytes as ERR_FRAME_TOO_LARGE (code 1009 to the router)', async () => {
      const router = await fakeRouter();
      const { t } = await openTransport(router.url, 1024);
      try {
        const closed = new Promise<TransportCloseInfo>((onClose) => t.attach({ onFrame: () => undefined, onClose }));
        router.peers[0]!.send('x'.repeat(1025));
        const info = await closed;
        expect(info).toMatchObject({ local: true, code: 1009, reason: 'message too big' });
        expect(info.error).toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
        expect(info.error!.message).toContain('limit of 1024 bytes');
        await waitFor(() => router.closes.length === 1, 'the router to see the close');
        expect(router.closes).toEqual([1009]);
      } finally {
        await t.close();
        await router.close();
      }
    });

    it('ends the session with ERR_FRAME_TOO_LARGE: on closed and for every pending call', async () => {
      const router = await fakeRouter();
      try {
        const session = await connect({ url: router.url, realm: 'realm1', serializers: [json()], maxFrameBytes: 4096 });
        const call = session.call('com.example.slow');
        await waitFor(() => router.received.some((m) => m[0] === 48), 'the CALL');
        router.peers[0]!.send(JSON.stringify([36, 1, 1, {}, ['x'.repeat(5000)]]));
        await expect(call).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
        const info = await session.closed;
        expect(info).toMatchObject({ reason: 'wamp.close.transport_closed', local: true, clean: false });
        expect(info.error).toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
      } finally {
        await router.close();
      }
    });
  });
});
