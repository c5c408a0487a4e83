/** Helpers of the codec conformance suite: payload comparison, tampering, refusal checks. */
import { PayloadCodecError } from '../errors.js';
import type { Payload, WirePayload } from '../payload/payload-codec.js';

/** A string the sample payload carries, looked for in opaque bytes (it must not be there). */
export const MARKER = 'conformance-plaintext-marker-7f3a';

/** A payload with every JSON type, nesting and non-ASCII text. */
export function samplePayload(): Payload {
  return {
    args: [MARKER, 42, 1.5, true, null, ['nested', { deep: 'Grüße ✓ 😀' }]],
    kwargs: { marker: MARKER, n: -1, empty: {} },
  };
}

function isPayloadCodecError(err: unknown): boolean {
  if (err instanceof PayloadCodecError) return true;
  // A codec bundled with its own copy of core throws a different class of the same shape.
  const e = err as { name?: unknown; code?: unknown; uri?: unknown } | null;
  return (
    err instanceof Error &&
    e !== null &&
    e.name === 'PayloadCodecError' &&
    typeof e.code === 'string' &&
    e.code.startsWith('ERR_PAYLOAD_') &&
    typeof e.uri === 'string'
  );
}

/** `fn` must throw or reject with a `PayloadCodecError`; delivering anything fails with `what`. */
export async function expectRefused(fn: () => unknown, what: string): Promise<void> {
  let delivered: unknown;
  try {
    delivered = await fn();
  } catch (err) {
    if (!isPayloadCodecError(err)) {
      throw new Error(`${what}: refused, but with ${describeError(err)} instead of a PayloadCodecError`);
    }
    return;
  }
  throw new Error(
    `${what}: expected a PayloadCodecError, but the codec delivered ${JSON.stringify(normalize(delivered))}`,
  );
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : `a thrown ${typeof err}`;
}

/** The payload with one bit flipped at its start, middle and end. */
export function flipVariants(wire: WirePayload & { kind: 'opaque' }): WirePayload[] {
  const n = wire.payload.length;
  const positions = [...new Set([0, n >> 1, n - 1].filter((i) => i >= 0))];
  return positions.map((i) => {
    const payload = wire.payload.slice();
    payload[i] = payload[i]! ^ 0x01;
    return { ...wire, payload };
  });
}

/** A copy the codec may change without touching the original. */
export function copyWire(wire: WirePayload): WirePayload {
  return wire.kind === 'opaque' ? { ...wire, payload: wire.payload.slice() } : { ...wire };
}

/** Whether `text` stands in `bytes` as ASCII. */
export function containsAscii(bytes: Uint8Array, text: string): boolean {
  outer: for (let i = 0; i + text.length <= bytes.length; i++) {
    for (let j = 0; j < text.length; j++) if (bytes[i + j] !== text.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

/** Lowercase hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Empty and absent are equivalent on the wire: compare args as `[]` and kwargs as `{}`. */
export function normalizePayload(p: Payload): unknown {
  return normalize({ args: p.args ?? [], kwargs: p.kwargs ?? {} });
}

/** A comparable form: binary as `{ $bytes: hex }` (any Uint8Array subclass), no class identities. */
export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: hex(value) };
  if (value instanceof ArrayBuffer) return { $bytes: hex(new Uint8Array(value)) };
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalize(v);
    return out;
  }
  return value;
}
