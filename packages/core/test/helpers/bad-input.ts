/**
 * Bad local input, one case per line: each must be refused with `ERR_INVALID_ARGUMENT` before
 * anything is sent, and must cost the session nothing. Used by the unit tests (against a scripted
 * router) and by the integration tests (against the real Crossbar.io, which drops the whole
 * connection when it receives such a message).
 */
import type { WampApiLike } from './wamp-api-like';

export interface BadInputCase {
  /** What the case does, as a user would write it. */
  readonly name: string;
  /** Runs the bad operation on an open session or connection. */
  readonly run: (s: WampApiLike) => Promise<unknown>;
}

const noop = (): void => undefined;

export const BAD_INPUT: readonly BadInputCase[] = [
  { name: "call('a..b')", run: (s) => s.call('a..b') },
  { name: "call('a b')", run: (s) => s.call('a b') },
  { name: "call('')", run: (s) => s.call('') },
  { name: 'call(5)', run: (s) => s.call(5 as never) },
  { name: "call('p', 'str')", run: (s) => s.call('com.x.p', 'str' as never) },
  { name: "call('p', 5)", run: (s) => s.call('com.x.p', 5 as never) },
  { name: "call('p', {a: 1})", run: (s) => s.call('com.x.p', { a: 1 } as never) },
  { name: "call('p', null)", run: (s) => s.call('com.x.p', null as never) },
  { name: "call('p', [], [1, 2])", run: (s) => s.call('com.x.p', [], [1, 2] as never) },
  { name: "call('p', [], 7)", run: (s) => s.call('com.x.p', [], 7 as never) },
  { name: "call('p', [], new Map())", run: (s) => s.call('com.x.p', [], new Map() as never) },
  {
    name: "call('p', [], {}, { cancelMode: 'bogus' })",
    run: (s) => s.call('com.x.p', [], {}, { cancelMode: 'bogus' as never }),
  },
  { name: "call('p', [], {}, { signal: {} })", run: (s) => s.call('com.x.p', [], {}, { signal: {} as never }) },
  { name: "call('p', [], {}, { timeoutMs: -1 })", run: (s) => s.call('com.x.p', [], {}, { timeoutMs: -1 }) },
  { name: "call('p', [], {}, { timeoutMs: NaN })", run: (s) => s.call('com.x.p', [], {}, { timeoutMs: Number.NaN }) },
  { name: "call('p', [], {}, { timeoutMs: 2 ** 31 })", run: (s) => s.call('com.x.p', [], {}, { timeoutMs: 2 ** 31 }) },
  { name: "call('p', [], {}, { timeoutMs: '5' })", run: (s) => s.call('com.x.p', [], {}, { timeoutMs: '5' as never }) },
  { name: "call('p', [], {}, { discloseMe: 1 })", run: (s) => s.call('com.x.p', [], {}, { discloseMe: 1 as never }) },
  { name: "call('p', [], {}, { onProgress: 1 })", run: (s) => s.call('com.x.p', [], {}, { onProgress: 1 as never }) },
  { name: "call('p', [], {}, null)", run: (s) => s.call('com.x.p', [], {}, null as never) },
  {
    name: "call('p', [], {}, { wampOptions: [] })",
    run: (s) => s.call('com.x.p', [], {}, { wampOptions: [] as never }),
  },
  { name: "publish('a..b')", run: (s) => s.publish('a..b') },
  { name: "publish('t', 'str')", run: (s) => s.publish('com.x.t', 'str' as never) },
  { name: "publish('t', [], 7)", run: (s) => s.publish('com.x.t', [], 7 as never) },
  { name: "publish(t, [], {}, { exclude: 'x' })", run: (s) => s.publish('com.x.t', [], {}, { exclude: 'x' as never }) },
  { name: 'publish(t, [], {}, { exclude: [1.5] })', run: (s) => s.publish('com.x.t', [], {}, { exclude: [1.5] }) },
  { name: 'publish(t, [], {}, { eligible: [-1] })', run: (s) => s.publish('com.x.t', [], {}, { eligible: [-1] }) },
  {
    name: 'publish(t, [], {}, { excludeAuthid: [1] })',
    run: (s) => s.publish('com.x.t', [], {}, { excludeAuthid: [1] as never }),
  },
  {
    name: "publish(t, [], {}, { acknowledge: 'yes' })",
    run: (s) => s.publish('com.x.t', [], {}, { acknowledge: 'yes' as never }),
  },
  { name: 'publish(t, [], {}, { retain: 1 })', run: (s) => s.publish('com.x.t', [], {}, { retain: 1 as never }) },
  { name: "subscribe('a..b', h)", run: (s) => s.subscribe('a..b', noop) },
  { name: "subscribe('a.', h) (exact)", run: (s) => s.subscribe('a.', noop) },
  { name: "subscribe('a..b', h, { match: 'prefix' })", run: (s) => s.subscribe('a..b', noop, { match: 'prefix' }) },
  {
    name: "subscribe('t', h, { match: 'bogus' })",
    run: (s) => s.subscribe('com.x.t', noop, { match: 'bogus' as never }),
  },
  { name: "subscribe('t', 5)", run: (s) => s.subscribe('com.x.t', 5 as never) },
  {
    name: "subscribe('t', h, { getRetained: 1 })",
    run: (s) => s.subscribe('com.x.t', noop, { getRetained: 1 as never }),
  },
  { name: "register('a..b', h)", run: (s) => s.register('a..b', noop) },
  { name: "register(p, h, { match: 'bogus' })", run: (s) => s.register('com.x.p', noop, { match: 'bogus' as never }) },
  {
    name: "register(p, h, { invoke: 'bogus' })",
    run: (s) => s.register('com.x.p', noop, { invoke: 'bogus' as never }),
  },
  { name: 'register(p, undefined)', run: (s) => s.register('com.x.p', undefined as never) },
  { name: "register('a b', h, { match: 'wildcard' })", run: (s) => s.register('a b', noop, { match: 'wildcard' }) },
  { name: 'close(5)', run: (s) => s.close(5 as never) },
  { name: "close('a..b')", run: (s) => s.close('a..b') },
];
