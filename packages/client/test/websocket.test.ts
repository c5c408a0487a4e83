import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { json } from '@wampbox/core';
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
});
