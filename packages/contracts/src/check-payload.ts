/**
 * Running the schemas of one payload: synchronously when every schema answers synchronously (no
 * microtask), else as a promise. The outcome is the schemas' output, or where they found problems.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PAYLOAD_ERROR_URIS, PayloadCodecError } from '@wampbox/core';
import type { Payload } from '@wampbox/core';
import { issuePath } from './paths.js';
import type { PayloadSchemas } from './schemas.js';

/** A payload with both parts present: what schemas receive and what validation delivers. */
export interface CheckedPayload {
  /** Positional arguments (`[]` when there were none). */
  readonly args: unknown[];
  /** Keyword arguments (`{}` when there were none). */
  readonly kwargs: Record<string, unknown>;
}

/** The problems a schema found: paths for everyone, issues for local diagnosis. */
export interface Refusal {
  /** Where, e.g. `args[0]`. */
  readonly paths: readonly string[];
  /** The schema library's issues. */
  readonly issues: readonly StandardSchemaV1.Issue[];
}

/** What checking a payload gives: the schemas' output, or a refusal. */
export type CheckOutcome = { readonly ok: true; readonly payload: CheckedPayload } | ({ readonly ok: false } & Refusal);

/** How a payload is checked. */
export interface CheckOptions {
  /** Refuse a schema that answers with a promise. */
  readonly syncOnly?: boolean | undefined;
  /** The URI, for messages. */
  readonly target: string;
}

type Part = StandardSchemaV1.Result<unknown>;

function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function misconfigured(target: string, why: string, cause?: unknown): PayloadCodecError {
  return new PayloadCodecError(
    'ERR_PAYLOAD_CODEC',
    PAYLOAD_ERROR_URIS.codec,
    `the schema for ${target} ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Run one schema; a throwing schema becomes a typed error that does not repeat its message. */
function run(schema: StandardSchemaV1, value: unknown, opts: CheckOptions): Part | Promise<Part> {
  let r: Part | Promise<Part>;
  try {
    r = schema['~standard'].validate(value);
  } catch (e) {
    throw misconfigured(opts.target, 'threw while validating', e);
  }
  if (isThenable<Part>(r)) {
    if (!opts.syncOnly) return r;
    // refused, but the schema still settles: its rejection must not count as unhandled
    Promise.resolve(r).catch(() => undefined);
    throw misconfigured(opts.target, 'answered asynchronously, and syncOnly is set');
  }
  return r;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The value of a result known to have no issues. */
function valueOf(r: Part): unknown {
  return (r as StandardSchemaV1.SuccessResult<unknown>).value;
}

function collect(results: readonly (readonly [Part | undefined, string])[], fallback: CheckedPayload): CheckOutcome {
  const paths: string[] = [];
  const issues: StandardSchemaV1.Issue[] = [];
  for (const [r, root] of results) {
    if (!r?.issues) continue;
    for (const issue of r.issues) {
      paths.push(issuePath(issue, root));
      issues.push(issue);
    }
  }
  if (issues.length > 0) return { ok: false, paths, issues };
  const [args, kwargs] = results;
  return {
    ok: true,
    payload: {
      args: args?.[0] ? (valueOf(args[0]) as unknown[]) : fallback.args,
      kwargs: kwargs?.[0] ? (valueOf(kwargs[0]) as Record<string, unknown>) : fallback.kwargs,
    },
  };
}

function checkShape(out: CheckOutcome, target: string): CheckOutcome {
  if (!out.ok) return out;
  if (!Array.isArray(out.payload.args)) throw misconfigured(target, 'returned args that are not a list');
  if (!isDict(out.payload.kwargs)) throw misconfigured(target, 'returned kwargs that are not a dictionary');
  return out;
}

function whole(
  schema: StandardSchemaV1,
  input: CheckedPayload,
  opts: CheckOptions,
): CheckOutcome | Promise<CheckOutcome> {
  const done = (r: Part): CheckOutcome => {
    if (r.issues) return collect([[r, '']], input);
    const v = r.value as { args?: unknown; kwargs?: unknown } | null;
    if (!isDict(v)) throw misconfigured(opts.target, 'returned a payload that is not { args, kwargs }');
    const payload = { args: (v.args ?? []) as unknown[], kwargs: (v.kwargs ?? {}) as Record<string, unknown> };
    return checkShape({ ok: true, payload }, opts.target);
  };
  const r = run(schema, input, opts);
  return isThenable<Part>(r) ? Promise.resolve(r).then(done) : done(r);
}

/**
 * Check `payload` against `schemas`. Returns the outcome now when every schema answered
 * synchronously, else a promise of it.
 * @throws PayloadCodecError `ERR_PAYLOAD_CODEC` when a schema throws, answers asynchronously under
 *   `syncOnly`, or returns something that is not a payload.
 */
export function checkPayload(
  schemas: PayloadSchemas,
  payload: Payload,
  opts: CheckOptions,
): CheckOutcome | Promise<CheckOutcome> {
  const input: CheckedPayload = { args: payload.args ?? [], kwargs: payload.kwargs ?? {} };
  if (schemas.payload) return whole(schemas.payload, input, opts);
  const a = schemas.args ? run(schemas.args, input.args, opts) : undefined;
  const k = schemas.kwargs ? run(schemas.kwargs, input.kwargs, opts) : undefined;
  const done = (ra: Part | undefined, rk: Part | undefined): CheckOutcome =>
    checkShape(
      collect(
        [
          [ra, 'args'],
          [rk, 'kwargs'],
        ],
        input,
      ),
      opts.target,
    );
  if (isThenable<Part>(a) || isThenable<Part>(k)) return Promise.all([a, k]).then(([ra, rk]) => done(ra, rk));
  return done(a, k);
}
