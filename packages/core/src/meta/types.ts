/** The typed results and events of the router meta API, in the shapes Crossbar.io sends. */
import type { Dict } from '../protocol/messages.js';
import type { MatchPolicy, PublishOptions } from '../types.js';

/**
 * A session as `wamp.session.get` returns it and `wamp.session.on_join` announces it (Crossbar
 * sends its `SessionDetails`; the spec requires `session`, `authid`, `authrole`, `authmethod` and
 * `authprovider`, the rest is Crossbar's). Wire names are kept.
 */
export interface SessionInfo {
  /** The session id. */
  readonly session: number;
  /** The authentication id. */
  readonly authid: string;
  /** The authentication role. */
  readonly authrole: string;
  /** The authentication method (`anonymous`, `ticket`, `wampcra`, `cryptosign`, ...). */
  readonly authmethod: string;
  /** Where the principal was found (`static`, `dynamic`, ...). */
  readonly authprovider: string;
  /** The realm (Crossbar). */
  readonly realm?: string | undefined;
  /** Extra data of the authentication (Crossbar: includes `x_cb_node`, `x_cb_worker`, `x_cb_peer`, `x_cb_pid`). */
  readonly authextra?: Dict | null | undefined;
  /** The serializer (Crossbar: often `null`). */
  readonly serializer?: string | null | undefined;
  /** Implementation-defined facts about the transport (Crossbar: `channel_type`, `peer`, `websocket_protocol`, ...). */
  readonly transport?: Dict | null | undefined;
  /** Whether the session was resumed (Crossbar). */
  readonly resumed?: boolean | null | undefined;
  /** Whether the session can be resumed (Crossbar). */
  readonly resumable?: boolean | null | undefined;
  /** The resume token (Crossbar). */
  readonly resume_token?: string | null | undefined;
}

/**
 * What `wamp.session.on_leave` announces. Crossbar sends the session id only; the spec adds
 * `authid` and `authrole`.
 */
export interface SessionLeft {
  /** The id of the session that left. */
  readonly session: number;
  /** Its authid, when the router sends it. */
  readonly authid?: string | undefined;
  /** Its authrole, when the router sends it. */
  readonly authrole?: string | undefined;
}

/** Ids of subscriptions or registrations, by match policy (`wamp.subscription.list`, `wamp.registration.list`). */
export interface IdsByMatch {
  /** Exact-match ids. */
  readonly exact: number[];
  /** Prefix-match ids. */
  readonly prefix: number[];
  /** Wildcard-match ids (Crossbar: always empty when listing the whole realm). */
  readonly wildcard: number[];
}

/** A subscription as `wamp.subscription.get` returns it and `wamp.subscription.on_create` announces it. */
export interface SubscriptionInfo {
  /** The subscription id. */
  readonly id: number;
  /** When it was created: an ISO 8601 UTC timestamp such as `2026-01-02T03:04:05.678Z`. */
  readonly created: string;
  /** The topic or pattern. */
  readonly uri: string;
  /** Its match policy. */
  readonly match: MatchPolicy;
}

/** A registration as `wamp.registration.get` returns it and `wamp.registration.on_create` announces it. */
export interface RegistrationInfo {
  /** The registration id. */
  readonly id: number;
  /** When it was created: an ISO 8601 UTC timestamp. */
  readonly created: string;
  /** The procedure or pattern. */
  readonly uri: string;
  /** Its match policy. */
  readonly match: MatchPolicy;
  /** Its invocation policy (`single`, `roundrobin`, `random`, `first`, `last`). */
  readonly invoke: string;
}

/** `wamp.subscription.on_create` / `wamp.registration.on_create`: a session created a subscription or registration. */
export interface Created<I> {
  /** The session that made it. */
  readonly session: number;
  /** What was created. */
  readonly info: I;
}

/** `on_subscribe` / `on_register`: a session was added to a subscription or registration. */
export interface Attachment {
  /** The session. */
  readonly session: number;
  /** The subscription or registration id. */
  readonly id: number;
}

/**
 * `on_unsubscribe` / `on_unregister`: a session left a subscription or registration; `on_delete`:
 * the last one left and it was deleted.
 */
export interface Detachment {
  /**
   * The session, or `null`: when the session left because it ended (GOODBYE, a kill, a lost
   * connection), Crossbar sends these events after it forgot the session's id.
   */
  readonly session: number | null;
  /** The subscription or registration id. */
  readonly id: number;
}

/** When a testament is published: when the session is `detached` or `destroyed` (the default). */
export type TestamentScope = 'destroyed' | 'detached';

/** Options of a testament's publication (those Crossbar honours; it drops `acknowledge` and `exclude_me`). */
export type TestamentPublishOptions = Pick<
  PublishOptions,
  'exclude' | 'eligible' | 'excludeAuthid' | 'excludeAuthrole' | 'eligibleAuthid' | 'eligibleAuthrole' | 'retain'
>;

/** Options of `SessionMeta.addTestament`. */
export interface TestamentOptions {
  /** When it is published. Default `destroyed`. */
  scope?: TestamentScope | undefined;
  /** How it is published. */
  publish?: TestamentPublishOptions | undefined;
}

/** Options of the `kill` procedures: what the killed sessions' GOODBYE says. */
export interface KillOptions {
  /** The GOODBYE reason URI (default `wamp.close.normal`). */
  reason?: string | undefined;
  /** A message for GOODBYE's details. */
  message?: string | undefined;
}
