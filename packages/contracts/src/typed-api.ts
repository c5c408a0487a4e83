/**
 * The typed API over a `WampApi`: payloads in and out as `{ args, kwargs }`, received payloads
 * validated at the call site unless the session's codec already validated them.
 */
import { ApplicationError, Result } from '@wampbox/core';
import type {
  CallOptions,
  CallResult,
  Dict,
  EventData,
  Invocation,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WampApi,
} from '@wampbox/core';
import { checkPayload } from './check-payload.js';
import type { CheckedPayload, CheckOutcome } from './check-payload.js';
import type { ProcedureContract, ProcedureSchemas, TopicContract } from './define.js';
import { INVALID_ARGUMENT_URI, PayloadValidationError } from './errors.js';
import { wasValidated } from './marks.js';
import { schemasOf } from './schema-table.js';
import type { PayloadKind, UriSchemas } from './schemas.js';
import { Sequencer } from './sequencer.js';
import type {
  TypedApi,
  TypedApiOptions,
  TypedCallOptions,
  TypedEventHandler,
  TypedRegistration,
  TypedSubscription,
} from './typed-types.js';

/** A payload as the application passes it. */
interface Sent {
  readonly args?: readonly unknown[] | undefined;
  readonly kwargs?: Dict | undefined;
}

function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** `f(v)` now, or once `v` settles. */
function then<A, B>(v: A | PromiseLike<A>, f: (a: A) => B): B | Promise<B> {
  return isThenable<A>(v) ? Promise.resolve(v).then(f) : f(v);
}

/** A procedure handler's return value as the session takes it. */
function toResult(v: unknown): unknown {
  if (v === undefined || v instanceof Result) return v;
  const p = v as Sent;
  return new Result(p.args ? (p.args as unknown[]) : [], p.kwargs ?? {});
}

/** A refused INVOCATION as the caller is answered: the failing paths, never the values. */
function answerFor(e: unknown): Error {
  return e instanceof PayloadValidationError ? new ApplicationError(INVALID_ARGUMENT_URI, [e.message]) : (e as Error);
}

interface Where {
  readonly kind: PayloadKind;
  readonly target: string;
  readonly errorUri?: string | undefined;
}

class TypedApiImpl implements TypedApi {
  declare private readonly api: TypedApiTarget;
  declare private readonly opts: TypedApiOptions;

  constructor(api: TypedApiTarget, opts: TypedApiOptions) {
    this.api = api;
    this.opts = opts;
  }

  /** Validate a received payload against the contract's schemas for `where` (unless done already). */
  private site(schemas: UriSchemas, p: CheckedPayload, where: Where): CheckedPayload | Promise<CheckedPayload> {
    const s = schemasOf(schemas, where.kind, where.errorUri);
    if (!s || this.opts.validate === false || wasValidated(p, s)) return p;
    const out = checkPayload(s, p, { syncOnly: this.opts.syncOnly, target: where.target });
    return then(out, (o: CheckOutcome) => {
      if (o.ok) return o.payload;
      const err = new PayloadValidationError({ ...where, paths: o.paths, issues: o.issues, direction: 'inbound' });
      try {
        this.opts.onInvalid?.(err);
      } catch {
        // an observer's failure does not change what happens to the payload
      }
      throw err;
    });
  }

  async call<D extends ProcedureContract>(procedure: D, payload?: Sent, options?: TypedCallOptions<D>): Promise<never> {
    const schemas = procedure.schemas as UriSchemas;
    const { onProgress, signal, ...rest } = options ?? {};
    const seq = new Sequencer();
    let failure: Error | undefined;
    let unlink: (() => void) | undefined;
    const coreOptions: CallOptions = { ...rest, signal };
    if (onProgress) {
      // the call's own signal: a refused progressive result cancels the call through it
      const controller = new AbortController();
      if (signal?.aborted) controller.abort(signal.reason);
      else if (signal) {
        const onAbort = (): void => controller.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        unlink = () => signal.removeEventListener('abort', onAbort);
      }
      coreOptions.signal = controller.signal;
      const fail = (e: unknown): void => {
        if (failure !== undefined) return;
        failure = e as Error;
        controller.abort(e);
      };
      const where = { kind: 'call_result_progress', target: procedure.uri } as const;
      coreOptions.onProgress = (r: CallResult) => {
        if (failure !== undefined) return;
        try {
          const step = seq.run(() =>
            then(this.site(schemas, r, where), (p) => {
              onProgress({ ...p, details: r.details, progress: true } as never);
            }),
          );
          if (isThenable(step)) step.then(undefined, fail);
        } catch (e) {
          fail(e);
        }
      };
    }
    const args = payload?.args as unknown[] | undefined;
    let r: CallResult;
    try {
      r = await this.api.call(procedure.uri, args, payload?.kwargs, coreOptions);
    } catch (e) {
      await seq.idle();
      if (failure !== undefined) throw failure;
      throw await this.errorOf(schemas, procedure.uri, e);
    } finally {
      unlink?.();
    }
    await seq.idle();
    if (failure !== undefined) throw failure;
    const p = await this.site(schemas, r, { kind: 'call_result', target: procedure.uri });
    return { ...p, details: r.details, progress: false } as never;
  }

  /** The error a call rejects with: an ERROR payload checked against its schema, if it has one. */
  private async errorOf(schemas: UriSchemas, target: string, e: unknown): Promise<Error> {
    if (!(e instanceof ApplicationError) || !schemasOf(schemas, 'call_error', e.uri)) return e as Error;
    const p = await this.site(schemas, e, { kind: 'call_error', target, errorUri: e.uri });
    if (p.args === e.args && p.kwargs === e.kwargs) return e;
    return new ApplicationError(e.uri, p.args, p.kwargs, e.details);
  }

  publish(topic: TopicContract, payload?: Sent, options?: PublishOptions): Promise<number | undefined> {
    return this.api.publish(topic.uri, payload?.args as unknown[] | undefined, payload?.kwargs, options);
  }

  async subscribe<D extends TopicContract>(
    topic: D,
    handler: TypedEventHandler<D>,
    options?: SubscribeOptions,
  ): Promise<TypedSubscription> {
    const schemas = topic.schemas as UriSchemas;
    // validation may be asynchronous: events still reach the handler in order
    const seq = new Sequencer();
    const deliver = (ev: EventData): void | Promise<void> => {
      const step = seq.run(() =>
        then(this.site(schemas, ev, { kind: 'event', target: ev.topic }), (p) => ({
          // boxed: the next event waits for this one's validation, not for its handler
          ran: handler({
            ...p,
            details: ev.details,
            topic: ev.topic,
            publication: ev.publication,
          } as never),
        })),
      );
      return isThenable<{ ran: void | Promise<void> }>(step) ? step.then((b) => b.ran) : step.ran;
    };
    const sub = await this.api.subscribe(topic.uri, deliver, options);
    return { unsubscribe: () => sub.unsubscribe() };
  }

  async register(
    procedure: ProcedureContract<ProcedureSchemas, unknown>,
    handler: (invocation: never) => unknown,
    options?: RegisterOptions,
  ): Promise<TypedRegistration> {
    const schemas = procedure.schemas as UriSchemas;
    const invoke = (inv: Invocation, p: CheckedPayload): unknown =>
      then(
        handler({
          args: p.args,
          kwargs: p.kwargs,
          details: inv.details,
          procedure: inv.procedure,
          get signal() {
            return inv.signal;
          },
          receiveProgress: inv.receiveProgress,
          progress: (r: Sent) => inv.progress(r.args as unknown[] | undefined, r.kwargs),
        } as never),
        toResult,
      );
    const reg = await this.api.register(
      procedure.uri,
      (inv) => {
        let p: CheckedPayload | Promise<CheckedPayload>;
        try {
          p = this.site(schemas, inv, { kind: 'call', target: inv.procedure });
        } catch (e) {
          throw answerFor(e);
        }
        if (!isThenable<CheckedPayload>(p)) return invoke(inv, p);
        return p.then(
          (ok) => invoke(inv, ok),
          (e: unknown) => {
            throw answerFor(e);
          },
        );
      },
      options,
    );
    return { unregister: () => reg.unregister() };
  }
}

/**
 * What {@link typed} needs of its target: a `Session`, a `Connection`, or anything offering the same
 * four calls (such as `scrambled(session, codec)` of E2E v2, which takes clear URIs).
 */
export type TypedApiTarget = Pick<WampApi, 'call' | 'publish' | 'subscribe' | 'register'>;

/**
 * Typed `call`, `publish`, `subscribe` and `register` over a `Session` or a `Connection` (any
 * `WampApi`), from contracts made by `defineProcedure` and `defineTopic`. Argument, result and
 * handler types come from the schemas; received payloads are validated at the call site (skipped
 * for payloads a `withValidation` codec with the same contract already validated).
 *
 * @example
 * ```ts
 * const api = typed(session);
 * await api.register(add, ({ args: [a, b] }) => ({ args: [a + b] }));
 * const { args: [sum] } = await api.call(add, { args: [2, 3] }); // sum: number
 * ```
 */
export function typed(api: TypedApiTarget, options: TypedApiOptions = {}): TypedApi {
  return new TypedApiImpl(api, options);
}
