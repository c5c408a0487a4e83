/**
 * A channel: one open transport with its serializer, the router-message validation, message
 * tracing and the send-buffer bound. What the session sends and receives are messages; frames
 * stay in here.
 */
import { ProtocolError, TransportError } from '../errors.js';
import { describeMessage } from '../logger.js';
import type { Logger } from '../logger.js';
import { MessageType as T, validateRouterMessage } from '../protocol/messages.js';
import type { RouterMessage } from '../protocol/messages.js';
import type { Transport, TransportCloseInfo } from './transport.js';

/** Options of a {@link Channel}. */
export interface ChannelOptions {
  /** Refuse to send (`ERR_BACKPRESSURE`) while more than this many bytes wait in the send buffer. */
  readonly maxBufferedBytes: number;
  /** Logs every message sent and received (type, id, URI; never payloads) at level `trace`. */
  readonly tracer: Logger | undefined;
}

/** What a channel reports to its session. */
export interface ChannelHandlers {
  /** One validated message from the router. */
  onMessage(msg: RouterMessage): void;
  /** A frame that could not be decoded, or a message a router may not send. */
  onViolation(err: ProtocolError): void;
  /** The transport closed (exactly once). */
  onClose(info: TransportCloseInfo): void;
}

/** Not part of the public API (not exported by the package). */
export class Channel {
  declare readonly transport: Transport;
  declare private readonly maxBuffered_: number;
  declare private readonly tracer_: Logger | undefined;
  /** Messages received so far (for liveness checks). */
  declare received: number;

  constructor(transport: Transport, options: ChannelOptions) {
    this.transport = transport;
    this.maxBuffered_ = options.maxBufferedBytes;
    this.tracer_ = options.tracer;
    this.received = 0;
  }

  /** Start receiving: frames become validated messages. */
  attach(handlers: ChannelHandlers): void {
    this.transport.attach({
      onFrame: (frame) => {
        let msg: RouterMessage;
        try {
          msg = validateRouterMessage(this.transport.serializer.decode(frame));
        } catch (e) {
          const cause = e as Error;
          handlers.onViolation(
            e instanceof ProtocolError
              ? e
              : new ProtocolError(`undecodable frame from router: ${cause.message}`, { cause }),
          );
          return;
        }
        this.received++;
        this.tracer_?.trace!('wamp receive', describeMessage(msg));
        handlers.onMessage(msg);
      },
      onClose: (info) => handlers.onClose(info),
    });
  }

  /**
   * Serialize and hand one message to the transport. GOODBYE and ABORT pass the send-buffer bound.
   * @throws TransportError `ERR_BACKPRESSURE` over the bound; what the serializer or transport throws.
   */
  send(msg: unknown[]): void {
    const t = this.transport;
    if (t.bufferedAmount > this.maxBuffered_ && msg[0] !== T.GOODBYE && msg[0] !== T.ABORT) {
      const held = `send buffer holds ${t.bufferedAmount} bytes, over the ${this.maxBuffered_} allowed`;
      throw new TransportError(`${held}; await session.drain()`, { code: 'ERR_BACKPRESSURE' });
    }
    this.tracer_?.trace!('wamp send', describeMessage(msg));
    t.send(t.serializer.encode(msg));
  }

  /** Bytes waiting in the transport's send buffer. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /** Close the transport (a WebSocket close with `code` and `reason` where given). Never rejects. */
  close(code?: number, reason?: string): Promise<void> {
    return code === undefined ? this.transport.close() : this.transport.close(code, reason);
  }
}
