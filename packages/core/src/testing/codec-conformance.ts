/**
 * A conformance suite for {@link PayloadCodec} implementations. It registers tests with the test
 * framework you pass in (Jest, Vitest, Mocha with an assertion library: anything with
 * `describe`, `it` and an `expect(...).toEqual/toBe`), so this module imports no test framework.
 *
 * Roles: `sender` plays the originator (publisher, caller; it also receives RESULT and ERROR),
 * `receiver` the responder (subscriber, callee; it also sends YIELD and ERROR).
 */
import { PayloadCodecError } from '../errors.js';
import type {
  Payload,
  PayloadCodec,
  PayloadContext,
  PayloadMessageType,
  WirePayload,
} from '../payload/payload-codec.js';

/** What a conformance run needs: two codecs that share keys (if any) and the URIs to use. */
export interface PayloadCodecConformanceSetup {
  /** The originator's codec (publisher / caller). */
  sender: PayloadCodec;
  /** The responder's codec (subscriber / callee). */
  receiver: PayloadCodec;
  /** A URI both codecs treat as protected (for a codec that protects nothing, any URI). */
  keyedUri: string;
  /** A URI neither codec has a key for (payloads there must travel plain), if the codec has such URIs. */
  unkeyedUri?: string | undefined;
  /** `true` when payloads on `keyedUri` must go out opaque, `false` when they must stay plain. */
  expectOpaque: boolean;
  /**
   * How to tamper with an opaque payload; the default flips one bit at the start, middle and end
   * of the bytes. The result must be refused.
   */
  tamper?: ((wire: WirePayload) => WirePayload) | undefined;
  /**
   * Whether opaque payloads must hide their content (encryption): checks that the bytes do not
   * contain the plaintext and that equal payloads seal differently. Defaults to `expectOpaque`.
   */
  confidential?: boolean | undefined;
  /**
   * Whether opaque payloads are authenticated: tampered or truncated payloads, and plaintext on
   * `keyedUri`, must then be refused. Defaults to `expectOpaque`; set `false` for an opaque codec
   * that protects nothing (compression, a foreign format).
   */
  authenticated?: boolean | undefined;
}

/** The parts of a test framework the suite uses. Jest's and Vitest's globals fit as they are. */
export interface ConformanceTestFramework {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void>) => void;
  expect: (actual: unknown) => { toEqual(expected: unknown): void; toBe(expected: unknown): void };
}

/**
 * Register the payload codec conformance tests.
 *
 * Cases: a round trip in every message context (PUBLISH → EVENT, CALL → INVOCATION,
 * YIELD → RESULT, callee ERROR → caller); empty payloads; binary values at depth; the input is
 * not mutated; concurrent use; an opaque payload of an unknown scheme is refused. For an
 * authenticated opaque codec (the default when `expectOpaque`): tampered and truncated payloads
 * are refused, plaintext on the keyed URI is refused (no downgrade), and an opaque payload decoded
 * for a URI without a key is refused.
 * Every refusal must be a `PayloadCodecError` thrown or rejected, never data delivered.
 *
 * @param name - shown in the test names.
 * @param setup - called once per test: return fresh codecs.
 * @param t - the test framework: `{ describe, it, expect }`.
 *
 * @example
 * ```ts
 * import { describePayloadCodecConformance } from '@wampbox/core/testing';
 *
 * describePayloadCodecConformance('my codec', async () => ({
 *   sender: myCodec(keys), receiver: myCodec(keys), keyedUri: 'com.example.secret', expectOpaque: true,
 * }), { describe, it, expect });
 * ```
 */
export function describePayloadCodecConformance(
  name: string,
  setup: () => Promise<PayloadCodecConformanceSetup>,
  t: ConformanceTestFramework,
): void {
  const { describe, it, expect } = t;

  describe(`PayloadCodec conformance: ${name}`, () => {
    it('has a name', async () => {
      const s = await setup();
      expect(typeof s.sender.name === 'string' && s.sender.name.length > 0).toBe(true);
      expect(typeof s.receiver.name === 'string' && s.receiver.name.length > 0).toBe(true);
    });

    describe('round trip in every message context', () => {
      for (const exchange of EXCHANGES) {
        it(`${exchange.label} on the keyed URI`, async () => {
          const s = await setup();
          await roundTrip(s, exchange, { uri: s.keyedUri, payload: samplePayload(), opaque: s.expectOpaque }, expect);
        });
        it(`${exchange.label} on the unkeyed URI travels plain (when unkeyedUri is given)`, async () => {
          const s = await setup();
          if (s.unkeyedUri === undefined) return;
          await roundTrip(s, exchange, { uri: s.unkeyedUri, payload: samplePayload(), opaque: false }, expect);
        });
      }
    });

    describe('empty payloads', () => {
      const empties: [string, Payload][] = [
        ['no args, no kwargs', {}],
        ['args []', { args: [] }],
        ['kwargs {}', { kwargs: {} }],
        ['args [] and kwargs {}', { args: [], kwargs: {} }],
        ['args [null]', { args: [null] }],
      ];
      for (const [label, payload] of empties) {
        for (const exchange of EXCHANGES) {
          it(`${label}: ${exchange.label}`, async () => {
            const s = await setup();
            await roundTrip(s, exchange, { uri: s.keyedUri, payload, opaque: s.expectOpaque }, expect);
          });
        }
      }
    });

    it('binary values at depth come back as the same bytes', async () => {
      const s = await setup();
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
      const payload: Payload = {
        args: [new Uint8Array([0, 1, 255]), [[bytes]], { a: { b: [1, { c: new Uint8Array(0) }] } }],
        kwargs: { blob: bytes, nested: { list: [bytes, 'text'] } },
      };
      for (const exchange of EXCHANGES)
        await roundTrip(s, exchange, { uri: s.keyedUri, payload, opaque: s.expectOpaque }, expect);
    });

    it('does not mutate the payload it encodes or the wire payload it decodes', async () => {
      const s = await setup();
      const payload = samplePayload();
      const before = normalize(payload);
      const wire = await s.sender.encode(payload, sendCtx('PUBLISH', s.keyedUri));
      expect(normalize(payload)).toEqual(before);
      const wireBefore = normalize(wire);
      await s.receiver.decode(wire, receiveCtx('EVENT', s.keyedUri));
      expect(normalize(wire)).toEqual(wireBefore);
    });

    it('handles concurrent use', async () => {
      const s = await setup();
      const payloads = Array.from({ length: 64 }, (_, i) => ({ args: [i, `value ${i}`], kwargs: { i } }));
      const wires = await Promise.all(
        payloads.map((p) => Promise.resolve(s.sender.encode(p, sendCtx('CALL', s.keyedUri)))),
      );
      const decoded = await Promise.all(
        wires.map((w) => Promise.resolve(s.receiver.decode(w, receiveCtx('INVOCATION', s.keyedUri)))),
      );
      expect(decoded.map(normalizePayload)).toEqual(payloads.map(normalizePayload));
      if (confidential(s)) {
        const same = await Promise.all(
          [0, 1, 2, 3].map(() => Promise.resolve(s.sender.encode(payloads[0]!, sendCtx('CALL', s.keyedUri)))),
        );
        const distinct = new Set(same.map((w) => (w.kind === 'opaque' ? hex(w.payload) : '')));
        expect(distinct.size).toBe(same.length);
      }
    });

    it('refuses an opaque payload of an unknown scheme', async () => {
      const s = await setup();
      const unknown: WirePayload = {
        kind: 'opaque',
        payload: new Uint8Array(64).fill(7),
        scheme: 'x_conformance_unknown',
        serializer: 'json',
      };
      for (const [codec, ctx] of [
        [s.receiver, receiveCtx('EVENT', s.keyedUri)],
        [s.receiver, receiveCtx('INVOCATION', s.keyedUri)],
        [s.sender, receiveCtx('RESULT', s.keyedUri)],
      ] as const) {
        await expectRefused(() => codec.decode(unknown, ctx), `${ctx.messageType} with an unknown scheme`);
      }
    });

    describe('tampering (authenticated codecs)', () => {
      it('a flipped bit anywhere is refused', async () => {
        const s = await setup();
        if (!authenticated(s)) return;
        for (const exchange of EXCHANGES) {
          const wire = await exchange.encode(s, s.keyedUri, samplePayload());
          if (wire.kind !== 'opaque') throw new Error(`${exchange.label}: expected an opaque payload`);
          const variants = s.tamper !== undefined ? [s.tamper(copyWire(wire))] : flipVariants(wire);
          for (const tampered of variants) {
            await expectRefused(
              () => exchange.decode(s, s.keyedUri, tampered),
              `${exchange.label} with a tampered payload`,
            );
          }
        }
      });

      it('truncated and empty payloads are refused', async () => {
        const s = await setup();
        if (!authenticated(s)) return;
        const wire = await s.sender.encode(samplePayload(), sendCtx('PUBLISH', s.keyedUri));
        if (wire.kind !== 'opaque') throw new Error('expected an opaque payload');
        for (const len of [0, 1, wire.payload.length >> 1, wire.payload.length - 1]) {
          const cut: WirePayload = { ...wire, payload: wire.payload.slice(0, len) };
          await expectRefused(
            () => s.receiver.decode(cut, receiveCtx('EVENT', s.keyedUri)),
            `a payload truncated to ${len} bytes`,
          );
        }
      });
    });

    describe('keys (authenticated codecs)', () => {
      it('an opaque payload decoded for a URI the receiver has no key for is refused (when unkeyedUri is given)', async () => {
        const s = await setup();
        if (!authenticated(s) || s.unkeyedUri === undefined) return;
        const wire = await s.sender.encode(samplePayload(), sendCtx('PUBLISH', s.keyedUri));
        await expectRefused(
          () => s.receiver.decode(wire, receiveCtx('EVENT', s.unkeyedUri!)),
          'an opaque payload on a URI without a key',
        );
      });

      it('plaintext on the keyed URI is refused (no downgrade)', async () => {
        const s = await setup();
        if (!authenticated(s)) return;
        const plain: WirePayload = { kind: 'plain', args: ['forged'], kwargs: { by: 'attacker' } };
        await expectRefused(
          () => s.receiver.decode(plain, receiveCtx('EVENT', s.keyedUri)),
          'a plaintext EVENT on the keyed URI',
        );
        await expectRefused(
          () => s.receiver.decode(plain, receiveCtx('INVOCATION', s.keyedUri)),
          'a plaintext INVOCATION on the keyed URI',
        );
        await expectRefused(
          () => s.sender.decode(plain, { ...receiveCtx('RESULT', s.keyedUri), requestWasOpaque: true }),
          'a plaintext RESULT on the keyed URI',
        );
        await expectRefused(
          () => s.sender.decode(plain, callerErrorCtx(s.keyedUri, true)),
          'a plaintext ERROR on the keyed URI',
        );
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------

type Expect = ConformanceTestFramework['expect'];

interface Exchange {
  label: string;
  /** Encode on the side that sends this message. */
  encode(s: PayloadCodecConformanceSetup, uri: string, payload: Payload): Promise<WirePayload>;
  /** Decode on the side that receives it. */
  decode(s: PayloadCodecConformanceSetup, uri: string, wire: WirePayload): Promise<Payload>;
}

function sendCtx(messageType: PayloadMessageType, uri: string, requestWasOpaque?: boolean): PayloadContext {
  const originating = messageType === 'PUBLISH' || messageType === 'CALL';
  return { uri, messageType, originating, sending: true, requestWasOpaque };
}

function receiveCtx(messageType: PayloadMessageType, uri: string, requestWasOpaque?: boolean): PayloadContext {
  const originating = messageType === 'RESULT' || messageType === 'ERROR';
  return { uri, messageType, originating, sending: false, requestWasOpaque };
}

function calleeErrorCtx(uri: string, requestWasOpaque: boolean): PayloadContext {
  return { uri, messageType: 'ERROR', originating: false, sending: true, requestWasOpaque, procedure: uri };
}

function callerErrorCtx(uri: string, requestWasOpaque: boolean): PayloadContext {
  return { uri, messageType: 'ERROR', originating: true, sending: false, requestWasOpaque, procedure: uri };
}

/** Whether the CALL for `uri` goes out opaque: what a session passes as `requestWasOpaque`. */
async function callIsOpaque(s: PayloadCodecConformanceSetup, uri: string): Promise<boolean> {
  return (await s.sender.encode({ args: [] }, sendCtx('CALL', uri))).kind === 'opaque';
}

const EXCHANGES: readonly Exchange[] = [
  {
    label: 'PUBLISH → EVENT',
    encode: async (s, uri, p) => s.sender.encode(p, sendCtx('PUBLISH', uri)),
    decode: async (s, uri, w) => s.receiver.decode(w, receiveCtx('EVENT', uri)),
  },
  {
    label: 'CALL → INVOCATION',
    encode: async (s, uri, p) => s.sender.encode(p, sendCtx('CALL', uri)),
    decode: async (s, uri, w) => s.receiver.decode(w, receiveCtx('INVOCATION', uri)),
  },
  {
    label: 'YIELD → RESULT',
    encode: async (s, uri, p) => s.receiver.encode(p, sendCtx('YIELD', uri, await callIsOpaque(s, uri))),
    decode: async (s, uri, w) => s.sender.decode(w, receiveCtx('RESULT', uri, await callIsOpaque(s, uri))),
  },
  {
    label: 'callee ERROR → caller',
    encode: async (s, uri, p) => s.receiver.encode(p, calleeErrorCtx(uri, await callIsOpaque(s, uri))),
    decode: async (s, uri, w) => s.sender.decode(w, callerErrorCtx(uri, await callIsOpaque(s, uri))),
  },
];

const MARKER = 'conformance-plaintext-marker-7f3a';

function samplePayload(): Payload {
  return {
    args: [MARKER, 42, 1.5, true, null, ['nested', { deep: 'Grüße ✓ 😀' }]],
    kwargs: { marker: MARKER, n: -1, empty: {} },
  };
}

function confidential(s: PayloadCodecConformanceSetup): boolean {
  return s.expectOpaque && (s.confidential ?? true);
}

function authenticated(s: PayloadCodecConformanceSetup): boolean {
  return s.expectOpaque && (s.authenticated ?? true);
}

async function roundTrip(
  s: PayloadCodecConformanceSetup,
  exchange: Exchange,
  { uri, payload, opaque }: { uri: string; payload: Payload; opaque: boolean },
  expect: Expect,
): Promise<void> {
  const wire = await exchange.encode(s, uri, payload);
  if (wire.kind !== (opaque ? 'opaque' : 'plain')) {
    throw new Error(
      `${exchange.label} on "${uri}": expected a ${opaque ? 'opaque' : 'plain'} wire payload, got ${wire.kind}`,
    );
  }
  if (wire.kind === 'opaque') {
    expect(wire.payload instanceof Uint8Array).toBe(true);
    expect(typeof wire.scheme === 'string' && wire.scheme.length > 0).toBe(true);
    expect(typeof wire.serializer).toBe('string');
    if (confidential(s) && containsAscii(wire.payload, MARKER)) {
      throw new Error(`${exchange.label}: the opaque payload contains the plaintext`);
    }
  }
  const decoded = await exchange.decode(s, uri, wire);
  expect(normalizePayload(decoded)).toEqual(normalizePayload(payload));
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

async function expectRefused(fn: () => unknown, what: string): Promise<void> {
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

function flipVariants(wire: WirePayload & { kind: 'opaque' }): WirePayload[] {
  const n = wire.payload.length;
  const positions = [...new Set([0, n >> 1, n - 1].filter((i) => i >= 0))];
  return positions.map((i) => {
    const payload = wire.payload.slice();
    payload[i] = payload[i]! ^ 0x01;
    return { ...wire, payload };
  });
}

function copyWire(wire: WirePayload): WirePayload {
  return wire.kind === 'opaque' ? { ...wire, payload: wire.payload.slice() } : { ...wire };
}

function containsAscii(bytes: Uint8Array, text: string): boolean {
  outer: for (let i = 0; i + text.length <= bytes.length; i++) {
    for (let j = 0; j < text.length; j++) if (bytes[i + j] !== text.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Empty and absent are equivalent on the wire: compare args as `[]` and kwargs as `{}`. */
function normalizePayload(p: Payload): unknown {
  return normalize({ args: p.args ?? [], kwargs: p.kwargs ?? {} });
}

/** A comparable form: binary as `{ $bytes: hex }` (any Uint8Array subclass), no class identities. */
function normalize(value: unknown): unknown {
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
