/**
 * The E2E v2 receiver (§b.6): opens one payload with every check, in the order the design and the
 * interop Decisions fix, and refuses on the first that fails with an {@link E2eV2Error} naming it.
 *
 * 0. envelope and carriage (`downgrade`, `exchange`, `envelope`), see envelope.ts;
 * 1. parse (`malformed` … `header`), see parse.ts;
 * 2. binding to the WAMP message: `type`, `serializer`, `progress`, `key-id`;
 * 3. if signed: the signer is authorized for the URI and role (`sender`), the signature verifies
 *    (`signature`): a forgery costs one verification and no decryption;
 * 4. freshness (`stale`), skipped for EVENTs the router marks retained (delivered `stale`);
 * 5. replay: the sender stream's window (PUBLISH, CALL; `replay`), the call's exchange (`exchange`),
 *    and for answers the exchange and then the index (`exchange`, `replay`);
 * 6. the key: group key by `kid`, the session's wrap or cache, or the exchange's reply key
 *    (`unknown_key`, `key-expired`, `sender`, `wrong-recipient`, `key-commitment`);
 * 7. AEAD with the AAD, unpadding, the inner map (`decrypt`, `padding`, `plaintext`);
 * 8. the inner URI re-scrambles to the wire URI (`uri`);
 * 10. only then the state changes: the window, the session cache, the exchange. Then delivery.
 *
 * (Step 9, the validation hook of §d, is not part of this receiver yet.) A refused payload is never
 * returned and leaves every piece of state as it was.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { bytesEqual } from '../sodium.js';
import { aeadDecrypt, aeadDecryptWith, boxSealOpen, signVerifyDetachedParts, unpad } from '../sodium-v2.js';
import {
  AAD_CTX,
  BUCKET_SIZES,
  CONTENT_KEY_BYTES,
  MessageKind,
  SERIALIZER_NAMES,
  SIG_CTX,
  type InnerSerializer,
} from './constants.js';
import { encodeUri, hexEquals, HexCache, keyId } from './derive.js';
import { classifyEnvelope, routeOf, type Carriage, type Route, type V2Envelope } from './envelope.js';
import { E2eV2Error } from './errors.js';
import { CalleeExchange, CallerExchange } from './exchange.js';
import { Freshness } from './freshness.js';
import { GroupKeyStore } from './group-keys.js';
import { aadOf } from './header.js';
import { decodeInner, type InnerPayload } from './inner.js';
import type { ParsedPayload } from './parse.js';
import { parsePayload } from './parse.js';
import { covers, longestCovering } from './prefix.js';
import { ReplayWindows } from './replay-window.js';
import { scrambleUri, type Namespace } from './scramble.js';
import { ScopeKeyStore } from './scope-keys.js';
import { SessionCache } from './session-cache.js';
import { TrustStore, type SenderClaims, type TrustRole } from './trust-store.js';

/** The WAMP messages that carry a payload to a receiver. */
export type ReceivedMessageType = 'EVENT' | 'INVOCATION' | 'RESULT' | 'ERROR';

/** A receiver's configuration and state. Absent stores are empty; absent bounds take the defaults. */
export interface ReceiverOptions {
  /** The clock and the freshness bound (default: `Date.now`, 300000 ms). */
  readonly freshness?: Freshness | undefined;
  /** How long after its `notAfter` a group key is still accepted (default 0). */
  readonly keyGraceMs?: number | undefined;
  /** Refuse unsigned YIELDs and ERRORs. */
  readonly signReplies?: boolean | undefined;
  /** Refuse unsigned CALLs. */
  readonly signEveryCall?: boolean | undefined;
  /** Which scheme and carriages each URI prefix takes (default: every URI but `wamp.*` is x_e2ev2). */
  readonly routes?: readonly Route[] | undefined;
  readonly trust?: TrustStore | undefined;
  readonly groupKeys?: GroupKeyStore | undefined;
  readonly scopeKeys?: ScopeKeyStore | undefined;
  readonly sessions?: SessionCache | undefined;
  readonly windows?: ReplayWindows | undefined;
  readonly namespaces?: readonly Namespace[] | undefined;
}

/** One payload to open. */
export interface ReceivedPayload {
  readonly wamp: ReceivedMessageType;
  /** The topic (`details.topic`), the procedure (`details.procedure`) or the error URI; unused for RESULT. */
  readonly uri?: string | undefined;
  readonly envelope: V2Envelope;
  /**
   * RESULT and ERROR: the caller's exchange of the call, absent when the call was not sealed.
   * INVOCATION: the callee's exchange of this call (absent: a call without later chunks).
   */
  readonly exchange?: CallerExchange | CalleeExchange | undefined;
  /** The envelope's progress flag. */
  readonly progress?: boolean | undefined;
  /** EVENT: the router marked it retained or from history. */
  readonly retained?: boolean | undefined;
  /** EVENT and INVOCATION: what the router says about the sender (for trust on first use). */
  readonly claims?: SenderClaims | undefined;
}

/** An opened payload. */
export type OpenedPayload =
  | {
      readonly kind: 'sealed';
      readonly args: unknown[];
      readonly kwargs: Record<string, unknown>;
      /** The clear URI. */
      readonly uri: string;
      /** The header's sender key. */
      readonly spk: Uint8Array;
      /** The authenticated sender: `spk` when signed or the session's owner, `null` for an unsigned answer. */
      readonly author: Uint8Array | null;
      readonly signed: boolean;
      readonly more: boolean;
      /** A retained or history EVENT: not fresh. */
      readonly stale: boolean;
      readonly carriage: Carriage;
      /** The content key id. */
      readonly kid: Uint8Array;
    }
  | {
      /** A payload that was not sealed and may pass: unauthenticated. */
      readonly kind: 'plain';
      readonly args: unknown[];
      readonly kwargs: Record<string, unknown>;
    };

const EXPECTED_TYPE: Readonly<Record<ReceivedMessageType, number>> = {
  EVENT: MessageKind.PUBLISH,
  INVOCATION: MessageKind.CALL,
  RESULT: MessageKind.YIELD,
  ERROR: MessageKind.ERROR,
};
const ROLE: Readonly<Record<number, TrustRole>> = { 1: 'publish', 2: 'call', 3: 'answer', 4: 'answer' };
const DEFAULT_ROUTE: Route = { prefix: '', scheme: 'x_e2ev2' };

/** Opens E2E v2 payloads for one participant; holds its trust store, keys and replay state. */
export class E2eReceiver {
  readonly trust: TrustStore;
  readonly groupKeys: GroupKeyStore;
  readonly scopeKeys: ScopeKeyStore;
  readonly sessions: SessionCache;
  readonly windows: ReplayWindows;
  readonly freshness: Freshness;
  readonly #grace: number;
  readonly #policy: { signEveryCall: boolean; signReplies: boolean };
  readonly #routes: readonly Route[];
  readonly #namespaces: readonly Namespace[];
  /** The hex ids of the last stream and key seen (map keys), made again only when they change. */
  readonly #spkHex = new HexCache();
  readonly #sidHex = new HexCache();
  readonly #kidHex = new HexCache();

  constructor(options: ReceiverOptions = {}) {
    this.freshness = options.freshness ?? new Freshness();
    this.#grace = options.keyGraceMs ?? 0;
    this.#policy = { signEveryCall: options.signEveryCall === true, signReplies: options.signReplies === true };
    this.#routes = options.routes ?? [DEFAULT_ROUTE];
    this.#namespaces = options.namespaces ?? [];
    this.trust = options.trust ?? new TrustStore();
    this.groupKeys = options.groupKeys ?? new GroupKeyStore();
    this.scopeKeys = options.scopeKeys ?? new ScopeKeyStore();
    this.sessions = options.sessions ?? new SessionCache();
    this.windows = options.windows ?? new ReplayWindows();
  }

  /**
   * Open one payload, or refuse it.
   * @throws E2eV2Error naming the first check that failed; nothing changed.
   * @throws InvalidArgumentError when `msg` itself is inconsistent (no URI, a wrong exchange kind).
   */
  open(msg: ReceivedPayload): OpenedPayload {
    const now = this.freshness.now();
    const { wamp } = msg;
    const expectedType = EXPECTED_TYPE[wamp];
    const isReply = wamp === 'RESULT' || wamp === 'ERROR';
    const caller = isReply ? callerExchange(msg.exchange) : undefined;
    const callee = wamp === 'INVOCATION' ? calleeExchange(msg.exchange) : undefined;
    if (wamp !== 'RESULT' && (typeof msg.uri !== 'string' || msg.uri === '')) {
      throw new InvalidArgumentError(`${wamp} needs its URI`);
    }
    const messageUri = msg.uri ?? '';
    // authorization and routing: the topic or procedure (for answers, the call's); bound: the
    // message's own URI (for RESULT, which has none, the call's procedure) (Decisions 3 and 4)
    const callUri = isReply ? caller?.procedure : messageUri;
    const boundUri = wamp === 'RESULT' ? (caller?.procedure ?? '') : messageUri;

    // step 0
    const route = callUri === undefined ? DEFAULT_ROUTE : routeOf(this.#routes, callUri, DEFAULT_ROUTE);
    const sealedCall = isReply ? caller !== undefined : undefined;
    const c = classifyEnvelope(msg.envelope, route, sealedCall, wamp === 'ERROR' ? messageUri : undefined);
    if (c.kind === 'plain') return c;
    const authUri = callUri!; // a v2 answer without an exchange was refused in step 0

    // step 1
    const p = parsePayload(c.payload, this.#policy);

    // step 2
    if (p.type !== expectedType) throw new E2eV2Error('type', `type ${p.type} arrived as ${wamp}`);
    const ser = SERIALIZER_NAMES[p.ser];
    if (ser === undefined) throw new E2eV2Error('serializer', `unknown serializer ${p.ser}`);
    if (c.carriage === 'transparent' && c.serializer !== ser) {
      throw new E2eV2Error('serializer', `the header says ${ser}, the envelope ${String(c.serializer)}`);
    }
    if (p.bits.more !== (msg.progress === true)) throw new E2eV2Error('progress', 'MORE differs from progress');
    if (c.keyId !== undefined && !hexEquals(c.keyId, p.kid)) {
      throw new E2eV2Error('key-id', 'the key id differs from kid');
    }

    // step 3
    const encodedUri = encodeUri(boundUri);
    const role = ROLE[p.type]!;
    if (p.signature !== undefined) {
      if (!this.trust.isAuthorized(p.spk, authUri, role, msg.claims)) {
        throw new E2eV2Error('sender', `the signer may not ${role} on ${authUri}`);
      }
      if (!signVerifyDetachedParts(p.signature, [SIG_CTX, encodedUri, p.signed], p.spk)) {
        throw new E2eV2Error('signature', 'the signature does not verify');
      }
    }

    // step 4
    const stale = wamp === 'EVENT' && msg.retained === true;
    if (!stale && !this.freshness.isFresh(p.ts, now)) throw new E2eV2Error('stale', 'ts is too far from now');

    // step 5
    const streamed = p.type === MessageKind.PUBLISH || p.type === MessageKind.CALL;
    const spkHex = streamed ? this.#spkHex.hex(p.spk) : '';
    const sidHex = streamed ? this.#sidHex.hex(p.sid) : '';
    const kidHex = streamed ? this.#kidHex.hex(p.kid) : '';
    if (streamed && !this.windows.check(spkHex, sidHex, p.seq)) {
      throw new E2eV2Error('replay', 'already accepted, or below the window');
    }
    const prior = callee?.call;
    if (prior !== undefined && (!bytesEqual(prior.xid, p.xid) || !bytesEqual(prior.kid, p.kid) || callee!.final)) {
      throw new E2eV2Error('exchange', 'a chunk that does not continue this call');
    }
    if (caller !== undefined) {
      if (caller.closed || !bytesEqual(caller.xid, p.xid))
        throw new E2eV2Error('exchange', 'not an answer to this call');
      if (p.seq <= caller.lastIndex) throw new E2eV2Error('replay', 'an answer index already accepted');
    }

    // step 6
    let key: Uint8Array;
    let newSession: { key: Uint8Array; owner: Uint8Array; scope: string } | undefined;
    if (p.type === MessageKind.PUBLISH) {
      const gk = this.groupKeys.get(kidHex);
      if (gk === undefined || !covers(gk.scope, messageUri)) {
        throw new E2eV2Error('unknown_key', 'no group key with this id for this URI', { kid: p.kid.slice() });
      }
      if (gk.notAfter !== undefined && now > gk.notAfter + this.#grace) {
        throw new E2eV2Error('key-expired', 'the group key has expired', { kid: p.kid.slice() });
      }
      if (gk.writers !== undefined && !gk.writers.has(spkHex)) {
        throw new E2eV2Error('sender', 'the signer is not a writer of this group key');
      }
      key = gk.key;
    } else if (p.type === MessageKind.CALL) {
      const scope = this.scopeKeys.covering(messageUri);
      if (p.wrap !== undefined) {
        const opened = scope === undefined ? undefined : boxSealOpen(p.wrap, scope.publicKey, scope.secretKey);
        if (scope === undefined || opened?.length !== CONTENT_KEY_BYTES) {
          throw new E2eV2Error('wrong-recipient', 'the key wrap is not for this callee');
        }
        if (!bytesEqual(keyId(opened), p.kid)) throw new E2eV2Error('key-commitment', 'kid does not commit to the key');
        const cached = this.sessions.peek(kidHex);
        if (cached !== undefined && !bytesEqual(cached.owner, p.spk)) {
          throw new E2eV2Error('sender', 'the session belongs to another caller');
        }
        key = opened;
        newSession = { key: opened, owner: p.spk, scope: scope.prefix };
      } else {
        const session = this.sessions.peek(kidHex);
        if (session === undefined || scope === undefined || scope.prefix !== session.scope) {
          throw new E2eV2Error('unknown_key', 'no session with this id for this procedure', { kid: p.kid.slice() });
        }
        if (!bytesEqual(session.owner, p.spk)) throw new E2eV2Error('sender', 'the session belongs to another caller');
        if (!this.trust.isAuthorized(session.owner, messageUri, 'call', msg.claims)) {
          throw new E2eV2Error('sender', `the session's owner may no longer call ${messageUri}`);
        }
        key = session.key;
      }
    } else {
      if (!bytesEqual(p.kid, caller!.replyKid)) {
        throw new E2eV2Error('unknown_key', "not under this call's reply key", { kid: p.kid.slice() });
      }
      key = caller!.replyKey;
    }

    // step 7
    const inner = openInner(p, encodedUri, key, ser);

    // step 8
    const ns = longestCovering(this.#namespaces, boundUri);
    if (p.bits.innerUri) {
      if (ns === undefined || scrambleUri(ns, inner.uri!) !== boundUri) {
        throw new E2eV2Error('uri', 'the inner URI does not scramble to the wire URI');
      }
    } else if (ns !== undefined) {
      throw new E2eV2Error('uri', 'a scrambled URI without the clear one inside');
    }
    const clearUri = inner.uri ?? (wamp === 'RESULT' ? (caller!.clearProcedure ?? boundUri) : boundUri);

    // step 10: commit, then deliver
    if (streamed) this.windows.accept(spkHex, sidHex, p.seq);
    if (p.signature !== undefined) this.trust.accepted(p.spk, authUri, role, msg.claims);
    if (newSession !== undefined) this.sessions.put(newSession);
    else if (p.type === MessageKind.CALL) this.sessions.touch(kidHex);
    if (callee !== undefined) {
      const call = {
        xid: p.xid.slice(),
        kid: p.kid.slice(),
        sessionKey: key,
        caller: p.spk.slice(),
        procedure: messageUri,
        clearProcedure: clearUri,
      };
      callee.commit(call, !p.bits.more);
    }
    if (caller !== undefined) caller.commit(BigInt(p.seq), wamp === 'ERROR' || !p.bits.more);
    const signed = p.signature !== undefined;
    const spk = p.spk.slice();
    return {
      kind: 'sealed',
      args: inner.args,
      kwargs: inner.kwargs,
      uri: clearUri,
      spk,
      author: signed || p.type === MessageKind.CALL ? spk : null,
      signed,
      more: p.bits.more,
      stale,
      carriage: c.carriage,
      kid: p.kid.slice(),
    };
  }
}

/**
 * Step 7: decrypt, unpad, and read the inner map. Unpadded (the usual case), the plaintext is read
 * where it was decrypted in the WebAssembly heap, and wiped there.
 * @throws E2eV2Error `decrypt`, `padding` or `plaintext`.
 */
function openInner(p: ParsedPayload, encodedUri: Uint8Array, key: Uint8Array, ser: InnerSerializer): InnerPayload {
  const innerUri = p.bits.innerUri;
  const bucket = p.bits.bucket;
  if (bucket === undefined) {
    const ad = [AAD_CTX, encodedUri, p.bound];
    const inner = aeadDecryptWith(p.ciphertext, ad, p.nonce, key, (plaintext) => decodeInner(ser, plaintext, innerUri));
    if (inner === undefined) throw new E2eV2Error('decrypt', 'the payload does not decrypt');
    return inner;
  }
  const padded = aeadDecrypt(p.ciphertext, aadOf(encodedUri, p.bound), p.nonce, key);
  if (padded === undefined) throw new E2eV2Error('decrypt', 'the payload does not decrypt');
  const plaintext = unpad(padded, BUCKET_SIZES[bucket]!);
  padded.fill(0);
  if (plaintext === undefined) throw new E2eV2Error('padding', 'invalid padding');
  try {
    return decodeInner(ser, plaintext, innerUri);
  } finally {
    plaintext.fill(0);
  }
}

function callerExchange(x: CallerExchange | CalleeExchange | undefined): CallerExchange | undefined {
  if (x === undefined || x instanceof CallerExchange) return x;
  throw new InvalidArgumentError('RESULT and ERROR take the caller exchange of the call');
}

function calleeExchange(x: CallerExchange | CalleeExchange | undefined): CalleeExchange {
  if (x === undefined) return new CalleeExchange();
  if (x instanceof CalleeExchange) return x;
  throw new InvalidArgumentError('INVOCATION takes a callee exchange');
}
