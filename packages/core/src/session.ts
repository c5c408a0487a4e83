/**
 * A WAMP session: the four client roles (caller, callee, publisher, subscriber) over one
 * transport, with payloads passing through a {@link PayloadCodec}.
 */
import { EventEmitter } from 'eventemitter3';
import {
  ApplicationError,
  CanceledError,
  InvalidArgumentError,
  JoinRefusedError,
  PayloadCodecError,
  ProtocolError,
  SessionClosedError,
  TimeoutError,
  TransportError,
  WampboxError,
} from './errors.js';
import { helloDetails } from './features.js';
import { describeMessage, silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { MessageType as T, MessageTypeName, validateRouterMessage } from './messages.js';
import type { ArgsSlot, Dict, RouterMessage } from './messages.js';
import { isPassthrough, passthrough } from './passthrough.js';
import type { Payload, PayloadCodec, PayloadContext, WirePayload } from './payload-codec.js';
import { Registration } from './registration.js';
import { Subscription } from './subscription.js';
import type { SubscriptionEntry } from './subscription.js';
import type { Transport, TransportCloseInfo } from './transport.js';
import { Result } from './types.js';
import type {
  CallOptions,
  CallResult,
  CloseInfo,
  EventData,
  EventHandler,
  Invocation,
  ProcedureHandler,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WelcomeInfo,
} from './types.js';
import { appendPlainPayload, appendWirePayload, dialectFromRoles, readWirePayload } from './wire-dialect.js';
import type { PayloadDialect } from './wire-dialect.js';

/**
 * Answer to a CHALLENGE: the signature string, or an object with the `signature` and `extra`
 * fields to send in AUTHENTICATE.
 */
export type ChallengeResponse = string | { /** The signature (or ticket). */ signature: string; /** Extra AUTHENTICATE details. */ extra?: Dict };

/** Computes the answer to a CHALLENGE. */
export type ChallengeHandler = (method: string, extra: Dict) => ChallengeResponse | Promise<ChallengeResponse>;

/** Options for joining a realm. */
export interface JoinOptions {
  /** The realm to join. */
  realm: string;
  /** Payload codec. Default: {@link passthrough}. */
  codec?: PayloadCodec | undefined;
  /** Authentication methods to offer, e.g. `['ticket']`. Default: none (anonymous). */
  authmethods?: string[] | undefined;
  /** The authentication id. */
  authid?: string | undefined;
  /** The requested authentication role. */
  authrole?: string | undefined;
  /** Extra authentication data (e.g. `pubkey` for cryptosign). */
  authextra?: Dict | undefined;
  /** Answers CHALLENGE messages. Required when a challenge-response method is offered. */
  onChallenge?: ChallengeHandler | undefined;
  /** How long to wait for the router's GOODBYE reply on close. Default 5000 ms. */
  closeTimeoutMs?: number | undefined;
  /** Give up joining after this many milliseconds. Default 15000 ms. */
  joinTimeoutMs?: number | undefined;
  /** Where log lines go. Default: nowhere. */
  logger?: Logger | undefined;
  /** Log every message sent and received (type, id, URI; never payloads) at level `trace`. */
  trace?: boolean | undefined;
  /**
   * Refuse to send (with `ERR_BACKPRESSURE`) while more than this many bytes wait in the
   * transport's send buffer. Default 16 MiB.
   */
  maxBufferedBytes?: number | undefined;
  /** {@link Session.drain} resolves once the send buffer is at or below this many bytes. Default 1 MiB. */
  highWaterMarkBytes?: number | undefined;
}

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

type State = 'joining' | 'established' | 'closing' | 'closed';

/** A pending request awaiting the router's reply. */
interface Pending {
  /** Message type of the request (CALL, PUBLISH, SUBSCRIBE, ...). */
  readonly type: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface PendingCall extends Pending {
  readonly type: typeof T.CALL;
  readonly procedure: string;
  opaque: boolean;
  /** Canceled or timed out locally: the promise has settled; the router's final reply is swallowed. */
  abandoned: boolean;
  onProgress: ((r: CallResult) => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  cleanup: (() => void) | undefined;
}

interface PendingSubscribe extends Pending {
  readonly topic: string;
  readonly options: SubscribeOptions;
  readonly handler: EventHandler | undefined;
}

interface PendingRegister extends Pending {
  readonly procedure: string;
  readonly options: RegisterOptions;
  readonly handler: ProcedureHandler;
}

interface PendingUnsubscribe extends Pending {
  readonly subscriptionId: number;
}

interface PendingUnregister extends Pending {
  readonly registration: Registration;
}

interface ActiveInvocation {
  readonly requestId: number;
  readonly procedure: string;
  readonly opaque: boolean;
  readonly receiveProgress: boolean;
  readonly controller: AbortController;
  done: boolean;
}

const MAX_ID = 2 ** 53;

/** Stands in for a payload context when the passthrough codec is bypassed (nothing reads it). */
const NO_CONTEXT: PayloadContext = Object.freeze({ uri: '', messageType: 'CALL', originating: true, sending: true });

/** `true` when a received payload is plain (no opaque binary, no scheme attributes). */
function isPlainPayload(slot: ArgsSlot | undefined, details: Dict): slot is unknown[] | undefined {
  return !(slot instanceof Uint8Array) && details['enc_algo'] === undefined && details['ppt_scheme'] === undefined;
}

function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function checkUri(uri: unknown, what: string): asserts uri is string {
  if (typeof uri !== 'string' || uri.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
  }
}

function toArgs(v: unknown[] | undefined | null): unknown[] {
  return v ?? [];
}
function toKwargs(v: Dict | undefined | null): Dict {
  return v ?? {};
}

class InvocationImpl implements Invocation {
  constructor(
    private readonly session: Session,
    private readonly state: ActiveInvocation,
    readonly args: unknown[],
    readonly kwargs: Dict,
    readonly details: Dict,
  ) {}
  get procedure(): string {
    return this.state.procedure;
  }
  get signal(): AbortSignal {
    return this.state.controller.signal;
  }
  get receiveProgress(): boolean {
    return this.state.receiveProgress;
  }
  progress(args?: unknown[], kwargs?: Dict): boolean {
    if (!this.state.receiveProgress || this.state.done) return false;
    this.session._yield(this.state, args, kwargs, true);
    return true;
  }
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
export class Session extends EventEmitter<SessionEvents> {
  /** What WELCOME granted. Set once joined. */
  private welcomeInfo: WelcomeInfo | null = null;
  private state: State = 'joining';
  private readonly codec: PayloadCodec;
  private readonly plain: boolean;
  private dialect: PayloadDialect = 'none';
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<number, SubscriptionEntry>();
  private readonly registrations = new Map<number, Registration>();
  private readonly invocations = new Map<number, ActiveInvocation>();
  /** Serializes sends while an asynchronous codec step is in flight, so messages keep their order. */
  private outChain: Promise<void> | null = null;
  private outQueued = 0;
  /** Serializes message handling while an asynchronous decode is in flight. */
  private inChain: Promise<void> | null = null;
  private inQueued = 0;
  private joinSettle: { resolve(s: Session): void; reject(e: Error): void } | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private closeInfo: CloseInfo | null = null;
  private closeReason = 'wamp.close.close_realm';
  private readonly closedPromise: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private readonly closeTimeoutMs: number;
  private readonly logger: Logger;
  private readonly tracing: boolean;
  private readonly maxBuffered: number;
  private readonly highWaterMark: number;
  /** Frames received so far (for liveness checks). */
  private received = 0;
  private readonly unsubscribeBound = (sub: Subscription): Promise<void> => this.doUnsubscribe(sub);
  private readonly unregisterBound = (reg: Registration): Promise<void> => this.doUnregister(reg);
  private readonly subOwner = { unsubscribe: this.unsubscribeBound };
  private readonly regOwner = { unregister: this.unregisterBound };

  /** @internal Use `connect()` or {@link Session.join}. */
  constructor(
    private readonly transport: Transport,
    private readonly options: JoinOptions,
  ) {
    super();
    this.codec = options.codec ?? passthrough();
    this.plain = isPassthrough(this.codec);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.logger = options.logger ?? silentLogger;
    this.tracing = options.trace === true && typeof this.logger.trace === 'function';
    this.maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
    this.closedPromise = new Promise<CloseInfo>((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /**
   * Join a realm over an open transport. Resolves once WELCOME arrived.
   * @throws JoinRefusedError `ERR_JOIN_REFUSED` / `ERR_AUTHENTICATION` when the router sends ABORT.
   * @throws ProtocolError `ERR_PROTOCOL_VIOLATION` when the router misbehaves during the handshake.
   * @throws SessionClosedError `ERR_CONNECTION_LOST` when the transport closes first.
   */
  static join(transport: Transport, options: JoinOptions): Promise<Session> {
    checkUri(options.realm, 'realm');
    const session = new Session(transport, options);
    return session.start();
  }

  private start(): Promise<Session> {
    const o = this.options;
    return new Promise<Session>((resolve, reject) => {
      const timeoutMs = o.joinTimeoutMs ?? 15000;
      const timer = setTimeout(() => {
        this.finish({ reason: 'wamp.close.timeout', details: {}, local: true, clean: false }, new TimeoutError(`no WELCOME within ${timeoutMs} ms`));
        void this.transport.close();
      }, timeoutMs);
      this.joinSettle = {
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.transport.attach({ onFrame: (f) => this.onFrame(f), onClose: (i) => this.onTransportClose(i) });
      if (this.state !== 'joining') return;
      this.sendRaw([T.HELLO, o.realm, helloDetails(o)]);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // public surface

  /** The WAMP session id. */
  get id(): number {
    return this.welcomeInfo?.sessionId ?? 0;
  }

  /** What WELCOME granted (authid, authrole, authmethod, router roles, ...). */
  get welcome(): WelcomeInfo {
    if (!this.welcomeInfo) throw new SessionClosedError('wamp.close.not_joined', 'session has not joined');
    return this.welcomeInfo;
  }

  /** The realm joined. */
  get realm(): string {
    return this.options.realm;
  }

  /** `true` while the session can be used. */
  get isOpen(): boolean {
    return this.state === 'established';
  }

  /** The negotiated serializer id (`json`, `msgpack`, `cbor`). */
  get serializer(): string {
    return this.transport.serializer.id;
  }

  /** The payload-transparency dialect the router speaks (`transparency`, `passthru` or `none`). */
  get payloadDialect(): PayloadDialect {
    return this.dialect;
  }

  /** Bytes waiting in the transport's send buffer. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /** Frames received since the session started (a cheap liveness counter). */
  get framesReceived(): number {
    return this.received;
  }

  /**
   * Resolves once the transport's send buffer is at or below the high-water mark (immediately if
   * it already is). Rejects with `ERR_SESSION_CLOSED` if the session ends first.
   */
  drain(): Promise<void> {
    if (this.transport.bufferedAmount <= this.highWaterMark) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.state === 'closed') reject(new SessionClosedError(this.closeInfo?.reason ?? 'wamp.close.transport_lost'));
        else if (this.transport.bufferedAmount <= this.highWaterMark) resolve();
        else setTimeout(check, 5);
      };
      setTimeout(check, 5);
    });
  }

  /**
   * Check that the router still answers: a transport-level ping where the transport has one
   * (WebSocket in Node, RawSocket), else a WAMP round trip (a CALL whose ERROR reply proves the
   * router is alive). Resolves with the round-trip time in milliseconds.
   * @throws TimeoutError `ERR_TIMEOUT` when no answer came within `timeoutMs`.
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   */
  async ping(timeoutMs = 10000): Promise<number> {
    this.assertOpen();
    const started = Date.now();
    if (typeof this.transport.probe === 'function') return this.transport.probe(timeoutMs);
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
    if (this.state === 'closed') return;
    const error = new SessionClosedError('wamp.close.transport_lost', message, { code: 'ERR_CONNECTION_LOST' });
    this.finish({ reason: 'wamp.close.transport_lost', details: { message }, local: true, clean: false, error }, error);
    void this.transport.close(1000, message);
  }

  /** Resolves (never rejects) once the session has ended, with why. */
  get closed(): Promise<CloseInfo> {
    return this.closedPromise;
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
    return new Promise<CallResult>((resolve, reject) => this.startCall(procedure, args, kwargs, options, resolve, reject));
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
  callProgressive(procedure: string, args?: unknown[], kwargs?: Dict, options: Omit<CallOptions, 'onProgress'> = {}): AsyncIterableIterator<CallResult> {
    const queue: CallResult[] = [];
    let waiter: { resolve(r: IteratorResult<CallResult>): void; reject(e: unknown): void } | null = null;
    let finished = false;
    let failure: unknown = null;
    const controller = new AbortController();
    const outer = options.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (outer?.aborted) controller.abort(outer.reason);
    const wake = (): void => {
      if (!waiter) return;
      const w = waiter;
      const next = queue.shift();
      if (next) {
        waiter = null;
        w.resolve({ value: next, done: false });
      } else if (finished) {
        waiter = null;
        if (failure) w.reject(failure);
        else w.resolve({ value: undefined, done: true });
      }
    };
    this.call(procedure, args, kwargs, {
      ...options,
      signal: controller.signal,
      onProgress: (r) => {
        queue.push(r);
        wake();
      },
    }).then(
      (r) => {
        queue.push(r);
        finished = true;
        wake();
      },
      (e: unknown) => {
        failure = e;
        finished = true;
        wake();
      },
    ).finally(() => outer?.removeEventListener('abort', onOuterAbort));
    const it: AsyncIterableIterator<CallResult> = {
      next: () =>
        new Promise<IteratorResult<CallResult>>((resolve, reject) => {
          waiter = { resolve, reject };
          wake();
        }),
      return: async () => {
        if (!finished) controller.abort(new CanceledError('progressive call iteration stopped'));
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
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
    return new Promise<number | undefined>((resolve, reject) => {
      try {
        checkUri(topic, 'topic');
        this.assertOpen();
      } catch (e) {
        reject(e as Error);
        return;
      }
      const id = this.requestId();
      const o: Dict = options.wampOptions ? { ...options.wampOptions } : {};
      const ack = options.acknowledge === true;
      if (ack) o['acknowledge'] = true;
      if (options.excludeMe !== undefined) o['exclude_me'] = options.excludeMe;
      if (options.exclude) o['exclude'] = options.exclude;
      if (options.eligible) o['eligible'] = options.eligible;
      if (options.excludeAuthid) o['exclude_authid'] = options.excludeAuthid;
      if (options.excludeAuthrole) o['exclude_authrole'] = options.excludeAuthrole;
      if (options.eligibleAuthid) o['eligible_authid'] = options.eligibleAuthid;
      if (options.eligibleAuthrole) o['eligible_authrole'] = options.eligibleAuthrole;
      if (options.discloseMe !== undefined) o['disclose_me'] = options.discloseMe;
      if (options.retain !== undefined) o['retain'] = options.retain;
      if (ack) this.pending.set(id, { type: T.PUBLISH, resolve: resolve as (v: unknown) => void, reject });
      const onSent = ack ? undefined : (): void => resolve(undefined);
      const onFail = (err: Error): void => {
        if (ack) this.pending.delete(id);
        reject(err);
      };
      const ctx: PayloadContext = this.plain ? NO_CONTEXT : { uri: topic, messageType: 'PUBLISH', originating: true, sending: true };
      this.sendWithPayload([T.PUBLISH, id, o, topic], o, ctx, args, kwargs, onFail, onSent);
    });
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
  subscribe(topic: string, handler?: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    return new Promise<Subscription>((resolve, reject) => {
      try {
        checkUri(topic, 'topic');
        if (handler !== undefined && typeof handler !== 'function') throw new InvalidArgumentError('handler must be a function');
        this.assertOpen();
      } catch (e) {
        reject(e as Error);
        return;
      }
      const id = this.requestId();
      const o: Dict = options.wampOptions ? { ...options.wampOptions } : {};
      if (options.match && options.match !== 'exact') o['match'] = options.match;
      if (options.getRetained) o['get_retained'] = true;
      const p: PendingSubscribe = { type: T.SUBSCRIBE, resolve: resolve as (v: unknown) => void, reject, topic, options, handler };
      this.pending.set(id, p);
      this.sendRaw([T.SUBSCRIBE, id, o, topic], (err) => {
        this.pending.delete(id);
        reject(err);
      });
    });
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
  register(procedure: string, handler: ProcedureHandler, options: RegisterOptions = {}): Promise<Registration> {
    return new Promise<Registration>((resolve, reject) => {
      try {
        checkUri(procedure, 'procedure');
        if (typeof handler !== 'function') throw new InvalidArgumentError('handler must be a function');
        this.assertOpen();
      } catch (e) {
        reject(e as Error);
        return;
      }
      const id = this.requestId();
      const o: Dict = options.wampOptions ? { ...options.wampOptions } : {};
      if (options.match && options.match !== 'exact') o['match'] = options.match;
      if (options.invoke && options.invoke !== 'single') o['invoke'] = options.invoke;
      const p: PendingRegister = { type: T.REGISTER, resolve: resolve as (v: unknown) => void, reject, procedure, options, handler };
      this.pending.set(id, p);
      this.sendRaw([T.REGISTER, id, o, procedure], (err) => {
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  /**
   * Leave the realm: GOODBYE handshake, then the transport closes. Resolves with the close info.
   * Never rejects.
   */
  close(reason = 'wamp.close.close_realm', message?: string): Promise<CloseInfo> {
    if (this.state === 'established') {
      this.state = 'closing';
      this.closeReason = reason;
      const details: Dict = message ? { message } : {};
      this.sendRaw([T.GOODBYE, details, reason], () => {
        void this.transport.close();
      });
      this.closeTimer = setTimeout(() => {
        this.finish({ reason, details: {}, local: true, clean: false }, new SessionClosedError(reason));
        void this.transport.close();
      }, this.closeTimeoutMs);
    } else if (this.state === 'joining') {
      this.sendRaw([T.ABORT, message ? { message } : {}, 'wamp.close.system_shutdown']);
      this.finish({ reason, details: {}, local: true, clean: false }, new SessionClosedError(reason, 'session closed while joining'));
      void this.transport.close();
    }
    return this.closedPromise;
  }

  // ---------------------------------------------------------------------------------------------
  // internals used by Subscription, Registration and invocations

  private doUnsubscribe(sub: Subscription): Promise<void> {
    const entry = this.subscriptions.get(sub.id);
    if (!entry || !entry.subs.has(sub)) {
      sub.end();
      return Promise.resolve();
    }
    if (entry.subs.size > 1) {
      entry.subs.delete(sub);
      sub.end();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      try {
        this.assertOpen();
      } catch (e) {
        reject(e as Error);
        return;
      }
      const id = this.requestId();
      const p: PendingUnsubscribe = { type: T.UNSUBSCRIBE, resolve: resolve as (v: unknown) => void, reject, subscriptionId: sub.id };
      this.pending.set(id, p);
      this.sendRaw([T.UNSUBSCRIBE, id, sub.id], (err) => {
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  private doUnregister(reg: Registration): Promise<void> {
    if (this.registrations.get(reg.id) !== reg) {
      reg.end();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      try {
        this.assertOpen();
      } catch (e) {
        reject(e as Error);
        return;
      }
      const id = this.requestId();
      const p: PendingUnregister = { type: T.UNREGISTER, resolve: resolve as (v: unknown) => void, reject, registration: reg };
      this.pending.set(id, p);
      this.sendRaw([T.UNREGISTER, id, reg.id], (err) => {
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  /** @internal Send a YIELD (final or progressive) for an invocation. */
  _yield(inv: ActiveInvocation, args: unknown[] | undefined, kwargs: Dict | undefined, progress: boolean): void {
    if (inv.done) return;
    if (!progress) this.endInvocation(inv);
    if (!this.transportUsable()) return;
    const o: Dict = progress ? { progress: true } : {};
    const ctx: PayloadContext = this.plain ? NO_CONTEXT : {
      uri: inv.procedure,
      messageType: 'YIELD',
      originating: false,
      sending: true,
      requestWasOpaque: inv.opaque,
    };
    this.sendWithPayload([T.YIELD, inv.requestId, o], o, ctx, args, kwargs, (err) => this.yieldFailed(inv, err));
  }

  private yieldFailed(inv: ActiveInvocation, err: Error): void {
    this.endInvocation(inv);
    this.emit('error', err);
    const uri = err instanceof PayloadCodecError ? err.uri : 'wamp.error.runtime_error';
    this.sendInvocationError(inv.requestId, uri, [err.message], undefined, inv, true);
  }

  private endInvocation(inv: ActiveInvocation): void {
    inv.done = true;
    this.invocations.delete(inv.requestId);
  }

  // ---------------------------------------------------------------------------------------------
  // sending

  private assertOpen(): void {
    if (this.state !== 'established') {
      const reason = this.closeInfo?.reason ?? (this.state === 'joining' ? 'wamp.close.not_joined' : 'wamp.close.closing');
      throw new SessionClosedError(reason, `session is ${this.state}`);
    }
  }

  private transportUsable(): boolean {
    return this.state === 'established' || this.state === 'closing';
  }

  private requestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id >= MAX_ID ? 1 : id + 1;
    return id;
  }

  /** Encode and send one message now; report a failure to `onFail` (or abort the session if none). */
  private sendRaw(msg: unknown[], onFail?: (err: Error) => void): boolean {
    if (this.outChain && onFail) {
      this.enqueueOut(() => this.sendRaw(msg, onFail), onFail);
      return true;
    }
    try {
      this.transmit(msg);
      return true;
    } catch (e) {
      const err = e instanceof Error ? e : new WampboxError('ERR_TRANSPORT', String(e));
      if (onFail) onFail(err);
      return false;
    }
  }

  /** Serialize and hand one message to the transport, enforcing the send-buffer bound. */
  private transmit(msg: unknown[]): void {
    const t = this.transport;
    if (t.bufferedAmount > this.maxBuffered && msg[0] !== T.GOODBYE && msg[0] !== T.ABORT) {
      throw new TransportError(`send buffer holds ${t.bufferedAmount} bytes, over the bound of ${this.maxBuffered}; await session.drain()`, {
        code: 'ERR_BACKPRESSURE',
      });
    }
    if (this.tracing) this.logger.trace!('wamp send', describeMessage(msg));
    t.send(t.serializer.encode(msg));
  }

  private enqueueOut(step: () => unknown, onFail: (err: Error) => void): void {
    this.outQueued++;
    const next = (this.outChain ?? Promise.resolve()).then(step).then(undefined, onFail).then(() => {
      if (--this.outQueued === 0) this.outChain = null;
    });
    this.outChain = next;
  }

  /**
   * Run the codec on a payload, append it to `msg` in the router's dialect and send. Keeps message
   * order when the codec is asynchronous.
   */
  private sendWithPayload(
    msg: unknown[],
    options: Dict,
    ctx: PayloadContext,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    onFail: (err: Error) => void,
    onSent?: (opaque: boolean) => void,
  ): void {
    if (this.plain) {
      appendPlainPayload(msg, args, kwargs);
      if (this.sendRaw(msg, onFail) && onSent) onSent(false);
      return;
    }
    let wire: WirePayload | Promise<WirePayload>;
    try {
      wire = this.codec.encode({ args, kwargs }, ctx);
    } catch (e) {
      onFail(e as Error);
      return;
    }
    const finish = (w: WirePayload): void => {
      if (!this.transportUsable()) {
        onFail(new SessionClosedError(this.closeInfo?.reason ?? 'wamp.close.closing'));
        return;
      }
      appendWirePayload(msg, options, w, this.dialect);
      this.transmit(msg);
      onSent?.(w.kind === 'opaque');
    };
    if (this.outChain || isThenable(wire)) {
      const w = wire;
      this.enqueueOut(() => Promise.resolve(w).then(finish), onFail);
      return;
    }
    try {
      finish(wire);
    } catch (e) {
      onFail(e as Error);
    }
  }

  private startCall(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    options: CallOptions,
    resolve: (r: CallResult) => void,
    reject: (e: Error) => void,
  ): void {
    try {
      checkUri(procedure, 'procedure');
      this.assertOpen();
    } catch (e) {
      reject(e as Error);
      return;
    }
    const signal = options.signal;
    if (signal?.aborted) {
      reject(new CanceledError('call aborted before it was sent', { cause: signal.reason }));
      return;
    }
    const id = this.requestId();
    const o: Dict = options.wampOptions ? { ...options.wampOptions } : {};
    if (options.onProgress) o['receive_progress'] = true;
    if (options.discloseMe !== undefined) o['disclose_me'] = options.discloseMe;
    const p: PendingCall = {
      type: T.CALL,
      resolve: resolve as (v: unknown) => void,
      reject,
      procedure,
      opaque: false,
      abandoned: false,
      onProgress: options.onProgress,
      timer: undefined,
      cleanup: undefined,
    };
    this.pending.set(id, p);
    const mode = options.cancelMode ?? 'kill';
    if (signal) {
      const onAbort = (): void => this.abandonCall(id, p, mode, new CanceledError('call canceled', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      p.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      const ms = options.timeoutMs;
      p.timer = setTimeout(() => this.abandonCall(id, p, 'killnowait', new TimeoutError(`call to ${procedure} timed out after ${ms} ms`)), ms);
    }
    const ctx: PayloadContext = this.plain ? NO_CONTEXT : { uri: procedure, messageType: 'CALL', originating: true, sending: true };
    this.sendWithPayload(
      [T.CALL, id, o, procedure],
      o,
      ctx,
      args,
      kwargs,
      (err) => {
        this.pending.delete(id);
        this.settleCall(p);
        reject(err);
      },
      (opaque) => {
        p.opaque = opaque;
      },
    );
  }

  private settleCall(p: PendingCall): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    p.cleanup?.();
    p.cleanup = undefined;
  }

  private abandonCall(id: number, p: PendingCall, mode: string, err: Error): void {
    if (p.abandoned || this.pending.get(id) !== p) return;
    p.abandoned = true;
    this.settleCall(p);
    p.reject(err);
    if (this.state === 'established') this.sendRaw([T.CANCEL, id, { mode }], () => this.pending.delete(id));
    else this.pending.delete(id);
  }

  private sendInvocationError(
    requestId: number,
    uri: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    inv: ActiveInvocation | undefined,
    plainOnly = false,
  ): void {
    if (!this.transportUsable()) return;
    const details: Dict = {};
    const head: unknown[] = [T.ERROR, T.INVOCATION, requestId, details, uri];
    if (this.plain || plainOnly) {
      appendWirePayload(head, details, { kind: 'plain', args, kwargs }, this.dialect);
      this.sendRaw(head, (err) => this.emit('error', err));
      return;
    }
    const ctx: PayloadContext = this.plain ? NO_CONTEXT : {
      uri,
      messageType: 'ERROR',
      originating: false,
      sending: true,
      requestWasOpaque: inv?.opaque ?? false,
      procedure: inv?.procedure,
    };
    this.sendWithPayload(head, details, ctx, args, kwargs, (err) => {
      this.emit('error', err);
      // the codec refused the error payload: still answer, with a plain error the codec cannot object to
      const fallback: unknown[] = [T.ERROR, T.INVOCATION, requestId, {}, err instanceof PayloadCodecError ? err.uri : 'wamp.error.runtime_error'];
      this.sendRaw(fallback, (e2) => this.emit('error', e2));
    });
  }

  // ---------------------------------------------------------------------------------------------
  // receiving

  private onFrame(frame: string | Uint8Array | ArrayBuffer): void {
    if (this.state === 'closed') return;
    let msg: RouterMessage;
    try {
      msg = validateRouterMessage(this.transport.serializer.decode(frame));
    } catch (e) {
      const err = e instanceof ProtocolError ? e : new ProtocolError(`undecodable frame from router: ${(e as Error).message}`, { cause: e });
      this.violation(err);
      return;
    }
    this.received++;
    if (this.tracing) this.logger.trace!('wamp receive', describeMessage(msg));
    if (this.inChain) {
      this.inQueued++;
      this.inChain = this.inChain.then(() => this.dispatch(msg)).then(() => {
        if (--this.inQueued === 0) this.inChain = null;
      });
      return;
    }
    const r = this.dispatch(msg);
    if (r) {
      this.inQueued++;
      this.inChain = r.then(() => {
        if (--this.inQueued === 0) this.inChain = null;
      });
    }
  }

  /** Handle one validated message. Returns a promise only when payload decoding is asynchronous. */
  private dispatch(msg: RouterMessage): Promise<void> | void {
    if (this.state === 'closed') return;
    try {
      switch (msg[0]) {
        case T.EVENT:
          return this.onEvent(msg[1], msg[2], msg[3], msg[4], msg[5]);
        case T.RESULT:
          return this.onResult(msg[1], msg[2], msg[3], msg[4]);
        case T.INVOCATION:
          return this.onInvocation(msg[1], msg[2], msg[3], msg[4], msg[5]);
        case T.ERROR:
          return this.onError(msg[1], msg[2], msg[3], msg[4], msg[5], msg[6]);
        case T.PUBLISHED:
          return this.onAck(T.PUBLISH, msg[1], msg[2]);
        case T.SUBSCRIBED:
          return this.onSubscribed(msg[1], msg[2]);
        case T.REGISTERED:
          return this.onRegistered(msg[1], msg[2]);
        case T.UNSUBSCRIBED:
          return this.onUnsubscribed(msg[1], msg[2]);
        case T.UNREGISTERED:
          return this.onUnregistered(msg[1], msg[2]);
        case T.INTERRUPT:
          return this.onInterrupt(msg[1], msg[2]);
        case T.WELCOME:
          return this.onWelcome(msg[1], msg[2]);
        case T.CHALLENGE:
          return this.onChallenge(msg[1], msg[2]);
        case T.ABORT:
          return this.onAbort(msg[1], msg[2]);
        case T.GOODBYE:
          return this.onGoodbye(msg[1], msg[2]);
      }
    } catch (e) {
      if (e instanceof ProtocolError) this.violation(e);
      else this.emit('error', e as Error);
    }
  }

  private requireEstablished(type: number): void {
    if (this.state !== 'established' && this.state !== 'closing') {
      throw new ProtocolError(`${MessageTypeName[type]} received before the session was established`);
    }
  }

  private takePending(requestType: number, requestId: number, replyName: string): Pending | undefined {
    const p = this.pending.get(requestId);
    if (!p) {
      throw new ProtocolError(`${replyName} for unknown request ${requestId}`);
    }
    if (p.type !== requestType) {
      throw new ProtocolError(`${replyName} answers request ${requestId}, which was a ${MessageTypeName[p.type]}`);
    }
    return p;
  }

  /** Decode a payload with the codec, then continue with `then` (sync when possible). */
  private decodePayload<A>(
    slot: ArgsSlot | undefined,
    kw: Dict | undefined,
    details: Dict,
    ctx: PayloadContext,
    then: (p: Payload, a: A, opaque: boolean) => void,
    fail: (err: Error, a: A) => void,
    a: A,
  ): Promise<void> | void {
    if (this.plain && isPlainPayload(slot, details)) {
      then({ args: slot, kwargs: kw }, a, false);
      return;
    }
    let wire: WirePayload;
    let out: Payload | Promise<Payload>;
    try {
      wire = readWirePayload(slot, kw, details);
      out = this.codec.decode(wire, ctx);
    } catch (e) {
      fail(e as Error, a);
      return;
    }
    const opaque = wire.kind === 'opaque';
    if (isThenable<Payload>(out)) {
      return Promise.resolve(out).then(
        (p) => then(p, a, opaque),
        (e: unknown) => fail(e as Error, a),
      );
    }
    then(out, a, opaque);
  }

  private onEvent(subId: number, pubId: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    this.requireEstablished(T.EVENT);
    const entry = this.subscriptions.get(subId);
    if (!entry) return; // unsubscribed while the event was under way
    const topic = typeof details['topic'] === 'string' ? (details['topic'] as string) : entry.topic;
    if (this.plain && isPlainPayload(slot, details)) {
      this.deliverEvent(entry, slot, kw, details, topic, pubId);
      return;
    }
    const ctx: PayloadContext = { uri: topic, messageType: 'EVENT', originating: false, sending: false };
    return this.decodePayload(
      slot,
      kw,
      details,
      ctx,
      (p, e) => this.deliverEvent(e, p.args, p.kwargs, details, topic, pubId),
      (err) => this.emit('error', err),
      entry,
    );
  }

  private deliverEvent(entry: SubscriptionEntry, args: unknown[] | undefined, kwargs: Dict | undefined, details: Dict, topic: string, publication: number): void {
    const ev: EventData = { args: toArgs(args), kwargs: toKwargs(kwargs), details, topic, publication };
    for (const sub of entry.subs) {
      if (sub.iterated) sub.push(ev);
      const h = sub.handler;
      if (!h) continue;
      try {
        const r = h(ev);
        if (isThenable(r)) (r as Promise<void>).then(undefined, (e: unknown) => this.emit('error', e as Error));
      } catch (e) {
        this.emit('error', e as Error);
      }
    }
  }

  private onResult(requestId: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    this.requireEstablished(T.RESULT);
    const p = this.takePending(T.CALL, requestId, 'RESULT') as PendingCall;
    const progress = details['progress'] === true;
    if (!progress) this.pending.delete(requestId);
    if (p.abandoned) return;
    if (!progress) this.settleCall(p);
    if (this.plain && isPlainPayload(slot, details)) {
      this.deliverResult(p, slot, kw, details, progress);
      return;
    }
    const ctx: PayloadContext = {
      uri: p.procedure,
      messageType: 'RESULT',
      originating: true,
      sending: false,
      requestWasOpaque: p.opaque,
      procedure: p.procedure,
    };
    return this.decodePayload(
      slot,
      kw,
      details,
      ctx,
      (payload, call) => this.deliverResult(call, payload.args, payload.kwargs, details, progress),
      (err, call) => {
        if (progress) {
          // a progressive result that cannot be opened fails the whole call
          this.abandonCall(requestId, call, 'killnowait', err);
        } else call.reject(err);
      },
      p,
    );
  }

  private deliverResult(call: PendingCall, args: unknown[] | undefined, kwargs: Dict | undefined, details: Dict, progress: boolean): void {
    const r: CallResult = { args: toArgs(args), kwargs: toKwargs(kwargs), details, progress };
    if (!progress) call.resolve(r);
    else if (call.onProgress) {
      try {
        call.onProgress(r);
      } catch (e) {
        this.emit('error', e as Error);
      }
    }
  }

  private onError(requestType: number, requestId: number, details: Dict, uri: string, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    this.requireEstablished(T.ERROR);
    const name = `ERROR (for ${MessageTypeName[requestType] ?? requestType})`;
    const p = this.takePending(requestType, requestId, name);
    if (!p) return;
    this.pending.delete(requestId);
    if (requestType === T.CALL) {
      const call = p as PendingCall;
      if (call.abandoned) return;
      this.settleCall(call);
      const ctx: PayloadContext = this.plain ? NO_CONTEXT : {
        uri,
        messageType: 'ERROR',
        originating: true,
        sending: false,
        requestWasOpaque: call.opaque,
        procedure: call.procedure,
      };
      return this.decodePayload(
        slot,
        kw,
        details,
        ctx,
        (payload, c) => c.reject(new ApplicationError(uri, toArgs(payload.args), toKwargs(payload.kwargs), details)),
        (err, c) => c.reject(err),
        call,
      );
    }
    // errors for PUBLISH/SUBSCRIBE/REGISTER/...: router errors, plain
    const args = Array.isArray(slot) ? slot : [];
    p.reject(new ApplicationError(uri, args, toKwargs(kw), details));
  }

  private onAck(requestType: number, requestId: number, value: number): void {
    this.requireEstablished(requestType + 1);
    const p = this.takePending(requestType, requestId, MessageTypeName[requestType + 1] ?? 'reply');
    this.pending.delete(requestId);
    p?.resolve(value);
  }

  private onSubscribed(requestId: number, subId: number): void {
    this.requireEstablished(T.SUBSCRIBED);
    const p = this.takePending(T.SUBSCRIBE, requestId, 'SUBSCRIBED') as PendingSubscribe;
    this.pending.delete(requestId);
    let entry = this.subscriptions.get(subId);
    if (!entry) {
      entry = { topic: p.topic, subs: new Set() };
      this.subscriptions.set(subId, entry);
    }
    const sub = new Subscription(this.subOwner, subId, p.topic, p.options, p.handler);
    entry.subs.add(sub);
    p.resolve(sub);
  }

  private onRegistered(requestId: number, regId: number): void {
    this.requireEstablished(T.REGISTERED);
    const p = this.takePending(T.REGISTER, requestId, 'REGISTERED') as PendingRegister;
    this.pending.delete(requestId);
    const reg = new Registration(this.regOwner, regId, p.procedure, p.options, p.handler);
    this.registrations.set(regId, reg);
    p.resolve(reg);
  }

  private onUnsubscribed(requestId: number, details?: Dict): void {
    this.requireEstablished(T.UNSUBSCRIBED);
    if (requestId === 0) {
      // the router revoked a subscription
      const subId = details?.['subscription'];
      const entry = typeof subId === 'number' ? this.subscriptions.get(subId) : undefined;
      if (entry && typeof subId === 'number') {
        this.subscriptions.delete(subId);
        const reason = typeof details?.['reason'] === 'string' ? (details['reason'] as string) : 'wamp.error.subscription_revoked';
        for (const sub of entry.subs) sub.end(new SessionClosedError(reason, `subscription revoked by the router (${reason})`));
      }
      return;
    }
    const p = this.takePending(T.UNSUBSCRIBE, requestId, 'UNSUBSCRIBED') as PendingUnsubscribe;
    this.pending.delete(requestId);
    const entry = this.subscriptions.get(p.subscriptionId);
    if (entry) {
      this.subscriptions.delete(p.subscriptionId);
      for (const sub of entry.subs) sub.end();
    }
    p.resolve(undefined);
  }

  private onUnregistered(requestId: number, details?: Dict): void {
    this.requireEstablished(T.UNREGISTERED);
    if (requestId === 0) {
      const regId = details?.['registration'];
      const reg = typeof regId === 'number' ? this.registrations.get(regId) : undefined;
      if (reg) {
        this.registrations.delete(reg.id);
        reg.end();
      }
      return;
    }
    const p = this.takePending(T.UNREGISTER, requestId, 'UNREGISTERED') as PendingUnregister;
    this.pending.delete(requestId);
    this.registrations.delete(p.registration.id);
    p.registration.end();
    p.resolve(undefined);
  }

  private onInvocation(requestId: number, regId: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    this.requireEstablished(T.INVOCATION);
    const reg = this.registrations.get(regId);
    if (!reg) {
      this.sendInvocationError(requestId, 'wamp.error.no_such_registration', [`no registration ${regId} in this session`], undefined, undefined, true);
      return;
    }
    const procedure = typeof details['procedure'] === 'string' ? (details['procedure'] as string) : reg.procedure;
    if (this.plain && isPlainPayload(slot, details)) {
      this.invoke(reg, requestId, procedure, details, slot, kw, false);
      return;
    }
    const ctx: PayloadContext = { uri: procedure, messageType: 'INVOCATION', originating: false, sending: false };
    return this.decodePayload(
      slot,
      kw,
      details,
      ctx,
      (p, r, opaque) => this.invoke(r, requestId, procedure, details, p.args, p.kwargs, opaque),
      (err) => {
        this.emit('error', err);
        const uri = err instanceof PayloadCodecError ? err.uri : 'wamp.error.invalid_argument';
        this.sendInvocationError(requestId, uri, [err.message], undefined, undefined, true);
      },
      reg,
    );
  }

  private invoke(reg: Registration, requestId: number, procedure: string, details: Dict, args: unknown[] | undefined, kwargs: Dict | undefined, opaque: boolean): void {
    const inv: ActiveInvocation = {
      requestId,
      procedure,
      opaque,
      receiveProgress: details['receive_progress'] === true,
      controller: new AbortController(),
      done: false,
    };
    this.invocations.set(requestId, inv);
    const invocation = new InvocationImpl(this, inv, toArgs(args), toKwargs(kwargs), details);
    let out: unknown;
    try {
      out = reg.handler(invocation);
    } catch (e) {
      this.invocationFailed(inv, e);
      return;
    }
    if (isThenable(out)) {
      (out as Promise<unknown>).then(
        (v) => this.invocationReturned(inv, v),
        (e: unknown) => this.invocationFailed(inv, e),
      );
    } else this.invocationReturned(inv, out);
  }

  private invocationReturned(inv: ActiveInvocation, value: unknown): void {
    if (inv.done) return;
    if (value instanceof Result) this._yield(inv, value.args, value.kwargs, false);
    else if (value === undefined) this._yield(inv, undefined, undefined, false);
    else this._yield(inv, [value], undefined, false);
  }

  private invocationFailed(inv: ActiveInvocation, e: unknown): void {
    if (inv.done) return;
    this.endInvocation(inv);
    if (e instanceof ApplicationError) {
      this.sendInvocationError(inv.requestId, e.uri, e.args, e.kwargs, inv);
    } else {
      const message = e instanceof Error ? e.message : typeof e === 'string' ? e : 'procedure failed';
      this.sendInvocationError(inv.requestId, 'wamp.error.runtime_error', [message], undefined, inv);
    }
  }

  private onInterrupt(requestId: number, options: Dict): void {
    this.requireEstablished(T.INTERRUPT);
    const inv = this.invocations.get(requestId);
    if (!inv) return; // already answered
    this.endInvocation(inv);
    const mode = typeof options['mode'] === 'string' ? options['mode'] : 'kill';
    inv.controller.abort(new CanceledError(`invocation interrupted by the caller (${mode})`));
    if (mode !== 'killnowait') this.sendInvocationError(requestId, 'wamp.error.canceled', ['canceled'], undefined, inv, true);
  }

  private onWelcome(sessionId: number, details: Dict): void {
    if (this.state !== 'joining') throw new ProtocolError('WELCOME received on an established session');
    const roles = (details['roles'] as Dict | undefined) ?? {};
    this.dialect = dialectFromRoles(roles);
    const str = (k: string): string | undefined => (typeof details[k] === 'string' ? (details[k] as string) : undefined);
    this.welcomeInfo = {
      sessionId,
      realm: str('realm') ?? this.options.realm,
      authid: str('authid'),
      authrole: str('authrole'),
      authmethod: str('authmethod'),
      authprovider: str('authprovider'),
      authextra: (details['authextra'] as Dict | undefined) ?? undefined,
      roles,
      details,
    };
    this.state = 'established';
    const settle = this.joinSettle;
    this.joinSettle = null;
    settle?.resolve(this);
  }

  private onChallenge(method: string, extra: Dict): Promise<void> | void {
    if (this.state !== 'joining') throw new ProtocolError('CHALLENGE received on an established session');
    const handler = this.options.onChallenge;
    if (!handler) {
      this.abortJoin('wamp.error.authentication_failed', `no handler for the ${method} challenge`);
      return;
    }
    const answer = (r: ChallengeResponse): void => {
      if (this.state !== 'joining') return;
      const signature = typeof r === 'string' ? r : r.signature;
      const ex = typeof r === 'string' ? {} : (r.extra ?? {});
      this.sendRaw([T.AUTHENTICATE, signature, ex], (err) => this.abortJoin('wamp.error.authentication_failed', err.message));
    };
    const failed = (e: unknown): void => this.abortJoin('wamp.error.authentication_failed', `challenge handler failed: ${(e as Error)?.message ?? e}`);
    let r: ChallengeResponse | Promise<ChallengeResponse>;
    try {
      r = handler(method, extra);
    } catch (e) {
      failed(e);
      return;
    }
    if (isThenable<ChallengeResponse>(r)) {
      Promise.resolve(r).then(answer, failed);
      return;
    }
    answer(r);
  }

  private abortJoin(reason: string, message: string): void {
    if (this.state !== 'joining') return;
    this.sendRaw([T.ABORT, { message }, reason]);
    this.finish({ reason, details: { message }, local: true, clean: false }, new JoinRefusedError(reason, { message }, { code: 'ERR_AUTHENTICATION' }));
    void this.transport.close();
  }

  private onAbort(details: Dict, reason: string): void {
    const joining = this.state === 'joining';
    const authFailure = reason === 'wamp.error.authentication_failed' || reason === 'wamp.error.not_authorized' || reason === 'wamp.error.no_auth_method' || reason === 'wamp.error.no_such_principal' || reason === 'wamp.error.no_such_role' || reason === 'wamp.error.authorization_failed';
    const error = joining
      ? new JoinRefusedError(reason, details, { code: authFailure ? 'ERR_AUTHENTICATION' : 'ERR_JOIN_REFUSED' })
      : new SessionClosedError(reason, `router aborted the session (${reason})`);
    this.finish({ reason, details, local: false, clean: false }, error);
    void this.transport.close();
  }

  private onGoodbye(details: Dict, reason: string): void {
    if (this.state === 'joining') throw new ProtocolError('GOODBYE received before WELCOME');
    if (this.state === 'closing') {
      // reply to our GOODBYE
      this.finish({ reason: this.closeReasonSent(), details, local: true, clean: true }, new SessionClosedError(reason));
    } else {
      this.sendRaw([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      this.finish({ reason, details, local: false, clean: true }, new SessionClosedError(reason));
    }
    void this.transport.close();
  }

  private closeReasonSent(): string {
    return this.closeReason;
  }

  private violation(err: ProtocolError): void {
    if (this.state === 'closed') return;
    this.sendRaw([T.ABORT, { message: err.message }, 'wamp.error.protocol_violation']);
    this.emit('error', err);
    this.finish({ reason: 'wamp.error.protocol_violation', details: { message: err.message }, local: true, clean: false, error: err }, err);
    void this.transport.close(1000, 'protocol violation');
  }

  private onTransportClose(info: TransportCloseInfo): void {
    if (this.state === 'closed') return;
    const reason = info.local ? 'wamp.close.transport_closed' : 'wamp.close.transport_lost';
    const error =
      info.error instanceof WampboxError
        ? info.error
        : new SessionClosedError(reason, `connection lost${info.reason ? `: ${info.reason}` : ''}${info.code ? ` (code ${info.code})` : ''}`, {
            code: 'ERR_CONNECTION_LOST',
            cause: info.error,
          });
    this.finish({ reason, details: {}, local: info.local, clean: false, error }, error);
  }

  /** End the session: settle everything that is pending, exactly once. */
  private finish(info: CloseInfo, error: Error): void {
    if (this.state === 'closed') return;
    const wasJoining = this.state === 'joining';
    this.state = 'closed';
    if (this.closeTimer) clearTimeout(this.closeTimer);
    const full: CloseInfo = info.error || error instanceof SessionClosedError ? info : { ...info, error };
    this.closeInfo = full;
    if (wasJoining) {
      const settle = this.joinSettle;
      this.joinSettle = null;
      settle?.reject(error);
    }
    const pendingError =
      error instanceof SessionClosedError || error instanceof ProtocolError || error instanceof JoinRefusedError || error instanceof TimeoutError
        ? error
        : new SessionClosedError(info.reason, undefined, { code: 'ERR_CONNECTION_LOST', cause: error });
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      if (p.type === T.CALL) {
        const c = p as PendingCall;
        this.settleCall(c);
        if (c.abandoned) continue;
      }
      p.reject(pendingError);
    }
    for (const inv of this.invocations.values()) {
      inv.done = true;
      inv.controller.abort(pendingError);
    }
    this.invocations.clear();
    for (const entry of this.subscriptions.values()) for (const sub of entry.subs) sub.end(info.clean ? undefined : pendingError);
    this.subscriptions.clear();
    for (const reg of this.registrations.values()) reg.end();
    this.registrations.clear();
    this.resolveClosed(full);
    this.emit('close', full);
  }
}
