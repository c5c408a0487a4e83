/** Where each validated router message goes: the lifecycle or one of the four roles. */
import { ApplicationError, ProtocolError } from '../errors.js';
import { MessageType as T, MessageTypeName } from '../protocol/messages.js';
import type { Dict, ErrorMessage, RouterMessage } from '../protocol/messages.js';
import type { SessionCore } from './lifecycle.js';

/**
 * PUBLISHED, SUBSCRIBED, UNSUBSCRIBED, REGISTERED or UNREGISTERED: resolves the request (whose
 * type code is the reply's minus one) with `value`. UNSUBSCRIBED and UNREGISTERED for request 0
 * are revocations by the router.
 */
function onReply(core: SessionCore, type: number, requestId: number, value: number | Dict | undefined): void {
  if (requestId !== 0 || (type !== T.UNSUBSCRIBED && type !== T.UNREGISTERED)) {
    const p = core.requests_.take_(type - 1, requestId, MessageTypeName[type]!);
    core.requests_.delete_(requestId);
    return p.resolve(value);
  }
  const details = (value ?? {}) as Dict;
  const id = details[type === T.UNSUBSCRIBED ? 'subscription' : 'registration'];
  if (typeof id !== 'number') return;
  const r = { reason: typeof details['reason'] === 'string' ? details['reason'] : undefined, details };
  if (type === T.UNREGISTERED) core.callee_.revoked_(id, r);
  else core.subscriber_.revoked_(id, r);
}

/** An ERROR: for a CALL it is the call's answer; for any other request a router error, plain. */
function onError(core: SessionCore, msg: ErrorMessage): Promise<void> | void {
  const [, type, id, details, uri, slot, kw] = msg;
  if (type === T.CALL) return core.caller_.onReply_(id, details, slot, kw, uri);
  const p = core.requests_.take_(type, id, `ERROR (for ${MessageTypeName[type] ?? type})`);
  core.requests_.delete_(id);
  p.reject(new ApplicationError(uri, Array.isArray(slot) ? slot : [], kw ?? {}, details));
}

/**
 * Handle one validated message. Returns a promise only when payload decoding is asynchronous
 * (the caller then holds later messages back until it settles).
 */
export function dispatch(core: SessionCore, msg: RouterMessage): Promise<void> | void {
  if (core.state === 'closed') return;
  try {
    const type = msg[0];
    const joining = core.state === 'joining';
    // WELCOME and CHALLENGE belong to joining, GOODBYE and every type after it (6) to an established session
    if (type === T.WELCOME || type === T.CHALLENGE ? !joining : type >= T.GOODBYE && joining) {
      throw new ProtocolError(
        `${MessageTypeName[type]} received ${joining ? 'before WELCOME' : 'on an established session'}`,
      );
    }
    switch (msg[0]) {
      case T.EVENT:
        return core.subscriber_.onEvent_(msg[1], msg[2], msg[3], msg[4], msg[5]);
      case T.RESULT:
        return core.caller_.onReply_(msg[1], msg[2], msg[3], msg[4]);
      case T.INVOCATION:
        return core.callee_.onInvocation_(msg[1], msg[2], msg[3], msg[4], msg[5]);
      case T.ERROR:
        return onError(core, msg);
      case T.PUBLISHED:
      case T.SUBSCRIBED:
      case T.UNSUBSCRIBED:
      case T.REGISTERED:
      case T.UNREGISTERED:
        return onReply(core, msg[0], msg[1], msg[2]);
      case T.INTERRUPT:
        return core.callee_.onInterrupt_(msg[1], msg[2]);
      case T.WELCOME:
        return core.onWelcome_(msg[1], msg[2]);
      case T.CHALLENGE:
        return core.onChallenge_(msg[1], msg[2]);
      case T.ABORT:
        return core.onAbort_(msg[1], msg[2]);
      case T.GOODBYE:
        return core.onGoodbye_(msg[1], msg[2]);
    }
  } catch (e) {
    if (e instanceof ProtocolError) core.violation_(e);
    else core.report_(e);
  }
}
