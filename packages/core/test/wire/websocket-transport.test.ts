import { TimeoutError, TransportError, json, msgpack, webSocketTransport } from '../../src/index';
import type { TransportCloseInfo, WebSocketConstructor } from '../../src/index';

/** A W3C-shaped WebSocket double that a test drives by hand. */
class FakeWebSocket {
  static last: FakeWebSocket;
  private type = 'blob';
  /** Like browsers: values outside the W3C enumeration are ignored. */
  get binaryType(): string {
    return this.type;
  }
  set binaryType(v: string) {
    if (v === 'blob' || v === 'arraybuffer') this.type = v;
  }
  readyState = 0;
  bufferedAmount = 0;
  protocol = '';
  sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
    readonly extra: unknown,
  ) {
    FakeWebSocket.last = this;
  }
  send(d: unknown): void {
    this.sent.push(d);
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
  accept(protocol: string): void {
    this.protocol = protocol;
    this.readyState = 1;
    this.onopen?.({});
  }
}
const WS = FakeWebSocket as unknown as WebSocketConstructor;

/** The same double with the ping/pong side of Node's `ws` (pongs echo a payload, as Buffers). */
class FakeNodeWebSocket extends FakeWebSocket {
  pongListeners: ((data: unknown) => void)[] = [];
  pings: unknown[] = [];
  pingError: Error | undefined;
  ping(data?: unknown): void {
    if (this.pingError) throw this.pingError;
    this.pings.push(data);
  }
  on(event: string, fn: (data: unknown) => void): void {
    if (event === 'pong') this.pongListeners.push(fn);
  }
  removeListener(event: string, fn: (data: unknown) => void): void {
    if (event === 'pong') this.pongListeners = this.pongListeners.filter((f) => f !== fn);
  }
  pong(data: unknown): void {
    for (const f of [...this.pongListeners]) f(Buffer.from(String(data)));
  }
}

async function open(ws: WebSocketConstructor = WS, maxFrameBytes = 100) {
  const p = webSocketTransport({ WebSocket: ws })('ws://x', { serializers: [json()], maxFrameBytes });
  const socket = FakeWebSocket.last;
  socket.accept('wamp.2.json');
  return { t: await p, socket };
}

describe('webSocketTransport', () => {
  it('offers serializers as subprotocols in order and picks the one the router chose', async () => {
    const p = webSocketTransport({ WebSocket: WS, options: { headers: { a: 'b' } } })('ws://x', {
      serializers: [msgpack(), json()],
      maxFrameBytes: 100,
    });
    const ws = FakeWebSocket.last;
    expect(ws.protocols).toEqual(['wamp.2.msgpack', 'wamp.2.json']);
    expect(ws.extra).toEqual({ maxPayload: 100, headers: { a: 'b' } });
    expect(ws.binaryType).toBe('arraybuffer');
    ws.accept('wamp.2.json');
    const t = await p;
    expect(t.serializer.id).toBe('json');
  });

  it('fails with ERR_NO_SERIALIZER when the router picks none', async () => {
    const p = webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 100 });
    FakeWebSocket.last.accept('');
    await expect(p).rejects.toMatchObject({ code: 'ERR_NO_SERIALIZER' });
  });

  it('fails with ERR_TRANSPORT on error, timeout and abort', async () => {
    const p1 = webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 100 });
    FakeWebSocket.last.onerror?.({ error: new Error('ECONNREFUSED') });
    await expect(p1).rejects.toBeInstanceOf(TransportError);
    await expect(
      webSocketTransport({ WebSocket: WS })('ws://x', {
        serializers: [json()],
        maxFrameBytes: 100,
        connectTimeoutMs: 10,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
    });
    const ac = new AbortController();
    const p3 = webSocketTransport({ WebSocket: WS })('ws://x', {
      serializers: [json()],
      maxFrameBytes: 100,
      signal: ac.signal,
    });
    ac.abort();
    await expect(p3).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
  });

  it('enforces the frame limit both ways and reports the close once', async () => {
    const p = webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 10 });
    const ws = FakeWebSocket.last;
    ws.accept('wamp.2.json');
    const t = await p;
    const frames: unknown[] = [];
    const closes: TransportCloseInfo[] = [];
    t.attach({ onFrame: (f) => frames.push(f), onClose: (i) => closes.push(i) });
    expect(() => t.send('x'.repeat(11))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
    expect(() => t.send('é'.repeat(6))).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
    t.send('[1]');
    expect(ws.sent).toEqual(['[1]']);
    ws.onmessage?.({ data: '[2]' });
    ws.onmessage?.({ data: new Uint8Array(11) });
    await new Promise((r) => setTimeout(r, 0));
    expect(frames).toEqual(['[2]']);
    expect(closes).toHaveLength(1);
    expect(closes[0]!.error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
    expect(() => t.send('[3]')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
  });

  it('buffers frames that arrive before attach', async () => {
    const p = webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 100 });
    const ws = FakeWebSocket.last;
    ws.accept('wamp.2.json');
    const t = await p;
    ws.onmessage?.({ data: '[1]' });
    const frames: unknown[] = [];
    t.attach({ onFrame: (f) => frames.push(f), onClose: () => undefined });
    expect(frames).toEqual(['[1]']);
    await t.close();
  });

  it('names the limit in frame size errors', async () => {
    const { t, socket } = await open(WS, 10);
    const closes: TransportCloseInfo[] = [];
    t.attach({ onFrame: () => undefined, onClose: (i) => closes.push(i) });
    expect(() => t.send('x'.repeat(11))).toThrow(/frame exceeds the limit of 10 bytes/);
    socket.onmessage?.({ data: 'y'.repeat(11) });
    expect(closes[0]).toMatchObject({ local: true, code: 1009, reason: 'message too big' });
    expect(closes[0]!.error!.message).toMatch(/received frame exceeds the limit of 10 bytes/);
    expect(socket.readyState).toBe(3);
  });

  it('reports a remote close once, and a local close as local', async () => {
    const remote = await open();
    const closes: TransportCloseInfo[] = [];
    remote.t.attach({ onFrame: () => undefined, onClose: (i) => closes.push(i) });
    remote.socket.onclose?.({ code: 1001, reason: 'going away' });
    remote.socket.onclose?.({ code: 1006, reason: '' });
    expect(closes).toEqual([{ local: false, code: 1001, reason: 'going away' }]);
    await expect(remote.t.close()).resolves.toBeUndefined();

    const local = await open();
    const info: TransportCloseInfo[] = [];
    local.t.attach({ onFrame: () => undefined, onClose: (i) => info.push(i) });
    await local.t.close(4000, 'bye');
    expect(info).toEqual([{ local: true, code: 4000, reason: 'bye' }]);
    expect(() => local.t.send('[1]')).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT' }));
  });

  it('reports a close that happened before attach on attach', async () => {
    const { t, socket } = await open();
    socket.onmessage?.({ data: '[1]' });
    socket.onclose?.({ code: 1000, reason: '' });
    const seen: unknown[] = [];
    t.attach({ onFrame: (f) => seen.push(f), onClose: (i) => seen.push(i) });
    expect(seen).toEqual(['[1]', { local: false, code: 1000, reason: '' }]);
  });

  it('fails when the socket closes during the handshake, or the signal was aborted before', async () => {
    const p = webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 100 });
    FakeWebSocket.last.onclose?.({ code: 1006, reason: '' });
    await expect(p).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringContaining('closed during the handshake (code 1006)'),
    });
    const ac = new AbortController();
    const reason = new Error('stop');
    ac.abort(reason);
    const aborted = webSocketTransport({ WebSocket: WS })('ws://x', {
      serializers: [json()],
      maxFrameBytes: 100,
      signal: ac.signal,
    });
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_TRANSPORT', message: 'connect aborted', cause: reason });
    expect(FakeWebSocket.last.readyState).toBe(3);
  });

  it('keeps an error listener on a socket it gave up on (ws reports closing a connecting socket as an error)', async () => {
    const p = webSocketTransport({ WebSocket: WS })('ws://x', {
      serializers: [json()],
      maxFrameBytes: 100,
      connectTimeoutMs: 5,
    });
    const ws = FakeWebSocket.last;
    await expect(p).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
      message: expect.stringContaining('timed out after 5 ms'),
    });
    expect(typeof ws.onerror).toBe('function');
    expect(() => ws.onerror?.({ error: new Error('closed before the connection was established') })).not.toThrow();
    expect(ws.onopen).toBeNull();
    expect(ws.onclose).toBeNull();
  });

  it('fails with ERR_TRANSPORT when the WebSocket constructor throws', async () => {
    const Throwing = function () {
      throw new SyntaxError('bad url');
    } as unknown as WebSocketConstructor;
    const err = await webSocketTransport({ WebSocket: Throwing })('nope', {
      serializers: [json()],
      maxFrameBytes: 100,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_TRANSPORT', cause: expect.any(SyntaxError) });
  });

  it('passes computed constructor options and lets them override maxPayload', async () => {
    const p = webSocketTransport({ WebSocket: WS, options: (url, o) => ({ url, maxPayload: o.maxFrameBytes * 2 }) })(
      'ws://y',
      {
        serializers: [json()],
        maxFrameBytes: 100,
      },
    );
    expect(FakeWebSocket.last.extra).toEqual({ url: 'ws://y', maxPayload: 200 });
    FakeWebSocket.last.accept('wamp.2.json');
    await p;
  });

  it('batches the frames of one task into one write when it is given the socket', async () => {
    const log: string[] = [];
    const socket = { cork: () => log.push('cork'), uncork: () => log.push('uncork') };
    const seen: unknown[] = [];
    const p = webSocketTransport({ WebSocket: WS, socketOf: (ws) => (seen.push(ws), socket) })('ws://x', {
      serializers: [json()],
      maxFrameBytes: 100,
    });
    const ws = FakeWebSocket.last;
    const send = ws.send.bind(ws);
    ws.send = (d: unknown) => {
      log.push(`send ${String(d)}`);
      send(d);
    };
    ws.accept('wamp.2.json');
    const t = await p;
    expect(seen).toEqual([ws]);
    t.send('[1]');
    t.send('[2]');
    expect(log).toEqual(['cork', 'send [1]', 'send [2]']);
    await Promise.resolve();
    t.send('[3]');
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['cork', 'send [1]', 'send [2]', 'uncork', 'cork', 'send [3]', 'uncork']);
    expect(ws.sent).toEqual(['[1]', '[2]', '[3]']);
  });

  it('has no probe without a ping, and pings through Node ws where there is one', async () => {
    expect((await open()).t.probe).toBeUndefined();
    const { t, socket } = await open(FakeNodeWebSocket);
    const node = socket as FakeNodeWebSocket;
    const rtt = t.probe!(1000);
    expect(node.pings).toHaveLength(1);
    node.pong(node.pings[0]);
    await expect(rtt).resolves.toEqual(expect.any(Number));

    await expect(t.probe!(5)).rejects.toBeInstanceOf(TimeoutError);
    expect(node.pongListeners).toHaveLength(0);

    node.pingError = new Error('not open');
    await expect(t.probe!(1000)).rejects.toMatchObject({ code: 'ERR_TRANSPORT', cause: node.pingError });
    expect(node.pongListeners).toHaveLength(0);

    await t.close();
    await expect(t.probe!(1000)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
  });

  it('settles each ping only by the pong that echoes it, with one pong listener for all', async () => {
    const { t, socket } = await open(FakeNodeWebSocket);
    const node = socket as FakeNodeWebSocket;
    const settled: string[] = [];
    const pings = ['a', 'b', 'c'].map((name) => t.probe!(1000).then(() => void settled.push(name)));
    expect(new Set(node.pings).size).toBe(3);
    expect(node.pongListeners).toHaveLength(1);
    node.pong(node.pings[1]);
    node.pong('unsolicited');
    node.pong('');
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toEqual(['b']);
    node.pong(node.pings[1]); // a second pong for a settled ping changes nothing
    node.pong(node.pings[2]);
    node.pong(node.pings[0]);
    await Promise.all(pings);
    expect(settled).toEqual(['b', 'c', 'a']);
    expect(node.pongListeners).toHaveLength(0);
  });

  it('rejects the pings in flight as soon as the transport closes, locally or not', async () => {
    const local = await open(FakeNodeWebSocket);
    const started = Date.now();
    const first = local.t.probe!(10_000);
    const closing = local.t.close();
    await expect(first).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_TRANSPORT' });
    expect(Date.now() - started).toBeLessThan(1000);
    // while the closing handshake runs, a new ping is refused at once
    await expect(local.t.probe!(10_000)).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
    await closing;
    expect((local.socket as FakeNodeWebSocket).pongListeners).toHaveLength(0);

    const remote = await open(FakeNodeWebSocket);
    remote.t.attach({ onFrame: () => undefined, onClose: () => undefined });
    const second = remote.t.probe!(10_000);
    remote.socket.onclose?.({ code: 1006, reason: '' });
    await expect(second).rejects.toMatchObject({ code: 'ERR_TRANSPORT', message: expect.stringContaining('pong') });
  });

  it('reports a message ws refused for its size (maxPayload) as ERR_FRAME_TOO_LARGE, at once', async () => {
    const { t, socket } = await open(WS, 10);
    const closes: TransportCloseInfo[] = [];
    t.attach({ onFrame: () => undefined, onClose: (i) => closes.push(i) });
    // what ws does: an error event for the message, then (later) a close event with code 1006
    const cause = Object.assign(new RangeError('Max payload size exceeded'), {
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    });
    socket.onerror?.({ error: cause });
    const error = expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE', cause });
    expect(closes).toEqual([{ local: true, code: 1009, reason: 'message too big', error }]);
    socket.onclose?.({ code: 1006, reason: '' });
    socket.onerror?.({ error: new Error('other') });
    expect(closes).toHaveLength(1);
    await expect(t.close()).resolves.toBeUndefined();
  });
});
