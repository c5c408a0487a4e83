/**
 * An in-memory {@link Transport} for tests: it records every message a session sends and lets the
 * test play the router, with no network and no serialization (messages are the frames).
 */
import { SerializationError, TransportError } from '../errors.js';
import type { Serializer } from '../wire/serializer.js';
import type { Transport, TransportCloseInfo, TransportHandlers } from '../wire/transport.js';

/** A serializer that hands message arrays through unchanged: the frames are the arrays themselves. */
export const passThroughSerializer: Serializer = {
  id: 'identity',
  protocol: 'wamp.2.identity',
  binary: false,
  encode: (msg) => msg as unknown as string,
  decode: (frame) => {
    if (!Array.isArray(frame)) throw new SerializationError('not a list');
    return frame as unknown[];
  },
};

/**
 * An in-memory transport. Messages the session sends land in {@link MemoryTransport.sent};
 * {@link MemoryTransport.deliver} hands it a message as if the router had sent it.
 *
 * @example
 * ```ts
 * const t = new MemoryTransport();
 * const joining = Session.join(t, { realm: 'realm1' });
 * t.deliver([2, 1, { roles: { broker: {}, dealer: {} } }]); // WELCOME
 * const session = await joining;
 * ```
 */
export class MemoryTransport implements Transport {
  readonly protocol: string;
  readonly maxFrameBytes = 1 << 20;
  readonly bufferedAmount = 0;
  /** Every message the session sent, in order. */
  readonly sent: unknown[][] = [];
  /** How the transport closed, once it has. */
  closed: TransportCloseInfo | null = null;
  private handlers_: TransportHandlers | null = null;
  private waiters_: { type: number; resolve(m: unknown[]): void }[] = [];

  /** @param serializer - what `session.serializer` reports; frames are never encoded. */
  constructor(readonly serializer: Serializer = passThroughSerializer) {
    this.protocol = serializer.protocol;
  }

  attach(h: TransportHandlers): void {
    this.handlers_ = h;
  }

  send(frame: string | Uint8Array): void {
    if (this.closed) throw new TransportError('transport closed');
    const msg = frame as unknown as unknown[];
    this.sent.push(msg);
    const i = this.waiters_.findIndex((w) => w.type === msg[0]);
    if (i >= 0) this.waiters_.splice(i, 1)[0]!.resolve(msg);
  }

  close(): Promise<void> {
    this.drop(true);
    return Promise.resolve();
  }

  /** Deliver a message from the router. */
  deliver(msg: unknown): void {
    this.handlers_?.onFrame(msg as string);
  }

  /** The connection goes away (`local`: as if this side closed it). */
  drop(local = false): void {
    if (this.closed) return;
    this.closed = { local, code: 1006 };
    this.handlers_?.onClose(this.closed);
  }

  /** The next message of message type `type` the session sends. */
  next(type: number): Promise<unknown[]> {
    return new Promise((resolve) => this.waiters_.push({ type, resolve }));
  }

  /** The last message of message type `type` the session sent, if any. */
  last(type: number): unknown[] | undefined {
    for (let i = this.sent.length - 1; i >= 0; i--) if (this.sent[i]![0] === type) return this.sent[i];
    return undefined;
  }
}
