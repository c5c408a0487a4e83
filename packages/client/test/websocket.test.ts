import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect } from '../src/index';

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
});
