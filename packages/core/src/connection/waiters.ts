/**
 * Operations waiting for the next session of a reconnecting connection: each runs once a session
 * is open, or fails on its own deadline or signal, or when the connection closes.
 */
import { CanceledError, TimeoutError } from '../errors.js';
import type { Session } from '../session/session.js';

/** An operation waiting for the next session. */
interface Waiter {
  run(session: Session): void;
  /** Stop waiting, and reject with `err` if given. */
  fail(err?: Error): void;
}

/** Not part of the public API (not exported by the package). */
export class WaitingRoom {
  declare private readonly waiters_: Set<Waiter>;

  constructor() {
    this.waiters_ = new Set();
  }

  /** How many operations wait. */
  get size(): number {
    return this.waiters_.size;
  }

  /**
   * Wait for the next session, then run `op` on it with what remains of `timeoutMs` (`0` and
   * `Infinity`: no deadline). Rejects with `ERR_TIMEOUT` when the deadline passes first and with
   * `ERR_CANCELED` when `signal` aborts.
   */
  wait<R>(
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    op: (s: Session, remainingMs?: number) => Promise<R>,
  ): Promise<R> {
    // a throw in the executor rejects the promise
    return new Promise<R>((resolve, reject) => {
      const aborted = (): Error =>
        new CanceledError('aborted while waiting for the connection', { cause: signal?.reason });
      if (signal?.aborted) throw aborted();
      const deadline = timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs) ? timeoutMs : undefined;
      const started = Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const w: Waiter = {
        run: (session) => {
          w.fail();
          op(session, deadline === undefined ? undefined : Math.max(1, deadline - (Date.now() - started))).then(
            resolve,
            reject,
          );
        },
        fail: (err) => {
          this.waiters_.delete(w);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(err);
        },
      };
      const onAbort = (): void => w.fail(aborted());
      if (deadline !== undefined)
        timer = setTimeout(() => w.fail(new TimeoutError(`not reconnected within ${deadline} ms`)), deadline);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters_.add(w);
    });
  }

  /** A session is open: run every waiting operation on it. */
  runAll(session: Session): void {
    for (const w of [...this.waiters_]) w.run(session);
  }

  /** The connection closed for good: every waiting operation fails with `err`. */
  failAll(err: Error): void {
    for (const w of [...this.waiters_]) w.fail(err);
  }
}
