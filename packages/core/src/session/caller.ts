/** The caller role: CALL, its RESULTs (final and progressive) and ERROR, CANCEL, timeouts. */
import { ApplicationError, CanceledError, InvalidArgumentError, TimeoutError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import { MessageType as T } from '../protocol/messages.js';
import type { PayloadExchange } from '../payload/payload-codec.js';
import type { ArgsSlot, Dict } from '../protocol/messages.js';
import { checkCall } from '../protocol/option-checks.js';
import { STREAMING, chunkSender, streamCall } from './streaming.js';
import type { ChunkSender } from './streaming.js';
import { isPlain } from '../payload/pipeline.js';
import { wireOptions } from '../protocol/wire-options.js';
import type { CallOptions, CallResult, CallStream } from '../types.js';
import type { Role, SessionContext } from './context.js';
import type { Pending } from './requests.js';

interface PendingCall extends Pending {
  readonly procedure: string;
  /** The CALL went out opaque. */
  opaque: boolean;
  /** Canceled or timed out locally: the promise has settled; the router's final reply is swallowed. */
  abandoned: boolean;
  readonly onProgress: ((r: CallResult) => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the abort listener. */
  cleanup: (() => void) | undefined;
  /** What the codec sees as this call's exchange (with a codec only). */
  readonly exchange: PayloadExchange | undefined;
  /** Why the call failed, once it has (what a stream's writer then throws). */
  failure?: Error;
  /** A streamed call's last chunk went out. */
  ended?: boolean;
}

function settle(p: PendingCall): void {
  if (p.timer) clearTimeout(p.timer);
  p.cleanup?.();
}

/** Not part of the public API (not exported by the package). */
export class Caller implements Role {
  declare private readonly ctx_: SessionContext;

  constructor(ctx: SessionContext) {
    this.ctx_ = ctx;
  }

  /**
   * Send a CALL. With `stream`, it is the first chunk of a progressive call invocation
   * (`progress: true`), and `stream` gets what sends the next chunks.
   */
  call_(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    options: CallOptions,
    stream?: (send: ChunkSender) => void,
  ): Promise<CallResult> {
    const ctx = this.ctx_;
    // a throw in the executor rejects the promise
    return new Promise<CallResult>((resolve, fail) => {
      this.check_(procedure, args, kwargs, options);
      const id = ctx.requests_.next_();
      const o = wireOptions(options);
      if (options.discloseMe !== undefined) o['disclose_me'] = options.discloseMe;
      if (options.onProgress) o['receive_progress'] = true;
      if (stream) o['progress'] = true;
      const reject = STREAMING
        ? (err: Error): void => {
            p.failure = err;
            fail(err);
          }
        : fail;
      const p: PendingCall = {
        type: T.CALL,
        resolve: resolve,
        reject,
        end: (err) => {
          settle(p);
          if (!p.abandoned) reject(err);
        },
        procedure,
        opaque: false,
        abandoned: false,
        onProgress: options.onProgress,
        timer: undefined,
        cleanup: undefined,
        exchange: ctx.payload_.codec_ && { procedure },
        unordered: options.unordered === true,
      };
      ctx.requests_.add_(id, p);
      if (options.signal || options.timeoutMs) this.watch_(id, p, options);
      ctx.payload_.sendPayload_([T.CALL, id, o, procedure], {
        options: o,
        args,
        kwargs,
        onFail: (err) => {
          ctx.requests_.delete_(id);
          settle(p);
          reject(err);
        },
        onSent:
          ctx.payload_.codec_ &&
          ((opaque) => {
            p.opaque = opaque;
          }),
        exchange: p.exchange,
        progress: !!stream,
      });
      if (STREAMING) stream?.(chunkSender(ctx, id, p, (err) => this.abandon_(id, p, 'killnowait', err)));
    });
  }

  /** The checks of a call before anything is sent. */
  private check_(procedure: string, args: unknown[] | undefined, kwargs: Dict | undefined, options: CallOptions): void {
    checkCall(procedure, args, kwargs, options, this.ctx_.rules_);
    this.ctx_.assertOpen_();
    if (options.signal?.aborted)
      throw new CanceledError('call aborted before it was sent', { cause: options.signal.reason });
  }

  /** A call whose input the application streams: the first chunk goes out now. */
  callStream_(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    options: CallOptions,
  ): CallStream {
    this.check_(procedure, args, kwargs, options);
    if (!STREAMING)
      throw new InvalidArgumentError('progressive call invocations are not in this build', {
        code: 'ERR_FEATURE_UNSUPPORTED',
      });
    return streamCall(this.ctx_, (hook) => this.call_(procedure, args, kwargs, options, hook));
  }

  callProgressive_(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    options: Omit<CallOptions, 'onProgress'>,
  ): AsyncIterableIterator<CallResult> {
    const results = new EventQueue<CallResult>();
    const controller = new AbortController();
    const outer = options.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (outer?.aborted) controller.abort(outer.reason);
    this.call_(procedure, args, kwargs, { ...options, signal: controller.signal, onProgress: (r) => results.push(r) })
      .then(
        (r) => {
          results.push(r);
          results.end();
        },
        (e: unknown) => results.end(e),
      )
      .finally(() => outer?.removeEventListener('abort', onOuterAbort));
    return results.iterator(() => {
      if (!results.done) controller.abort(new CanceledError('progressive call iteration stopped'));
      return Promise.resolve();
    });
  }

  /** Cancel call `id` when its signal aborts or its timeout passes. */
  private watch_(id: number, p: PendingCall, { signal, timeoutMs, cancelMode = 'kill' }: CallOptions): void {
    if (signal) {
      const onAbort = (): void =>
        this.abandon_(id, p, cancelMode, new CanceledError('call canceled', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      p.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    // 0 and Infinity mean no deadline (larger values were refused by the argument checks)
    if (timeoutMs !== undefined && timeoutMs > 0 && timeoutMs !== Number.POSITIVE_INFINITY) {
      const timedOut = (): Error => new TimeoutError(`call to ${p.procedure} timed out after ${timeoutMs} ms`);
      p.timer = setTimeout(() => this.abandon_(id, p, 'killnowait', timedOut()), timeoutMs);
    }
  }

  /** Reject a call locally and cancel it at the router; its entry stays until the router's final reply. */
  private abandon_(id: number, p: PendingCall, mode: string, err: Error): void {
    const ctx = this.ctx_;
    if (p.abandoned || ctx.requests_.get_(id) !== p) return;
    p.abandoned = true;
    settle(p);
    p.reject(err);
    if (ctx.state === 'established') ctx.payload_.send_([T.CANCEL, id, { mode }], () => ctx.requests_.delete_(id));
    else ctx.requests_.delete_(id);
  }

  /** A RESULT, or an ERROR (with its `uri`) answering a CALL. */
  onReply_(
    id: number,
    details: Dict,
    slot: ArgsSlot | undefined,
    kw: Dict | undefined,
    uri?: string,
  ): Promise<void> | void {
    const ctx = this.ctx_;
    const p = ctx.requests_.take_(T.CALL, id, uri === undefined ? 'RESULT' : 'ERROR (for CALL)') as PendingCall;
    const progress = uri === undefined && details['progress'] === true;
    if (!progress) ctx.requests_.delete_(id);
    if (p.abandoned) return;
    if (!progress) settle(p);
    if (!ctx.payload_.codec_ && isPlain(slot, details))
      return this.replied_(p, { args: slot, kwargs: kw }, details, progress, uri);
    return ctx.payload_.open_(
      slot,
      kw,
      details,
      {
        uri: uri ?? p.procedure,
        messageType: uri === undefined ? 'RESULT' : 'ERROR',
        originating: true,
        sending: false,
        requestWasOpaque: p.opaque,
        procedure: p.procedure,
        exchange: p.exchange,
        progress: uri === undefined ? progress : undefined,
        now: ctx.payload_.now_,
      },
      {
        // a progressive result decoded after the call was canceled or the session ended is dropped
        then: (payload) =>
          !progress || (!p.abandoned && ctx.requests_.get_(id) === p)
            ? this.replied_(p, payload, details, progress, uri)
            : undefined,
        // a progressive result that cannot be opened fails the whole call
        fail: (err) => (progress ? this.abandon_(id, p, 'killnowait', err) : p.reject(err)),
      },
    );
  }

  private replied_(
    p: PendingCall,
    payload: { args?: unknown[] | undefined; kwargs?: Dict | undefined },
    details: Dict,
    progress: boolean,
    uri: string | undefined,
  ): void {
    if (uri !== undefined)
      return p.reject(new ApplicationError(uri, payload.args ?? [], payload.kwargs ?? {}, details));
    const r: CallResult = { args: payload.args ?? [], kwargs: payload.kwargs ?? {}, details, progress };
    if (!progress) p.resolve(r);
    else {
      try {
        p.onProgress?.(r);
      } catch (e) {
        this.ctx_.report_(e);
      }
    }
  }

  end_(): void {
    // pending calls are failed through the request table (PendingCall.end)
  }
}
