/** Public option and result types of the session API. */
import { checkArgs, checkKwargs } from './protocol/checks.js';
import type { Dict } from './protocol/messages.js';
import type { PayloadExchange } from './payload/payload-codec.js';

/** URI matching policy for pattern-based subscriptions and registrations. */
export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

/** How the router picks a callee among several registrations of one procedure. */
export type InvocationPolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';

/** How a call is canceled: see the WAMP spec's call canceling. */
export type CancelMode = 'skip' | 'kill' | 'killnowait';

/** The result of a call (or one progressive result). */
export interface CallResult {
  /** Positional results. Always an array (empty when there were none). */
  readonly args: unknown[];
  /** Keyword results. Always an object (empty when there were none). */
  readonly kwargs: Dict;
  /** RESULT details from the router (e.g. `progress`). */
  readonly details: Dict;
  /** `true` for a progressive (intermediate) result. */
  readonly progress: boolean;
}

/** Options of {@link Session.call}. */
export interface CallOptions {
  /** Abort the call; sends CANCEL with {@link CallOptions.cancelMode}. The call rejects with `ERR_CANCELED`. */
  signal?: AbortSignal | undefined;
  /** CANCEL mode used on abort and on timeout. Default `kill`. */
  cancelMode?: CancelMode | undefined;
  /**
   * Reject locally with `ERR_TIMEOUT` (and cancel at the router) after this many milliseconds.
   * `0` or `Infinity`: no deadline. At most 2^31 − 1 (about 24.8 days).
   */
  timeoutMs?: number | undefined;
  /** Ask the router to disclose this caller's identity to the callee. */
  discloseMe?: boolean | undefined;
  /** Receive progressive results through this callback (sets `receive_progress`). */
  onProgress?: ((result: CallResult) => void) | undefined;
  /** Extra WAMP options passed through to the CALL message as they are (snake_case wire names). */
  wampOptions?: Dict | undefined;
  /**
   * Open this call's RESULT or ERROR as soon as it arrives, even while earlier received messages
   * wait for an asynchronous codec step; its order relative to other received messages is then not
   * kept. For a codec's own calls made while it holds a message back (fetching the key of an
   * EVENT it is opening): without this, the answer would wait behind that EVENT. Default `false`.
   */
  unordered?: boolean | undefined;
}

/**
 * A call whose input the caller streams in chunks (WAMP's progressive call invocations): each
 * chunk is a CALL with the same request id, all but the last with `progress: true`. Made by
 * {@link Session.callStream}, which sends the first chunk.
 *
 * @example
 * ```ts
 * const upload = session.callStream('com.example.upload', ['part 1']);
 * upload.write(['part 2']);
 * const res = await upload.end(['part 3']);
 * ```
 */
export interface CallStream {
  /**
   * Send one more chunk (a CALL with `progress: true`).
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a bad payload, after {@link CallStream.end},
   *   or once the call has its final result (the callee answered early).
   * @throws the error the call failed with (`ApplicationError` when the callee answered ERROR,
   *   `CanceledError`, `TimeoutError`, `SessionClosedError`, ...) once it has failed.
   */
  write(args?: unknown[], kwargs?: Dict): void;
  /** Send the last chunk (a CALL without `progress`); resolves with the final result, as {@link CallStream.result}. */
  end(args?: unknown[], kwargs?: Dict): Promise<CallResult>;
  /** The final result (or the call's failure), whichever chunk it came after. */
  readonly result: Promise<CallResult>;
}

/** One chunk of an invocation's input: see {@link Invocation.chunks}. */
export interface InvocationChunk {
  /** Positional arguments of the chunk (always an array). */
  readonly args: unknown[];
  /** Keyword arguments of the chunk (always an object). */
  readonly kwargs: Dict;
  /** The INVOCATION's details. */
  readonly details: Dict;
  /** `true` when more chunks follow. */
  readonly progress: boolean;
}

/** Options of {@link Session.publish}. */
export interface PublishOptions {
  /** Ask the router for a PUBLISHED acknowledgement; the promise then resolves with the publication id. */
  acknowledge?: boolean | undefined;
  /** Exclude this session from receiving the event (the router's default is `true`). */
  excludeMe?: boolean | undefined;
  /** Session ids that must not receive the event. */
  exclude?: number[] | undefined;
  /** Only these session ids may receive the event. */
  eligible?: number[] | undefined;
  /** authids that must not receive the event. */
  excludeAuthid?: string[] | undefined;
  /** authroles that must not receive the event. */
  excludeAuthrole?: string[] | undefined;
  /** Only these authids may receive the event. */
  eligibleAuthid?: string[] | undefined;
  /** Only these authroles may receive the event. */
  eligibleAuthrole?: string[] | undefined;
  /** Ask the router to disclose this publisher's identity to subscribers. */
  discloseMe?: boolean | undefined;
  /** Ask the router to retain this event for late subscribers (`get_retained`). */
  retain?: boolean | undefined;
  /** Extra WAMP options passed through as they are. */
  wampOptions?: Dict | undefined;
}

/** Options of {@link Session.subscribe}. */
export interface SubscribeOptions {
  /** Topic matching policy. Default `exact`. */
  match?: MatchPolicy | undefined;
  /** Ask the router to send the retained event (if any) right after subscribing. */
  getRetained?: boolean | undefined;
  /**
   * At most this many events wait in the subscription's buffer for an async iterator to read
   * them (a subscription without a handler buffers from the start). Further events are dropped
   * for the iterator (a handler still sees them), counted in `dropped`, and reported once per
   * overflow on the session's `error` event as `SlowConsumerError` (`ERR_SLOW_CONSUMER`).
   * Default 10000; `Infinity` for no bound.
   */
  maxBuffered?: number | undefined;
  /** Extra WAMP options passed through as they are. */
  wampOptions?: Dict | undefined;
}

/** Options of {@link Session.register}. */
export interface RegisterOptions {
  /** Procedure matching policy. Default `exact`. */
  match?: MatchPolicy | undefined;
  /** Shared registration policy. Default `single`. */
  invoke?: InvocationPolicy | undefined;
  /** Extra WAMP options passed through as they are. */
  wampOptions?: Dict | undefined;
}

/** An event delivered to a subscription. */
export interface EventData {
  /** Positional payload (always an array). */
  readonly args: unknown[];
  /** Keyword payload (always an object). */
  readonly kwargs: Dict;
  /** EVENT details (e.g. `publisher`, `topic` for pattern subscriptions, `retained`). */
  readonly details: Dict;
  /** The concrete topic of the event (`details.topic` for pattern subscriptions). */
  readonly topic: string;
  /** The publication id. */
  readonly publication: number;
}

/** An invocation of a registered procedure. */
export interface Invocation {
  /** Positional arguments (always an array). */
  readonly args: unknown[];
  /** Keyword arguments (always an object). */
  readonly kwargs: Dict;
  /** INVOCATION details (e.g. `caller`, `procedure` for pattern registrations, `receive_progress`). */
  readonly details: Dict;
  /** The concrete procedure called (`details.procedure` for pattern registrations). */
  readonly procedure: string;
  /** Aborted when the caller cancels (INTERRUPT) or the session closes. */
  readonly signal: AbortSignal;
  /** Whether the caller asked for progressive results. */
  readonly receiveProgress: boolean;
  /**
   * The exchange the session's codec opened this invocation with (the same object it sees for
   * the answers). A codec may answer questions about the call by it, such as who signed it.
   */
  readonly exchange: PayloadExchange;
  /**
   * Send a progressive result. Ignored (returns `false`) when the caller did not ask for
   * progressive results or the invocation has ended.
   */
  progress(args?: unknown[], kwargs?: Dict): boolean;
  /**
   * The invocation's input, chunk by chunk: the first chunk (this invocation's `args` and
   * `kwargs`), then, when the caller streams its input (`details.progress`, see
   * {@link Session.callStream}), each further chunk until the last. One reader only. It throws
   * `ERR_CANCELED` when the caller cancels and the session's error when it ends; chunks that arrive
   * after the invocation was answered are dropped.
   *
   * @example
   * ```ts
   * await session.register('com.example.upload', async (inv) => {
   *   let size = 0;
   *   for await (const chunk of inv.chunks()) size += (chunk.args[0] as string).length;
   *   return size;
   * });
   * ```
   */
  chunks(): AsyncIterableIterator<InvocationChunk>;
}

/**
 * What a procedure handler returns: a plain value (sent as `args: [value]`), `undefined`
 * (no result), or a {@link Result} for full control over args and kwargs.
 */
export type HandlerReturn = unknown;

/** Handler of a registered procedure. */
export type ProcedureHandler = (invocation: Invocation) => HandlerReturn;

/** Handler of a subscription. */
export type EventHandler = (event: EventData) => void | Promise<void>;

/** Why a session closed. */
export interface CloseInfo {
  /** WAMP reason URI (`wamp.close.normal`, `wamp.close.goodbye_and_out`, `wamp.error.protocol_violation`, ...). */
  readonly reason: string;
  /** Details from GOODBYE/ABORT, or `{}`. */
  readonly details: Dict;
  /** `true` when this side initiated the close. */
  readonly local: boolean;
  /** `true` when the session ended with a GOODBYE handshake. */
  readonly clean: boolean;
  /** The error that ended the session, if any. */
  readonly error?: Error | undefined;
}

/** What WELCOME granted. */
export interface WelcomeInfo {
  /** The WAMP session id. */
  readonly sessionId: number;
  /** The realm joined. */
  readonly realm: string;
  /** The authentication id the router assigned. */
  readonly authid?: string | undefined;
  /** The role the router assigned (it decides; a requested role may be ignored). */
  readonly authrole?: string | undefined;
  /** The authentication method that succeeded. */
  readonly authmethod?: string | undefined;
  /** Where the router looked the principal up (e.g. `static`). */
  readonly authprovider?: string | undefined;
  /** Extra data from the router's authenticator. */
  readonly authextra?: Dict | undefined;
  /** The router's roles and features, as announced. */
  readonly roles: Dict;
  /** The full WELCOME details. */
  readonly details: Dict;
}

/**
 * A call result with explicit args and kwargs, returned from a procedure handler.
 *
 * @example
 * ```ts
 * await session.register('com.example.split', (inv) => new Result(['a', 'b'], { count: 2 }));
 * ```
 */
export class Result {
  /** Positional results. */
  declare readonly args: unknown[];
  /** Keyword results. */
  declare readonly kwargs: Dict;

  /**
   * @param args - positional results
   * @param kwargs - keyword results
   */
  constructor(args: unknown[] = [], kwargs: Dict = {}) {
    checkArgs(args);
    checkKwargs(kwargs);
    this.args = args;
    this.kwargs = kwargs;
  }
}
