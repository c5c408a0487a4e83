/** `wamp.session.*`: the Session Meta API and testaments, typed. */
import {
  checkArgs,
  checkIdList,
  checkKwargs,
  checkOneOf,
  checkString,
  checkStringList,
  checkUri,
  invalid,
} from '../protocol/checks.js';
import type { Dict } from '../protocol/messages.js';
import { PUBLISH_OPTIONS, wireOptions } from '../protocol/wire-options.js';
import type { WampApi } from '../session/wamp-api.js';
import { ask, checkId, checkObject, setEntries } from './ask.js';
import { count, id, ids, sessionInfo, sessionLeft } from './decode.js';
import { metaEvents } from './meta-events.js';
import type { MetaEvents } from './meta-events.js';
import type { KillOptions, SessionInfo, SessionLeft, TestamentOptions, TestamentScope } from './types.js';

const SCOPES = ['destroyed', 'detached'] as const;

function checkKill(o: KillOptions | undefined): void {
  checkObject(o, 'options');
  if (o?.reason !== undefined) checkUri(o.reason, 'options.reason');
  checkString(o?.message, 'options.message');
}

/**
 * The sessions of the realm (`wamp.session.*`) over a `Session` or a `Connection`, typed in the
 * shapes Crossbar.io answers with. Each method rejects with `ApplicationError` for the router's
 * errors (`wamp.error.no_such_session`, `wamp.error.not_authorized`, ...), with
 * `InvalidArgumentError` for a bad argument (nothing is sent), and with `UnexpectedResultError`
 * (`ERR_UNEXPECTED_RESULT`) for an answer of another shape.
 *
 * @example
 * ```ts
 * const meta = new SessionMeta(session);
 * const ids = await meta.list();
 * const info = await meta.get(ids[0]!); // { session, authid, authrole, authmethod, authprovider, ... }
 * await meta.addTestament('com.example.gone', [session.id]); // published when this session ends
 * ```
 */
export class SessionMeta {
  declare private readonly api_: WampApi;

  /** @param api - a `Session` or `Connection` */
  constructor(api: WampApi) {
    this.api_ = api;
  }

  /**
   * How many sessions are joined to the realm (`wamp.session.count`), counting only those with an
   * authrole among `authroles` when given. Crossbar counts the calling session too, but not its
   * own internal sessions.
   */
  count(authroles?: string[]): Promise<number> {
    const check = (): void => checkStringList(authroles, 'authroles');
    return ask(this.api_, { uri: 'wamp.session.count', check, args: authroles && [authroles], read: count });
  }

  /**
   * The ids of the sessions joined to the realm (`wamp.session.list`), optionally only those with an
   * authrole among `authroles`.
   */
  list(authroles?: string[]): Promise<number[]> {
    const check = (): void => checkStringList(authroles, 'authroles');
    return ask(this.api_, { uri: 'wamp.session.list', check, args: authroles && [authroles], read: ids });
  }

  /**
   * A session's details (`wamp.session.get`).
   * @throws ApplicationError `wamp.error.no_such_session` when no such session is joined.
   */
  get(sessionId: number): Promise<SessionInfo> {
    const check = (): void => checkId(sessionId, 'sessionId');
    return ask(this.api_, { uri: 'wamp.session.get', check, args: [sessionId], read: sessionInfo });
  }

  /**
   * End a session (`wamp.session.kill`): the router sends it GOODBYE with `reason` (default
   * `wamp.close.normal`) and `message`. Crossbar kills the calling session too when given its id
   * (the spec answers `wamp.error.no_such_session` instead).
   * @throws ApplicationError `wamp.error.no_such_session` when no such session is joined.
   */
  kill(sessionId: number, options?: KillOptions): Promise<void> {
    const check = (): void => {
      checkId(sessionId, 'sessionId');
      checkKill(options);
    };
    return ask(this.api_, { uri: 'wamp.session.kill', check, args: [sessionId], kwargs: setEntries({ ...options }) });
  }

  /**
   * End every session with authid `authid` (`wamp.session.kill_by_authid`). Resolves with the ids
   * of the sessions killed: Crossbar answers with that list (the spec with a count), and includes
   * the calling session if it has that authid (the spec excludes it).
   */
  killByAuthid(authid: string, options?: KillOptions): Promise<number[]> {
    return this.killBy_('wamp.session.kill_by_authid', authid, 'authid', options);
  }

  /**
   * End every session with authrole `authrole` (`wamp.session.kill_by_authrole`); as
   * {@link SessionMeta.killByAuthid}.
   */
  killByAuthrole(authrole: string, options?: KillOptions): Promise<number[]> {
    return this.killBy_('wamp.session.kill_by_authrole', authrole, 'authrole', options);
  }

  private killBy_(uri: string, value: string, what: string, options: KillOptions | undefined): Promise<number[]> {
    const check = (): void => {
      if (typeof value !== 'string' || value === '') invalid(`${what} must be a non-empty string`);
      checkKill(options);
    };
    return ask(this.api_, { uri, check, args: [value], kwargs: setEntries({ ...options }), read: ids });
  }

  /**
   * Leave a testament (`wamp.session.add_testament`): the router publishes `args`/`kwargs` to
   * `topic` when this session ends (`scope` `destroyed`, the default) or is detached (`detached`;
   * Crossbar, without session resumption, publishes both when the session ends, `detached` first),
   * however it ends: GOODBYE, a kill, or a lost connection. Resolves with the id Crossbar gives the
   * publication (the spec returns nothing). Over a `Connection`, a testament belongs to the current
   * session only: leave it again after a reconnect.
   * @example
   * ```ts
   * await meta.addTestament('com.example.presence.gone', [session.id], { name: 'worker-1' });
   * ```
   */
  addTestament(topic: string, args?: unknown[], kwargs?: Dict, options?: TestamentOptions): Promise<number> {
    const check = (): void => {
      checkUri(topic, 'topic');
      checkArgs(args);
      checkKwargs(kwargs);
      checkObject(options, 'options');
      checkOneOf(options?.scope, SCOPES, 'options.scope');
      const p = options?.publish;
      checkObject(p, 'options.publish');
      for (const k of ['exclude', 'eligible'] as const) checkIdList(p?.[k], `options.publish.${k}`);
      for (const k of ['excludeAuthid', 'excludeAuthrole', 'eligibleAuthid', 'eligibleAuthrole'] as const)
        checkStringList(p?.[k], `options.publish.${k}`);
    };
    const publish = options?.publish ? wireOptions(options.publish as Dict, PUBLISH_OPTIONS) : undefined;
    return ask(this.api_, {
      uri: 'wamp.session.add_testament',
      check,
      // Crossbar requires args and kwargs (positional), and reads publish_options and scope by name
      args: [topic, args ?? [], kwargs ?? {}],
      kwargs: setEntries({ publish_options: publish, scope: options?.scope }),
      read: id,
    });
  }

  /**
   * Remove this session's testaments of `scope` (default `destroyed`) (`wamp.session.flush_testaments`).
   * Resolves with how many were removed (Crossbar; the spec returns nothing).
   */
  flushTestaments(scope?: TestamentScope): Promise<number> {
    const check = (): void => checkOneOf(scope, SCOPES, 'scope');
    const kwargs = scope ? { scope } : undefined;
    return ask(this.api_, { uri: 'wamp.session.flush_testaments', check, kwargs, read: count });
  }

  /**
   * Subscribe to `wamp.session.on_join`: every session that joins the realm (not the subscriber's
   * own join, which came first), with its details.
   */
  onJoin(handler?: (session: SessionInfo) => void): Promise<MetaEvents<SessionInfo>> {
    const topic = 'wamp.session.on_join';
    return metaEvents(this.api_, topic, (ev) => sessionInfo(ev.args[0], topic, 'args[0]'), handler);
  }

  /**
   * Subscribe to `wamp.session.on_leave`: every session that leaves the realm, however it ends.
   * Crossbar sends the session id only.
   */
  onLeave(handler?: (left: SessionLeft) => void): Promise<MetaEvents<SessionLeft>> {
    return metaEvents(this.api_, 'wamp.session.on_leave', sessionLeft, handler);
  }
}
