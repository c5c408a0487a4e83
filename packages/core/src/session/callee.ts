/** The callee role: REGISTER/UNREGISTER, INVOCATION and INTERRUPT, answered with YIELD or ERROR. */
import { isPlainObject } from '../protocol/checks.js';
import { ApplicationError, CanceledError, InvalidArgumentError, PayloadCodecError } from '../errors.js';
import { MessageType as T } from '../protocol/messages.js';
import type { ArgsSlot, Dict } from '../protocol/messages.js';
import { checkRegister } from '../protocol/option-checks.js';
import { isPlain } from '../payload/pipeline.js';
import { wireOptions } from '../protocol/wire-options.js';
import { Registration } from './registration.js';
import type { RegistrationOwner } from './registration.js';
import { Result } from '../types.js';
import type { ProcedureHandler, RegisterOptions } from '../types.js';
import { STREAMING, openStream, takeChunk } from './streaming.js';
import type { Stream } from './streaming.js';
import { isValidUri } from '../protocol/uri.js';
import { isThenable } from '../payload/dialect.js';
import type { Role, SessionContext } from './context.js';
import { disclosedBy } from './disclosed.js';
import { InvocationImpl } from './invocation.js';
import type { InvocationOwner, InvocationPayload } from './invocation.js';
import { request } from './requests.js';
import type { Revocation } from './revocation.js';

/** Not part of the public API (not exported by the package). */
export class Callee implements Role, InvocationOwner {
  declare private readonly ctx_: SessionContext;
  declare private readonly registrations_: Map<number, Registration>;
  /**
   * Invocations whose handler returned a promise, until answered: what INTERRUPT looks up and the
   * session's end aborts. One that is answered before its handler returns never enters it.
   */
  declare private readonly invocations_: Map<number, InvocationImpl>;
  /** The invocation whose handler is running right now (the session's end aborts it too). */
  declare private running_: InvocationImpl | undefined;
  declare private readonly owner_: RegistrationOwner;
  /** Streaming calls whose last chunk has not arrived, by invocation request id. */
  declare private readonly streams_: Map<number, Stream>;

  constructor(ctx: SessionContext) {
    this.ctx_ = ctx;
    this.streams_ = new Map();
    this.registrations_ = new Map();
    this.invocations_ = new Map();
    this.running_ = undefined;
    this.owner_ = { unregister: (r) => this.unregister_(r), report: (e) => ctx.report_(e) };
  }

  register_(procedure: string, handler: ProcedureHandler, options: RegisterOptions): Promise<Registration> {
    checkRegister(procedure, handler, options, this.ctx_.rules_);
    const o = wireOptions(options);
    if (options.match && options.match !== 'exact') o['match'] = options.match;
    if (options.invoke && options.invoke !== 'single') o['invoke'] = options.invoke;
    return request(this.ctx_, [T.REGISTER, 0, o, procedure], (regId) => {
      const reg = new Registration(this.owner_, regId, procedure, options, handler);
      this.registrations_.set(regId, reg);
      return reg;
    });
  }

  private unregister_(reg: Registration): Promise<void> {
    if (this.registrations_.get(reg.id) !== reg) {
      reg.end();
      return Promise.resolve();
    }
    return request(this.ctx_, [T.UNREGISTER, 0, reg.id], () => {
      this.registrations_.delete(reg.id);
      reg.end();
    });
  }

  /** UNREGISTERED for request 0: the router revoked registration `id`. */
  revoked_(id: number, r: Revocation): void {
    const reg = this.registrations_.get(id);
    this.registrations_.delete(id);
    reg?.end(r);
  }

  onInvocation_(id: number, regId: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    const ctx = this.ctx_;
    // a further chunk of a streamed input (a build without streaming keeps none of this)
    if (STREAMING ? this.streams_.has(id) : false) return takeChunk(ctx, this.streams_, id, details, { slot, kw });
    const reg = this.registrations_.get(regId);
    if (!reg)
      return this.sendError_(id, 'wamp.error.no_such_registration', [`no registration ${regId} in this session`]);
    const procedure = typeof details['procedure'] === 'string' ? details['procedure'] : reg.procedure;
    const stream = STREAMING
      ? details['progress'] === true
        ? openStream(this.streams_, id, procedure)
        : undefined
      : undefined;
    const chunks = stream?.chunks;
    if (!ctx.payload_.codec_ && isPlain(slot, details))
      return this.invoke_(reg, id, procedure, details, { args: slot, kwargs: kw, opaque: false, chunks });
    // the exchange this INVOCATION opens: the codec sees the same object for its YIELDs and ERROR
    // (and for every chunk of a streamed input)
    const exchange = stream?.exchange ?? { procedure };
    const disclosed = disclosedBy(details, 'caller');
    return ctx.payload_.open_(
      slot,
      kw,
      details,
      {
        uri: procedure,
        messageType: 'INVOCATION',
        originating: false,
        sending: false,
        exchange,
        progress: chunks !== undefined,
        disclosed,
        now: ctx.payload_.now_,
      },
      {
        // an invocation whose decode finished after the session ended gets no answer
        then: (p) =>
          this.registrations_.get(regId) === reg
            ? this.invoke_(reg, id, procedure, details, { ...p, exchange, chunks })
            : this.sendError_(id, 'wamp.error.no_such_registration', [`registration ${regId} ended`]),
        fail: (err) => {
          ctx.report_(err);
          chunks?.end(err);
          this.sendError_(id, err instanceof PayloadCodecError ? err.uri : 'wamp.error.invalid_argument', [
            err.message,
          ]);
        },
      },
    );
  }

  private invoke_(reg: Registration, id: number, procedure: string, details: Dict, payload: InvocationPayload): void {
    const inv = new InvocationImpl(this, id, procedure, details, payload);
    // No INTERRUPT can arrive while the handler runs synchronously, so an invocation enters
    // `invocations` only if its handler returns a promise: a synchronous one costs no map churn.
    const outer = this.running_;
    this.running_ = inv;
    let out: unknown;
    try {
      out = reg.handler(inv);
    } catch (e) {
      return this.answerError_(inv, e);
    } finally {
      this.running_ = outer;
    }
    if (isThenable(out)) {
      if (!inv.done) this.invocations_.set(id, inv);
      out.then(
        (v) => this.answer_(inv, v),
        (e: unknown) => this.answerError_(inv, e),
      );
    } else this.answer_(inv, out);
  }

  /** A procedure handler returned `value`: answer with YIELD. */
  private answer_(inv: InvocationImpl, value: unknown): void {
    if (inv.done) return;
    if (value instanceof Result) this.yieldResult_(inv, value.args, value.kwargs, false);
    else this.yieldResult_(inv, value === undefined ? undefined : [value], undefined, false);
  }

  /** A procedure handler threw `value`: answer with ERROR. */
  private answerError_(inv: InvocationImpl, value: unknown): void {
    if (inv.done) return;
    this.endInvocation_(inv);
    if (value instanceof ApplicationError) {
      if (isValidUri(value.uri, this.ctx_.rules_) && Array.isArray(value.args) && isPlainObject(value.kwargs)) {
        this.sendError_(inv.requestId, value.uri, value.args, value.kwargs, inv);
        return;
      }
      // the router would drop the whole connection for a malformed ERROR: answer with a valid one
      const why = `${inv.procedure}: the handler threw a malformed ApplicationError`;
      this.ctx_.report_(new InvalidArgumentError(why, { cause: value }));
      this.sendError_(inv.requestId, 'wamp.error.runtime_error', ['malformed error']);
      return;
    }
    const message = value instanceof Error ? value.message : typeof value === 'string' ? value : 'procedure failed';
    this.sendError_(inv.requestId, 'wamp.error.runtime_error', [message], undefined, inv);
  }

  /** Send a YIELD (final or progressive) for an invocation. */
  yieldResult_(inv: InvocationImpl, args: unknown[] | undefined, kwargs: Dict | undefined, progress: boolean): void {
    if (inv.done) return;
    if (!progress) this.endInvocation_(inv);
    const ctx = this.ctx_;
    if (!ctx.transportUsable_()) return;
    const o: Dict = progress ? { progress: true } : {};
    ctx.payload_.sendPayload_([T.YIELD, inv.requestId, o], {
      options: o,
      args,
      kwargs,
      onFail: (err) => {
        this.endInvocation_(inv);
        if (ctx.state === 'closed') return; // ended while the YIELD waited: nobody to answer
        ctx.report_(err);
        this.sendError_(inv.requestId, err instanceof PayloadCodecError ? err.uri : 'wamp.error.runtime_error', [
          err.message,
        ]);
      },
      inv,
      progress,
    });
  }

  private endInvocation_(inv: InvocationImpl): void {
    inv.done = true;
    // a streamed input's later chunks are dropped (its entry stays until the last one is in)
    if (STREAMING) this.streams_.get(inv.requestId)?.chunks.end();
    this.invocations_.delete(inv.requestId);
  }

  /**
   * Answer an INVOCATION with ERROR. The payload goes through the codec only for a handler's own
   * error (`inv` given); errors the session makes up are sent plain.
   */
  private sendError_(
    requestId: number,
    uri: string,
    args: unknown[] | undefined,
    kwargs?: Dict,
    inv?: InvocationImpl,
  ): void {
    const ctx = this.ctx_;
    if (!ctx.transportUsable_()) return;
    const details: Dict = {};
    ctx.payload_.sendPayload_([T.ERROR, T.INVOCATION, requestId, details, uri], {
      options: details,
      args,
      kwargs,
      onFail: (err) => {
        if (ctx.state === 'closed') return; // ended while the ERROR waited: nobody to answer
        ctx.report_(err);
        // the codec refused the error payload: still answer, with a plain error it cannot object to
        if (inv && ctx.payload_.codec_) {
          const plain = err instanceof PayloadCodecError ? err.uri : 'wamp.error.runtime_error';
          ctx.payload_.send_([T.ERROR, T.INVOCATION, requestId, {}, plain], (e) => ctx.report_(e));
        }
      },
      inv,
    });
  }

  onInterrupt_(id: number, options: Dict): void {
    const mode = typeof options['mode'] === 'string' ? options['mode'] : 'kill';
    const err = new CanceledError(`invocation interrupted by the caller (${mode})`);
    // a streaming call's input ends too (the router interrupts it when its caller left)
    if (STREAMING) {
      this.streams_.get(id)?.chunks.end(err);
      this.streams_.delete(id);
    }
    const inv = this.invocations_.get(id);
    if (!inv) return; // already answered
    this.endInvocation_(inv);
    inv.abort(err);
    if (mode !== 'killnowait') this.sendError_(id, 'wamp.error.canceled', ['canceled']);
  }

  end_(err: Error): void {
    const running = this.running_;
    for (const inv of running ? [running, ...this.invocations_.values()] : this.invocations_.values()) {
      inv.done = true;
      inv.abort(err);
    }
    this.invocations_.clear();
    if (STREAMING) {
      this.streams_.forEach((s) => s.chunks.end(err));
      this.streams_.clear();
    }
    for (const reg of this.registrations_.values()) reg.end();
    this.registrations_.clear();
  }
}
