/**
 * A WAMP session: the four client roles (caller, callee, publisher, subscriber) over one
 * transport, with payloads passing through a {@link PayloadCodec} when one is configured.
 *
 * Fields are declared with `declare` and assigned in constructors, so no field definitions are
 * emitted (a bundle for a target without class fields would turn each into a `defineProperty` call).
 */
import { checkArgs, checkDuration, checkKwargs, checkString, checkUri, isPlainObject } from './checks.js';
import { Emitter } from './emitter.js';
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
import { EventQueue } from './event-queue.js';
import { helloDetails } from './features.js';
import { describeMessage, errorLogFields } from './logger.js';
import type { Logger } from './logger.js';
import { MessageType as T, MessageTypeName, validateRouterMessage } from './messages.js';
import type { ArgsSlot, Dict, RouterMessage } from './messages.js';
import { isPassthrough } from './passthrough.js';
import type { PayloadCodec, PayloadContext } from './payload-codec.js';
import { Registration } from './registration.js';
import { checkCall, checkJoinOptions, checkPublish, checkRegister, checkSubscribe } from './option-checks.js';
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
import { isValidUri } from './uri.js';
import type { UriRules } from './uri.js';
import { appendPlainPayload, decodeWith, dialectFromRoles, encodeWith, isThenable } from './wire-dialect.js';
import type { OpenedPayload, PayloadDialect } from './wire-dialect.js';

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
  /**
   * Which WAMP URI rules the URIs this session sends are checked against before they go out:
   * `loose` (the default: no empty components, no whitespace or `#`) or `strict` (only `a-z`,
   * `0-9`, `_`). A URI that breaks them is refused with `ERR_INVALID_ARGUMENT`.
   */
  uriRules?: UriRules | undefined;
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

/** A request awaiting the router's reply. */
interface Pending {
  /** Message type of the request (CALL, PUBLISH, SUBSCRIBE, ...). */
  readonly type: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface PendingCall extends Pending {
  readonly procedure: string;
  /** The CALL went out opaque. */
  opaque: boolean;
  /** Canceled or timed out locally: the promise has settled; the router's final reply is swallowed. */
  abandoned: boolean;
  readonly onProgress: ((r: CallResult) => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the abort listener. */
  cleanup: (() => void) | undefined;
}

type Queue = 'inChain' | 'outChain';

function ignore(): void {}

/** `true` when a received payload is plain: no opaque binary, no scheme attributes. */
function isPlain(slot: ArgsSlot | undefined, details: Dict): slot is unknown[] | undefined {
  return !(slot instanceof Uint8Array) && details['enc_algo'] === undefined && details['ppt_scheme'] === undefined;
}

/**
 * The WAMP options of a request: a copy of the pass-through `wampOptions`, plus each option in
 * `names` that is set, under its snake_case wire name (`excludeMe` → `exclude_me`).
 */
function wireOptions(o: { wampOptions?: Dict | undefined }, names?: readonly string[]): Dict {
  const wire: Dict = o.wampOptions ? { ...o.wampOptions } : {};
  if (names) {
    for (const k of names) {
      const v = (o as Dict)[k];
      if (v !== undefined) wire[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
    }
  }
  return wire;
}

const PUBLISH_OPTIONS = 'excludeMe exclude eligible excludeAuthid excludeAuthrole eligibleAuthid eligibleAuthrole discloseMe retain'.split(' ');

/** An invocation being handled: what the procedure handler sees, plus the session's bookkeeping. */
class InvocationImpl implements Invocation {
  declare readonly session: Session;
  declare readonly requestId: number;
  declare readonly procedure: string;
  /** The INVOCATION arrived opaque. */
  declare readonly opaque: boolean;
  declare readonly args: unknown[];
  declare readonly kwargs: Dict;
  declare readonly details: Dict;
  declare readonly receiveProgress: boolean;
  /** Answered, interrupted, or the session ended: nothing more goes out for it. */
  declare done: boolean;
  /** Made when the handler first reads `signal`. */
  declare controller: AbortController | undefined;
  declare abortReason: Error | undefined;

  constructor(session: Session, requestId: number, procedure: string, opaque: boolean, args: unknown[] | undefined, kwargs: Dict | undefined, details: Dict) {
    this.session = session;
    this.requestId = requestId;
    this.procedure = procedure;
    this.opaque = opaque;
    this.args = args ?? [];
    this.kwargs = kwargs ?? {};
    this.details = details;
    this.receiveProgress = details['receive_progress'] === true;
    this.done = false;
    this.controller = this.abortReason = undefined;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  progress(args?: unknown[], kwargs?: Dict): boolean {
    checkArgs(args);
    checkKwargs(kwargs);
    if (!this.receiveProgress || this.done) return false;
    this.session._yield(this, args, kwargs, true);
    return true;
  }

  /** Abort the handler's signal (now, or when it is first read). */
  abort(reason: Error): void {
    this.abortReason = reason;
    this.controller?.abort(reason);
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
export class Session extends Emitter<SessionEvents> {
  declare private readonly transport: Transport;
  declare private readonly options: JoinOptions;
  declare private state: State;
  /** The codec, unless it is the passthrough codec (which is bypassed). */
  declare private readonly codec: PayloadCodec | undefined;
  declare private dialect: PayloadDialect;
  /** What WELCOME granted. Set once joined. */
  declare private welcomeInfo: WelcomeInfo | undefined;
  declare private nextRequestId: number;
  declare private readonly pending: Map<number, Pending>;
  declare private readonly subscriptions: Map<number, SubscriptionEntry>;
  declare private readonly registrations: Map<number, Registration>;
  /**
   * Invocations whose handler returned a promise, until answered: what INTERRUPT looks up and the
   * session's end aborts. One that is answered before its handler returns never enters it.
   */
  declare private readonly invocations: Map<number, InvocationImpl>;
  /** The invocation whose handler is running right now (the session's end aborts it too). */
  declare private running: InvocationImpl | undefined;
  /** Holds sends back while an asynchronous codec step is in flight, so messages keep their order. */
  declare private outChain: Promise<void> | undefined;
  /** Holds message handling back while an asynchronous decode is in flight. */
  declare private inChain: Promise<void> | undefined;
  declare private joinSettle: { resolve(s: Session): void; reject(e: Error): void } | undefined;
  /** The join timeout while joining, the GOODBYE timeout while closing. */
  declare private timer: ReturnType<typeof setTimeout> | undefined;
  declare private closeInfo: CloseInfo | undefined;
  /** The reason our GOODBYE gave. */
  declare private closeReason: string;
  declare private readonly closedPromise: Promise<CloseInfo>;
  declare private resolveClosed: (info: CloseInfo) => void;
  /** The logger when message tracing is on. */
  declare private readonly tracer: Logger | undefined;
  declare private readonly maxBuffered: number;
  /** The URI rules of {@link JoinOptions.uriRules}. */
  declare private readonly rules: UriRules;
  /** Frames received so far (for liveness checks). */
  declare private received: number;
  /** Emits an error on `error`, or logs it as a warning when nobody listens. */
  declare private readonly report: (err: unknown) => void;
  /** What subscriptions and registrations call back into. */
  declare private readonly owner: { unsubscribe(s: Subscription): Promise<void>; unregister(r: Registration): Promise<void> };

  /** @internal Use `connect()` or {@link Session.join}. */
  constructor(transport: Transport, options: JoinOptions) {
    super();
    this.transport = transport;
    this.options = options;
    this.state = 'joining';
    const codec = options.codec;
    this.codec = codec && !isPassthrough(codec) ? codec : undefined;
    this.dialect = 'none';
    this.nextRequestId = 1;
    this.pending = new Map();
    this.subscriptions = new Map();
    this.registrations = new Map();
    this.invocations = new Map();
    this.running = undefined;
    this.tracer = options.trace === true && typeof options.logger?.trace === 'function' ? options.logger : undefined;
    this.maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.rules = options.uriRules ?? 'loose';
    this.received = 0;
    this.closedPromise = new Promise<CloseInfo>((resolve) => {
      this.resolveClosed = resolve;
    });
    const logger = options.logger;
    this.report = (err) => {
      if (!this.emit('error', err as Error) && logger?.warn) logger.warn('session error without an error listener', errorLogFields(err));
    };
    this.owner = { unsubscribe: (s) => this.unsubscribeOne(s), unregister: (r) => this.unregisterOne(r) };
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
    return new Promise<Session>((resolve, reject) => {
      const ms = options.joinTimeoutMs ?? 15000;
      s.joinSettle = { resolve, reject };
      s.timer = setTimeout(() => s.finish('wamp.close.timeout', new TimeoutError(`no WELCOME within ${ms} ms`)), ms);
      transport.attach({ onFrame: (f) => s.onFrame(f), onClose: (i) => s.onTransportClose(i) });
      // a HELLO that cannot go out (too large for the transport, say) fails the join now
      if (s.state === 'joining') s.sendRaw([T.HELLO, options.realm, helloDetails(options)], (err) => s.finish('wamp.close.transport_closed', err));
    });
  }

  /** @internal A listener threw and no `error` listener took the error: log it. */
  protected override unheard(err: unknown, event: keyof SessionEvents): void {
    this.options.logger?.warn?.(`a session ${String(event)} listener threw`, errorLogFields(err));
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

  /** Resolves (never rejects) once the session has ended, with why. */
  get closed(): Promise<CloseInfo> {
    return this.closedPromise;
  }

  /**
   * Resolves once the transport's send buffer is at or below the high-water mark (immediately if
   * it already is). Rejects with `ERR_SESSION_CLOSED` if the session ends first.
   */
  drain(): Promise<void> {
    const limit = this.options.highWaterMarkBytes ?? 1024 * 1024;
    if (this.transport.bufferedAmount <= limit) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.state === 'closed') reject(new SessionClosedError(this.closeInfo?.reason ?? 'wamp.close.transport_lost'));
        else if (this.transport.bufferedAmount <= limit) resolve();
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
    this.finish('wamp.close.transport_lost', new SessionClosedError('wamp.close.transport_lost', message, { code: 'ERR_CONNECTION_LOST' }), { message }, true, false, message);
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
    // a throw in the executor rejects the promise
    return new Promise<CallResult>((resolve, reject) => {
      checkCall(procedure, args, kwargs, options, this.rules);
      this.assertOpen();
      if (options.signal?.aborted) throw new CanceledError('call aborted before it was sent', { cause: options.signal.reason });
      const id = this.requestId();
      const o = wireOptions(options);
      if (options.discloseMe !== undefined) o['disclose_me'] = options.discloseMe;
      if (options.onProgress) o['receive_progress'] = true;
      const p: PendingCall = { type: T.CALL, resolve: resolve as (v: unknown) => void, reject, procedure, opaque: false, abandoned: false, onProgress: options.onProgress, timer: undefined, cleanup: undefined };
      this.pending.set(id, p);
      if (options.signal || options.timeoutMs) this.watchCall(id, p, options);
      this.sendPayload(
        [T.CALL, id, o, procedure],
        o,
        args,
        kwargs,
        (err) => {
          this.pending.delete(id);
          this.settleCall(p);
          reject(err);
        },
        this.codec &&
          ((opaque) => {
            p.opaque = opaque;
          }),
      );
    });
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
    const results = new EventQueue<CallResult>();
    const controller = new AbortController();
    const outer = options.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (outer?.aborted) controller.abort(outer.reason);
    this.call(procedure, args, kwargs, { ...options, signal: controller.signal, onProgress: (r) => results.push(r) })
      .then(
        (r) => {
          results.push(r);
          results.end();
        },
        (e: unknown) => results.end(e),
      )
      .finally(() => outer?.removeEventListener('abort', onOuterAbort));
    return results.iterator(async () => {
      if (!results.done) controller.abort(new CanceledError('progressive call iteration stopped'));
    });
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
      checkPublish(topic, args, kwargs, options, this.rules);
      this.assertOpen();
      const id = this.requestId();
      const o = wireOptions(options, PUBLISH_OPTIONS);
      const ack = options.acknowledge === true;
      if (ack) {
        o['acknowledge'] = true;
        this.pending.set(id, { type: T.PUBLISH, resolve: resolve as (v: unknown) => void, reject });
      }
      this.sendPayload(
        [T.PUBLISH, id, o, topic],
        o,
        args,
        kwargs,
        (err) => {
          if (ack) this.pending.delete(id);
          reject(err);
        },
        ack ? undefined : () => resolve(undefined),
      );
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
  async subscribe(topic: string, handler?: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    checkSubscribe(topic, handler, options, this.rules);
    const o = wireOptions(options);
    if (options.match && options.match !== 'exact') o['match'] = options.match;
    if (options.getRetained) o['get_retained'] = true;
    return this.request([T.SUBSCRIBE, 0, o, topic], (subId) => {
      let entry = this.subscriptions.get(subId);
      if (!entry) this.subscriptions.set(subId, (entry = { topic, subs: new Set() }));
      const sub = new Subscription(this.owner, subId, topic, options, handler);
      entry.subs.add(sub);
      return sub;
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
  async register(procedure: string, handler: ProcedureHandler, options: RegisterOptions = {}): Promise<Registration> {
    checkRegister(procedure, handler, options, this.rules);
    const o = wireOptions(options);
    if (options.match && options.match !== 'exact') o['match'] = options.match;
    if (options.invoke && options.invoke !== 'single') o['invoke'] = options.invoke;
    return this.request([T.REGISTER, 0, o, procedure], (regId) => {
      const reg = new Registration(this.owner, regId, procedure, options, handler);
      this.registrations.set(regId, reg);
      return reg;
    });
  }

  /**
   * Leave the realm: GOODBYE handshake, then the transport closes. Resolves with the close info.
   * Rejects only for invalid arguments (`ERR_INVALID_ARGUMENT`: `reason` not a URI, `message` not
   * a string), and then nothing is sent and the session stays open.
   */
  close(reason = 'wamp.close.close_realm', message?: string): Promise<CloseInfo> {
    try {
      checkUri(reason, 'reason', this.rules);
      checkString(message, 'message');
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const details: Dict = message ? { message } : {};
    if (this.state === 'established') {
      this.state = 'closing';
      this.closeReason = reason;
      this.sendRaw([T.GOODBYE, details, reason], () => void this.transport.close());
      this.timer = setTimeout(() => this.finish(reason, new SessionClosedError(reason)), this.options.closeTimeoutMs ?? 5000);
    } else if (this.state === 'joining') {
      this.sendRaw([T.ABORT, details, 'wamp.close.system_shutdown']);
      this.finish(reason, new SessionClosedError(reason, 'session closed while joining'));
    }
    return this.closedPromise;
  }

  // ---------------------------------------------------------------------------------------------
  // requests with one reply, and what subscriptions, registrations and invocations call back into

  /**
   * Send a request the router answers with one reply (SUBSCRIBED, UNSUBSCRIBED, REGISTERED,
   * UNREGISTERED): `msg[1]` is set to a new request id, and the promise resolves with what `then`
   * makes of the reply's id.
   */
  private request<V>(msg: unknown[], then: (id: number) => V): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.assertOpen();
      const id = (msg[1] = this.requestId());
      this.pending.set(id, { type: msg[0] as number, resolve: (v) => resolve(then(v as number)), reject });
      this.sendRaw(msg, (err) => {
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  private unsubscribeOne(sub: Subscription): Promise<void> {
    const entry = this.subscriptions.get(sub.id);
    if (entry?.subs.size === 1 && entry.subs.has(sub)) {
      return this.request([T.UNSUBSCRIBE, 0, sub.id], () => {
        const current = this.subscriptions.get(sub.id);
        this.subscriptions.delete(sub.id);
        if (current) for (const s of current.subs) s.end();
      });
    }
    // unknown, or other local subscriptions share the router subscription
    entry?.subs.delete(sub);
    sub.end();
    return Promise.resolve();
  }

  private unregisterOne(reg: Registration): Promise<void> {
    if (this.registrations.get(reg.id) !== reg) {
      reg.end();
      return Promise.resolve();
    }
    return this.request([T.UNREGISTER, 0, reg.id], () => {
      this.registrations.delete(reg.id);
      reg.end();
    });
  }

  /** @internal Send a YIELD (final or progressive) for an invocation. */
  _yield(inv: InvocationImpl, args: unknown[] | undefined, kwargs: Dict | undefined, progress: boolean): void {
    if (inv.done) return;
    if (!progress) this.endInvocation(inv);
    if (!this.transportUsable()) return;
    const o: Dict = progress ? { progress: true } : {};
    this.sendPayload(
      [T.YIELD, inv.requestId, o],
      o,
      args,
      kwargs,
      (err) => {
        this.endInvocation(inv);
        if (this.state === 'closed') return; // ended while the YIELD waited: nobody to answer
        this.report(err);
        this.sendInvocationError(inv.requestId, err instanceof PayloadCodecError ? err.uri : 'wamp.error.runtime_error', [err.message]);
      },
      undefined,
      inv,
    );
  }

  private endInvocation(inv: InvocationImpl): void {
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
    this.nextRequestId = id >= 2 ** 53 ? 1 : id + 1;
    return id;
  }

  /**
   * Send one message: now, or after what an asynchronous codec step holds back (only with
   * `onFail`). A failure goes to `onFail`; without one it is dropped. Returns `false` when it failed now.
   */
  private sendRaw(msg: unknown[], onFail?: (err: Error) => void): boolean {
    if (this.outChain && onFail) {
      this.queue('outChain', () => this.transmitIfUsable(msg), onFail);
      return true;
    }
    try {
      this.transmit(msg);
      return true;
    } catch (e) {
      // a custom transport may throw anything: what reaches the application is typed
      onFail?.(e instanceof WampboxError ? e : new TransportError(e instanceof Error ? e.message : String(e), { cause: e }));
      return false;
    }
  }

  /** Serialize and hand one message to the transport, enforcing the send-buffer bound. */
  private transmit(msg: unknown[]): void {
    const t = this.transport;
    if (t.bufferedAmount > this.maxBuffered && msg[0] !== T.GOODBYE && msg[0] !== T.ABORT) {
      throw new TransportError(`send buffer holds ${t.bufferedAmount} bytes, over the ${this.maxBuffered} allowed; await session.drain()`, {
        code: 'ERR_BACKPRESSURE',
      });
    }
    this.tracer?.trace!('wamp send', describeMessage(msg));
    t.send(t.serializer.encode(msg));
  }

  /** {@link Session.transmit} for a send that waited: refused with `ERR_SESSION_CLOSED` if the session ended meanwhile. */
  private transmitIfUsable(msg: unknown[]): void {
    if (!this.transportUsable()) throw new SessionClosedError(this.closeInfo?.reason ?? 'wamp.close.closing');
    this.transmit(msg);
  }

  /** Run `step` after everything already in the queue; the queue is dropped once it has run dry. */
  private queue(which: Queue, step: () => unknown, onFail: (err: Error) => void): void {
    const done = (): void => {
      if (this[which] === next) this[which] = undefined;
    };
    const next: Promise<void> = (this[which] ?? Promise.resolve()).then(step).then(undefined, onFail).then(done, done);
    this[which] = next;
  }

  /**
   * Append a payload to `msg` (a CALL, PUBLISH, YIELD or ERROR up to its Arguments) and send it:
   * plain without a codec, else what the codec makes of it, in the router's dialect (`options`
   * receives the scheme attributes). YIELD and ERROR answer `inv`; an ERROR without `inv` is made
   * up by the session and goes out plain. `onSent(opaque)` runs once the message went out; a
   * failure goes to `onFail`. Keeps message order when the codec answers with a promise.
   */
  private sendPayload(
    msg: unknown[],
    options: Dict,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    onFail: (err: Error) => void,
    onSent?: (opaque: boolean) => void,
    inv?: InvocationImpl,
  ): void {
    const codec = this.codec;
    if (!codec || (msg[0] === T.ERROR && !inv)) {
      appendPlainPayload(msg, args, kwargs);
      if (this.sendRaw(msg, onFail)) onSent?.(false);
    } else this.sendEncoded(codec, msg, options, args, kwargs, onFail, onSent, inv);
  }

  private sendEncoded(
    codec: PayloadCodec,
    msg: unknown[],
    options: Dict,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    onFail: (err: Error) => void,
    onSent?: (opaque: boolean) => void,
    inv?: InvocationImpl,
  ): void {
    const send = (opaque: boolean): void => {
      this.transmitIfUsable(msg);
      onSent?.(opaque);
    };
    try {
      const opaque = encodeWith(codec, msg, options, args, kwargs, this.dialect, inv);
      if (this.outChain || isThenable(opaque)) {
        // the step may run only after earlier sends: a rejection meanwhile must not count as
        // unhandled (Node would end the process); the step still sees it and calls onFail
        const encoded = Promise.resolve(opaque);
        encoded.catch(ignore);
        this.queue('outChain', () => encoded.then(send), onFail);
      } else send(opaque);
    } catch (e) {
      onFail(e as Error);
    }
  }

  /** Cancel call `id` when its signal aborts or its timeout passes. */
  private watchCall(id: number, p: PendingCall, { signal, timeoutMs, cancelMode = 'kill' }: CallOptions): void {
    if (signal) {
      const onAbort = (): void => this.abandonCall(id, p, cancelMode, new CanceledError('call canceled', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      p.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    // 0 and Infinity mean no deadline (larger values were refused by the argument checks)
    if (timeoutMs !== undefined && timeoutMs > 0 && timeoutMs !== Number.POSITIVE_INFINITY) {
      p.timer = setTimeout(() => this.abandonCall(id, p, 'killnowait', new TimeoutError(`call to ${p.procedure} timed out after ${timeoutMs} ms`)), timeoutMs);
    }
  }

  private settleCall(p: PendingCall): void {
    if (p.timer) clearTimeout(p.timer);
    p.cleanup?.();
  }

  /** Reject a call locally and cancel it at the router; its entry stays until the router's final reply. */
  private abandonCall(id: number, p: PendingCall, mode: string, err: Error): void {
    if (p.abandoned || this.pending.get(id) !== p) return;
    p.abandoned = true;
    this.settleCall(p);
    p.reject(err);
    if (this.state === 'established') this.sendRaw([T.CANCEL, id, { mode }], () => this.pending.delete(id));
    else this.pending.delete(id);
  }

  /**
   * Answer an INVOCATION with ERROR. The payload goes through the codec only for a handler's own
   * error (`inv` given); errors the session makes up are sent plain.
   */
  private sendInvocationError(requestId: number, uri: string, args: unknown[] | undefined, kwargs?: Dict, inv?: InvocationImpl): void {
    if (!this.transportUsable()) return;
    const details: Dict = {};
    this.sendPayload(
      [T.ERROR, T.INVOCATION, requestId, details, uri],
      details,
      args,
      kwargs,
      (err) => {
        if (this.state === 'closed') return; // ended while the ERROR waited: nobody to answer
        this.report(err);
        // the codec refused the error payload: still answer, with a plain error it cannot object to
        if (inv && this.codec) this.sendRaw([T.ERROR, T.INVOCATION, requestId, {}, err instanceof PayloadCodecError ? err.uri : 'wamp.error.runtime_error'], this.report);
      },
      undefined,
      inv,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // receiving

  private onFrame(frame: string | Uint8Array | ArrayBuffer): void {
    if (this.state === 'closed') return;
    let msg: RouterMessage;
    try {
      msg = validateRouterMessage(this.transport.serializer.decode(frame));
    } catch (e) {
      this.violation(e instanceof ProtocolError ? e : new ProtocolError(`undecodable frame from router: ${(e as Error).message}`, { cause: e }));
      return;
    }
    this.received++;
    this.tracer?.trace!('wamp receive', describeMessage(msg));
    if (this.inChain) this.queue('inChain', () => this.dispatch(msg), this.report);
    else {
      const r = this.dispatch(msg);
      if (r) this.queue('inChain', () => r, this.report);
    }
  }


  /** Handle one validated message. Returns a promise only when payload decoding is asynchronous. */
  private dispatch(msg: RouterMessage): Promise<void> | void {
    if (this.state === 'closed') return;
    try {
      const type = msg[0];
      const joining = this.state === 'joining';
      // WELCOME and CHALLENGE belong to joining, GOODBYE and every type after it (6) to an established session
      if (type === T.WELCOME || type === T.CHALLENGE ? !joining : type >= T.GOODBYE && joining) {
        throw new ProtocolError(`${MessageTypeName[type]} received ${joining ? 'before WELCOME' : 'on an established session'}`);
      }
      switch (msg[0]) {
        case T.EVENT:
          return this.onEvent(msg[1], msg[2], msg[3], msg[4], msg[5]);
        case T.RESULT:
          return this.onCallReply(msg[1], msg[2], msg[3], msg[4]);
        case T.INVOCATION:
          return this.onInvocation(msg[1], msg[2], msg[3], msg[4], msg[5]);
        case T.ERROR:
          return this.onError(msg[1], msg[2], msg[3], msg[4], msg[5], msg[6]);
        case T.PUBLISHED:
        case T.SUBSCRIBED:
        case T.UNSUBSCRIBED:
        case T.REGISTERED:
        case T.UNREGISTERED:
          return this.onReply(msg[0], msg[1], msg[2]);
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
      else this.report(e);
    }
  }

  /** The pending request `id`, which must be of `type`; `reply` names the reply for errors. */
  private take(type: number, id: number, reply: string): Pending {
    const p = this.pending.get(id);
    if (!p) throw new ProtocolError(`${reply} for unknown request ${id}`);
    if (p.type !== type) throw new ProtocolError(`${reply} answers request ${id}, which was a ${MessageTypeName[p.type]}`);
    return p;
  }

  /**
   * Open a received payload that is not plain, or that arrived on a session with a codec: `then`
   * gets it opened, now or (codec promise) later; a refusal goes to `fail`. Without a codec an
   * opaque payload is refused as the passthrough codec refuses it.
   */
  private openPayload(
    slot: ArgsSlot | undefined,
    kw: Dict | undefined,
    details: Dict,
    ctx: PayloadContext,
    then: (p: OpenedPayload) => void,
    fail: (err: Error) => void,
  ): Promise<void> | void {
    let out: OpenedPayload | Promise<OpenedPayload>;
    try {
      out = decodeWith(this.codec, slot, kw, details, ctx);
    } catch (e) {
      return fail(e as Error);
    }
    if (!isThenable(out)) return then(out);
    return out.then(then, fail);
  }

  private onEvent(subId: number, publication: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    const entry = this.subscriptions.get(subId);
    if (!entry) return; // unsubscribed while the event was under way
    const topic = typeof details['topic'] === 'string' ? details['topic'] : entry.topic;
    if (!this.codec && isPlain(slot, details)) return this.deliverEvent(entry, slot, kw, details, topic, publication);
    return this.openPayload(
      slot,
      kw,
      details,
      { uri: topic, messageType: 'EVENT', originating: false, sending: false },
      // messages are handled in order, but an asynchronous decode may finish after the session
      // ended (which drops every subscription): then the event goes nowhere
      (p) => (this.subscriptions.get(subId) === entry ? this.deliverEvent(entry, p.args, p.kwargs, details, topic, publication) : undefined),
      this.report,
    );
  }

  private deliverEvent(entry: SubscriptionEntry, args: unknown[] | undefined, kwargs: Dict | undefined, details: Dict, topic: string, publication: number): void {
    const ev: EventData = { args: args ?? [], kwargs: kwargs ?? {}, details, topic, publication };
    for (const sub of entry.subs) {
      if (sub.iterated) sub.push(ev);
      try {
        const r = sub.handler?.(ev);
        if (isThenable(r)) r.then(undefined, this.report);
      } catch (e) {
        this.report(e);
      }
    }
  }

  /** A RESULT, or an ERROR (with its `uri`) answering a CALL. */
  private onCallReply(id: number, details: Dict, slot: ArgsSlot | undefined, kw: Dict | undefined, uri?: string): Promise<void> | void {
    const p = this.take(T.CALL, id, uri === undefined ? 'RESULT' : 'ERROR (for CALL)') as PendingCall;
    const progress = uri === undefined && details['progress'] === true;
    if (!progress) this.pending.delete(id);
    if (p.abandoned) return;
    if (!progress) this.settleCall(p);
    if (!this.codec && isPlain(slot, details)) return this.callReplied(p, slot, kw, details, progress, uri);
    return this.openPayload(
      slot,
      kw,
      details,
      { uri: uri ?? p.procedure, messageType: uri === undefined ? 'RESULT' : 'ERROR', originating: true, sending: false, requestWasOpaque: p.opaque, procedure: p.procedure },
      // a progressive result decoded after the call was canceled or the session ended is dropped
      (payload) => (!progress || (!p.abandoned && this.pending.get(id) === p) ? this.callReplied(p, payload.args, payload.kwargs, details, progress, uri) : undefined),
      // a progressive result that cannot be opened fails the whole call
      (err) => (progress ? this.abandonCall(id, p, 'killnowait', err) : p.reject(err)),
    );
  }

  private callReplied(p: PendingCall, args: unknown[] | undefined, kwargs: Dict | undefined, details: Dict, progress: boolean, uri: string | undefined): void {
    if (uri !== undefined) return p.reject(new ApplicationError(uri, args ?? [], kwargs ?? {}, details));
    const r: CallResult = { args: args ?? [], kwargs: kwargs ?? {}, details, progress };
    if (!progress) p.resolve(r);
    else {
      try {
        p.onProgress?.(r);
      } catch (e) {
        this.report(e);
      }
    }
  }

  private onError(type: number, id: number, details: Dict, uri: string, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    if (type === T.CALL) return this.onCallReply(id, details, slot, kw, uri);
    // errors for PUBLISH/SUBSCRIBE/REGISTER/...: router errors, plain
    const p = this.take(type, id, `ERROR (for ${MessageTypeName[type] ?? type})`);
    this.pending.delete(id);
    p.reject(new ApplicationError(uri, Array.isArray(slot) ? slot : [], kw ?? {}, details));
  }

  /**
   * PUBLISHED, SUBSCRIBED, UNSUBSCRIBED, REGISTERED or UNREGISTERED: resolves the request (whose
   * type code is the reply's minus one) with `value`. UNSUBSCRIBED and UNREGISTERED for request 0
   * are revocations by the router.
   */
  private onReply(type: number, requestId: number, value: number | Dict | undefined): void {
    if (requestId !== 0 || (type !== T.UNSUBSCRIBED && type !== T.UNREGISTERED)) {
      const p = this.take(type - 1, requestId, MessageTypeName[type]!);
      this.pending.delete(requestId);
      return p.resolve(value);
    }
    const details = value as Dict | undefined;
    const id = details?.[type === T.UNSUBSCRIBED ? 'subscription' : 'registration'];
    if (typeof id !== 'number') return;
    if (type === T.UNREGISTERED) {
      this.registrations.get(id)?.end();
      this.registrations.delete(id);
      return;
    }
    const entry = this.subscriptions.get(id);
    if (!entry) return;
    this.subscriptions.delete(id);
    const reason = typeof details?.['reason'] === 'string' ? details['reason'] : 'wamp.error.subscription_revoked';
    for (const sub of entry.subs) sub.end(new SessionClosedError(reason, `subscription revoked by the router (${reason})`));
  }

  private onInvocation(id: number, regId: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    const reg = this.registrations.get(regId);
    if (!reg) return this.sendInvocationError(id, 'wamp.error.no_such_registration', [`no registration ${regId} in this session`]);
    const procedure = typeof details['procedure'] === 'string' ? details['procedure'] : reg.procedure;
    if (!this.codec && isPlain(slot, details)) return this.invoke(reg, id, procedure, details, slot, kw, false);
    return this.openPayload(
      slot,
      kw,
      details,
      { uri: procedure, messageType: 'INVOCATION', originating: false, sending: false },
      // likewise an invocation whose decode finished after the session ended (no answer goes out then)
      (p) =>
        this.registrations.get(regId) === reg
          ? this.invoke(reg, id, procedure, details, p.args, p.kwargs, p.opaque)
          : this.sendInvocationError(id, 'wamp.error.no_such_registration', [`registration ${regId} ended`]),
      (err) => {
        this.report(err);
        this.sendInvocationError(id, err instanceof PayloadCodecError ? err.uri : 'wamp.error.invalid_argument', [err.message]);
      },
    );
  }

  private invoke(reg: Registration, id: number, procedure: string, details: Dict, args: unknown[] | undefined, kwargs: Dict | undefined, opaque: boolean): void {
    const inv = new InvocationImpl(this, id, procedure, opaque, args, kwargs, details);
    // No INTERRUPT can arrive while the handler runs synchronously, so an invocation enters
    // `invocations` only if its handler returns a promise: a synchronous one costs no map churn.
    const outer = this.running;
    this.running = inv;
    let out: unknown;
    try {
      out = reg.handler(inv);
    } catch (e) {
      return this.answer(inv, e, true);
    } finally {
      this.running = outer;
    }
    if (isThenable(out)) {
      if (!inv.done) this.invocations.set(id, inv);
      out.then((v) => this.answer(inv, v, false), (e: unknown) => this.answer(inv, e, true));
    } else this.answer(inv, out, false);
  }

  /** A procedure handler returned `value` (or threw it, `failed`): answer with YIELD or ERROR. */
  private answer(inv: InvocationImpl, value: unknown, failed: boolean): void {
    if (inv.done) return;
    if (!failed) {
      if (value instanceof Result) this._yield(inv, value.args, value.kwargs, false);
      else this._yield(inv, value === undefined ? undefined : [value], undefined, false);
      return;
    }
    this.endInvocation(inv);
    if (value instanceof ApplicationError) {
      if (isValidUri(value.uri, this.rules) && Array.isArray(value.args) && isPlainObject(value.kwargs)) {
        this.sendInvocationError(inv.requestId, value.uri, value.args, value.kwargs, inv);
        return;
      }
      // the router would drop the whole connection for a malformed ERROR: answer with a valid one
      this.report(new InvalidArgumentError(`the handler of ${inv.procedure} threw an ApplicationError with an invalid URI, args or kwargs`, { cause: value }));
      this.sendInvocationError(inv.requestId, 'wamp.error.runtime_error', ['procedure failed with an invalid error']);
    } else {
      const message = value instanceof Error ? value.message : typeof value === 'string' ? value : 'procedure failed';
      this.sendInvocationError(inv.requestId, 'wamp.error.runtime_error', [message], undefined, inv);
    }
  }

  private onInterrupt(id: number, options: Dict): void {
    const inv = this.invocations.get(id);
    if (!inv) return; // already answered
    this.endInvocation(inv);
    const mode = typeof options['mode'] === 'string' ? options['mode'] : 'kill';
    inv.abort(new CanceledError(`invocation interrupted by the caller (${mode})`));
    if (mode !== 'killnowait') this.sendInvocationError(id, 'wamp.error.canceled', ['canceled']);
  }

  private onWelcome(sessionId: number, details: Dict): void {
    const roles = (details['roles'] as Dict | undefined) ?? {};
    this.dialect = dialectFromRoles(roles);
    const info: Dict = { sessionId, realm: this.options.realm, authextra: details['authextra'] ?? undefined, roles, details };
    for (const k of ['realm', 'authid', 'authrole', 'authmethod', 'authprovider']) if (typeof details[k] === 'string') info[k] = details[k];
    this.welcomeInfo = info as unknown as WelcomeInfo;
    this.state = 'established';
    clearTimeout(this.timer);
    this.joinSettle?.resolve(this);
  }

  private onChallenge(method: string, extra: Dict): void {
    const failed = (e: unknown): void => this.abortJoin(`challenge handler failed: ${(e as Error)?.message ?? e}`);
    const handler = this.options.onChallenge;
    if (!handler) return this.abortJoin(`no handler for the ${method} challenge`);
    let r: ChallengeResponse | Promise<ChallengeResponse>;
    try {
      r = handler(method, extra);
    } catch (e) {
      return failed(e);
    }
    const answer = (a: ChallengeResponse): void => {
      if (this.state !== 'joining') return;
      const [signature, ex] = typeof a === 'string' ? [a, {}] : [a.signature, a.extra ?? {}];
      this.sendRaw([T.AUTHENTICATE, signature, ex], (err) => this.abortJoin(err.message));
    };
    if (isThenable<ChallengeResponse>(r)) Promise.resolve(r).then(answer, failed);
    else answer(r);
  }

  /** Give up joining because authentication failed on this side. */
  private abortJoin(message: string): void {
    if (this.state !== 'joining') return;
    const reason = 'wamp.error.authentication_failed';
    this.sendRaw([T.ABORT, { message }, reason]);
    this.finish(reason, new JoinRefusedError(reason, { message }, { code: 'ERR_AUTHENTICATION' }), { message });
  }

  private onAbort(details: Dict, reason: string): void {
    const error =
      this.state === 'joining'
        ? new JoinRefusedError(reason, details, {
            code: /^wamp\.error\.(authentication_failed|not_authorized|no_auth_method|no_such_principal|no_such_role|authorization_failed)$/.test(reason)
              ? 'ERR_AUTHENTICATION'
              : 'ERR_JOIN_REFUSED',
          })
        : new SessionClosedError(reason, `router aborted the session (${reason})`);
    this.finish(reason, error, details, false);
  }

  private onGoodbye(details: Dict, reason: string): void {
    const local = this.state === 'closing'; // the reply to our GOODBYE
    if (!local) this.sendRaw([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    this.finish(local ? this.closeReason : reason, new SessionClosedError(reason), details, local, true);
  }

  private violation(err: ProtocolError): void {
    if (this.state === 'closed') return;
    this.sendRaw([T.ABORT, { message: err.message }, 'wamp.error.protocol_violation']);
    this.report(err);
    this.finish('wamp.error.protocol_violation', err, { message: err.message }, true, false, 'protocol violation');
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
    this.finish(reason, error, {}, info.local, false, false);
  }

  /**
   * End the session: settle everything that is pending, exactly once, and close the transport
   * (with code 1000 and `closeWith` when that is a string; not at all when it is `false`).
   * `closed` reports `error` unless it is an ordinary `ERR_SESSION_CLOSED`.
   */
  private finish(reason: string, error: Error, details: Dict = {}, local = true, clean = false, closeWith: string | boolean = true): void {
    if (this.state === 'closed') return;
    const joining = this.state === 'joining';
    this.state = 'closed';
    clearTimeout(this.timer);
    const info: CloseInfo = (error as WampboxError).code === 'ERR_SESSION_CLOSED' ? { reason, details, local, clean } : { reason, details, local, clean, error };
    this.closeInfo = info;
    if (joining) this.joinSettle?.reject(error);
    const pendingError =
      error instanceof SessionClosedError || error instanceof ProtocolError || error instanceof JoinRefusedError || error instanceof TimeoutError ||
      // a received frame over maxFrameBytes: every pending operation learns that, not just "lost"
      (error as WampboxError).code === 'ERR_FRAME_TOO_LARGE'
        ? error
        : new SessionClosedError(reason, undefined, { code: 'ERR_CONNECTION_LOST', cause: error });
    for (const p of this.pending.values()) {
      if (p.type === T.CALL) {
        this.settleCall(p as PendingCall);
        if ((p as PendingCall).abandoned) continue;
      }
      p.reject(pendingError);
    }
    this.pending.clear();
    const running = this.running;
    for (const inv of running ? [running, ...this.invocations.values()] : this.invocations.values()) {
      inv.done = true;
      inv.abort(pendingError);
    }
    this.invocations.clear();
    for (const entry of this.subscriptions.values()) for (const sub of entry.subs) sub.end(clean ? undefined : pendingError);
    this.subscriptions.clear();
    for (const reg of this.registrations.values()) reg.end();
    this.registrations.clear();
    // the transport closes before user code (a `close` listener) runs
    if (closeWith !== false) void (closeWith === true ? this.transport.close() : this.transport.close(1000, closeWith));
    this.resolveClosed(info);
    this.emit('close', info);
  }
}
