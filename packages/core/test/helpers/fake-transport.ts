import type { Serializer, Transport, TransportCloseInfo, TransportHandlers } from '../../src/index';

/** A serializer that hands message arrays through unchanged (frames are the arrays themselves). */
export const identitySerializer: Serializer = {
  id: 'identity',
  protocol: 'wamp.2.identity',
  binary: false,
  encode: (msg) => msg as unknown as string,
  decode: (frame) => {
    if (!Array.isArray(frame)) throw new Error('not a list');
    return frame as unknown[];
  },
};

/** An in-memory transport: records what the session sends and lets a test play the router. */
export class FakeTransport implements Transport {
  readonly protocol = 'wamp.2.identity';
  readonly maxFrameBytes = 1 << 20;
  readonly bufferedAmount = 0;
  readonly sent: unknown[][] = [];
  closed: TransportCloseInfo | null = null;
  private handlers: TransportHandlers | null = null;
  private waiters: { type: number; resolve(m: unknown[]): void }[] = [];

  constructor(readonly serializer: Serializer = identitySerializer) {}

  attach(h: TransportHandlers): void {
    this.handlers = h;
  }
  send(frame: string | Uint8Array): void {
    if (this.closed) throw new Error('closed');
    const msg = frame as unknown as unknown[];
    this.sent.push(msg);
    const i = this.waiters.findIndex((w) => w.type === msg[0]);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
  }
  close(): Promise<void> {
    this.drop(true);
    return Promise.resolve();
  }
  /** Deliver a message from the router. */
  deliver(msg: unknown): void {
    this.handlers!.onFrame(msg as unknown as string);
  }
  /** The router side goes away. */
  drop(local = false): void {
    if (this.closed) return;
    this.closed = { local, code: 1006 };
    this.handlers?.onClose(this.closed);
  }
  /** The last message of a type the session sent, or wait for the next one. */
  next(type: number): Promise<unknown[]> {
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }
  last(type: number): unknown[] | undefined {
    for (let i = this.sent.length - 1; i >= 0; i--) if (this.sent[i]![0] === type) return this.sent[i];
    return undefined;
  }
}
