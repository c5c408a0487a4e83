/** Types derived from contracts: what each side of a procedure or a topic sends and receives. */
import type { ProcedureSchemas } from './define.js';
import type { KindOf, ReceivedPayload, ResultFrom, SentPayload } from './payload-types.js';

/** The payload schemas of `kind` in a procedure contract, or `undefined`. */
export type SchemasOf<D, K extends keyof ProcedureSchemas> = D extends {
  readonly type: 'procedure';
  readonly schemas: infer S;
}
  ? KindOf<S, K>
  : undefined;

/** The event schemas of a topic contract. */
export type EventSchemasOf<D> = D extends { readonly type: 'topic'; readonly schemas: { readonly event: infer S } }
  ? S
  : undefined;

/** What a caller passes to a procedure `D`. */
export type CallPayload<D> = SentPayload<SchemasOf<D, 'call'>>;

/** What a procedure `D`'s handler receives. */
export type InvocationPayload<D> = ReceivedPayload<SchemasOf<D, 'call'>>;

/** What a procedure `D`'s handler returns: its result payload (may be omitted when nothing is required). */
export type ResultPayload<D> = D extends { readonly type: 'procedure'; readonly schemas: infer S }
  ? ResultFrom<S>
  : never;

/** A progressive result a procedure `D`'s handler sends. */
export type ProgressPayload<D> = SentPayload<SchemasOf<D, 'call_result_progress'>>;

/** What a caller of `D` receives as the result. */
export type ResultOf<D> = ReceivedPayload<SchemasOf<D, 'call_result'>>;

/** What a caller of `D` receives as a progressive result. */
export type ProgressOf<D> = ReceivedPayload<SchemasOf<D, 'call_result_progress'>>;

/** What a publisher passes for topic `D`. */
export type PublishPayload<D> = SentPayload<EventSchemasOf<D>>;

/** What a subscriber to topic `D` receives. */
export type EventPayload<D> = ReceivedPayload<EventSchemasOf<D>>;
