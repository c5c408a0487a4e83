/** Backoff between reconnect attempts: exponential growth, a cap, and jitter. */
import type { ReconnectOptions } from './options.js';

/** Fill in reconnect defaults. */
export function backoff(o: ReconnectOptions | undefined): Required<ReconnectOptions> {
  return {
    initialDelayMs: o?.initialDelayMs ?? 500,
    maxDelayMs: o?.maxDelayMs ?? 30000,
    factor: o?.factor ?? 2,
    jitter: Math.min(1, Math.max(0, o?.jitter ?? 0.5)),
    maxAttempts: o?.maxAttempts ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * The delay before reconnect attempt `attempt` (1-based): exponential growth capped at
 * `maxDelayMs`, of which the `jitter` fraction is randomized.
 * @example
 * ```ts
 * reconnectDelay(3, { initialDelayMs: 100, factor: 2, jitter: 0 }); // 400
 * ```
 */
export function reconnectDelay(attempt: number, o: ReconnectOptions = {}, random: () => number = Math.random): number {
  const b = backoff(o);
  const base = Math.min(b.maxDelayMs, b.initialDelayMs * b.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - b.jitter * random()));
}
