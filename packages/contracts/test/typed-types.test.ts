/**
 * Type tests: `npm run typecheck` compiles this file, so every `@ts-expect-error` line must be a
 * type error (or the check fails), and every other line must compile. At run time the calls go to
 * a recording stub.
 */
import type { Connection, Session, WampApi } from '@wampbox/core';
import * as v from 'valibot';
import { z } from 'zod';
import { defineProcedure, defineTopic, typed } from '../src/index';
import type { CallPayload, EventPayload, ResultOf, TypedApi, TypedInvocation } from '../src/index';

const add = defineProcedure('com.example.add', {
  call: { args: z.tuple([z.number(), z.number()]) },
  call_result: { args: z.tuple([z.number()]) },
});
const greet = defineProcedure('com.example.greet', {
  call: { kwargs: v.object({ name: v.string(), excited: v.optional(v.boolean(), false) }) },
  call_result: { kwargs: v.object({ text: v.string() }) },
  call_result_progress: { args: v.tuple([v.number()]) },
});
const untyped = defineProcedure('com.example.untyped', {});
const parsed = defineTopic('com.example.parsed', {
  kwargs: z.object({ at: z.string().transform((s) => new Date(s)), n: z.number().default(0) }),
});
const whole = defineTopic('com.example.whole', {
  payload: z.object({ args: z.tuple([z.string()]), kwargs: z.object({ k: z.number() }) }),
});

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

// types flow from the schemas: inputs for senders, outputs for receivers
assertType<
  Equal<CallPayload<typeof add>, { readonly args: [number, number] } & { readonly kwargs?: Record<string, unknown> }>
>();
assertType<Equal<ResultOf<typeof add>['args'], [number]>>();
assertType<Equal<EventPayload<typeof parsed>['kwargs'], { at: Date; n: number }>>();
assertType<Equal<TypedInvocation<typeof greet>['kwargs'], { name: string; excited: boolean }>>();
assertType<Equal<TypedInvocation<typeof untyped>['args'], unknown[]>>();

/** Compiles the calls; run with a stub that answers everything. */
async function uses(api: WampApi): Promise<void> {
  const t = typed(api);
  const r = await t.call(add, { args: [2, 3] });
  const sum: number = r.args[0];
  // @ts-expect-error the result is a one-number tuple, not a string
  const wrong: string = r.args[0];
  // @ts-expect-error arguments are two numbers
  await t.call(add, { args: [2, '3'] });
  // @ts-expect-error the call needs its arguments
  await t.call(add);
  // @ts-expect-error a tuple of two, not three
  await t.call(add, { args: [1, 2, 3] });
  await t.call(untyped); // nothing required: the payload may be left out
  await t.call(greet, { kwargs: { name: 'ada' } }); // `excited` has a default: optional on input
  // @ts-expect-error `name` is required
  await t.call(greet, { kwargs: { excited: true } });
  await t.call(
    greet,
    { kwargs: { name: 'ada' } },
    {
      onProgress: (p) => {
        const n: number = p.args[0];
        void n;
      },
    },
  );

  await t.register(add, ({ args: [a, b] }) => ({ args: [a + b] }));
  // @ts-expect-error the result must be a one-number tuple
  await t.register(add, ({ args: [a] }) => ({ args: [String(a)] }));
  // @ts-expect-error a result is required
  await t.register(add, () => undefined);
  await t.register(untyped, () => undefined); // no result schema: nothing required
  await t.register(greet, async (inv) => {
    const excited: boolean = inv.kwargs.excited;
    inv.progress({ args: [1] });
    // @ts-expect-error progress takes a one-number tuple
    inv.progress({ args: ['1'] });
    return { kwargs: { text: `hi ${inv.kwargs.name}${excited ? '!' : ''}` } };
  });

  await t.subscribe(parsed, (ev) => {
    const at: Date = ev.kwargs.at;
    // @ts-expect-error the handler receives the output type (a Date), not the input (a string)
    const s: string = ev.kwargs.at;
    void [at, s];
  });
  await t.publish(parsed, { kwargs: { at: '2026-01-01T00:00:00Z' } });
  // @ts-expect-error publishers pass the input type (a string)
  await t.publish(parsed, { kwargs: { at: new Date() } });
  await t.publish(whole, { args: ['x'], kwargs: { k: 1 } });
  // @ts-expect-error the whole-payload schema needs kwargs.k
  await t.publish(whole, { args: ['x'], kwargs: {} });
  await t.subscribe(whole, (ev) => {
    const k: number = ev.kwargs.k;
    const first: string = ev.args[0];
    void [k, first];
  });
  // @ts-expect-error a topic is not a procedure
  await t.call(parsed, {});
  // @ts-expect-error a procedure is not a topic
  await t.subscribe(add, () => undefined);
  void [sum, wrong];
}

/** A `Session` and a `Connection` are both `WampApi`s: both can be typed. */
export function both(session: Session, connection: Connection): [TypedApi, TypedApi] {
  return [typed(session), typed(connection)];
}

it('compiles the typed call sites (checked by npm run typecheck)', async () => {
  const stub: WampApi = {
    call: () => Promise.resolve({ args: [5], kwargs: { text: 'x' }, details: {}, progress: false }),
    callProgressive: () => {
      throw new RangeError('not used');
    },
    callStream: () => {
      throw new RangeError('not used');
    },
    publish: () => Promise.resolve(undefined),
    subscribe: () =>
      Promise.resolve({ unsubscribe: () => Promise.resolve(), [Symbol.asyncIterator]: () => ({}) as never }),
    register: () => Promise.resolve({ unregister: () => Promise.resolve() }),
  };
  await expect(uses(stub)).resolves.toBeUndefined();
});
