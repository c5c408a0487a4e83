/**
 * Contracts: a procedure or a topic defined once, with the schemas of its payloads. The same
 * object types the call sites (see `typed`) and configures validation (see `withValidation`).
 */
import { InvalidArgumentError, isValidUri } from '@wampbox/core';
import type { ResultFrom } from './payload-types.js';
import type { PayloadSchemas } from './schemas.js';

/** The schemas of a procedure's payloads, each optional. */
export interface ProcedureSchemas {
  /** The call's arguments (CALL, INVOCATION). */
  readonly call?: PayloadSchemas | undefined;
  /** The chunks of a progressive call. */
  readonly call_progress?: PayloadSchemas | undefined;
  /** The result (YIELD, RESULT). */
  readonly call_result?: PayloadSchemas | undefined;
  /** Progressive results. */
  readonly call_result_progress?: PayloadSchemas | undefined;
  /** The payloads of the errors the procedure answers with, by error URI. */
  readonly call_error?: Readonly<Record<string, PayloadSchemas>> | undefined;
}

/**
 * A procedure and the schemas of its payloads: made by {@link defineProcedure}. `R` is the
 * result payload its handlers return, computed from `S` (it lets a handler's returned tuples be
 * typed as tuples).
 */
export interface ProcedureContract<S extends ProcedureSchemas = ProcedureSchemas, R = ResultFrom<S>> {
  /** Discriminator. */
  readonly type: 'procedure';
  /** The procedure URI. */
  readonly uri: string;
  /** The schemas, per payload kind. */
  readonly schemas: S;
  /** Type-level only, never set: the result payload a handler returns. */
  readonly resultType?: R | undefined;
}

/** A topic and the schema of its events: made by {@link defineTopic}. */
export interface TopicContract<S extends PayloadSchemas = PayloadSchemas> {
  /** Discriminator. */
  readonly type: 'topic';
  /** The topic URI. */
  readonly uri: string;
  /** The schemas: `event`. */
  readonly schemas: { readonly event: S };
}

/** A procedure or a topic contract. */
export type Contract = ProcedureContract | TopicContract;

function checkedUri(uri: string): string {
  if (!isValidUri(uri)) throw new InvalidArgumentError(`a contract needs a valid URI, not ${JSON.stringify(uri)}`);
  return uri;
}

/**
 * Define a procedure with the schemas of its payloads. Types flow from the schemas: `call`'s input
 * type is what callers pass, its output type what the handler receives; likewise for results.
 *
 * @example
 * ```ts
 * const add = defineProcedure('com.example.add', {
 *   call: { args: z.tuple([z.number(), z.number()]) },
 *   call_result: { args: z.tuple([z.number()]) },
 * });
 * ```
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an invalid URI.
 */
export function defineProcedure<const S extends ProcedureSchemas>(uri: string, schemas: S): ProcedureContract<S> {
  return Object.freeze({ type: 'procedure', uri: checkedUri(uri), schemas });
}

/**
 * Define a topic with the schema of its events: its input type is what publishers pass, its
 * output type what subscribers receive.
 *
 * @example
 * ```ts
 * const orderCreated = defineTopic('com.example.order.created', {
 *   kwargs: z.object({ id: z.string(), total: z.number().nonnegative() }),
 * });
 * ```
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for an invalid URI.
 */
export function defineTopic<const S extends PayloadSchemas>(uri: string, schemas: S): TopicContract<S> {
  return Object.freeze({ type: 'topic', uri: checkedUri(uri), schemas: Object.freeze({ event: schemas }) });
}
