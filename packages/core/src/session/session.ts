/**
 * A WAMP session: the public facade over the session's core (lifecycle, request table, payload
 * pipeline) and its four roles (caller, callee, publisher, subscriber), each in its own module.
 */
import { checkDuration, checkString, checkUri, rejected } from '../protocol/checks.js';
import { Emitter } from '../emitter.js';
import { ApplicationError, SessionClosedError } from '../errors.js';
import { errorLogFields } from '../logger.js';
import type { Dict } from '../protocol/messages.js';
import { checkJoinOptions } from '../protocol/option-checks.js';
import type { Registration } from './registration.js';
import type { Subscription } from './subscription.js';
import type { Transport } from '../wire/transport.js';
import type {
  CallOptions,
  CallResult,
  CallStream,
  CloseInfo,
  EventHandler,
  ProcedureHandler,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WelcomeInfo,
} from '../types.js';
import type { PayloadDialect } from '../payload/dialect.js';
import type { JoinOptions } from './join-options.js';
import { SessionCore } from './lifecycle.js';
import type { WampApi } from './wamp-api.js';

/** Events a session emits. */
export interface SessionEvents {
  /**
   * An error that belongs to no pending operation: an event that could not be decoded (and was
   * dropped), a subscription handler that threw, a protocol violation.
   */
  error: [error: Error];
  /** The session ended. */
  close: [info: CloseInfo];
}

/**
 * An open WAMP session. Obtain one with `connect()`.
 *
 * @example
 * ```ts
 * const session = await connect({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
 * await session.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
 * const res = await session.call('com.example.add', [2, 3]); // res.args[0] === 5
 * await session.close();
 * ```
 */
export class Session extends Emitter<SessionEvents> implements WampApi {
  declare private readonly core_: SessionCore;

  /** @internal Use `connect()` or {@link Session.join}. */
  constructor(transport: Transport, options: JoinOptions) {
    super();
    const logger = options.logger;
    this.core_ = new SessionCore(transport, options, {
      report: (err) => {
        if (!this.emit('error', err as Error) && logger?.warn)
          logger.warn('session error without an error listener', errorLogFields(err));
      },
      ended: (info) => void this.emit('close', info),
    });
  }

  /**
   * Join a realm over an open transport. Resolves once WELCOME arrived.
   * @throws JoinRefusedError `ERR_JOIN_REFUSED` / `ERR_AUTHENTICATION` when the router sends ABORT.
   * @throws ProtocolError `ERR_PROTOCOL_VIOLATION` when the router misbehaves during the handshake.
   * @throws SessionClosedError `ERR_CONNECTION_LOST` when the transport closes first.
   */
  static join(transport: Transport, options: JoinOptions): Promise<Session> {
    checkJoinOptions(options);
    const s = new Session(transport, options);
    return s.core_.join_().then(() => s);
  }

  /** @internal A listener threw and no `error` listener took the error: log it. */
  protected override unheard(err: unknown, event: keyof SessionEvents): void {
    this.core_.options_.logger?.warn?.(`a session ${event} listener threw`, errorLogFields(err));
  }

  /** The WAMP session id. */
  get id(): number {
    return this.core_.welcomeInfo_?.sessionId ?? 0;
  }

  /** What WELCOME granted (authid, authrole, authmethod, router roles, ...). */
  get welcome(): WelcomeInfo {
    const info = this.core_.welcomeInfo_;
    if (!info) throw new SessionClosedError('wamp.close.not_joined', 'session has not joined');
    return info;
  }

  /** The realm joined. */
  get realm(): string {
    return this.core_.options_.realm;
  }

  /** `true` while the session can be used. */
  get isOpen(): boolean {
    return this.core_.state === 'established';
  }

  /** The negotiated serializer id (`json`, `msgpack`, `cbor`). */
  get serializer(): string {
    return this.core_.channel_.transport.serializer.id;
  }

  /** The payload-transparency dialect the router speaks (`transparency`, `passthru` or `none`). */
  get payloadDialect(): PayloadDialect {
    return this.core_.payload_.dialect_;
  }

  /** Bytes waiting in the transport's send buffer. */
  get bufferedAmount(): number {
    return this.core_.channel_.bufferedAmount;
  }

  /** Frames received since the session started (a cheap liveness counter). */
  get framesReceived(): number {
    return this.core_.channel_.received;
  }

  /** Resolves (never rejects) once the session has ended, with why. */
  get closed(): Promise<CloseInfo> {
    return this.core_.closed_;
  }

  /**
   * Resolves once the transport's send buffer is at or below the high-water mark (immediately if
   * it already is). Rejects with `ERR_SESSION_CLOSED` if the session ends first.
   */
  drain(): Promise<void> {
    const limit = this.core_.options_.highWaterMarkBytes ?? 1024 * 1024;
    const channel = this.core_.channel_;
    if (channel.bufferedAmount <= limit) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.core_.state === 'closed')
          reject(new SessionClosedError(this.core_.closeInfo_?.reason ?? 'wamp.close.transport_lost'));
        else if (channel.bufferedAmount <= limit) resolve();
        else setTimeout(check, 5);
      };
      setTimeout(check, 5);
    });
  }

  /**
   * Check that the router still answers: a transport-level ping where the transport has one
   * (WebSocket in Node), else a WAMP round trip (a CALL whose ERROR reply proves the router is
   * alive; RawSocket and browsers). Resolves with the round-trip time in milliseconds.
   * @throws TimeoutError `ERR_TIMEOUT` when no answer came within `timeoutMs`.
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open; for a round trip
   *   in flight when the session ends, the error its pending calls get (`ERR_CONNECTION_LOST`, ...).
   * @throws TransportError `ERR_TRANSPORT` for a WebSocket ping in flight when the session ends.
   */
  async ping(timeoutMs = 10000): Promise<number> {
    checkDuration(timeoutMs, 'timeoutMs', false);
    this.core_.assertOpen_();
    const started = Date.now();
    const transport = this.core_.channel_.transport;
    if (typeof transport.probe === 'function') return transport.probe(timeoutMs);
    try {
      await this.call('wampbox.liveness.probe', undefined, undefined, { timeoutMs, cancelMode: 'killnowait' });
    } catch (e) {
      if (!(e instanceof ApplicationError)) throw e;
    }
    return Date.now() - started;
  }

  /**
   * Drop the connection at once, without a GOODBYE: every pending operation rejects with
   * `ERR_CONNECTION_LOST`. Used when the router stopped answering.
   */
  abort(message = 'connection abandoned'): void {
    const reason = 'wamp.close.transport_lost';
    const error = new SessionClosedError(reason, message, { code: 'ERR_CONNECTION_LOST' });
    this.core_.finish_({ reason, error, details: { message }, closeWith: message });
  }

  /**
   * Call a procedure.
   * @throws ApplicationError `ERR_APPLICATION` when the callee or router answers with ERROR.
   * @throws TimeoutError `ERR_TIMEOUT` when `timeoutMs` passed (the call is then canceled).
   * @throws CanceledError `ERR_CANCELED` when `signal` aborted.
   * @throws SessionClosedError `ERR_SESSION_CLOSED` / `ERR_CONNECTION_LOST` when the session ended.
   * @throws PayloadCodecError `ERR_PAYLOAD_*` when the codec refused the payload or the result.
   * @example
   * ```ts
   * const res = await session.call('com.example.add', [2, 3], {}, { timeoutMs: 1000 });
   * ```
   */
  call(procedure: string, args?: unknown[], kwargs?: Dict, options: CallOptions = {}): Promise<CallResult> {
    return this.core_.caller_.call_(procedure, args, kwargs, options);
  }

  /**
   * Call a procedure that sends progressive results, reading them as an async iterator. Yields
   * each progressive result, then the final result; errors are thrown from the iterator.
   *
   * @example
   * ```ts
   * for await (const r of session.callProgressive('com.example.count', [3])) console.log(r.args, r.progress);
   * ```
   */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Dict,
    options: Omit<CallOptions, 'onProgress'> = {},
  ): AsyncIterableIterator<CallResult> {
    return this.core_.caller_.callProgressive_(procedure, args, kwargs, options);
  }

  /**
   * Call a procedure whose input is streamed in chunks (WAMP's progressive call invocations): the
   * first chunk (`args`, `kwargs`) goes out now, {@link CallStream.write} sends more and
   * {@link CallStream.end} the last. The router delivers every chunk to the same callee, which
   * reads them with `invocation.chunks()`. With `onProgress`, the callee's progressive results
   * arrive while the input is still being sent. Canceling (`signal`, `timeoutMs`) works as for
   * {@link Session.call}; a callee that answers early ends the call, and `write` then throws.
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for bad arguments;
   *   `ERR_FEATURE_UNSUPPORTED` when the router does not announce `progressive_call_invocations`.
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   * @throws CanceledError `ERR_CANCELED` when `signal` has aborted already.
   * @example
   * ```ts
   * const upload = session.callStream('com.example.upload', [firstPart]);
   * for await (const part of parts) upload.write([part]);
   * const res = await upload.end();
   * ```
   */
  callStream(procedure: string, args?: unknown[], kwargs?: Dict, options: CallOptions = {}): CallStream {
    return this.core_.caller_.callStream_(procedure, args, kwargs, options);
  }

  /**
   * Publish an event. Resolves with the publication id when `acknowledge` is set, else with
   * `undefined` once the message was handed to the transport.
   * @throws ApplicationError `ERR_APPLICATION` when the router refuses an acknowledged publish
   *   (e.g. `wamp.error.not_authorized`).
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   * @example
   * ```ts
   * await session.publish('com.example.tick', [1], { n: 1 }, { acknowledge: true });
   * ```
   */
  publish(topic: string, args?: unknown[], kwargs?: Dict, options: PublishOptions = {}): Promise<number | undefined> {
    return this.core_.publisher_.publish_(topic, args, kwargs, options);
  }

  /**
   * Subscribe to a topic. Events reach `handler` (if given) and the returned subscription's
   * async iterator.
   * @throws ApplicationError `ERR_APPLICATION` when the router refuses (e.g. `wamp.error.not_authorized`).
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   * @example
   * ```ts
   * const sub = await session.subscribe('com.example.', (ev) => console.log(ev.topic, ev.args), { match: 'prefix' });
   * ```
   */
  async subscribe(topic: string, handler?: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.core_.subscriber_.subscribe_(topic, handler, options);
  }

  /**
   * Register a procedure.
   * @throws ApplicationError `ERR_APPLICATION` when the router refuses (e.g. `wamp.error.procedure_already_exists`).
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   * @example
   * ```ts
   * await session.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
   * ```
   */
  async register(procedure: string, handler: ProcedureHandler, options: RegisterOptions = {}): Promise<Registration> {
    return this.core_.callee_.register_(procedure, handler, options);
  }

  /**
   * Leave the realm: GOODBYE handshake, then the transport closes. Resolves with the close info.
   * Rejects only for invalid arguments (`ERR_INVALID_ARGUMENT`: `reason` not a URI, `message` not
   * a string), and then nothing is sent and the session stays open.
   */
  close(reason = 'wamp.close.close_realm', message?: string): Promise<CloseInfo> {
    try {
      checkUri(reason, 'reason', this.core_.rules_);
      checkString(message, 'message');
    } catch (e) {
      return rejected(e);
    }
    this.core_.close_(reason, message ? { message } : {});
    return this.core_.closed_;
  }
}
