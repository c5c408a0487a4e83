/** The API a {@link Session} and a reconnecting `Connection` share. */
import type { Dict } from '../protocol/messages.js';
import type {
  CallOptions,
  CallResult,
  CallStream,
  EventData,
  EventHandler,
  ProcedureHandler,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
} from '../types.js';

/** What {@link WampApi.subscribe} resolves with: a `Subscription` or a `DurableSubscription`. */
export interface SubscriptionHandle extends AsyncIterable<EventData> {
  /** Stop receiving events. */
  unsubscribe(): Promise<void>;
}

/** What {@link WampApi.register} resolves with: a `Registration` or a `DurableRegistration`. */
export interface RegistrationHandle {
  /** Remove the registration. */
  unregister(): Promise<void>;
}

/**
 * Calling, publishing, subscribing and registering: what `Session` and `Connection` both offer, so
 * that code written against one runs on the other.
 *
 * @example
 * ```ts
 * async function addNumbers(api: WampApi): Promise<number> {
 *   return (await api.call('com.example.add', [2, 3])).args[0] as number;
 * }
 * ```
 */
export interface WampApi {
  /** Call a procedure. */
  call(procedure: string, args?: unknown[], kwargs?: Dict, options?: CallOptions): Promise<CallResult>;
  /** Call a procedure and read its progressive results, then its final result, as an async iterator. */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Dict,
    options?: Omit<CallOptions, 'onProgress'>,
  ): AsyncIterableIterator<CallResult>;
  /** Call a procedure whose input is streamed in chunks (progressive call invocations). */
  callStream(procedure: string, args?: unknown[], kwargs?: Dict, options?: CallOptions): CallStream;
  /** Publish an event; with `acknowledge`, resolves with the publication id. */
  publish(topic: string, args?: unknown[], kwargs?: Dict, options?: PublishOptions): Promise<number | undefined>;
  /** Subscribe to a topic (or pattern). Resolves with a handle to unsubscribe, also readable as an async iterator. */
  subscribe(topic: string, handler?: EventHandler, options?: SubscribeOptions): Promise<SubscriptionHandle>;
  /** Register a procedure (or pattern). Resolves with a handle to unregister. */
  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Promise<RegistrationHandle>;
}
