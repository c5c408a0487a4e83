/**
 * What validation is configured with: Standard Schema schemas (zod, valibot, arktype, effect, ...)
 * for the payloads of a URI, per payload kind. The names of the kinds are Crossbar's `validate` keys.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * A schema for a payload's positional arguments. It receives the Arguments list, `[]` when the
 * message has none, and its output must be a list (what handlers receive as `args`).
 */
export type ArgsSchema = StandardSchemaV1<readonly unknown[], readonly unknown[]>;

/**
 * A schema for a payload's keyword arguments. It receives the ArgumentsKw dictionary, `{}` when the
 * message has none, and its output must be a dictionary (what handlers receive as `kwargs`).
 */
export type KwargsSchema = StandardSchemaV1<Record<string, unknown>, Record<string, unknown>>;

/** The shape a whole-payload schema receives and must return. */
export interface WholePayload {
  /** Positional arguments. */
  readonly args?: readonly unknown[] | undefined;
  /** Keyword arguments. */
  readonly kwargs?: Record<string, unknown> | undefined;
}

/**
 * A schema for a whole payload at once: it receives `{ args, kwargs }` (`[]` and `{}` when absent),
 * for rules that span both. Its output's `args` and `kwargs` are what handlers receive.
 */
export type PayloadSchema = StandardSchemaV1<WholePayload, WholePayload>;

/** Schemas for the two parts of one payload, each optional (a missing one accepts anything). */
export interface SplitSchemas {
  /** Validates the Arguments list (tuple schemas welcome). */
  readonly args?: ArgsSchema | undefined;
  /** Validates the ArgumentsKw dictionary. */
  readonly kwargs?: KwargsSchema | undefined;
  /** Not with `args` or `kwargs`. */
  readonly payload?: undefined;
}

/** One schema for a whole payload. */
export interface WholeSchemas {
  /** Validates `{ args, kwargs }` at once. */
  readonly payload: PayloadSchema;
  /** Not with `payload`. */
  readonly args?: undefined;
  /** Not with `payload`. */
  readonly kwargs?: undefined;
}

/** The schemas of one WAMP payload: `args` and/or `kwargs`, or `payload` for both at once. */
export type PayloadSchemas = SplitSchemas | WholeSchemas;

/**
 * Which payload of a URI a schema applies to (Crossbar's `validate` keys): `event` (PUBLISH and
 * EVENT), `call` (CALL and INVOCATION), `call_progress` (the chunks of a progressive call),
 * `call_result` (YIELD and RESULT), `call_result_progress` (progressive results), `call_error`
 * (the payload of an ERROR answering a call, per error URI).
 */
export type PayloadKind = 'event' | 'call' | 'call_progress' | 'call_result' | 'call_result_progress' | 'call_error';

/** The schemas of one URI, per payload kind. */
export interface UriSchemas {
  /** PUBLISH and EVENT on a topic. */
  readonly event?: PayloadSchemas | undefined;
  /** CALL and INVOCATION of a procedure. */
  readonly call?: PayloadSchemas | undefined;
  /** The chunks of a progressive call (CALL and INVOCATION with `progress`). */
  readonly call_progress?: PayloadSchemas | undefined;
  /** YIELD and final RESULT. */
  readonly call_result?: PayloadSchemas | undefined;
  /** Progressive YIELD and RESULT. */
  readonly call_result_progress?: PayloadSchemas | undefined;
  /** The payload of an ERROR answering a call, by error URI. */
  readonly call_error?: Readonly<Record<string, PayloadSchemas>> | undefined;
}

/**
 * Schemas by URI. A key is an exact URI, or a prefix when it ends with a dot (`com.example.`):
 * the exact URI wins, then the longest prefix.
 */
export type ValidationTable = Readonly<Record<string, UriSchemas>>;
