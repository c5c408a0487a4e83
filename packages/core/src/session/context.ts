/**
 * What the four roles (caller, callee, publisher, subscriber) share of their session: the state,
 * the request table, the payload pipeline and where errors are reported. Each role also has
 * {@link Role.end_}, called once when the session ends.
 */
import type { PayloadPipeline } from '../payload/pipeline.js';
import type { UriRules } from '../protocol/uri.js';
import type { RequestTable } from './requests.js';
import type { WelcomeInfo } from '../types.js';

/** The lifecycle states of a session. */
export type SessionState = 'joining' | 'established' | 'closing' | 'closed';

/** Not part of the public API (not exported by the package). */
export interface SessionContext {
  /** The current state. */
  readonly state: SessionState;
  /** The URI rules the session checks what it sends against. */
  readonly rules_: UriRules;
  /** What WELCOME granted (once established). */
  readonly welcomeInfo_: WelcomeInfo | undefined;
  /** Every request awaiting a reply. */
  readonly requests_: RequestTable;
  /** Sending messages (with and without payload) and opening received payloads. */
  readonly payload_: PayloadPipeline;
  /** @throws SessionClosedError unless the session is established. */
  assertOpen_(): void;
  /** `true` while messages may still go out (established or closing). */
  transportUsable_(): boolean;
  /** An error that belongs to no pending operation: emitted on `error`, or logged. */
  report_(err: unknown): void;
}

/** A role's part in the end of the session. */
export interface Role {
  /**
   * The session ended with `err` (`clean` after a GOODBYE handshake): drop subscriptions,
   * registrations and invocations. Pending requests are failed by the request table.
   */
  end_(err: Error, clean: boolean): void;
}
