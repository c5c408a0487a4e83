/** An invocation being handled: what a procedure handler sees, plus its callee's bookkeeping. */
import { checkArgs, checkKwargs } from '../protocol/checks.js';
import type { PayloadExchange } from '../payload/payload-codec.js';
import type { Dict } from '../protocol/messages.js';
import type { Invocation, InvocationChunk } from '../types.js';
import type { EventQueue } from './event-queue.js';
import { STREAMING } from './streaming.js';

/** What an invocation calls back into to send a progressive result. */
export interface InvocationOwner {
  yieldResult_(inv: InvocationImpl, args: unknown[] | undefined, kwargs: Dict | undefined, progress: boolean): void;
}

/** What an invocation is made with: its (first chunk's) payload, as opened. */
export interface InvocationPayload {
  args?: unknown[] | undefined;
  kwargs?: Dict | undefined;
  opaque: boolean;
  exchange?: PayloadExchange | undefined;
  /** The chunks of a streaming call's input (the first is pushed on creation). */
  chunks?: EventQueue<InvocationChunk> | undefined;
}

/** Not part of the public API (not exported by the package). */
export class InvocationImpl implements Invocation {
  declare readonly requestId: number;
  declare readonly procedure: string;
  /** The INVOCATION arrived opaque. */
  declare readonly opaque: boolean;
  declare readonly args: unknown[];
  declare readonly kwargs: Dict;
  declare readonly details: Dict;
  declare readonly receiveProgress: boolean;
  /** The exchange the codec saw when it opened the INVOCATION (the invocation itself without a codec). */
  declare readonly exchange: PayloadExchange;
  /** Answered, interrupted, or the session ended: nothing more goes out for it. */
  declare done: boolean;
  declare private readonly owner_: InvocationOwner;
  /** Made when the handler first reads `signal`. */
  declare private controller_: AbortController | undefined;
  declare private abortReason_: Error | undefined;
  /** The chunks of a streamed input (undefined for an invocation that is all in its INVOCATION). */
  declare private readonly chunks_: EventQueue<InvocationChunk> | undefined;

  constructor(owner: InvocationOwner, requestId: number, procedure: string, details: Dict, payload: InvocationPayload) {
    this.owner_ = owner;
    this.requestId = requestId;
    this.procedure = procedure;
    this.opaque = payload.opaque;
    this.args = payload.args ?? [];
    this.kwargs = payload.kwargs ?? {};
    this.details = details;
    this.receiveProgress = details['receive_progress'] === true;
    this.exchange = payload.exchange ?? this;
    this.done = false;
    this.controller_ = this.abortReason_ = undefined;
    this.chunks_ = payload.chunks;
    if (STREAMING) payload.chunks?.push({ args: this.args, kwargs: this.kwargs, details, progress: true });
  }

  async *chunks(): AsyncGenerator<InvocationChunk, void, undefined> {
    if (this.chunks_) yield* this.chunks_.iterator(() => Promise.resolve());
    else yield { args: this.args, kwargs: this.kwargs, details: this.details, progress: false };
  }

  get signal(): AbortSignal {
    if (!this.controller_) {
      this.controller_ = new AbortController();
      if (this.abortReason_) this.controller_.abort(this.abortReason_);
    }
    return this.controller_.signal;
  }

  progress(args?: unknown[], kwargs?: Dict): boolean {
    checkArgs(args);
    checkKwargs(kwargs);
    if (!this.receiveProgress || this.done) return false;
    this.owner_.yieldResult_(this, args, kwargs, true);
    return true;
  }

  /** Abort the handler's signal (now, or when it is first read). */
  abort(reason: Error): void {
    this.abortReason_ = reason;
    this.controller_?.abort(reason);
  }
}
