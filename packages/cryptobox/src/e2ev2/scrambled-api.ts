/**
 * URI scrambling at the call sites (§c): the same calls as a session or connection, taking and
 * giving clear URIs while the router sees keyed tags below each namespace's clear prefix.
 *
 * - `call`, `callProgressive`, `publish` scramble the URI; an application error whose URI lies in
 *   a namespace comes back with its clear URI.
 * - `subscribe` and `register` scramble the URI or pattern: exact URIs and dot-terminated prefixes
 *   in both modes, wildcards only in positional namespaces (a chained namespace refuses them with
 *   `InvalidArgumentError`). A prefix without a trailing dot (`a.b`) matches `a.b` and `a.b.…`
 *   but, unlike an unscrambled prefix, never `a.bx`: tags have a fixed length.
 * - Handlers see clear URIs: `event.topic`, `event.details.topic`, `invocation.procedure`,
 *   `invocation.details.procedure`, checked by the codec against the sealed inner URI. An
 *   `ApplicationError` a handler throws with a URI in a namespace is sent scrambled.
 */
import {
  ApplicationError,
  type CallOptions,
  type CallResult,
  type Dict,
  type EventData,
  type EventHandler,
  type Invocation,
  type ProcedureHandler,
  type PublishOptions,
  type RegisterOptions,
  type RegistrationHandle,
  type SubscribeOptions,
  type SubscriptionHandle,
  type WampApi,
} from '@wampbox/core';
import type { E2eV2Codec } from './codec.js';

/** What {@link scrambled} offers: the calls of a `WampApi`, with clear URIs. */
export type ScrambledApi = Pick<WampApi, 'call' | 'callProgressive' | 'publish' | 'subscribe' | 'register'>;

/** `e` with its URI made clear when it is a scrambled application error. */
function clearError(codec: E2eV2Codec, e: unknown): unknown {
  if (!(e instanceof ApplicationError)) return e;
  const uri = codec.clearUri(e.uri);
  return uri === e.uri ? e : new ApplicationError(uri, e.args, e.kwargs, e.details, { cause: e });
}

function clearEvent(codec: E2eV2Codec, ev: EventData): EventData {
  const topic = codec.clearUri(ev.topic);
  const details = typeof ev.details['topic'] === 'string' ? { ...ev.details, topic } : ev.details;
  return { ...ev, topic, details };
}

function clearInvocation(codec: E2eV2Codec, inv: Invocation): Invocation {
  const procedure = codec.clearUri(inv.procedure);
  const details = typeof inv.details['procedure'] === 'string' ? { ...inv.details, procedure } : inv.details;
  // everything else as the invocation has it, its methods bound to it
  return new Proxy(inv, {
    get(target, key): unknown {
      if (key === 'procedure') return procedure;
      if (key === 'details') return details;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Calls over `api` (the session or connection `codec` runs on) with clear URIs, scrambled on the
 * wire by `codec`'s namespaces (its `scramble` option).
 *
 * @example
 * ```ts
 * const codec = e2eV2({ ..., scramble: [{ prefix: 'com.example.s.', master }] });
 * const session = await connect({ url, realm, codec });
 * const api = scrambled(session, codec);
 * await api.subscribe('com.example.s.orders.', (ev) => console.log(ev.topic), { match: 'prefix' });
 * await api.publish('com.example.s.orders.created', [order]); // the router sees com.example.s.<tag>.<tag>
 * ```
 */
export function scrambled(api: WampApi, codec: E2eV2Codec): ScrambledApi {
  const pattern = (match: string | undefined): boolean => match === 'prefix' || match === 'wildcard';
  return {
    async call(procedure: string, args?: unknown[], kwargs?: Dict, options?: CallOptions): Promise<CallResult> {
      const wire = await codec.scramble(procedure);
      try {
        return await api.call(wire, args, kwargs, options);
      } catch (e) {
        throw clearError(codec, e);
      }
    },
    callProgressive(procedure, args, kwargs, options): AsyncIterableIterator<CallResult> {
      async function* results(): AsyncGenerator<CallResult> {
        const wire = await codec.scramble(procedure);
        try {
          yield* api.callProgressive(wire, args, kwargs, options);
        } catch (e) {
          throw clearError(codec, e);
        }
      }
      return results();
    },
    async publish(topic: string, args?: unknown[], kwargs?: Dict, options?: PublishOptions) {
      return api.publish(await codec.scramble(topic), args, kwargs, options);
    },
    async subscribe(topic: string, handler?: EventHandler, options?: SubscribeOptions): Promise<SubscriptionHandle> {
      const wire = await codec.scramble(topic, { pattern: pattern(options?.match) });
      const h = await api.subscribe(wire, handler && ((ev) => handler(clearEvent(codec, ev))), options);
      return {
        unsubscribe: () => h.unsubscribe(),
        async *[Symbol.asyncIterator]() {
          for await (const ev of h) yield clearEvent(codec, ev);
        },
      };
    },
    async register(
      procedure: string,
      handler: ProcedureHandler,
      options?: RegisterOptions,
    ): Promise<RegistrationHandle> {
      const wire = await codec.scramble(procedure, { pattern: pattern(options?.match) });
      return api.register(
        wire,
        async (inv) => {
          try {
            return await handler(clearInvocation(codec, inv));
          } catch (e) {
            if (!(e instanceof ApplicationError)) throw e;
            const uri = await codec.scramble(e.uri);
            throw uri === e.uri ? e : new ApplicationError(uri, e.args, e.kwargs, e.details, { cause: e });
          }
        },
        options,
      );
    },
  };
}
