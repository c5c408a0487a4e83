/**
 * Validation as a codec decorator: it wraps any payload codec (or none, for plaintext), so received
 * payloads are checked after the inner codec opened them (decrypted and authenticated them) and
 * never before; optionally, what this side sends is checked before the inner codec seals it.
 */
import { passthrough } from '@wampbox/core';
import type { Payload, PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { checkPayload } from './check-payload.js';
import type { CheckOutcome } from './check-payload.js';
import { PayloadValidationError } from './errors.js';
import type { ValidationDirection } from './errors.js';
import { markValidated } from './marks.js';
import { SchemaTable } from './schema-table.js';
import type { ValidationSource } from './schema-table.js';
import type { PayloadKind, PayloadSchemas } from './schemas.js';

/** Options of {@link withValidation}. */
export interface ValidationOptions {
  /**
   * What happens to a received payload its schema refuses: `refuse` (default) drops an EVENT and
   * reports it on the session's `error` event, answers an INVOCATION with
   * `wamp.error.invalid_argument`, rejects a call whose RESULT or ERROR fails; `report` delivers
   * the payload as it came (unvalidated) and only calls {@link ValidationOptions.onInvalid}, for
   * rolling a new schema out.
   */
  readonly inbound?: 'refuse' | 'report' | undefined;
  /**
   * Also check what this side sends (PUBLISH, CALL, YIELD, a handler's ERROR) before the inner
   * codec encodes it; a refused payload is not sent and the operation fails with
   * `ERR_PAYLOAD_INVALID`. The payload goes out as the application gave it (transforms are the
   * receiver's business). Default `false`.
   */
  readonly outbound?: boolean | undefined;
  /** Deliver the schema's output (transforms, defaults) instead of the payload as received. Default `true`. */
  readonly replaceWithOutput?: boolean | undefined;
  /** Refuse (`ERR_PAYLOAD_CODEC`) a schema that answers with a promise. Default `false`: it is awaited, in order. */
  readonly syncOnly?: boolean | undefined;
  /**
   * Called with every refusal (both directions, both modes), before the session acts on it. For
   * metrics and local diagnosis; what it throws is ignored.
   */
  readonly onInvalid?: ((err: PayloadValidationError) => void) | undefined;
}

/** Which schemas a message's payload answers to. */
interface Slot {
  readonly kind: PayloadKind;
  readonly target: string;
  readonly errorUri?: string | undefined;
}

function slotOf(ctx: PayloadContext): Slot | undefined {
  switch (ctx.messageType) {
    case 'PUBLISH':
    case 'EVENT':
      return { kind: 'event', target: ctx.uri };
    case 'CALL':
    case 'INVOCATION':
      return { kind: ctx.progress ? 'call_progress' : 'call', target: ctx.uri };
    case 'YIELD':
    case 'RESULT':
      return { kind: ctx.progress ? 'call_result_progress' : 'call_result', target: ctx.uri };
    case 'ERROR':
      return ctx.procedure === undefined ? undefined : { kind: 'call_error', target: ctx.procedure, errorUri: ctx.uri };
  }
}

function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

class ValidatingCodec implements PayloadCodec {
  declare readonly name: string;
  declare private readonly inner: PayloadCodec;
  declare private readonly table: SchemaTable;
  declare private readonly opts: ValidationOptions;

  constructor(inner: PayloadCodec, table: SchemaTable, opts: ValidationOptions) {
    this.name = `validated(${inner.name})`;
    this.inner = inner;
    this.table = table;
    this.opts = opts;
  }

  encode(payload: Payload, ctx: PayloadContext): WirePayload | Promise<WirePayload> {
    const found = this.opts.outbound ? this.schemasFor(ctx) : undefined;
    if (!found) return this.inner.encode(payload, ctx);
    const [slot, schemas] = found;
    const send = (out: CheckOutcome): WirePayload | Promise<WirePayload> => {
      if (!out.ok) throw this.refusal(slot, out, 'outbound');
      return this.inner.encode(payload, ctx);
    };
    const out = checkPayload(schemas, payload, { syncOnly: this.opts.syncOnly, target: slot.target });
    return isThenable<CheckOutcome>(out) ? Promise.resolve(out).then(send) : send(out);
  }

  decode(wire: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> {
    // the inner codec first: nothing that failed to open (decrypt, authenticate) reaches a schema
    const opened = this.inner.decode(wire, ctx);
    const found = this.schemasFor(ctx);
    if (!found) return opened;
    return isThenable<Payload>(opened)
      ? Promise.resolve(opened).then((p) => this.check(p, found[0], found[1]))
      : this.check(opened, found[0], found[1]);
  }

  private schemasFor(ctx: PayloadContext): [Slot, PayloadSchemas] | undefined {
    const slot = slotOf(ctx);
    const schemas = slot && this.table.select(slot.target, slot.kind, slot.errorUri);
    return slot && schemas ? [slot, schemas] : undefined;
  }

  private check(p: Payload, slot: Slot, schemas: PayloadSchemas): Payload | Promise<Payload> {
    const deliver = (out: CheckOutcome): Payload => {
      if (!out.ok) {
        const err = this.refusal(slot, out, 'inbound');
        if (this.opts.inbound === 'report') return p;
        throw err;
      }
      const delivered = this.opts.replaceWithOutput === false ? p : out.payload;
      markValidated(delivered, schemas);
      return delivered;
    };
    const out = checkPayload(schemas, p, { syncOnly: this.opts.syncOnly, target: slot.target });
    return isThenable<CheckOutcome>(out) ? Promise.resolve(out).then(deliver) : deliver(out);
  }

  private refusal(
    slot: Slot,
    out: Extract<CheckOutcome, { ok: false }>,
    direction: ValidationDirection,
  ): PayloadValidationError {
    const err = new PayloadValidationError({ ...slot, paths: out.paths, issues: out.issues, direction });
    try {
      this.opts.onInvalid?.(err);
    } catch {
      // an observer's failure does not change what happens to the payload
    }
    return err;
  }
}

/**
 * Wrap a payload codec so that received payloads are validated against Standard Schema schemas
 * (zod, valibot, arktype, ...) after the inner codec opened them: for plaintext (no inner codec),
 * cryptobox and E2E v2 alike, and never on a payload that failed to decrypt or authenticate.
 *
 * What a refused payload becomes: an INVOCATION is answered with ERROR
 * `wamp.error.invalid_argument` whose only argument names the failing paths (never values); an
 * EVENT is dropped and a {@link PayloadValidationError} is emitted on the session's `error` event;
 * a RESULT or an ERROR rejects the call with it. Handlers receive the schemas' output.
 * Schemas that answer with a promise are awaited; the session keeps message order meanwhile.
 *
 * @param inner - the codec that opens payloads (`cryptobox(ring)`, an E2E v2 codec), or `undefined` for plaintext
 * @param schemas - contracts (`defineProcedure`, `defineTopic`), or a table of schemas by URI or dot-terminated prefix
 * @param options - see {@link ValidationOptions}
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a schema that is not a Standard Schema,
 *   an unknown payload kind, or schemas for one kind of one URI given twice.
 *
 * @example
 * ```ts
 * const codec = withValidation(cryptobox(ring), [add, orderCreated]);
 * const session = await connect({ url, realm, codec });
 * ```
 */
export function withValidation(
  inner: PayloadCodec | undefined,
  schemas: ValidationSource,
  options: ValidationOptions = {},
): PayloadCodec {
  return new ValidatingCodec(inner ?? passthrough(), new SchemaTable(schemas), options);
}
