/** The options and events of a reconnecting `Connection`. */
import { checkCount, checkDuration, checkOneOf, invalid, isPlainObject } from '../protocol/checks.js';
import type { ConnectOptions } from '../session/connect.js';
import { checkConnectOptions } from '../protocol/option-checks.js';
import type { Session } from '../session/session.js';
import type { CloseInfo } from '../types.js';

/** Backoff between reconnect attempts. */
export interface ReconnectOptions {
  /** Delay before the first retry. Default 500 ms. */
  initialDelayMs?: number | undefined;
  /** Upper bound of the delay. Default 30000 ms. */
  maxDelayMs?: number | undefined;
  /** Growth of the delay per failed attempt. Default 2. */
  factor?: number | undefined;
  /** Fraction of each delay that is randomized (0 = none, 1 = full jitter). Default 0.5. */
  jitter?: number | undefined;
  /** Give up after this many failed attempts in a row. Default: never give up. */
  maxAttempts?: number | undefined;
}

/** Dead-peer detection. */
export interface HeartbeatOptions {
  /** Check the router after this long without a frame from it. Default 30000 ms; 0 turns it off. */
  intervalMs?: number | undefined;
  /** Declare the router dead when the check gets no answer within this time. Default 10000 ms. */
  timeoutMs?: number | undefined;
}

/** What happens to new calls and publishes while the connection is down. */
export type OfflinePolicy = 'wait' | 'fail';

/** Options of a `Connection`. */
export interface ConnectionOptions extends ConnectOptions {
  /** Reconnect policy; `false` turns reconnecting off. */
  reconnect?: ReconnectOptions | false | undefined;
  /** Dead-peer detection; `false` turns it off. */
  heartbeat?: HeartbeatOptions | false | undefined;
  /**
   * New calls while disconnected: `wait` for the reconnect (bounded by their `timeoutMs`) or
   * `fail` at once with `ERR_CONNECTION_LOST`. Default `wait`.
   */
  callsWhileDisconnected?: OfflinePolicy | undefined;
  /** New publishes while disconnected: `wait` or `fail`. Default `wait`. */
  publishesWhileDisconnected?: OfflinePolicy | undefined;
  /** At most this many operations wait for a reconnect; more fail with `ERR_BACKPRESSURE`. Default 1000. */
  maxWaiting?: number | undefined;
}

/** A reconnect attempt is scheduled. */
export interface RetryInfo {
  /** Failed attempts so far in this outage. */
  readonly attempt: number;
  /** How long until the next attempt. */
  readonly delayMs: number;
  /** Why the last attempt failed (or why the connection was lost). */
  readonly error?: Error | undefined;
}

/** Lifecycle events of a `Connection`. */
export interface ConnectionEvents {
  /** An attempt to open a session starts. */
  connecting: [info: { attempt: number }];
  /** A session is open and every subscription and registration has been re-established. */
  open: [session: Session];
  /** A session ended. `willReconnect` says whether the connection tries again. */
  close: [info: CloseInfo & { willReconnect: boolean }];
  /** The connection was lost and will be re-established. */
  reconnecting: [info: { reason: string }];
  /** A reconnect attempt is scheduled after `delayMs`. */
  retry: [info: RetryInfo];
  /** An error that belongs to no pending operation (restore failures, undeliverable events, ...). */
  error: [error: Error];
}

/** The reconnect, heartbeat and offline options of a `Connection` (the rest as `connect()` checks them). */
export function checkConnectionOptions(options: ConnectionOptions): void {
  checkConnectOptions(options);
  const r = options.reconnect as unknown;
  if (r !== undefined && r !== false) {
    if (!isPlainObject(r)) invalid('reconnect must be an object or false');
    checkDuration(r['initialDelayMs'], 'reconnect.initialDelayMs', false);
    checkDuration(r['maxDelayMs'], 'reconnect.maxDelayMs', false);
    if (
      r['factor'] !== undefined &&
      !(typeof r['factor'] === 'number' && r['factor'] >= 1 && Number.isFinite(r['factor']))
    ) {
      invalid('reconnect.factor must be a finite number ≥ 1');
    }
    if (r['jitter'] !== undefined && !(typeof r['jitter'] === 'number' && r['jitter'] >= 0 && r['jitter'] <= 1)) {
      invalid('reconnect.jitter must be a number from 0 to 1');
    }
    if (r['maxAttempts'] !== undefined && r['maxAttempts'] !== Number.POSITIVE_INFINITY)
      checkCount(r['maxAttempts'], 'reconnect.maxAttempts', 1);
  }
  const h = options.heartbeat as unknown;
  if (h !== undefined && h !== false) {
    if (!isPlainObject(h)) invalid('heartbeat must be an object or false');
    checkDuration(h['intervalMs'], 'heartbeat.intervalMs', false);
    checkDuration(h['timeoutMs'], 'heartbeat.timeoutMs', false);
  }
  checkOneOf(options.callsWhileDisconnected, ['wait', 'fail'], 'callsWhileDisconnected');
  checkOneOf(options.publishesWhileDisconnected, ['wait', 'fail'], 'publishesWhileDisconnected');
  checkCount(options.maxWaiting, 'maxWaiting');
}
