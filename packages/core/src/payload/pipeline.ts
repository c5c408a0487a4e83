/**
 * The payload pipeline of a session: how messages with a payload go out (plain without a codec,
 * else through the codec in the router's dialect) and how received payloads are opened, keeping
 * message order when a codec answers with a promise.
 */
import { TransportError, WampboxError } from '../errors.js';
import { MessageType as T } from '../protocol/messages.js';
import type { ArgsSlot, Dict } from '../protocol/messages.js';
import type { PayloadCodec, PayloadContext } from './payload-codec.js';
import type { Channel } from '../wire/channel.js';
import { appendPlainPayload, decodeWith, encodeWith, isThenable } from './dialect.js';
import type { EncodeInput, OpenedPayload, PayloadDialect } from './dialect.js';
import { OrderedQueue } from './ordered-queue.js';

function ignore(): void {}

/** How a message with a payload is sent: see {@link PayloadPipeline.sendPayload_}. */
export interface PayloadSend extends EncodeInput {
  /** Why the message could not go out (the codec refused, the transport failed, the session ended). */
  readonly onFail: (err: Error) => void;
  /** The message went out; `opaque` says whether its payload did. */
  readonly onSent?: ((opaque: boolean) => void) | undefined;
}

/** Not part of the public API (not exported by the package). */
export class PayloadPipeline {
  /** The codec, unless it is the passthrough codec (which is bypassed). */
  declare readonly codec_: PayloadCodec | undefined;
  /** The router's payload dialect, known from WELCOME. */
  declare dialect_: PayloadDialect;
  declare private readonly channel_: Channel;
  /** Holds sends back while an asynchronous codec step is in flight. */
  declare private readonly out_: OrderedQueue;
  /** Whether a message may still go out, and the error for one that may not. */
  declare private readonly usable_: () => Error | undefined;
  /** The session's clock, handed to the codec (milliseconds since the Unix epoch). */
  declare readonly now_: () => number;

  constructor(
    channel: Channel,
    codec: PayloadCodec | undefined,
    opts: { usable: () => Error | undefined; now: () => number },
  ) {
    this.channel_ = channel;
    this.codec_ = codec;
    this.now_ = opts.now;
    this.dialect_ = 'none';
    this.out_ = new OrderedQueue();
    this.usable_ = opts.usable;
  }

  /**
   * Send one message: now, or after what an asynchronous codec step holds back (only with
   * `onFail`). A failure goes to `onFail`; without one it is dropped. Returns `false` when it failed now.
   */
  send_(msg: unknown[], onFail?: (err: Error) => void): boolean {
    if (this.out_.busy && onFail) {
      this.out_.run(() => this.sendIfUsable_(msg), onFail);
      return true;
    }
    try {
      this.channel_.send(msg);
      return true;
    } catch (e) {
      // a custom transport may throw anything: what reaches the application is typed
      onFail?.(
        e instanceof WampboxError ? e : new TransportError(e instanceof Error ? e.message : String(e), { cause: e }),
      );
      return false;
    }
  }

  /** {@link Channel.send} for a send that waited: refused if the session ended meanwhile. */
  private sendIfUsable_(msg: unknown[]): void {
    const err = this.usable_();
    if (err) throw err;
    this.channel_.send(msg);
  }

  /**
   * Append a payload to `msg` (a CALL, PUBLISH, YIELD or ERROR up to its Arguments) and send it:
   * plain without a codec, else what the codec makes of it, in the router's dialect. An ERROR
   * without `inv` is made up by the session and goes out plain.
   */
  sendPayload_(msg: unknown[], p: PayloadSend): void {
    const codec = this.codec_;
    if (!codec || (msg[0] === T.ERROR && !p.inv)) {
      appendPlainPayload(msg, p.args, p.kwargs);
      if (this.send_(msg, p.onFail)) p.onSent?.(false);
      return;
    }
    const send = (opaque: boolean): void => {
      this.sendIfUsable_(msg);
      p.onSent?.(opaque);
    };
    try {
      const opaque = encodeWith(codec, msg, { ...p, now: this.now_ }, this.dialect_);
      if (this.out_.busy || isThenable(opaque)) {
        // the step may run only after earlier sends: a rejection meanwhile must not count as
        // unhandled (Node would end the process); the step still sees it and calls onFail
        const encoded = Promise.resolve(opaque);
        encoded.catch(ignore);
        this.out_.run(() => encoded.then(send), p.onFail);
      } else send(opaque);
    } catch (e) {
      p.onFail(e as Error);
    }
  }

  /**
   * Open a received payload that is not plain, or that arrived on a session with a codec: `then`
   * gets it opened, now or (codec promise) later; a refusal goes to `fail`. Without a codec an
   * opaque payload is refused as the passthrough codec refuses it. Returns a promise only when
   * the codec answered with one.
   */
  open_(
    slot: ArgsSlot | undefined,
    kw: Dict | undefined,
    details: Dict,
    ctx: PayloadContext,
    done: { then: (p: OpenedPayload) => void; fail: (err: Error) => void },
  ): Promise<void> | void {
    let out: OpenedPayload | Promise<OpenedPayload>;
    try {
      out = decodeWith(this.codec_, slot, kw, details, ctx);
    } catch (e) {
      return done.fail(e as Error);
    }
    if (!isThenable(out)) return done.then(out);
    return out.then(done.then, done.fail);
  }
}

/** `true` when a received payload is plain: no opaque binary, no scheme attributes. */
export function isPlain(slot: ArgsSlot | undefined, details: Dict): slot is unknown[] | undefined {
  return !(slot instanceof Uint8Array) && details['enc_algo'] === undefined && details['ppt_scheme'] === undefined;
}
