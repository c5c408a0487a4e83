/**
 * A session's life: HELLO … WELCOME (with CHALLENGE/AUTHENTICATE), GOODBYE or ABORT, the
 * transport's loss, and the one place a session ends ({@link SessionCore.finish_}), which settles
 * everything pending exactly once. The core is what the roles share ({@link SessionContext}).
 */
import { JoinRefusedError, ProtocolError, SessionClosedError, TimeoutError, WampboxError } from '../errors.js';
import { helloDetails } from '../protocol/features.js';
import { MessageType as T } from '../protocol/messages.js';
import type { Dict, RouterMessage } from '../protocol/messages.js';
import { OrderedQueue } from '../payload/ordered-queue.js';
import { PayloadPipeline } from '../payload/pipeline.js';
import { isPassthrough } from '../payload/passthrough.js';
import type { Transport, TransportCloseInfo } from '../wire/transport.js';
import type { CloseInfo, WelcomeInfo } from '../types.js';
import type { UriRules } from '../protocol/uri.js';
import { Channel } from '../wire/channel.js';
import { dialectFromRoles, isThenable } from '../payload/dialect.js';
import { Callee } from './callee.js';
import { Caller } from './caller.js';
import type { SessionContext, SessionState } from './context.js';
import { dispatch } from './dispatch.js';
import type { ChallengeResponse, JoinOptions } from './join-options.js';
import { Publisher } from './publisher.js';
import { RequestTable } from './requests.js';
import { Subscriber } from './subscriber.js';

/** How the session ends: see {@link SessionCore.finish_}. */
export interface Ending {
  /** The reason URI `closed` reports. */
  readonly reason: string;
  /** What ended it: pending operations learn from it. */
  readonly error: Error;
  /** GOODBYE/ABORT details. */
  readonly details?: Dict | undefined;
  /** This side ended it. Default `true`. */
  readonly local?: boolean | undefined;
  /** After a GOODBYE handshake. Default `false`. */
  readonly clean?: boolean | undefined;
  /** Close the transport (default), with code 1000 and this reason (a string), or not at all (`false`). */
  readonly closeWith?: string | boolean | undefined;
}

/** What the facade hears from its core. */
export interface CoreHooks {
  /** An error that belongs to no pending operation. */
  report(err: unknown): void;
  /** The session ended. */
  ended(info: CloseInfo): void;
}

const AUTH_REASONS =
  /^wamp\.error\.(authentication_failed|not_authorized|no_auth_method|no_such_principal|no_such_role|authorization_failed)$/;

/** The code of a wampbox error, `undefined` for any other. */
function codeOf(err: Error): string | undefined {
  return err instanceof WampboxError ? err.code : undefined;
}

/** Not part of the public API (not exported by the package). */
export class SessionCore implements SessionContext {
  declare state: SessionState;
  declare readonly rules_: UriRules;
  declare readonly requests_: RequestTable;
  declare readonly payload_: PayloadPipeline;
  declare readonly channel_: Channel;
  declare readonly options_: JoinOptions;
  declare readonly caller_: Caller;
  declare readonly callee_: Callee;
  declare readonly publisher_: Publisher;
  declare readonly subscriber_: Subscriber;
  /** What WELCOME granted. Set once joined. */
  declare welcomeInfo_: WelcomeInfo | undefined;
  declare closeInfo_: CloseInfo | undefined;
  declare readonly closed_: Promise<CloseInfo>;
  declare private resolveClosed_: (info: CloseInfo) => void;
  declare private readonly hooks_: CoreHooks;
  /** Holds message handling back while an asynchronous decode is in flight. */
  declare private readonly inbound_: OrderedQueue;
  declare private joinSettle_: { resolve(): void; reject(e: Error): void } | undefined;
  /** The join timeout while joining, the GOODBYE timeout while closing. */
  declare private timer_: ReturnType<typeof setTimeout> | undefined;
  /** The reason our GOODBYE gave. */
  declare private closeReason_: string;

  constructor(transport: Transport, options: JoinOptions, hooks: CoreHooks) {
    this.state = 'joining';
    this.options_ = options;
    this.hooks_ = hooks;
    this.rules_ = options.uriRules ?? 'loose';
    this.requests_ = new RequestTable();
    const tracer = options.trace === true && typeof options.logger?.trace === 'function' ? options.logger : undefined;
    this.channel_ = new Channel(transport, { maxBufferedBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024, tracer });
    const codec = options.codec;
    this.payload_ = new PayloadPipeline(this.channel_, codec && !isPassthrough(codec) ? codec : undefined, {
      usable: () =>
        this.transportUsable_() ? undefined : new SessionClosedError(this.closeInfo_?.reason ?? 'wamp.close.closing'),
      now: options.clock ?? Date.now,
    });
    this.inbound_ = new OrderedQueue();
    this.caller_ = new Caller(this);
    this.callee_ = new Callee(this);
    this.publisher_ = new Publisher(this);
    this.subscriber_ = new Subscriber(this);
    this.welcomeInfo_ = this.closeInfo_ = undefined;
    this.closeReason_ = '';
    this.closed_ = new Promise<CloseInfo>((resolve) => {
      this.resolveClosed_ = resolve;
    });
  }

  /** Send HELLO and resolve once WELCOME arrived. */
  join_(): Promise<void> {
    const options = this.options_;
    return new Promise<void>((resolve, reject) => {
      const ms = options.joinTimeoutMs ?? 15000;
      this.joinSettle_ = { resolve, reject };
      this.timer_ = setTimeout(
        () => this.finish_({ reason: 'wamp.close.timeout', error: new TimeoutError(`no WELCOME within ${ms} ms`) }),
        ms,
      );
      this.channel_.attach({
        onMessage: (m) => this.onMessage_(m),
        onViolation: (e) => this.violation_(e),
        onClose: (i) => this.onTransportClose_(i),
      });
      // a HELLO that cannot go out (too large for the transport, say) fails the join now
      const fail = (error: Error): void => this.finish_({ reason: 'wamp.close.transport_closed', error });
      if (this.state === 'joining') this.payload_.send_([T.HELLO, options.realm, helloDetails(options)], fail);
    });
  }

  report_(err: unknown): void {
    this.hooks_.report(err);
  }

  assertOpen_(): void {
    if (this.state !== 'established') {
      const reason =
        this.closeInfo_?.reason ?? (this.state === 'joining' ? 'wamp.close.not_joined' : 'wamp.close.closing');
      throw new SessionClosedError(reason, `session is ${this.state}`);
    }
  }

  transportUsable_(): boolean {
    return this.state === 'established' || this.state === 'closing';
  }

  /** Leave the realm: GOODBYE, then the transport closes (or the close timeout passes). */
  close_(reason: string, details: Dict): void {
    if (this.state === 'established') {
      this.state = 'closing';
      this.closeReason_ = reason;
      this.payload_.send_([T.GOODBYE, details, reason], () => void this.channel_.close());
      const ms = this.options_.closeTimeoutMs ?? 5000;
      this.timer_ = setTimeout(() => this.finish_({ reason, error: new SessionClosedError(reason) }), ms);
    } else if (this.state === 'joining') {
      this.payload_.send_([T.ABORT, details, 'wamp.close.system_shutdown']);
      this.finish_({ reason, error: new SessionClosedError(reason, 'session closed while joining') });
    }
  }

  private onMessage_(msg: RouterMessage): void {
    if (this.state === 'closed') return;
    if (this.inbound_.busy && this.isUnorderedAnswer_(msg)) {
      const r = dispatch(this, msg);
      if (r) r.then(undefined, (e: unknown) => this.report_(e));
    } else if (this.inbound_.busy)
      this.inbound_.run(
        () => dispatch(this, msg),
        (e) => this.report_(e),
      );
    else {
      const r = dispatch(this, msg);
      if (r)
        this.inbound_.run(
          () => r,
          (e) => this.report_(e),
        );
    }
  }

  /** A RESULT or an ERROR answering a call made with `unordered`. */
  private isUnorderedAnswer_(msg: RouterMessage): boolean {
    const id = msg[0] === T.RESULT ? msg[1] : msg[0] === T.ERROR && msg[1] === T.CALL ? msg[2] : undefined;
    return typeof id === 'number' && this.requests_.get_(id)?.unordered === true;
  }

  onWelcome_(sessionId: number, details: Dict): void {
    const roles = (details['roles'] as Dict | undefined) ?? {};
    this.payload_.dialect_ = dialectFromRoles(roles);
    const info: Dict = {
      sessionId,
      realm: this.options_.realm,
      authextra: details['authextra'] ?? undefined,
      roles,
      details,
    };
    for (const k of ['realm', 'authid', 'authrole', 'authmethod', 'authprovider'])
      if (typeof details[k] === 'string') info[k] = details[k];
    this.welcomeInfo_ = info as unknown as WelcomeInfo;
    this.state = 'established';
    clearTimeout(this.timer_);
    this.joinSettle_?.resolve();
  }

  onChallenge_(method: string, extra: Dict): void {
    const failed = (e: unknown): void =>
      this.abortJoin_(`challenge handler failed: ${(e as Error | undefined)?.message ?? String(e)}`);
    const handler = this.options_.onChallenge;
    if (!handler) return this.abortJoin_(`no handler for the ${method} challenge`);
    let r: ChallengeResponse | Promise<ChallengeResponse>;
    try {
      r = handler(method, extra);
    } catch (e) {
      return failed(e);
    }
    const answer = (a: ChallengeResponse): void => {
      if (this.state !== 'joining') return;
      const [signature, ex] = typeof a === 'string' ? [a, {}] : [a.signature, a.extra ?? {}];
      this.payload_.send_([T.AUTHENTICATE, signature, ex], (err) => this.abortJoin_(err.message));
    };
    if (isThenable<ChallengeResponse>(r)) Promise.resolve(r).then(answer, failed);
    else answer(r);
  }

  /** Give up joining because authentication failed on this side. */
  private abortJoin_(message: string): void {
    if (this.state !== 'joining') return;
    const reason = 'wamp.error.authentication_failed';
    this.payload_.send_([T.ABORT, { message }, reason]);
    this.finish_({
      reason,
      error: new JoinRefusedError(reason, { message }, { code: 'ERR_AUTHENTICATION' }),
      details: { message },
    });
  }

  onAbort_(details: Dict, reason: string): void {
    const error =
      this.state === 'joining'
        ? new JoinRefusedError(reason, details, {
            code: AUTH_REASONS.test(reason) ? 'ERR_AUTHENTICATION' : 'ERR_JOIN_REFUSED',
          })
        : new SessionClosedError(reason, `router aborted the session (${reason})`);
    this.finish_({ reason, error, details, local: false });
  }

  onGoodbye_(details: Dict, reason: string): void {
    const local = this.state === 'closing'; // the reply to our GOODBYE
    if (!local) this.payload_.send_([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    this.finish_({
      reason: local ? this.closeReason_ : reason,
      error: new SessionClosedError(reason),
      details,
      local,
      clean: true,
    });
  }

  violation_(err: ProtocolError): void {
    if (this.state === 'closed') return;
    this.payload_.send_([T.ABORT, { message: err.message }, 'wamp.error.protocol_violation']);
    this.report_(err);
    this.finish_({
      reason: 'wamp.error.protocol_violation',
      error: err,
      details: { message: err.message },
      closeWith: 'protocol violation',
    });
  }

  private onTransportClose_(info: TransportCloseInfo): void {
    if (this.state === 'closed') return;
    const reason = info.local ? 'wamp.close.transport_closed' : 'wamp.close.transport_lost';
    const why = `connection lost${info.reason ? `: ${info.reason}` : ''}${info.code ? ` (code ${info.code})` : ''}`;
    const error =
      info.error instanceof WampboxError
        ? info.error
        : new SessionClosedError(reason, why, { code: 'ERR_CONNECTION_LOST', cause: info.error });
    this.finish_({ reason, error, local: info.local, closeWith: false });
  }

  /**
   * End the session: settle everything that is pending, exactly once, and close the transport.
   * `closed` reports the error unless it is an ordinary `ERR_SESSION_CLOSED`.
   */
  finish_(e: Ending): void {
    if (this.state === 'closed') return;
    const { reason, error, details = {}, local = true, clean = false, closeWith = true } = e;
    const joining = this.state === 'joining';
    this.state = 'closed';
    clearTimeout(this.timer_);
    const info: CloseInfo =
      codeOf(error) === 'ERR_SESSION_CLOSED'
        ? { reason, details, local, clean }
        : { reason, details, local, clean, error };
    this.closeInfo_ = info;
    if (joining) this.joinSettle_?.reject(error);
    const pendingError =
      error instanceof SessionClosedError ||
      error instanceof ProtocolError ||
      error instanceof JoinRefusedError ||
      error instanceof TimeoutError ||
      // a received frame over maxFrameBytes: every pending operation learns that, not just "lost"
      codeOf(error) === 'ERR_FRAME_TOO_LARGE'
        ? error
        : new SessionClosedError(reason, undefined, { code: 'ERR_CONNECTION_LOST', cause: error });
    this.requests_.rejectAll_(pendingError);
    this.callee_.end_(pendingError);
    this.subscriber_.end_(pendingError, clean);
    // the transport closes before user code (a `close` listener) runs
    if (closeWith !== false) void (closeWith === true ? this.channel_.close() : this.channel_.close(1000, closeWith));
    this.resolveClosed_(info);
    this.hooks_.ended(info);
  }
}
