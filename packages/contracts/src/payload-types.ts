/**
 * Payload types derived from payload schemas: what a side sends (the schemas' input types) and
 * what a handler receives (their output types).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Dict } from '@wampbox/core';

/** The empty payload part: `Empty extends X` tests whether `X` requires anything. */
// eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- the empty type is the point
type Empty = Record<never, never>;

type In<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;
type Out<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;

type ArgsOut<P> = P extends { readonly args: StandardSchemaV1 } ? Out<P['args']> : unknown[];
type KwargsOut<P> = P extends { readonly kwargs: StandardSchemaV1 } ? Out<P['kwargs']> : Dict;
type ArgsIn<P> = P extends { readonly args: StandardSchemaV1 } ? In<P['args']> : readonly unknown[];
type KwargsIn<P> = P extends { readonly kwargs: StandardSchemaV1 } ? In<P['kwargs']> : Dict;

/** A part of a whole-payload output: absent becomes empty. */
type Part<O, K extends string, Empty> = O extends { readonly [k in K]?: infer V }
  ? undefined extends V
    ? Exclude<V, undefined> | Empty
    : V
  : Empty;

/**
 * A received payload as a handler sees it, from payload schemas `P` (or `undefined`: no schema):
 * the output types of `args` and `kwargs`, `unknown[]` and {@link Dict} where there is no schema.
 */
export type ReceivedPayload<P> = P extends { readonly payload: StandardSchemaV1 }
  ? { readonly args: Part<Out<P['payload']>, 'args', []>; readonly kwargs: Part<Out<P['payload']>, 'kwargs', Empty> }
  : { readonly args: ArgsOut<P>; readonly kwargs: KwargsOut<P> };

/**
 * A payload as a sender passes it, from payload schemas `P`: the input types of `args` and
 * `kwargs`; a part that may be empty may be left out.
 */
export type SentPayload<P> = P extends { readonly payload: StandardSchemaV1 }
  ? In<P['payload']>
  : ([] extends ArgsIn<P> ? { readonly args?: ArgsIn<P> } : { readonly args: ArgsIn<P> }) &
      (Empty extends KwargsIn<P> ? { readonly kwargs?: KwargsIn<P> } : { readonly kwargs: KwargsIn<P> });

/** The payload schemas of kind `K` among schemas `S` (a procedure's), or `undefined`. */
export type KindOf<S, K extends string> = K extends keyof S ? Exclude<S[K], undefined> : undefined;

/**
 * What a handler of a procedure with schemas `S` returns: its result payload, or nothing when the
 * result schema requires nothing.
 */
export type ResultFrom<S> =
  SentPayload<KindOf<S, 'call_result'>> | (Empty extends SentPayload<KindOf<S, 'call_result'>> ? void : never);
