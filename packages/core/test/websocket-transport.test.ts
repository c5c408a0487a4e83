import { TransportError, json, msgpack, webSocketTransport } from '../src/index';
import type { TransportCloseInfo, WebSocketConstructor } from '../src/index';

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

describe('webSocketTransport', () => {
  it('offers serializers as subprotocols in order and picks the one the router chose', async () => {
    const p = webSocketTransport({ WebSocket: WS, options: { headers: { a: 'b' } } })('ws://x', { serializers: [msgpack(), json()], maxFrameBytes: 100 });
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
    await expect(webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 100, connectTimeoutMs: 10 })).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
    });
    const ac = new AbortController();
    const p3 = webSocketTransport({ WebSocket: WS })('ws://x', { serializers: [json()], maxFrameBytes: 100, signal: ac.signal });
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
});
