/** The typed API over a `WampApi`: its methods, handlers and results, typed from contracts. */
import type { CallOptions, Dict, PublishOptions, RegisterOptions, SubscribeOptions } from '@wampbox/core';
import type { ProcedureContract, ProcedureSchemas, TopicContract } from './define.js';
import type { PayloadValidationError } from './errors.js';
import type {
  CallPayload,
  EventPayload,
  InvocationPayload,
  ProgressOf,
  ProgressPayload,
  PublishPayload,
  ResultOf,
  ResultPayload,
} from './infer.js';
import type { ResultFrom } from './payload-types.js';

/** What a typed procedure handler sees besides its payload. */
export interface InvocationInfo<D> {
  /** INVOCATION details (e.g. `caller`, `procedure`, `receive_progress`). */
  readonly details: Dict;
  /** The concrete procedure called. */
  readonly procedure: string;
  /** Aborted when the caller cancels or the session closes. */
  readonly signal: AbortSignal;
  /** Whether the caller asked for progressive results. */
  readonly receiveProgress: boolean;
  /** Send a progressive result; `false` when the caller did not ask for them or the invocation ended. */
  progress(payload: ProgressPayload<D>): boolean;
}

/** What a typed procedure handler receives: the validated arguments and the invocation's details. */
export type TypedInvocation<D> = InvocationPayload<D> & InvocationInfo<D>;

/** A typed procedure handler: returns the result payload (`{ args, kwargs }`), or a promise of it. */
export type TypedProcedureHandler<D> = (invocation: TypedInvocation<D>) => ResultPayload<D> | Promise<ResultPayload<D>>;

/** What a typed event carries besides its payload. */
export interface EventInfo {
  /** EVENT details (e.g. `publisher`, `topic`, `retained`). */
  readonly details: Dict;
  /** The concrete topic. */
  readonly topic: string;
  /** The publication id. */
  readonly publication: number;
}

/** A typed event: the validated payload and the event's details. */
export type TypedEvent<D> = EventPayload<D> & EventInfo;

/** A typed subscription handler. */
export type TypedEventHandler<D> = (event: TypedEvent<D>) => void | Promise<void>;

/** What a typed result carries besides its payload. */
export interface ResultInfo {
  /** RESULT details. */
  readonly details: Dict;
  /** `true` for a progressive result. */
  readonly progress: boolean;
}

/** The validated result of a typed call. */
export type TypedCallResult<D> = ResultOf<D> & ResultInfo;

/** A validated progressive result of a typed call. */
export type TypedProgress<D> = ProgressOf<D> & ResultInfo;

/** Options of {@link TypedApi.call}: those of `call`, with a typed `onProgress`. */
export interface TypedCallOptions<D> extends Omit<CallOptions, 'onProgress'> {
  /**
   * Receive validated progressive results, in order. A progressive result its schema refuses, or
   * a throw from this callback, cancels the call, which then rejects with that error.
   */
  onProgress?: ((result: TypedProgress<D>) => void) | undefined;
}

/** The handle of a typed subscription. */
export interface TypedSubscription {
  /** Stop receiving events. */
  unsubscribe(): Promise<void>;
}

/** The handle of a typed registration. */
export interface TypedRegistration {
  /** Remove the registration. */
  unregister(): Promise<void>;
}

/**
 * The parameters of {@link TypedApi.register} after the handler: `[options?]`, or, when the
 * handler may return nothing but the procedure's result schema requires a result, a parameter of
 * type `never` named for the mistake (so the call does not compile).
 */
export type RegisterRest<R, S> = undefined extends R
  ? undefined extends ResultFrom<S>
    ? [options?: RegisterOptions]
    : [a_result_is_required: never]
  : [options?: RegisterOptions];

/** A payload argument that may be left out when nothing in it is required. */
// eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- `{} extends P`: P requires nothing
export type PayloadArgs<P, O> = Record<never, never> extends P ? [payload?: P, options?: O] : [payload: P, options?: O];

/** Options of {@link typed}. */
export interface TypedApiOptions {
  /**
   * Validate received payloads (arguments, results, errors, events) at the call site. Payloads the
   * session's codec (`withValidation` with the same contract) already validated are not validated
   * again. Default `true`; `false` gives the types only.
   */
  readonly validate?: boolean | undefined;
  /** Refuse (`ERR_PAYLOAD_CODEC`) a schema that answers with a promise. Default `false`. */
  readonly syncOnly?: boolean | undefined;
  /** Called with every payload refused at a call site; what it throws is ignored. */
  readonly onInvalid?: ((err: PayloadValidationError) => void) | undefined;
}

/**
 * `call`, `publish`, `subscribe` and `register` over a `WampApi` (a `Session` or a `Connection`),
 * typed from contracts and validating what is received. Payloads are `{ args, kwargs }` objects.
 */
export interface TypedApi {
  /**
   * Call procedure `D`: resolves with its validated result. Rejects with `ERR_PAYLOAD_INVALID` for a
   * refused result or error payload.
   */
  call<D extends ProcedureContract>(
    procedure: D,
    ...rest: PayloadArgs<CallPayload<NoInfer<D>>, TypedCallOptions<NoInfer<D>>>
  ): Promise<TypedCallResult<D>>;
  /** Publish to topic `D`; with `acknowledge`, resolves with the publication id. */
  publish<D extends TopicContract>(
    topic: D,
    ...rest: PayloadArgs<PublishPayload<NoInfer<D>>, PublishOptions>
  ): Promise<number | undefined>;
  /**
   * Subscribe to topic `D`. The handler receives validated events, in order; an event its schema
   * refuses is dropped and the `PayloadValidationError` is emitted on the session's `error` event.
   */
  subscribe<D extends TopicContract>(
    topic: D,
    handler: TypedEventHandler<NoInfer<D>>,
    options?: SubscribeOptions,
  ): Promise<TypedSubscription>;
  /**
   * Register procedure `D`. The handler receives validated arguments and returns the result
   * payload (`{ args, kwargs }`); an invocation its schema refuses is answered with ERROR
   * `wamp.error.invalid_argument` naming the failing paths.
   */
  register<S extends ProcedureSchemas, R>(
    procedure: ProcedureContract<S, R>,
    handler: (invocation: TypedInvocation<ProcedureContract<S>>) => R | Promise<R>,
    ...options: RegisterRest<R, S>
  ): Promise<TypedRegistration>;
}
