/**
 * A long-lived connection: a session that comes back. When the transport is lost it reconnects
 * with exponential backoff and jitter, re-joins, and re-establishes every subscription and
 * registration made through it, with their original options and handlers.
 */
import { connectWith } from '../session/connect.js';
import { EventQueue } from '../session/event-queue.js';
import { Emitter } from '../emitter.js';
import {
  CanceledError,
  InvalidArgumentError,
  JoinRefusedError,
  SessionClosedError,
  TransportError,
  WampboxError,
} from '../errors.js';
import { checkUri, rejected } from '../protocol/checks.js';
import { errorLogFields } from '../logger.js';
import type { Dict } from '../protocol/messages.js';
import { checkCall, checkPublish, checkRegister, checkSubscribe } from '../protocol/option-checks.js';
import type { Session } from '../session/session.js';
import type { WampApi } from '../session/wamp-api.js';
import type { TransportFactory } from '../wire/transport.js';
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
} from '../types.js';
import { backoff, reconnectDelay } from './backoff.js';
import { DurableRegistration, DurableSubscription } from './durable.js';
import type { DurableOwner } from './durable.js';
import { startHeartbeat } from './heartbeat.js';
import { checkConnectionOptions } from './options.js';
import { WaitingRoom } from './waiters.js';
import type { ConnectionEvents, ConnectionOptions, OfflinePolicy, ReconnectOptions } from './options.js';

type ConnState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

/**
 * A connection that reconnects. Calls, publishes, subscriptions and registrations made through it
 * survive a lost transport: in-flight calls reject at once with `ERR_CONNECTION_LOST`, new ones
 * wait for the reconnect or fail fast (by option), and subscriptions and registrations are
 * re-established with their original options and handlers.
 *
 * @example
 * ```ts
 * const conn = new Connection(transportFactory, { url, realm: 'realm1', reconnect: { maxDelayMs: 10_000 } });
 * conn.on('retry', ({ attempt, delayMs }) => console.log(`retry ${attempt} in ${delayMs} ms`));
 * await conn.open();
 * await conn.subscribe('com.example.tick', (ev) => console.log(ev.args));
 * const res = await conn.call('com.example.add', [2, 3], {}, { timeoutMs: 5000 });
 * await conn.close();
 * ```
 */
export class Connection extends Emitter<ConnectionEvents> implements WampApi {
  declare private readonly transport_: TransportFactory;
  declare private readonly options_: ConnectionOptions;
  declare private state_: ConnState;
  declare private session_: Session | null;
  /** Durable subscriptions and registrations: re-made on every session. */
  declare private readonly durables_: Set<DurableSubscription | DurableRegistration>;
  declare private readonly waiters_: WaitingRoom;
  declare private opened_: Promise<Session> | undefined;
  declare private settleFirst_: { resolve(s: Session): void; reject(e: Error): void } | undefined;
  declare private stopRequested_: boolean;
  declare private backoffTimer_: ReturnType<typeof setTimeout> | undefined;
  declare private wakeBackoff_: (() => void) | undefined;
  /** Stops the current session's dead-peer detection. */
  declare private stopHeartbeat_: () => void;
  /** What durable subscriptions and registrations call back into. */
  declare private readonly owner_: DurableOwner;
  declare private readonly finalClose_: Promise<CloseInfo>;
  declare private resolveFinal_: (info: CloseInfo) => void;
  declare private lastInfo_: CloseInfo | undefined;
  declare private readonly onSessionError_: (e: Error) => void;
  declare private readonly onSignalAbort_: () => void;

  constructor(transport: TransportFactory, options: ConnectionOptions) {
    super();
    checkConnectionOptions(options);
    this.transport_ = transport;
    this.options_ = options;
    this.state_ = 'idle';
    this.session_ = null;
    this.durables_ = new Set();
    this.waiters_ = new WaitingRoom();
    this.stopRequested_ = false;
    this.stopHeartbeat_ = () => undefined;
    this.owner_ = { forget: (d) => this.durables_.delete(d), report: (err) => this.fail_(err) };
    this.finalClose_ = new Promise((resolve) => {
      this.resolveFinal_ = resolve;
    });
    this.onSessionError_ = (e) => this.fail_(e);
    this.onSignalAbort_ = () => void this.close();
    options.signal?.addEventListener('abort', this.onSignalAbort_, { once: true });
  }

  /** The current session, or `null` while disconnected. */
  get currentSession(): Session | null {
    return this.session_;
  }

  /** `true` while a session is open. */
  get isOpen(): boolean {
    return this.state_ === 'open';
  }

  /** Resolves (never rejects) once the connection has closed for good. */
  get closed(): Promise<CloseInfo> {
    return this.finalClose_;
  }

  /** How many operations wait for a reconnect (for diagnostics). */
  get waitingCount(): number {
    return this.waiters_.size;
  }

  /**
   * Start connecting. Resolves with the first session; later sessions are announced with `open`.
   * @throws JoinRefusedError when the router refuses the session (not retried).
   * @throws WampboxError the last error when the reconnect policy gives up, or `ERR_SESSION_CLOSED`
   *   when {@link Connection.close} is called first.
   */
  open(): Promise<Session> {
    if (this.opened_) return this.opened_;
    this.opened_ = new Promise<Session>((resolve, reject) => {
      this.settleFirst_ = { resolve, reject };
    });
    if (this.options_.signal?.aborted) {
      this.stopRequested_ = true;
      this.shutdown_(
        { reason: 'wamp.close.aborted', details: {}, local: true, clean: false },
        new CanceledError('connection aborted'),
      );
    } else void this.run_();
    return this.opened_;
  }

  /**
   * Close for good: GOODBYE on the current session, no reconnect, every waiting operation
   * rejects with `ERR_SESSION_CLOSED`. Never rejects.
   */
  async close(reason = 'wamp.close.close_realm'): Promise<CloseInfo> {
    checkUri(reason, 'reason', this.options_.uriRules);
    if (this.state_ === 'closed') return this.finalClose_;
    this.stopRequested_ = true;
    this.wakeBackoff_?.();
    const s = this.session_;
    const info = s ? await s.close(reason) : { reason, details: {}, local: true, clean: true };
    this.shutdown_(info, new SessionClosedError(reason, 'connection closed'));
    return this.finalClose_;
  }

  /** Call a procedure on the current session (or the next one, per `callsWhileDisconnected`). */
  call(procedure: string, args?: unknown[], kwargs?: Dict, options: CallOptions = {}): Promise<CallResult> {
    try {
      checkCall(procedure, args, kwargs, options, this.options_.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    const s = this.session_;
    if (s?.isOpen) return s.call(procedure, args, kwargs, options);
    return this.whenOpen_(
      this.options_.callsWhileDisconnected,
      options.timeoutMs,
      options.signal,
      (session, remaining) =>
        session.call(procedure, args, kwargs, remaining === undefined ? options : { ...options, timeoutMs: remaining }),
    );
  }

  /**
   * Call a procedure that sends progressive results, on the current session (or the next one, per
   * `callsWhileDisconnected`), reading them as an async iterator; see `Session.callProgressive`.
   * Breaking out of the loop cancels the call; a lost connection ends it with `ERR_CONNECTION_LOST`.
   */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Dict,
    options: Omit<CallOptions, 'onProgress'> = {},
  ): AsyncIterableIterator<CallResult> {
    const s = this.session_;
    if (s?.isOpen) return s.callProgressive(procedure, args, kwargs, options);
    try {
      checkCall(procedure, args, kwargs, options, this.options_.uriRules ?? 'loose');
    } catch (e) {
      const refused = new EventQueue<CallResult>();
      refused.end(e);
      return refused.iterator(() => Promise.resolve());
    }
    const waiting = this.whenOpen_(
      this.options_.callsWhileDisconnected,
      options.timeoutMs,
      options.signal,
      (session, remaining) => Promise.resolve({ session, remaining }),
    );
    waiting.catch(() => undefined); // rejects through the iterator's first next()
    return (async function* progressive(): AsyncGenerator<CallResult, void, undefined> {
      const { session, remaining } = await waiting;
      yield* session.callProgressive(
        procedure,
        args,
        kwargs,
        remaining === undefined ? options : { ...options, timeoutMs: remaining },
      );
    })();
  }

  /**
   * Call a procedure whose input is streamed in chunks, on the current session; see
   * `Session.callStream`. A stream does not wait for a reconnect and does not survive one.
   * @throws SessionClosedError `ERR_CONNECTION_LOST` while the connection has no open session.
   */
  callStream(procedure: string, args?: unknown[], kwargs?: Dict, options: CallOptions = {}): CallStream {
    const s = this.session_;
    if (s?.isOpen) return s.callStream(procedure, args, kwargs, options);
    throw new SessionClosedError('wamp.close.transport_lost', 'not connected', { code: 'ERR_CONNECTION_LOST' });
  }

  /** Publish on the current session (or the next one, per `publishesWhileDisconnected`). */
  publish(topic: string, args?: unknown[], kwargs?: Dict, options: PublishOptions = {}): Promise<number | undefined> {
    try {
      checkPublish(topic, args, kwargs, options, this.options_.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    const s = this.session_;
    if (s?.isOpen) return s.publish(topic, args, kwargs, options);
    return this.whenOpen_(this.options_.publishesWhileDisconnected, undefined, undefined, (session) =>
      session.publish(topic, args, kwargs, options),
    );
  }

  /**
   * Subscribe, now (if connected) and after every reconnect. Resolves once subscribed in the
   * current session, or at once while disconnected (it is made on the next session).
   */
  subscribe(topic: string, handler?: EventHandler, options: SubscribeOptions = {}): Promise<DurableSubscription> {
    try {
      checkSubscribe(topic, handler, options, this.options_.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    return this.adopt_(() => new DurableSubscription(this.owner_, topic, handler, options));
  }

  /** Register, now (if connected) and after every reconnect. */
  register(procedure: string, handler: ProcedureHandler, options: RegisterOptions = {}): Promise<DurableRegistration> {
    try {
      checkRegister(procedure, handler, options, this.options_.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    return this.adopt_(() => new DurableRegistration(this.owner_, procedure, handler, options));
  }

  // ---------------------------------------------------------------------------------------------

  /** Keep a new durable subscription or registration, and make it in the current session if there is one. */
  private async adopt_<D extends DurableSubscription | DurableRegistration>(make: () => D): Promise<D> {
    if (this.state_ === 'closed') throw this.closedError_();
    const d = make();
    this.durables_.add(d);
    const s = this.session_;
    if (s?.isOpen) {
      try {
        await d.renew(s);
      } catch (e) {
        this.durables_.delete(d);
        d.end();
        throw e;
      }
    }
    return d;
  }

  private closedError_(): SessionClosedError {
    return new SessionClosedError(this.lastInfo_?.reason ?? 'wamp.close.close_realm', 'connection is closed');
  }

  /** Run `op` on the next session, as `policy` (default `wait`) and the waiting limits allow. */
  private whenOpen_<R>(
    policy: OfflinePolicy | undefined,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    op: (s: Session, remainingMs?: number) => Promise<R>,
  ): Promise<R> {
    if (this.state_ === 'closed') return Promise.reject(this.closedError_());
    if (policy === 'fail' || this.options_.reconnect === false) {
      return Promise.reject(
        new SessionClosedError('wamp.close.transport_lost', 'not connected', { code: 'ERR_CONNECTION_LOST' }),
      );
    }
    const max = this.options_.maxWaiting ?? 1000;
    if (this.waiters_.size >= max) {
      return Promise.reject(
        new TransportError(`${max} operations already wait for the reconnect`, { code: 'ERR_BACKPRESSURE' }),
      );
    }
    return this.waiters_.wait(timeoutMs, signal, op);
  }

  private async run_(): Promise<void> {
    const policy = this.options_.reconnect === false ? null : backoff(this.options_.reconnect);
    let attempt = 0;
    let lastError: Error | undefined;
    while (!this.stopRequested_) {
      this.state_ = 'connecting';
      this.emit('connecting', { attempt });
      let session: Session;
      try {
        session = await connectWith(this.transport_, this.options_);
      } catch (e) {
        // a custom transport factory may throw anything: what reaches the application is typed
        lastError =
          e instanceof WampboxError ? e : new TransportError(e instanceof Error ? e.message : String(e), { cause: e });
        if (this.stopRequested_) break;
        attempt++;
        // retrying cannot help wrong credentials, an unknown realm or bad arguments
        if (
          !policy ||
          lastError instanceof JoinRefusedError ||
          lastError instanceof InvalidArgumentError ||
          attempt >= policy.maxAttempts
        ) {
          return this.shutdown_(
            { reason: 'wamp.close.connect_failed', details: {}, local: false, clean: false, error: lastError },
            lastError,
          );
        }
        await this.waitBeforeRetry_(attempt, policy, lastError);
        continue;
      }
      if (this.stopRequested_) {
        await session.close();
        break;
      }
      attempt = 0;
      lastError = undefined;
      this.session_ = session;
      session.on('error', this.onSessionError_);
      await this.restore_(session);
      if (session.isOpen && !this.stopRequested_) {
        this.state_ = 'open';
        this.stopHeartbeat_ = startHeartbeat(session, this.options_.heartbeat, (err) => this.fail_(err));
        this.emit('open', session);
        this.settleFirst_?.resolve(session);
        this.settleFirst_ = undefined;
        this.waiters_.runAll(session);
      }
      const info = await session.closed;
      this.stopHeartbeat_();
      session.off('error', this.onSessionError_);
      this.session_ = null;
      this.lastInfo_ = info;
      for (const d of this.durables_) d.current = null;
      const again = !this.stopRequested_ && policy !== null && !(info.local && info.clean);
      this.emit('close', { ...info, willReconnect: again });
      if (!again) return this.shutdown_(info, new SessionClosedError(info.reason));
      this.state_ = 'waiting';
      this.emit('reconnecting', { reason: info.reason });
      attempt = 1;
      await this.waitBeforeRetry_(attempt, policy, info.error);
    }
    this.shutdown_(
      this.lastInfo_ ?? { reason: 'wamp.close.close_realm', details: {}, local: true, clean: true },
      lastError ?? new SessionClosedError('wamp.close.close_realm', 'connection closed'),
    );
  }

  private waitBeforeRetry_(
    attempt: number,
    policy: Required<ReconnectOptions>,
    error: Error | undefined,
  ): Promise<void> {
    this.state_ = 'waiting';
    const delayMs = reconnectDelay(attempt, policy);
    this.emit('retry', { attempt, delayMs, error });
    return new Promise<void>((resolve) => {
      this.wakeBackoff_ = () => {
        clearTimeout(this.backoffTimer_);
        this.wakeBackoff_ = undefined;
        resolve();
      };
      this.backoffTimer_ = setTimeout(() => this.wakeBackoff_?.(), delayMs);
    });
  }

  /** Emit `error`, or log it as a warning when nobody listens. */
  private fail_(err: unknown): void {
    const logger = this.options_.logger;
    if (!this.emit('error', err as Error) && logger?.warn)
      logger.warn('connection error without an error listener', errorLogFields(err));
  }

  /** Re-make every durable subscription and registration on a new session. */
  private async restore_(session: Session): Promise<void> {
    await Promise.all(
      [...this.durables_].map((d) =>
        d.renew(session).catch((e: unknown) => {
          const what =
            d instanceof DurableSubscription
              ? `could not re-subscribe to ${d.topic}`
              : `could not re-register ${d.procedure}`;
          this.fail_(restoreError(e, what));
        }),
      ),
    );
  }

  /** @internal A listener threw and no `error` listener took the error: log it. */
  protected override unheard(err: unknown, event: keyof ConnectionEvents): void {
    this.options_.logger?.warn?.(`a connection ${event} listener threw`, errorLogFields(err));
  }

  private shutdown_(info: CloseInfo, error: Error): void {
    if (this.state_ === 'closed') return;
    this.state_ = 'closed';
    this.stopRequested_ = true;
    this.stopHeartbeat_();
    clearTimeout(this.backoffTimer_);
    this.wakeBackoff_ = undefined;
    this.options_.signal?.removeEventListener('abort', this.onSignalAbort_);
    this.settleFirst_?.reject(error);
    this.settleFirst_ = undefined;
    const waitErr =
      error instanceof SessionClosedError
        ? error
        : new SessionClosedError(info.reason, `connection closed: ${error.message}`, { cause: error });
    this.waiters_.failAll(waitErr);
    for (const d of this.durables_) d.end();
    this.durables_.clear();
    this.lastInfo_ = info;
    this.resolveFinal_(info);
  }
}

/**
 * The error reported when a durable subscription or registration could not be re-made on a new
 * session: the session's own (typed) error, its message prefixed with `what`.
 */
function restoreError(e: unknown, what: string): WampboxError {
  if (e instanceof WampboxError) {
    e.message = `${what}: ${e.message}`;
    return e;
  }
  return new SessionClosedError('wamp.close.transport_lost', `${what}: ${String(e)}`, {
    code: 'ERR_CONNECTION_LOST',
    cause: e,
  });
}
