/**
 * Which delivered payloads a codec has validated, and against which schemas: so that a typed call
 * site whose session already validates with the same contract does not run the schemas (and their
 * transforms) a second time. Keyed by the delivered `args` and `kwargs` objects, which the session
 * hands on unchanged; weakly, so nothing is kept alive.
 */
import type { Payload } from '@wampbox/core';
import type { CheckedPayload } from './check-payload.js';
import type { PayloadSchemas } from './schemas.js';

const validated = new WeakMap<object, PayloadSchemas>();

/** Not part of the public API. Remember that `p` is the output of `schemas`. */
export function markValidated(p: Payload, schemas: PayloadSchemas): void {
  if (typeof p.args === 'object' && p.args !== null) validated.set(p.args, schemas);
  if (typeof p.kwargs === 'object' && p.kwargs !== null) validated.set(p.kwargs, schemas);
}

/** Not part of the public API. Whether `p` (as delivered) is the output of `schemas`. */
export function wasValidated(p: CheckedPayload, schemas: PayloadSchemas): boolean {
  return validated.get(p.args) === schemas || validated.get(p.kwargs) === schemas;
}
