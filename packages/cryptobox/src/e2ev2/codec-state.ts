/**
 * The state of one `x_e2ev2` codec instance: E2E v2 sealing and opening behind wampbox's
 * `PayloadCodec` contract.
 *
 * Sending (§b.5): PUBLISH under the current group key of the topic's scope, signed; CALL under the
 * session key of (this identity, the callee scope), wrapped to the scope key and signed the first
 * time; YIELD and ERROR under the reply key of the invocation they answer (found by
 * `ctx.exchange`). Receiving: every check of the receiver (§b.6), with the state kept per codec
 * instance (replay windows, the callee's sessions) and per exchange (in `WeakMap`s keyed on
 * `ctx.exchange`). A refusal is an {@link E2eV2Error}, which the session maps onto WAMP.
 */
import {
  InvalidArgumentError,
  type Payload,
  type PayloadContext,
  type PayloadExchange,
  type WirePayload,
} from '@wampbox/core';
import { E2EV2_CIPHER, E2EV2_SCHEME, type InnerSerializer } from './constants.js';
import { toHex } from './derive.js';
import { routeOf, type Carriage, type V2Envelope } from './envelope.js';
import { E2eV2Error, UNKNOWN_KEY_URI } from './errors.js';
import { CalleeExchange, CallerExchange } from './exchange.js';
import { Freshness } from './freshness.js';
import { longestCovering } from './prefix.js';
import { poolRandomBytes } from './random.js';
import { ClearUris } from './clear-uris.js';
import { FanOut } from './fanout.js';
import type { KeyFetcher } from './key-fetch.js';
import { scrambleUri } from './scramble.js';
import { E2eReceiver, type ReceivedPayload } from './receiver.js';
import { sealPayload, type SealInput } from './seal.js';
import { buildConfig, sendCarriage, type E2eV2Config, type E2eV2Options } from './codec-options.js';

/** `n` bytes from the platform's CSPRNG. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/** What differs between the messages this side seals. */
type SealFields = Pick<SealInput, 'type' | 'uri' | 'clearUri' | 'key' | 'signer' | 'wrap' | 'seq' | 'xid' | 'more'>;

/** A caller's session with one callee scope. */
interface CallerSession {
  readonly key: Uint8Array;
  readonly scopePublicKey: Uint8Array;
  /**
   * Wrap (and sign) the next CALL: until a sealed answer shows that a callee holds the session, and
   * again after a callee answered `unknown_key`.
   */
  wrapNext: boolean;
}

/** What the caller keeps per sealed call. */
interface CallerEntry {
  readonly exchange: CallerExchange;
  readonly session: CallerSession;
}

/** What the callee keeps per invocation. */
interface CalleeEntry {
  readonly exchange: CalleeExchange;
  /** The index of the last answer sent. */
  index: number;
  /** The carriage the invocation arrived in: its answers go back in it. */
  carriage: Carriage | undefined;
}

/** The state of one codec instance, made once libsodium is ready. */
export class E2eV2State {
  readonly config: E2eV2Config;
  readonly receiver: E2eReceiver;
  readonly sid = randomBytes(8);
  #seq = 0;
  /** The clock of the payload being opened (`ctx.now`), read by the receiver's freshness check. */
  #now: (() => number) | undefined;
  readonly #sessions = new Map<string, CallerSession>();
  readonly #calls = new WeakMap<PayloadExchange, CallerEntry>();
  /** The clear URIs of the scrambled URIs sent or opened. */
  readonly clearUris = new ClearUris();
  /** The last opened events, for the copies overlapping subscriptions receive. */
  readonly #fanOut = new FanOut();
  /** Fetches the group keys of events this reader does not hold (`fetchKeysFrom`). */
  fetcher: KeyFetcher | undefined;
  readonly #invocations = new WeakMap<PayloadExchange, CalleeEntry>();

  constructor(readonly options: E2eV2Options) {
    this.config = buildConfig(options);
    const clock = options.clock ?? Date.now;
    this.receiver = new E2eReceiver({
      freshness: new Freshness({ maxSkewMs: options.maxSkewMs, clock: () => (this.#now ?? clock)() }),
      keyGraceMs: options.keyGraceMs,
      signEveryCall: options.signEveryCall,
      signReplies: options.signReplies,
      routes: this.config.routes,
      trust: this.config.trust,
      groupKeys: this.config.groupKeys,
      scopeKeys: this.config.scopeKeys,
      namespaces: this.config.namespaces,
    });
  }

  get serializer(): InnerSerializer {
    return this.options.serializer ?? 'json';
  }

  /** The codec's own clock (the session's is used for a payload when it gives one). */
  clock(): number {
    return (this.options.clock ?? Date.now)();
  }

  now(ctx: PayloadContext): number {
    return (ctx.now ?? this.options.clock ?? Date.now)();
  }

  encode(payload: Payload, ctx: PayloadContext): WirePayload {
    const plain: WirePayload = { kind: 'plain', args: payload.args, kwargs: payload.kwargs };
    switch (ctx.messageType) {
      case 'PUBLISH':
        return this.#publish(payload, ctx) ?? plain;
      case 'CALL':
        return this.#call(payload, ctx) ?? plain;
      case 'YIELD':
      case 'ERROR':
        return this.#answer(payload, ctx) ?? plain;
      default:
        throw new E2eV2Error('seal', `${ctx.messageType} is not sent`);
    }
  }

  /**
   * Seal `payload` with the fields of one message kind. One object literal for `sealPayload`: a
   * spread followed by more properties makes every property added after it slow (V8).
   */
  #seal(payload: Payload, ctx: PayloadContext, f: SealFields): ReturnType<typeof sealPayload> {
    return sealPayload({
      ser: this.serializer,
      args: payload.args ?? [],
      kwargs: payload.kwargs ?? {},
      spk: this.config.spk,
      ts: this.now(ctx),
      nonce: poolRandomBytes(24),
      sid: this.sid,
      type: f.type,
      uri: f.uri,
      clearUri: f.clearUri,
      key: f.key,
      signer: f.signer,
      wrap: f.wrap,
      seq: f.seq,
      xid: f.xid,
      more: f.more,
    });
  }

  #publish(payload: Payload, ctx: PayloadContext): WirePayload | undefined {
    const carriage = sendCarriage(this.options.routes, ctx.uri);
    if (carriage === undefined) return undefined;
    const current = longestCovering(this.config.sendKeys, ctx.uri);
    if (current === undefined) throw new E2eV2Error('seal', `no group key to publish on "${ctx.uri}" with`);
    const sealed = this.#seal(payload, ctx, {
      type: 'PUBLISH',
      uri: ctx.uri,
      clearUri: this.#clearToSeal(ctx.uri),
      key: current.key,
      signer: this.config.secretKey,
      seq: ++this.#seq,
      xid: new Uint8Array(16),
    });
    return this.#carry(carriage, sealed.payload, sealed.kid);
  }

  #session(procedure: string): CallerSession {
    const scope = longestCovering(this.config.scopePublic, procedure);
    if (scope === undefined) throw new E2eV2Error('seal', `no callee scope key to call "${procedure}" with`);
    let session = this.#sessions.get(scope.prefix);
    if (session === undefined) {
      session = { key: randomBytes(32), scopePublicKey: scope.publicKey, wrapNext: true };
      this.#sessions.set(scope.prefix, session);
    }
    return session;
  }

  #call(payload: Payload, ctx: PayloadContext): WirePayload | undefined {
    const carriage = sendCarriage(this.options.routes, ctx.uri);
    if (carriage === undefined) return undefined;
    // a later chunk of a streamed call continues its exchange: same xid and session, no wrap
    const prior = ctx.exchange === undefined ? undefined : this.#calls.get(ctx.exchange);
    const session = prior?.session ?? this.#session(ctx.uri);
    const wrap = prior === undefined && session.wrapNext;
    const xid = prior?.exchange.xid ?? poolRandomBytes(16);
    const sealed = this.#seal(payload, ctx, {
      type: 'CALL',
      uri: ctx.uri,
      clearUri: this.#clearToSeal(ctx.uri),
      key: session.key,
      signer: wrap || this.options.signEveryCall === true ? this.config.secretKey : undefined,
      wrap: wrap ? { sessionKey: session.key, scopePublicKey: session.scopePublicKey } : undefined,
      seq: ++this.#seq,
      xid,
      more: ctx.progress === true,
    });
    if (ctx.exchange !== undefined && prior === undefined) {
      const clearProcedure = this.clearUris.get(ctx.uri);
      const exchange = new CallerExchange({ xid, sessionKey: session.key, procedure: ctx.uri, clearProcedure });
      this.#calls.set(ctx.exchange, { exchange, session });
    }
    return this.#carry(carriage, sealed.payload, sealed.kid);
  }

  #answer(payload: Payload, ctx: PayloadContext): WirePayload | undefined {
    const procedure = ctx.messageType === 'YIELD' ? ctx.uri : (ctx.procedure ?? ctx.exchange?.procedure ?? ctx.uri);
    const entry = ctx.exchange === undefined ? undefined : this.#invocations.get(ctx.exchange);
    const call = entry?.exchange.call;
    const carriage = sendCarriage(this.options.routes, procedure);
    if (entry === undefined || call === undefined) {
      if (carriage === undefined) return undefined;
      // never answer a sealed procedure in the clear
      throw new E2eV2Error('seal', `no sealed invocation of "${procedure}" to answer`);
    }
    const sealed = this.#seal(payload, ctx, {
      type: ctx.messageType === 'YIELD' ? 'YIELD' : 'ERROR',
      uri: ctx.messageType === 'YIELD' ? call.procedure : ctx.uri,
      clearUri:
        ctx.messageType !== 'YIELD'
          ? this.#clearToSeal(ctx.uri)
          : this.#inNamespace(call.procedure)
            ? call.clearProcedure
            : undefined,
      key: entry.exchange.replyKey!,
      signer: this.options.signReplies === true ? this.config.secretKey : undefined,
      seq: ++entry.index,
      xid: call.xid,
      more: ctx.messageType === 'YIELD' && ctx.progress === true,
    });
    return this.#carry(entry.carriage ?? carriage ?? 'transparent', sealed.payload, sealed.kid);
  }

  #inNamespace(wire: string): boolean {
    return longestCovering(this.config.namespaces, wire) !== undefined;
  }

  /**
   * The clear URI to seal with `wire` when it lies in a scrambled namespace (Decision 16), or
   * `undefined` when it does not. A URI there that was not scrambled here is refused: it would
   * either carry a clear name to the router or a tag whose clear name is unknown.
   */
  #clearToSeal(wire: string): string | undefined {
    const ns = longestCovering(this.config.namespaces, wire);
    if (ns === undefined) return undefined;
    if (wire === ns.prefix) return wire;
    const clear = this.clearUris.get(wire);
    if (clear === undefined) {
      throw new E2eV2Error('seal', `a URI in the scrambled namespace ${ns.prefix} must be sent through scrambled(api)`);
    }
    return clear;
  }

  /**
   * The wire form of a clear URI or pattern (itself outside every namespace), remembered for
   * sealing. @throws InvalidArgumentError when the namespace cannot scramble it.
   */
  scramble(clear: string, pattern: boolean): string {
    const ns = longestCovering(this.config.namespaces, clear);
    if (ns === undefined) return clear;
    const wire = scrambleUri(ns, clear, { pattern });
    if (wire === undefined) {
      const why =
        ns.mode === 'chained' && pattern
          ? 'a chained namespace scrambles no wildcard pattern (configure it positional)'
          : 'empty components (outside a pattern) and more than 255 components cannot be scrambled';
      throw new InvalidArgumentError(`${why}: "${clear}"`);
    }
    if (!pattern) this.clearUris.remember(wire, clear);
    return wire;
  }

  #carry(carriage: Carriage, payload: Uint8Array, kid: Uint8Array): WirePayload {
    if (carriage === 'argument') return { kind: 'plain', args: [payload] };
    return {
      kind: 'opaque',
      payload,
      scheme: E2EV2_SCHEME,
      serializer: this.serializer,
      keyId: toHex(kid),
      cipher: E2EV2_CIPHER,
    };
  }

  decode(wire: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> {
    const type = ctx.messageType;
    const envelope = wire as V2Envelope;
    let exchange: CallerExchange | CalleeExchange | undefined;
    let callerEntry: CallerEntry | undefined;
    let calleeEntry: CalleeEntry | undefined;
    if (type === 'INVOCATION') {
      calleeEntry = this.#calleeEntry(ctx.exchange);
      exchange = calleeEntry.exchange;
    } else if (type === 'RESULT' || type === 'ERROR') {
      callerEntry = ctx.exchange === undefined ? undefined : this.#calls.get(ctx.exchange);
      exchange = callerEntry?.exchange;
      if (callerEntry === undefined) this.#checkUnsealedAnswer(wire, ctx);
    } else if (type !== 'EVENT') {
      throw new E2eV2Error('type', `${type} is not received`);
    }
    const input: ReceivedPayload = {
      wamp: type,
      uri: type === 'RESULT' ? undefined : ctx.uri,
      envelope,
      exchange,
      progress: ctx.progress,
      retained: ctx.retained,
      claims: ctx.disclosed,
    };
    let opened;
    try {
      opened = this.#open(input, ctx);
    } catch (e) {
      const copy = this.#fanOut.copyOf(e, wire, ctx);
      if (copy !== undefined) return copy;
      const fetcher = this.fetcher;
      if (fetcher === undefined || type !== 'EVENT' || !this.#fetchable(e)) throw e;
      return fetcher.hold(e, ctx.uri, () => this.#opened(this.#open(input, ctx), ctx, wire));
    }
    if (calleeEntry !== undefined && opened.kind === 'sealed') calleeEntry.carriage ??= opened.carriage;
    if (callerEntry !== undefined) {
      // a sealed answer shows that a callee holds the session; a plaintext unknown_key (from the
      // callee, or forged, which is harmless) that it does not: wrap the session key again
      if (opened.kind === 'sealed') callerEntry.session.wrapNext = false;
      else if (type === 'ERROR' && ctx.uri === UNKNOWN_KEY_URI) callerEntry.session.wrapNext = true;
    }
    return this.#opened(opened, ctx, wire);
  }

  #open(input: ReceivedPayload, ctx: PayloadContext): ReturnType<E2eReceiver['open']> {
    this.#now = ctx.now;
    try {
      return this.receiver.open(input);
    } finally {
      this.#now = undefined;
    }
  }

  #opened(opened: ReturnType<E2eReceiver['open']>, ctx: PayloadContext, wire: WirePayload): Payload {
    const payload = { args: opened.args, kwargs: opened.kwargs };
    if (opened.kind !== 'sealed') return payload;
    // the receiver checked that the inner URI scrambles to the wire URI
    if (ctx.messageType !== 'RESULT' && opened.uri !== ctx.uri) this.clearUris.remember(ctx.uri, opened.uri);
    this.#fanOut.opened(wire, ctx, payload);
    return payload;
  }

  /** An EVENT refused for a group key this reader does not hold at all. */
  #fetchable(e: unknown): e is E2eV2Error & { kid: Uint8Array } {
    return (
      e instanceof E2eV2Error &&
      e.reason === 'unknown_key' &&
      e.kid !== undefined &&
      this.config.groupKeys.get(toHex(e.kid)) === undefined
    );
  }

  /** The authenticated caller of the invocation `exchange` belongs to (a copy). */
  callerOf(exchange: PayloadExchange): Uint8Array | undefined {
    return this.#invocations.get(exchange)?.exchange.call?.caller.slice();
  }

  #calleeEntry(key: PayloadExchange | undefined): CalleeEntry {
    const fresh = (): CalleeEntry => ({ exchange: new CalleeExchange(), index: 0, carriage: undefined });
    if (key === undefined) return fresh();
    let entry = this.#invocations.get(key);
    if (entry === undefined) {
      entry = fresh();
      this.#invocations.set(key, entry);
    }
    return entry;
  }

  /**
   * An answer to a call this codec did not seal: on a sealed procedure there is no such call (every
   * CALL there is sealed), so only the router's plaintext `wamp.error.*` passes.
   */
  #checkUnsealedAnswer(wire: WirePayload, ctx: PayloadContext): void {
    const procedure = ctx.procedure ?? ctx.exchange?.procedure ?? (ctx.messageType === 'RESULT' ? ctx.uri : undefined);
    if (procedure === undefined) return;
    if (routeOf(this.config.routes, procedure, { prefix: '', scheme: 'plaintext' }).scheme !== 'x_e2ev2') return;
    if (wire.kind === 'plain' && ctx.messageType === 'ERROR' && ctx.uri.startsWith('wamp.error.')) return;
    throw new E2eV2Error('exchange', `an answer on "${procedure}" to a call that was not sealed here`);
  }
}
