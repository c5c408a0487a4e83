/**
 * Payload types derived from payload schemas: what a side sends (the schemas' input types) and
 * what a handler receives (their output types).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Dict } from '@wampbox/core';

/** The empty payload part: `EmptyPart extends X` tests whether `X` requires anything. */
// eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- the empty type is the point
export type EmptyPart = Record<never, never>;

/** The input type of schema `S` (`never` for no schema). */
export type SchemaInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;
/** The output type of schema `S` (`never` for no schema). */
export type SchemaOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;

/** What a receiver gets as `args` under payload schemas `P`: the output of `P.args`, else `unknown[]`. */
export type ArgsOutput<P> = P extends { readonly args: StandardSchemaV1 } ? SchemaOutput<P['args']> : unknown[];
/** What a receiver gets as `kwargs` under payload schemas `P`: the output of `P.kwargs`, else {@link Dict}. */
export type KwargsOutput<P> = P extends { readonly kwargs: StandardSchemaV1 } ? SchemaOutput<P['kwargs']> : Dict;
/** What a sender passes as `args` under payload schemas `P`: the input of `P.args`, else any list. */
export type ArgsInput<P> = P extends { readonly args: StandardSchemaV1 } ? SchemaInput<P['args']> : readonly unknown[];
/** What a sender passes as `kwargs` under payload schemas `P`: the input of `P.kwargs`, else {@link Dict}. */
export type KwargsInput<P> = P extends { readonly kwargs: StandardSchemaV1 } ? SchemaInput<P['kwargs']> : Dict;

/** Part `K` of a whole-payload schema's output `O`: absent (or optional) becomes `E`, the empty value. */
export type WholePart<O, K extends string, E> = O extends { readonly [k in K]?: infer V }
  ? undefined extends V
    ? Exclude<V, undefined> | E
    : V
  : E;

/**
 * A received payload as a handler sees it, from payload schemas `P` (or `undefined`: no schema):
 * the output types of `args` and `kwargs`, `unknown[]` and {@link Dict} where there is no schema.
 */
export type ReceivedPayload<P> = P extends { readonly payload: StandardSchemaV1 }
  ? {
      readonly args: WholePart<SchemaOutput<P['payload']>, 'args', []>;
      readonly kwargs: WholePart<SchemaOutput<P['payload']>, 'kwargs', EmptyPart>;
    }
  : { readonly args: ArgsOutput<P>; readonly kwargs: KwargsOutput<P> };

/**
 * A payload as a sender passes it, from payload schemas `P`: the input types of `args` and
 * `kwargs`; a part that may be empty may be left out.
 */
export type SentPayload<P> = P extends { readonly payload: StandardSchemaV1 }
  ? SchemaInput<P['payload']>
  : ([] extends ArgsInput<P> ? { readonly args?: ArgsInput<P> } : { readonly args: ArgsInput<P> }) &
      (EmptyPart extends KwargsInput<P> ? { readonly kwargs?: KwargsInput<P> } : { readonly kwargs: KwargsInput<P> });

/** The payload schemas of kind `K` among schemas `S` (a procedure's), or `undefined`. */
export type KindOf<S, K extends string> = K extends keyof S ? Exclude<S[K], undefined> : undefined;

/**
 * What a handler of a procedure with schemas `S` returns: its result payload, or nothing when the
 * result schema requires nothing.
 */
export type ResultFrom<S> =
  SentPayload<KindOf<S, 'call_result'>> | (EmptyPart extends SentPayload<KindOf<S, 'call_result'>> ? void : never);
