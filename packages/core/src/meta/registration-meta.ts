/** `wamp.registration.*`: the Registration Meta API, typed. */
import type { WampApi } from '../session/wamp-api.js';
import { idOrNull, registrationInfo } from './decode.js';
import type { MetaEvents } from './meta-events.js';
import { ObservationMeta } from './observation-meta.js';
import type { Attachment, Detachment, RegistrationInfo } from './types.js';

/**
 * The registrations of the realm (`wamp.registration.*`) over a `Session` or a `Connection`, in
 * the shapes Crossbar.io answers with; errors as for `SessionMeta`. Crossbar hides its own meta
 * procedures (`wamp.`, `crossbar.`) from everything but `list(sessionId)`.
 *
 * @example
 * ```ts
 * const meta = new RegistrationMeta(session);
 * const id = await meta.match('com.example.add');
 * if (id !== null) console.log(await meta.get(id), await meta.countCallees(id));
 * ```
 */
export class RegistrationMeta extends ObservationMeta<RegistrationInfo> {
  /** @param api - a `Session` or `Connection` */
  constructor(api: WampApi) {
    super(api, 'registration', registrationInfo);
  }

  /** The id of the registration a call to `procedure` would reach (`wamp.registration.match`), or `null`. */
  match(procedure: string): Promise<number | null> {
    return this.byUri('match', procedure, idOrNull);
  }

  /** The ids of the callee sessions of a registration (`wamp.registration.list_callees`). */
  listCallees(registrationId: number): Promise<number[]> {
    return this.sessions('list_callees', registrationId);
  }

  /** How many callees a registration has (`wamp.registration.count_callees`). */
  countCallees(registrationId: number): Promise<number> {
    return this.countOf('count_callees', registrationId);
  }

  /**
   * Take callee `sessionId` off a registration (`wamp.registration.remove_callee`, Crossbar's; the
   * spec has no such procedure, nor a `wamp.registration.kill`). The callee gets UNREGISTERED with
   * `{ registration, reason }`: its handle emits `revoked`. `reason` is passed on as it is.
   * @throws ApplicationError `wamp.error.no_such_registration` when the session is not a callee of it.
   */
  removeCallee(registrationId: number, sessionId: number, reason?: string): Promise<void> {
    return this.remove('remove_callee', registrationId, sessionId, reason);
  }

  /** Subscribe to `wamp.registration.on_register`: a callee was added to a registration. */
  onRegister(handler?: (e: Attachment) => void): Promise<MetaEvents<Attachment>> {
    return this.onAttachment('register', handler);
  }

  /**
   * Subscribe to `wamp.registration.on_unregister`: a callee left a registration (`session` is `null` when it
   * left by ending).
   */
  onUnregister(handler?: (e: Detachment) => void): Promise<MetaEvents<Detachment>> {
    return this.onDetachment('unregister', handler);
  }
}
