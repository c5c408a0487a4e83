/** What the Subscription and Registration Meta APIs share: both describe observations of URIs. */
import { checkOneOf, checkString, checkUri } from '../protocol/checks.js';
import type { MatchPolicy } from '../types.js';
import type { WampApi } from '../session/wamp-api.js';
import { ask, checkId, checkObject } from './ask.js';
import type { MetaCall } from './ask.js';
import { count, id, idOrNull, ids, idsByMatch } from './decode.js';
import type { Read } from './decode.js';
import { metaEvents } from './meta-events.js';
import type { MetaEvents } from './meta-events.js';
import type { Attachment, Created, Detachment, IdsByMatch } from './types.js';

/** Options of `lookup`: the match policy the subscription or registration was made with. */
export interface LookupOptions {
  /** Default `exact`. */
  match?: MatchPolicy | undefined;
}

/**
 * The part `SubscriptionMeta` and `RegistrationMeta` share: `wamp.<kind>.list`, `lookup`, `get`,
 * and the `on_create` / `on_delete` events. `I` is what `get` returns.
 */
export abstract class ObservationMeta<I> {
  declare private readonly api_: WampApi;
  declare private readonly kind_: 'subscription' | 'registration';
  declare private readonly readInfo_: Read<I>;

  /** @internal */
  constructor(api: WampApi, kind: 'subscription' | 'registration', readInfo: Read<I>) {
    this.api_ = api;
    this.kind_ = kind;
    this.readInfo_ = readInfo;
  }

  /** @internal Call `wamp.<kind>.<name>`. */
  protected call<T>(name: string, c: Omit<MetaCall<T>, 'uri'>): Promise<T> {
    return ask(this.api_, { ...c, uri: `wamp.${this.kind_}.${name}` });
  }

  /** @internal Call `wamp.<kind>.<name>` with one id argument and read the result with `read`. */
  protected byId<T>(name: string, value: number, what: string, read: Read<T>): Promise<T> {
    return this.call(name, { check: () => checkId(value, what), args: [value], read });
  }

  /** @internal Call `wamp.<kind>.<name>` with one URI argument (`lookup`, `match`). */
  protected byUri<T>(name: string, uri: string, read: Read<T>, options?: LookupOptions): Promise<T> {
    const check = (): void => {
      checkObject(options, 'options');
      checkOneOf(options?.match, ['exact', 'prefix', 'wildcard'], 'options.match');
      checkUri(uri, 'uri', 'loose', options?.match ?? 'exact');
    };
    const args = options?.match ? [uri, { match: options.match }] : [uri];
    return this.call(name, { check, args, read });
  }

  /** @internal Subscribe to `wamp.<kind>.on_<name>`, whose events are `[session, id]`. */
  protected onAttachment(name: string, handler?: (e: Attachment) => void): Promise<MetaEvents<Attachment>> {
    return this.onChange_(name, id, handler);
  }

  /** @internal Subscribe to `wamp.<kind>.on_<name>`, whose events are `[session or null, id]`. */
  protected onDetachment(name: string, handler?: (e: Detachment) => void): Promise<MetaEvents<Detachment>> {
    return this.onChange_(name, idOrNull, handler);
  }

  private onChange_<S extends number | null>(
    name: string,
    readSession: Read<S>,
    handler?: (e: { session: S; id: number }) => void,
  ): Promise<MetaEvents<{ session: S; id: number }>> {
    const topic = `wamp.${this.kind_}.on_${name}`;
    const read = (ev: { args: unknown[] }): { session: S; id: number } => ({
      session: readSession(ev.args[0], topic, 'args[0]'),
      id: id(ev.args[1], topic, 'args[1]'),
    });
    return metaEvents(this.api_, topic, read, handler);
  }

  /** @internal Remove session `sessionId` from `observation` (`remove_subscriber`, `remove_callee`). */
  protected remove(name: string, observation: number, sessionId: number, reason: string | undefined): Promise<void> {
    const check = (): void => {
      checkId(observation, `${this.kind_}Id`);
      checkId(sessionId, 'sessionId');
      checkString(reason, 'reason');
    };
    return this.call(name, {
      check,
      args: [observation, sessionId],
      kwargs: reason === undefined ? undefined : { reason },
    });
  }

  /** @internal `list_subscribers` / `list_callees`. */
  protected sessions(name: string, observation: number): Promise<number[]> {
    return this.byId(name, observation, `${this.kind_}Id`, ids);
  }

  /** @internal `count_subscribers` / `count_callees`. */
  protected countOf(name: string, observation: number): Promise<number> {
    return this.byId(name, observation, `${this.kind_}Id`, count);
  }

  /**
   * The ids by match policy (`wamp.<kind>.list`): of the whole realm, or of one session. Crossbar
   * specifics: for the whole realm it leaves out URIs under `wamp.` and `crossbar.` (unless the
   * caller's authrole is `trusted`) and always answers an empty `wildcard` list; for one session it
   * lists everything, and answers `wamp.error.no_such_session` for an unknown session.
   */
  list(sessionId?: number): Promise<IdsByMatch> {
    const check = (): void => {
      if (sessionId !== undefined) checkId(sessionId, 'sessionId');
    };
    return this.call('list', { check, args: sessionId === undefined ? [] : [sessionId], read: idsByMatch });
  }

  /**
   * The id managing `uri` with `options.match` (default `exact`) (`wamp.<kind>.lookup`), or `null`:
   * what the router would use for a new one with those options.
   */
  lookup(uri: string, options?: LookupOptions): Promise<number | null> {
    return this.byUri('lookup', uri, idOrNull, options);
  }

  /**
   * The details of one (`wamp.<kind>.get`).
   * @throws ApplicationError `wamp.error.no_such_subscription` / `wamp.error.no_such_registration`
   *   for an unknown id; `wamp.error.not_authorized` for one on a `wamp.` or `crossbar.` URI (Crossbar).
   */
  get(observation: number): Promise<I> {
    return this.byId('get', observation, 'id', this.readInfo_);
  }

  /** Subscribe to `wamp.<kind>.on_create`: a session made the first one on a URI. */
  onCreate(handler?: (e: Created<I>) => void): Promise<MetaEvents<Created<I>>> {
    const topic = `wamp.${this.kind_}.on_create`;
    const read = (ev: { args: unknown[] }): Created<I> => ({
      session: id(ev.args[0], topic, 'args[0]'),
      info: this.readInfo_(ev.args[1], topic, 'args[1]'),
    });
    return metaEvents(this.api_, topic, read, handler);
  }

  /**
   * Subscribe to `wamp.<kind>.on_delete`: the last session left one, and it was deleted (`session`
   * is `null` when it left by ending).
   */
  onDelete(handler?: (e: Detachment) => void): Promise<MetaEvents<Detachment>> {
    return this.onDetachment('delete', handler);
  }
}
