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
  declare private readonly transport: TransportFactory;
  declare private readonly options: ConnectionOptions;
  declare private state: ConnState;
  declare private session: Session | null;
  /** Durable subscriptions and registrations: re-made on every session. */
  declare private readonly durables: Set<DurableSubscription | DurableRegistration>;
  declare private readonly waiters: WaitingRoom;
  declare private opened: Promise<Session> | undefined;
  declare private settleFirst: { resolve(s: Session): void; reject(e: Error): void } | undefined;
  declare private stopRequested: boolean;
  declare private backoffTimer: ReturnType<typeof setTimeout> | undefined;
  declare private wakeBackoff: (() => void) | undefined;
  /** Stops the current session's dead-peer detection. */
  declare private stopHeartbeat: () => void;
  /** What durable subscriptions and registrations call back into. */
  declare private readonly owner: DurableOwner;
  declare private readonly finalClose: Promise<CloseInfo>;
  declare private resolveFinal: (info: CloseInfo) => void;
  declare private lastInfo: CloseInfo | undefined;
  declare private readonly onSessionError: (e: Error) => void;
  declare private readonly onSignalAbort: () => void;

  constructor(transport: TransportFactory, options: ConnectionOptions) {
    super();
    checkConnectionOptions(options);
    this.transport = transport;
    this.options = options;
    this.state = 'idle';
    this.session = null;
    this.durables = new Set();
    this.waiters = new WaitingRoom();
    this.stopRequested = false;
    this.stopHeartbeat = () => undefined;
    this.owner = { forget: (d) => this.durables.delete(d), overflow: (err) => this.fail(err) };
    this.finalClose = new Promise((resolve) => {
      this.resolveFinal = resolve;
    });
    this.onSessionError = (e) => this.fail(e);
    this.onSignalAbort = () => void this.close();
    options.signal?.addEventListener('abort', this.onSignalAbort, { once: true });
  }

  /** The current session, or `null` while disconnected. */
  get currentSession(): Session | null {
    return this.session;
  }

  /** `true` while a session is open. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Resolves (never rejects) once the connection has closed for good. */
  get closed(): Promise<CloseInfo> {
    return this.finalClose;
  }

  /** How many operations wait for a reconnect (for diagnostics). */
  get waitingCount(): number {
    return this.waiters.size;
  }

  /**
   * Start connecting. Resolves with the first session; later sessions are announced with `open`.
   * @throws JoinRefusedError when the router refuses the session (not retried).
   * @throws WampboxError the last error when the reconnect policy gives up, or `ERR_SESSION_CLOSED`
   *   when {@link Connection.close} is called first.
   */
  open(): Promise<Session> {
    if (this.opened) return this.opened;
    this.opened = new Promise<Session>((resolve, reject) => {
      this.settleFirst = { resolve, reject };
    });
    if (this.options.signal?.aborted) {
      this.stopRequested = true;
      this.shutdown(
        { reason: 'wamp.close.aborted', details: {}, local: true, clean: false },
        new CanceledError('connection aborted'),
      );
    } else void this.run();
    return this.opened;
  }

  /**
   * Close for good: GOODBYE on the current session, no reconnect, every waiting operation
   * rejects with `ERR_SESSION_CLOSED`. Never rejects.
   */
  async close(reason = 'wamp.close.close_realm'): Promise<CloseInfo> {
    checkUri(reason, 'reason', this.options.uriRules);
    if (this.state === 'closed') return this.finalClose;
    this.stopRequested = true;
    this.wakeBackoff?.();
    const s = this.session;
    const info = s ? await s.close(reason) : { reason, details: {}, local: true, clean: true };
    this.shutdown(info, new SessionClosedError(reason, 'connection closed'));
    return this.finalClose;
  }

  /** Call a procedure on the current session (or the next one, per `callsWhileDisconnected`). */
  call(procedure: string, args?: unknown[], kwargs?: Dict, options: CallOptions = {}): Promise<CallResult> {
    try {
      checkCall(procedure, args, kwargs, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    const s = this.session;
    if (s?.isOpen) return s.call(procedure, args, kwargs, options);
    return this.whenOpen(this.options.callsWhileDisconnected, options.timeoutMs, options.signal, (session, remaining) =>
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
    const s = this.session;
    if (s?.isOpen) return s.callProgressive(procedure, args, kwargs, options);
    try {
      checkCall(procedure, args, kwargs, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      const refused = new EventQueue<CallResult>();
      refused.end(e);
      return refused.iterator(() => Promise.resolve());
    }
    const waiting = this.whenOpen(
      this.options.callsWhileDisconnected,
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

  /** Publish on the current session (or the next one, per `publishesWhileDisconnected`). */
  publish(topic: string, args?: unknown[], kwargs?: Dict, options: PublishOptions = {}): Promise<number | undefined> {
    try {
      checkPublish(topic, args, kwargs, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    const s = this.session;
    if (s?.isOpen) return s.publish(topic, args, kwargs, options);
    return this.whenOpen(this.options.publishesWhileDisconnected, undefined, undefined, (session) =>
      session.publish(topic, args, kwargs, options),
    );
  }

  /**
   * Subscribe, now (if connected) and after every reconnect. Resolves once subscribed in the
   * current session, or at once while disconnected (it is made on the next session).
   */
  subscribe(topic: string, handler?: EventHandler, options: SubscribeOptions = {}): Promise<DurableSubscription> {
    try {
      checkSubscribe(topic, handler, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    return this.adopt(() => new DurableSubscription(this.owner, topic, handler, options));
  }

  /** Register, now (if connected) and after every reconnect. */
  register(procedure: string, handler: ProcedureHandler, options: RegisterOptions = {}): Promise<DurableRegistration> {
    try {
      checkRegister(procedure, handler, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return rejected(e);
    }
    return this.adopt(() => new DurableRegistration(this.owner, procedure, handler, options));
  }

  // ---------------------------------------------------------------------------------------------

  /** Keep a new durable subscription or registration, and make it in the current session if there is one. */
  private async adopt<D extends DurableSubscription | DurableRegistration>(make: () => D): Promise<D> {
    if (this.state === 'closed') throw this.closedError();
    const d = make();
    this.durables.add(d);
    const s = this.session;
    if (s?.isOpen) {
      try {
        await d.renew(s);
      } catch (e) {
        this.durables.delete(d);
        d.end();
        throw e;
      }
    }
    return d;
  }

  private closedError(): SessionClosedError {
    return new SessionClosedError(this.lastInfo?.reason ?? 'wamp.close.close_realm', 'connection is closed');
  }

  /** Run `op` on the next session, as `policy` (default `wait`) and the waiting limits allow. */
  private whenOpen<R>(
    policy: OfflinePolicy | undefined,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    op: (s: Session, remainingMs?: number) => Promise<R>,
  ): Promise<R> {
    if (this.state === 'closed') return Promise.reject(this.closedError());
    if (policy === 'fail' || this.options.reconnect === false) {
      return Promise.reject(
        new SessionClosedError('wamp.close.transport_lost', 'not connected', { code: 'ERR_CONNECTION_LOST' }),
      );
    }
    const max = this.options.maxWaiting ?? 1000;
    if (this.waiters.size >= max) {
      return Promise.reject(
        new TransportError(`${max} operations already wait for the reconnect`, { code: 'ERR_BACKPRESSURE' }),
      );
    }
    return this.waiters.wait(timeoutMs, signal, op);
  }

  private async run(): Promise<void> {
    const policy = this.options.reconnect === false ? null : backoff(this.options.reconnect);
    let attempt = 0;
    let lastError: Error | undefined;
    while (!this.stopRequested) {
      this.state = 'connecting';
      this.emit('connecting', { attempt });
      let session: Session;
      try {
        session = await connectWith(this.transport, this.options);
      } catch (e) {
        // a custom transport factory may throw anything: what reaches the application is typed
        lastError =
          e instanceof WampboxError ? e : new TransportError(e instanceof Error ? e.message : String(e), { cause: e });
        if (this.stopRequested) break;
        attempt++;
        // retrying cannot help wrong credentials, an unknown realm or bad arguments
        if (
          !policy ||
          lastError instanceof JoinRefusedError ||
          lastError instanceof InvalidArgumentError ||
          attempt >= policy.maxAttempts
        ) {
          return this.shutdown(
            { reason: 'wamp.close.connect_failed', details: {}, local: false, clean: false, error: lastError },
            lastError,
          );
        }
        await this.waitBeforeRetry(attempt, policy, lastError);
        continue;
      }
      if (this.stopRequested) {
        await session.close();
        break;
      }
      attempt = 0;
      lastError = undefined;
      this.session = session;
      session.on('error', this.onSessionError);
      await this.restore(session);
      if (session.isOpen && !this.stopRequested) {
        this.state = 'open';
        this.stopHeartbeat = startHeartbeat(session, this.options.heartbeat, (err) => this.fail(err));
        this.emit('open', session);
        this.settleFirst?.resolve(session);
        this.settleFirst = undefined;
        this.waiters.runAll(session);
      }
      const info = await session.closed;
      this.stopHeartbeat();
      session.off('error', this.onSessionError);
      this.session = null;
      this.lastInfo = info;
      for (const d of this.durables) d.current = null;
      const again = !this.stopRequested && policy !== null && !(info.local && info.clean);
      this.emit('close', { ...info, willReconnect: again });
      if (!again) return this.shutdown(info, new SessionClosedError(info.reason));
      this.state = 'waiting';
      this.emit('reconnecting', { reason: info.reason });
      attempt = 1;
      await this.waitBeforeRetry(attempt, policy, info.error);
    }
    this.shutdown(
      this.lastInfo ?? { reason: 'wamp.close.close_realm', details: {}, local: true, clean: true },
      lastError ?? new SessionClosedError('wamp.close.close_realm', 'connection closed'),
    );
  }

  private waitBeforeRetry(
    attempt: number,
    policy: Required<ReconnectOptions>,
    error: Error | undefined,
  ): Promise<void> {
    this.state = 'waiting';
    const delayMs = reconnectDelay(attempt, policy);
    this.emit('retry', { attempt, delayMs, error });
    return new Promise<void>((resolve) => {
      this.wakeBackoff = () => {
        clearTimeout(this.backoffTimer);
        this.wakeBackoff = undefined;
        resolve();
      };
      this.backoffTimer = setTimeout(() => this.wakeBackoff?.(), delayMs);
    });
  }

  /** Emit `error`, or log it as a warning when nobody listens. */
  private fail(err: unknown): void {
    const logger = this.options.logger;
    if (!this.emit('error', err as Error) && logger?.warn)
      logger.warn('connection error without an error listener', errorLogFields(err));
  }

  /** Re-make every durable subscription and registration on a new session. */
  private async restore(session: Session): Promise<void> {
    await Promise.all(
      [...this.durables].map((d) =>
        d.renew(session).catch((e: unknown) => {
          const what =
            d instanceof DurableSubscription
              ? `could not re-subscribe to ${d.topic}`
              : `could not re-register ${d.procedure}`;
          this.fail(restoreError(e, what));
        }),
      ),
    );
  }

  /** @internal A listener threw and no `error` listener took the error: log it. */
  protected override unheard(err: unknown, event: keyof ConnectionEvents): void {
    this.options.logger?.warn?.(`a connection ${event} listener threw`, errorLogFields(err));
  }

  private shutdown(info: CloseInfo, error: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopRequested = true;
    this.stopHeartbeat();
    clearTimeout(this.backoffTimer);
    this.wakeBackoff = undefined;
    this.options.signal?.removeEventListener('abort', this.onSignalAbort);
    this.settleFirst?.reject(error);
    this.settleFirst = undefined;
    const waitErr =
      error instanceof SessionClosedError
        ? error
        : new SessionClosedError(info.reason, `connection closed: ${error.message}`, { cause: error });
    this.waiters.failAll(waitErr);
    for (const d of this.durables) d.end();
    this.durables.clear();
    this.lastInfo = info;
    this.resolveFinal(info);
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
