import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';

import { connect as connectSession } from '../../src/index';
import { rawSocketTransport, type RawSocketTransport } from '../../src/rawsocket';
import {
  CBOR_SER,
  JSON_SER,
  MSGPACK_SER,
  MiB,
  PeerConn,
  closeAll,
  connect,
  fakeSerializer,
  frameBytes,
  opts,
  recorder,
  startRouter,
  text,
  tick,
  track,
} from './helpers';

afterEach(closeAll);

describe('connectRawSocket: handshake', () => {
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
    const opened = [];
    for (const [max] of cases) opened.push(await connect(router.url, opts({ maxFrameBytes: max })));
    expect(router.requests.map((r) => r[1]! >> 4)).toEqual(cases.map(([, e]) => e));
    expect(opened[opened.length - 1]!.maxFrameBytes).toBe(16 * MiB); // capped at 2^24
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
    const router = await startRouter({ reply: () => null });
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
    await expect(pending).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringMatching(/during the RawSocket handshake/),
    });
  });
});

describe('connectRawSocket: connecting', () => {
  test('connection refused rejects with ERR_TRANSPORT and the cause', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rawSocketTransport()(`rs://127.0.0.1:${port}`, opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('a missing Unix socket rejects with ERR_TRANSPORT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wampbox-rs-'));
    try {
      const err = await rawSocketTransport()(`unix://${dir}/nope.sock`, opts()).catch((e: unknown) => e);
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
    expect(err).toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect((err as Error).message).toMatch(/aborted/);
    expect((err as Error).cause).toMatchObject({ message: 'user gave up' });
    await conn.whenClosed; // the socket was dropped
  });

  test('an already aborted signal rejects without connecting', async () => {
    const router = await startRouter();
    const aborted = opts({ signal: AbortSignal.abort() });
    await expect(connect(router.url, aborted)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
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
      await expect(rawSocketTransport()(url, opts())).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    },
  );

  test.each(['tcp', 'rs'])('%s:// URLs connect over TCP', async (scheme) => {
    const router = await startRouter();
    const t = await connect(router.url.replace(/^rs:/, `${scheme}:`));
    expect(t.protocol).toBe('wamp.2.json');
  });
});

describe('connectRawSocket: Unix domain sockets', () => {
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

describe('rawSocketTransport(config)', () => {
  test('returns a transport factory and connects only when the factory is called', async () => {
    const router = await startRouter();
    const factory = rawSocketTransport();
    expect(typeof factory).toBe('function');
    await tick(20);
    expect(router.conns).toHaveLength(0);
    const t = track((await factory(router.url, opts())) as RawSocketTransport);
    expect(t.protocol).toBe('wamp.2.json');
    expect(t.routerMaxFrameBytes).toBe(16 * MiB);
    expect(router.conns).toHaveLength(1);
  });

  test('its settings reach every transport the factory opens', async () => {
    const sockets: net.Socket[] = [];
    // a peer that never closes its side: close() must give up after closeTimeoutMs
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write(Buffer.from([0x7f, 0xf1, 0, 0])));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const factory = rawSocketTransport({ closeTimeoutMs: 50 });
      for (let i = 0; i < 2; i++) {
        const t = await factory(`rs://127.0.0.1:${port}`, opts());
        const started = Date.now();
        await t.close();
        expect(Date.now() - started).toBeGreaterThanOrEqual(40);
        expect(Date.now() - started).toBeLessThan(2000);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test.each([
    ['a URL (the call of a factory)', 'rs://127.0.0.1:8080'],
    ['null', null],
  ])('refuses %s as its settings with ERR_INVALID_ARGUMENT', (_name, config) => {
    expect(() => rawSocketTransport(config as never)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('connect() from the package entry picks it for rs:// URLs', async () => {
    const router = await startRouter();
    const joining = connectSession({ url: router.url, realm: 'realm1', serializers: [JSON_SER] });
    const conn = await router.next();
    expect([...conn.handshakeRequest]).toEqual([0x7f, 0xf1, 0, 0]); // 16 MiB (the default limit), JSON
    const [type] = JSON.parse(text((await conn.readFrame()).payload)) as [number];
    expect(type).toBe(1); // HELLO
    conn.write(frameBytes(0, JSON.stringify([2, 7, { roles: { broker: {}, dealer: {} } }])));
    const session = await joining;
    expect(session.id).toBe(7);
    const closing = session.close();
    expect(JSON.parse(text((await conn.readFrame()).payload))[0]).toBe(6); // GOODBYE
    conn.write(frameBytes(0, JSON.stringify([6, {}, 'wamp.close.goodbye_and_out'])));
    await closing;
  });
});

/** A throwaway self-signed certificate for 127.0.0.1, or `null` where no `openssl` binary exists. */
function selfSignedCert(dir: string): { key: Buffer; cert: Buffer } | null {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
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
      const factory = rawSocketTransport({ tls: { ca: creds.cert } });
      const t = track((await factory(`rss://127.0.0.1:${port}`, opts())) as RawSocketTransport);
      const r = recorder();
      t.attach(r);
      t.send('hello');
      await r.frame(1);
      expect(text(r.frames[0])).toBe('echo:hello');
      await t.close();
      // Without the CA the certificate is refused.
      const withoutCa = rawSocketTransport()(`rss://127.0.0.1:${port}`, opts());
      await expect(withoutCa).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
