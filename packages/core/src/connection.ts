/**
 * A long-lived connection: a session that comes back. When the transport is lost it reconnects
 * with exponential backoff and jitter, re-joins, and re-establishes every subscription and
 * registration made through it, with their original options and handlers.
 */
import { Emitter } from './emitter.js';
import { connectWith } from './connect.js';
import type { ConnectOptions } from './connect.js';
import {
  CanceledError,
  InvalidArgumentError,
  JoinRefusedError,
  SessionClosedError,
  TimeoutError,
  TransportError,
  WampboxError,
} from './errors.js';
import { EventQueue } from './event-queue.js';
import { checkCount, checkDuration, checkOneOf, checkUri, invalid, isPlainObject } from './checks.js';
import { checkCall, checkConnectOptions, checkPublish, checkRegister, checkSubscribe } from './option-checks.js';
import { errorLogFields } from './logger.js';
import type { Dict } from './messages.js';
import type { Registration } from './registration.js';
import type { Session } from './session/session.js';
import type { Subscription } from './subscription.js';
import type { TransportFactory } from './transport.js';
import type {
  CallOptions,
  CallResult,
  CloseInfo,
  EventData,
  EventHandler,
  ProcedureHandler,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
} from './types.js';

/** Backoff between reconnect attempts. */
export interface ReconnectOptions {
  /** Delay before the first retry. Default 500 ms. */
  initialDelayMs?: number | undefined;
  /** Upper bound of the delay. Default 30000 ms. */
  maxDelayMs?: number | undefined;
  /** Growth of the delay per failed attempt. Default 2. */
  factor?: number | undefined;
  /** Fraction of each delay that is randomized (0 = none, 1 = full jitter). Default 0.5. */
  jitter?: number | undefined;
  /** Give up after this many failed attempts in a row. Default: never give up. */
  maxAttempts?: number | undefined;
}

/** Dead-peer detection. */
export interface HeartbeatOptions {
  /** Check the router after this long without a frame from it. Default 30000 ms; 0 turns it off. */
  intervalMs?: number | undefined;
  /** Declare the router dead when the check gets no answer within this time. Default 10000 ms. */
  timeoutMs?: number | undefined;
}

/** What happens to new calls and publishes while the connection is down. */
export type OfflinePolicy = 'wait' | 'fail';

/** Options of a {@link Connection}. */
export interface ConnectionOptions extends ConnectOptions {
  /** Reconnect policy; `false` turns reconnecting off. */
  reconnect?: ReconnectOptions | false | undefined;
  /** Dead-peer detection; `false` turns it off. */
  heartbeat?: HeartbeatOptions | false | undefined;
  /**
   * New calls while disconnected: `wait` for the reconnect (bounded by their `timeoutMs`) or
   * `fail` at once with `ERR_CONNECTION_LOST`. Default `wait`.
   */
  callsWhileDisconnected?: OfflinePolicy | undefined;
  /** New publishes while disconnected: `wait` or `fail`. Default `wait`. */
  publishesWhileDisconnected?: OfflinePolicy | undefined;
  /** At most this many operations wait for a reconnect; more fail with `ERR_BACKPRESSURE`. Default 1000. */
  maxWaiting?: number | undefined;
}

/** A reconnect attempt is scheduled. */
export interface RetryInfo {
  /** Failed attempts so far in this outage. */
  readonly attempt: number;
  /** How long until the next attempt. */
  readonly delayMs: number;
  /** Why the last attempt failed (or why the connection was lost). */
  readonly error?: Error | undefined;
}

/** Lifecycle events of a {@link Connection}. */
export interface ConnectionEvents {
  /** An attempt to open a session starts. */
  connecting: [info: { attempt: number }];
  /** A session is open and every subscription and registration has been re-established. */
  open: [session: Session];
  /** A session ended. `willReconnect` says whether the connection tries again. */
  close: [info: CloseInfo & { willReconnect: boolean }];
  /** The connection was lost and will be re-established. */
  reconnecting: [info: { reason: string }];
  /** A reconnect attempt is scheduled after `delayMs`. */
  retry: [info: RetryInfo];
  /** An error that belongs to no pending operation (restore failures, undeliverable events, ...). */
  error: [error: Error];
}

type ConnState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

/** An operation waiting for the next session. */
interface Waiter {
  run(session: Session): void;
  /** Stop waiting, and reject with `err` if given. */
  fail(err?: Error): void;
}

/** Fill in reconnect defaults. */
function backoff(o: ReconnectOptions | undefined): Required<ReconnectOptions> {
  return {
    initialDelayMs: o?.initialDelayMs ?? 500,
    maxDelayMs: o?.maxDelayMs ?? 30000,
    factor: o?.factor ?? 2,
    jitter: Math.min(1, Math.max(0, o?.jitter ?? 0.5)),
    maxAttempts: o?.maxAttempts ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * The delay before reconnect attempt `attempt` (1-based): exponential growth capped at
 * `maxDelayMs`, of which the `jitter` fraction is randomized.
 * @example
 * ```ts
 * reconnectDelay(3, { initialDelayMs: 100, factor: 2, jitter: 0 }); // 400
 * ```
 */
export function reconnectDelay(attempt: number, o: ReconnectOptions = {}, random: () => number = Math.random): number {
  const b = backoff(o);
  const base = Math.min(b.maxDelayMs, b.initialDelayMs * b.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - b.jitter * random()));
}

/**
 * Stop a durable subscription or registration for good: the connection forgets it, and it is
 * undone in the current session (`undo`), if it is active there.
 */
async function retire<C extends { readonly active: boolean }>(d: { current: C | null }, conn: Connection, undo: (c: C) => Promise<void>): Promise<void> {
  conn._forget(d as DurableSubscription | DurableRegistration);
  const cur = d.current;
  d.current = null;
  if (cur?.active) await undo(cur).catch(() => undefined);
}

/**
 * A subscription that survives reconnects: re-made on every new session with the same topic,
 * options and handler. Readable as an async iterator across reconnects.
 * @example
 * ```ts
 * const sub = await conn.subscribe('com.example.tick');
 * for await (const ev of sub) console.log(ev.args); // keeps going across reconnects
 * ```
 */
export class DurableSubscription implements AsyncIterable<EventData> {
  /** The topic (or pattern). */
  declare readonly topic: string;
  /** The handler, if any. */
  declare readonly handler: EventHandler | undefined;
  /** The options, kept for every re-subscription. */
  declare readonly options: Readonly<SubscribeOptions>;
  /** @internal The subscription in the current session, if any. */
  declare current: Subscription | null;
  /** @internal Forwards events from each session's subscription. */
  declare readonly deliver: EventHandler;
  declare private readonly conn: Connection;
  declare private activeFlag: boolean;
  declare private queue: EventQueue<EventData> | undefined;

  /** @internal */
  constructor(conn: Connection, topic: string, handler: EventHandler | undefined, options: Readonly<SubscribeOptions>) {
    this.conn = conn;
    this.topic = topic;
    this.handler = handler;
    this.options = options;
    this.current = null;
    this.activeFlag = true;
    this.queue = handler ? undefined : new EventQueue();
    this.deliver = (ev) => {
      this.queue?.push(ev);
      return this.handler?.(ev);
    };
  }

  /** `false` once unsubscribed or the connection closed for good. */
  get active(): boolean {
    return this.activeFlag;
  }

  /** The router's subscription id in the current session, if subscribed right now. */
  get id(): number | undefined {
    return this.current?.active ? this.current.id : undefined;
  }

  /** Stop receiving events, now and after reconnects. */
  async unsubscribe(): Promise<void> {
    if (!this.activeFlag) return;
    this.end();
    await retire(this, this.conn, (s) => s.unsubscribe());
  }

  /** @internal */
  end(): void {
    this.activeFlag = false;
    this.queue?.end();
  }

  /** @internal Subscribe in `session`. */
  _renew(session: Session): Promise<void> {
    return session.subscribe(this.topic, this.deliver, this.options).then((sub) => {
      if (this.activeFlag) this.current = sub;
      else void sub.unsubscribe().catch(() => undefined);
    });
  }

  /** Read events, across reconnects, until unsubscribed; breaking out of the loop unsubscribes. */
  [Symbol.asyncIterator](): AsyncIterator<EventData> {
    const queue = (this.queue ??= new EventQueue());
    if (!this.activeFlag) queue.end();
    return queue.iterator(() => this.unsubscribe());
  }
}

/**
 * A registration that survives reconnects: re-made on every new session.
 * @example
 * ```ts
 * const reg = await conn.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
 * await reg.unregister();
 * ```
 */
export class DurableRegistration {
  /** The procedure (or pattern). */
  declare readonly procedure: string;
  /** The handler. */
  declare readonly handler: ProcedureHandler;
  /** The options, kept for every re-registration. */
  declare readonly options: Readonly<RegisterOptions>;
  /** @internal The registration in the current session, if any. */
  declare current: Registration | null;
  declare private readonly conn: Connection;
  declare private activeFlag: boolean;

  /** @internal */
  constructor(conn: Connection, procedure: string, handler: ProcedureHandler, options: Readonly<RegisterOptions>) {
    this.conn = conn;
    this.procedure = procedure;
    this.handler = handler;
    this.options = options;
    this.current = null;
    this.activeFlag = true;
  }

  /** `false` once unregistered or the connection closed for good. */
  get active(): boolean {
    return this.activeFlag;
  }

  /** The router's registration id in the current session, if registered right now. */
  get id(): number | undefined {
    return this.current?.active ? this.current.id : undefined;
  }

  /** Remove the registration, now and after reconnects. */
  async unregister(): Promise<void> {
    if (!this.activeFlag) return;
    this.end();
    await retire(this, this.conn, (r) => r.unregister());
  }

  /** @internal */
  end(): void {
    this.activeFlag = false;
  }

  /** @internal Register in `session`. */
  _renew(session: Session): Promise<void> {
    return session.register(this.procedure, this.handler, this.options).then((reg) => {
      if (this.activeFlag) this.current = reg;
      else void reg.unregister().catch(() => undefined);
    });
  }
}

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
export class Connection extends Emitter<ConnectionEvents> {
  declare private readonly transport: TransportFactory;
  declare private readonly options: ConnectionOptions;
  declare private state: ConnState;
  declare private session: Session | null;
  /** Durable subscriptions and registrations: re-made on every session. */
  declare private readonly durables: Set<DurableSubscription | DurableRegistration>;
  declare private readonly waiters: Set<Waiter>;
  declare private opened: Promise<Session> | undefined;
  declare private settleFirst: { resolve(s: Session): void; reject(e: Error): void } | undefined;
  declare private stopRequested: boolean;
  declare private backoffTimer: ReturnType<typeof setTimeout> | undefined;
  declare private wakeBackoff: (() => void) | undefined;
  declare private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
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
    this.waiters = new Set();
    this.stopRequested = false;
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
      this.shutdown({ reason: 'wamp.close.aborted', details: {}, local: true, clean: false }, new CanceledError('connection aborted'));
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
      return Promise.reject(e as Error);
    }
    const s = this.session;
    if (s?.isOpen) return s.call(procedure, args, kwargs, options);
    return this.whenOpen(this.options.callsWhileDisconnected, options.timeoutMs, options.signal, (session, remaining) =>
      session.call(procedure, args, kwargs, remaining === undefined ? options : { ...options, timeoutMs: remaining }),
    );
  }

  /** Publish on the current session (or the next one, per `publishesWhileDisconnected`). */
  publish(topic: string, args?: unknown[], kwargs?: Dict, options: PublishOptions = {}): Promise<number | undefined> {
    try {
      checkPublish(topic, args, kwargs, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const s = this.session;
    if (s?.isOpen) return s.publish(topic, args, kwargs, options);
    return this.whenOpen(this.options.publishesWhileDisconnected, undefined, undefined, (session) => session.publish(topic, args, kwargs, options));
  }

  /**
   * Subscribe, now (if connected) and after every reconnect. Resolves once subscribed in the
   * current session, or at once while disconnected (it is made on the next session).
   */
  subscribe(topic: string, handler?: EventHandler, options: SubscribeOptions = {}): Promise<DurableSubscription> {
    try {
      checkSubscribe(topic, handler, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return this.adopt(() => new DurableSubscription(this, topic, handler, options));
  }

  /** Register, now (if connected) and after every reconnect. */
  register(procedure: string, handler: ProcedureHandler, options: RegisterOptions = {}): Promise<DurableRegistration> {
    try {
      checkRegister(procedure, handler, options, this.options.uriRules ?? 'loose');
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return this.adopt(() => new DurableRegistration(this, procedure, handler, options));
  }

  /** @internal */
  _forget(d: DurableSubscription | DurableRegistration): void {
    this.durables.delete(d);
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
        await d._renew(s);
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
    // a throw in the executor rejects the promise
    return new Promise<R>((resolve, reject) => {
      if (this.state === 'closed') throw this.closedError();
      if (policy === 'fail' || this.options.reconnect === false) {
        throw new SessionClosedError('wamp.close.transport_lost', 'not connected', { code: 'ERR_CONNECTION_LOST' });
      }
      const max = this.options.maxWaiting ?? 1000;
      if (this.waiters.size >= max) {
        throw new TransportError(`${max} operations already wait for the reconnect`, { code: 'ERR_BACKPRESSURE' });
      }
      const aborted = (): Error => new CanceledError('aborted while waiting for the connection', { cause: signal?.reason });
      if (signal?.aborted) throw aborted();
      const started = Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const w: Waiter = {
        run: (session) => {
          w.fail();
          op(session, timeoutMs === undefined ? undefined : Math.max(1, timeoutMs - (Date.now() - started))).then(resolve, reject);
        },
        fail: (err) => {
          this.waiters.delete(w);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(err);
        },
      };
      const onAbort = (): void => w.fail(aborted());
      if (timeoutMs !== undefined && timeoutMs > 0) timer = setTimeout(() => w.fail(new TimeoutError(`not reconnected within ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(w);
    });
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
        lastError = e instanceof WampboxError ? e : new TransportError(e instanceof Error ? e.message : String(e), { cause: e });
        if (this.stopRequested) break;
        attempt++;
        // retrying cannot help wrong credentials, an unknown realm or bad arguments
        if (!policy || lastError instanceof JoinRefusedError || lastError instanceof InvalidArgumentError || attempt >= policy.maxAttempts) {
          return this.shutdown({ reason: 'wamp.close.connect_failed', details: {}, local: false, clean: false, error: lastError }, lastError);
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
        this.startHeartbeat(session);
        this.emit('open', session);
        this.settleFirst?.resolve(session);
        this.settleFirst = undefined;
        for (const w of [...this.waiters]) w.run(session);
      }
      const info = await session.closed;
      clearInterval(this.heartbeatTimer);
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
      await this.waitBeforeRetry(attempt, policy!, info.error);
    }
    this.shutdown(
      this.lastInfo ?? { reason: 'wamp.close.close_realm', details: {}, local: true, clean: true },
      lastError ?? new SessionClosedError('wamp.close.close_realm', 'connection closed'),
    );
  }

  private waitBeforeRetry(attempt: number, policy: Required<ReconnectOptions>, error: Error | undefined): Promise<void> {
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
    if (!this.emit('error', err as Error) && logger?.warn) logger.warn('connection error without an error listener', errorLogFields(err));
  }

  /** Re-make every durable subscription and registration on a new session. */
  private async restore(session: Session): Promise<void> {
    await Promise.all(
      [...this.durables].map((d) =>
        d._renew(session).catch((e: unknown) => {
          const what = d instanceof DurableSubscription ? `could not re-subscribe to ${d.topic}` : `could not re-register ${d.procedure}`;
          this.fail(restoreError(e, what));
        }),
      ),
    );
  }

  private startHeartbeat(session: Session): void {
    const hb = this.options.heartbeat;
    if (hb === false) return;
    const intervalMs = hb?.intervalMs ?? 30000;
    const timeoutMs = hb?.timeoutMs ?? 10000;
    if (!(intervalMs > 0)) return;
    let seen = session.framesReceived;
    let probing = false;
    this.heartbeatTimer = setInterval(() => {
      if (probing || !session.isOpen) return;
      if (session.framesReceived !== seen) {
        seen = session.framesReceived;
        return;
      }
      probing = true;
      session.ping(timeoutMs).then(
        () => {
          probing = false;
          seen = session.framesReceived;
        },
        (e: unknown) => {
          probing = false;
          if (!session.isOpen) return;
          const reason = 'wamp.close.transport_lost';
          const message = `router did not answer a liveness check within ${timeoutMs} ms`;
          this.fail(new SessionClosedError(reason, message, { code: 'ERR_CONNECTION_LOST', cause: e }));
          session.abort('router unresponsive');
        },
      );
    }, intervalMs);
    (this.heartbeatTimer as { unref?: () => void }).unref?.();
  }

  /** @internal A listener threw and no `error` listener took the error: log it. */
  protected override unheard(err: unknown, event: keyof ConnectionEvents): void {
    this.options.logger?.warn?.(`a connection ${String(event)} listener threw`, errorLogFields(err));
  }

  private shutdown(info: CloseInfo, error: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopRequested = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.backoffTimer);
    this.wakeBackoff = undefined;
    this.options.signal?.removeEventListener('abort', this.onSignalAbort);
    this.settleFirst?.reject(error);
    this.settleFirst = undefined;
    const waitErr = error instanceof SessionClosedError ? error : new SessionClosedError(info.reason, `connection closed: ${error.message}`, { cause: error });
    for (const w of [...this.waiters]) w.fail(waitErr);
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
  return new SessionClosedError('wamp.close.transport_lost', `${what}: ${String(e)}`, { code: 'ERR_CONNECTION_LOST', cause: e });
}

/** The reconnect, heartbeat and offline options of a {@link Connection} (the rest as `connect()` checks them). */
function checkConnectionOptions(options: ConnectionOptions): void {
  checkConnectOptions(options);
  const r = options.reconnect as unknown;
  if (r !== undefined && r !== false) {
    if (!isPlainObject(r)) invalid('reconnect must be an object or false');
    checkDuration(r['initialDelayMs'], 'reconnect.initialDelayMs', false);
    checkDuration(r['maxDelayMs'], 'reconnect.maxDelayMs', false);
    if (r['factor'] !== undefined && !(typeof r['factor'] === 'number' && r['factor'] >= 1 && Number.isFinite(r['factor']))) {
      invalid('reconnect.factor must be a finite number ≥ 1');
    }
    if (r['jitter'] !== undefined && !(typeof r['jitter'] === 'number' && r['jitter'] >= 0 && r['jitter'] <= 1)) {
      invalid('reconnect.jitter must be a number from 0 to 1');
    }
    if (r['maxAttempts'] !== undefined && r['maxAttempts'] !== Number.POSITIVE_INFINITY) checkCount(r['maxAttempts'], 'reconnect.maxAttempts', 1);
  }
  const h = options.heartbeat as unknown;
  if (h !== undefined && h !== false) {
    if (!isPlainObject(h)) invalid('heartbeat must be an object or false');
    checkDuration(h['intervalMs'], 'heartbeat.intervalMs', false);
    checkDuration(h['timeoutMs'], 'heartbeat.timeoutMs', false);
  }
  checkOneOf(options.callsWhileDisconnected, ['wait', 'fail'], 'callsWhileDisconnected');
  checkOneOf(options.publishesWhileDisconnected, ['wait', 'fail'], 'publishesWhileDisconnected');
  checkCount(options.maxWaiting, 'maxWaiting');
}
