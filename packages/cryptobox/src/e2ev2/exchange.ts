/**
 * The two ends of one sealed call (§b.6 steps 5, 6 and 10; Decision 12).
 *
 * - {@link CallerExchange}: what the caller keeps for a call it sealed (`xid`, the session key, the
 *   procedure) to open its answers: under `K_reply(K_s, xid)` only, with increasing indices, and
 *   nothing after the final RESULT or an ERROR.
 * - {@link CalleeExchange}: what a callee learns from the first INVOCATION of a call (`xid`, the
 *   session, its owner) so that later chunks of a progressive call continue it, and so that its
 *   answers are sealed under the reply key.
 *
 * Both change only when the receiver commits a payload that passed every check.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { XID_BYTES } from './constants.js';
import { keyId, replyKey } from './derive.js';

/** The caller's end of a sealed call. */
export class CallerExchange {
  /** The call's exchange id. */
  readonly xid: Uint8Array;
  /** The procedure bound in the call, as on the wire (scrambled when it is). */
  readonly procedure: string;
  /** The clear procedure, when `procedure` is scrambled. */
  readonly clearProcedure: string | undefined;
  /** `K_reply(K_s, xid)`. */
  readonly replyKey: Uint8Array;
  /** `KID(K_reply)`. */
  readonly replyKid: Uint8Array;
  #lastIndex = 0n;
  #closed = false;

  /**
   * @param sessionKey - the `K_s` the call was sealed with.
   * @throws InvalidArgumentError for a session key that is not 32 bytes or an `xid` that is not 16.
   */
  constructor(init: { xid: Uint8Array; sessionKey: Uint8Array; procedure: string; clearProcedure?: string }) {
    if (init.xid.length !== XID_BYTES || init.sessionKey.length !== 32) {
      throw new InvalidArgumentError('an exchange needs a 16-byte xid and a 32-byte session key');
    }
    this.xid = init.xid.slice();
    this.procedure = init.procedure;
    this.clearProcedure = init.clearProcedure;
    this.replyKey = replyKey(init.sessionKey, this.xid);
    this.replyKid = keyId(this.replyKey);
  }

  /** The index of the last accepted answer (0 before the first). */
  get lastIndex(): bigint {
    return this.#lastIndex;
  }

  /** Whether the final RESULT or an ERROR was accepted: nothing more is. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Commit an accepted answer. Internal to the receiver. */
  commit(index: bigint, final: boolean): void {
    this.#lastIndex = index;
    if (final) this.#closed = true;
  }
}

/** What the first chunk of a call told the callee. */
export interface CalleeCall {
  readonly xid: Uint8Array;
  /** The session key id (`kid` of the INVOCATION). */
  readonly kid: Uint8Array;
  readonly sessionKey: Uint8Array;
  /** The caller (the session's owner). */
  readonly caller: Uint8Array;
  /** The procedure, as on the wire. */
  readonly procedure: string;
  /** The clear procedure (the wire one unless scrambled). */
  readonly clearProcedure: string;
}

/** The callee's end of a sealed call: empty until its first INVOCATION is accepted. */
export class CalleeExchange {
  #call: CalleeCall | undefined;
  #final = false;
  #replyKey: Uint8Array | undefined;

  /** The call, once its first chunk was accepted. */
  get call(): CalleeCall | undefined {
    return this.#call;
  }

  /** Whether the call's final chunk (without `MORE`) was accepted. */
  get final(): boolean {
    return this.#final;
  }

  /** `K_reply(K_s, xid)`: the key the answers are sealed with (`undefined` before the call). */
  get replyKey(): Uint8Array | undefined {
    if (this.#call === undefined) return undefined;
    this.#replyKey ??= replyKey(this.#call.sessionKey, this.#call.xid);
    return this.#replyKey;
  }

  /** Commit an accepted chunk. Internal to the receiver. */
  commit(call: CalleeCall, final: boolean): void {
    this.#call ??= call;
    if (final) this.#final = true;
  }
}
