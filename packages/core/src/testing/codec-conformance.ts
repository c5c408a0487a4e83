/**
 * A conformance suite for {@link PayloadCodec} implementations. It registers tests with the test
 * framework you pass in (Jest, Vitest, Mocha with an assertion library: anything with
 * `describe`, `it` and an `expect(...).toEqual/toBe`), so this module imports no test framework.
 *
 * Roles: `sender` plays the originator (publisher, caller; it also receives RESULT and ERROR),
 * `receiver` the responder (subscriber, callee; it also sends YIELD and ERROR).
 */
import type { Payload, PayloadCodec, WirePayload } from '../payload/payload-codec.js';
import { EXCHANGES, context } from './conformance-flows.js';
import type { Exchange } from './conformance-flows.js';
import {
  MARKER,
  containsAscii,
  copyWire,
  expectRefused,
  flipVariants,
  hex,
  normalize,
  normalizePayload,
  samplePayload,
} from './conformance-helpers.js';
import { describeStatefulConformance } from './conformance-stateful.js';

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
  /**
   * A stateful codec that binds each result to its call: a YIELD decoded as the RESULT of another
   * call, or twice, must be refused. Checked when `true`.
   */
  bindsExchange?: boolean | undefined;
  /** A codec that seals the envelope's `progress` flag: a flag changed in transit must be refused. */
  bindsProgress?: boolean | undefined;
  /** The clock the codecs are given (`PayloadContext.now`). Default: none (codecs use their own). */
  now?: (() => number) | undefined;
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
      const wire = await s.sender.encode(payload, context('PUBLISH', s.keyedUri));
      expect(normalize(payload)).toEqual(before);
      const wireBefore = normalize(wire);
      await s.receiver.decode(wire, context('EVENT', s.keyedUri));
      expect(normalize(wire)).toEqual(wireBefore);
    });

    it('handles concurrent use', async () => {
      const s = await setup();
      const payloads = Array.from({ length: 64 }, (_, i) => ({ args: [i, `value ${i}`], kwargs: { i } }));
      const wires = await Promise.all(
        payloads.map((p) =>
          Promise.resolve(
            s.sender.encode(p, context('CALL', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false })),
          ),
        ),
      );
      const decoded = await Promise.all(
        wires.map((w) =>
          Promise.resolve(
            s.receiver.decode(
              w,
              context('INVOCATION', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false }),
            ),
          ),
        ),
      );
      expect(decoded.map(normalizePayload)).toEqual(payloads.map(normalizePayload));
      if (confidential(s)) {
        const same = await Promise.all(
          [0, 1, 2, 3].map(() =>
            Promise.resolve(
              s.sender.encode(
                payloads[0]!,
                context('CALL', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false }),
              ),
            ),
          ),
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
        [s.receiver, context('EVENT', s.keyedUri)],
        [s.receiver, context('INVOCATION', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false })],
        [s.sender, context('RESULT', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false })],
      ] as const) {
        await expectRefused(() => codec.decode(unknown, ctx), `${ctx.messageType} with an unknown scheme`);
      }
    });

    describe('tampering (authenticated codecs)', () => {
      it('a flipped bit anywhere is refused', async () => {
        const s = await setup();
        if (!authenticated(s)) return;
        for (const exchange of EXCHANGES) {
          const sent = await exchange.send(s, s.keyedUri, samplePayload());
          const wire = sent.wire;
          if (wire.kind !== 'opaque') throw new Error(`${exchange.label}: expected an opaque payload`);
          const variants = s.tamper !== undefined ? [s.tamper(copyWire(wire))] : flipVariants(wire);
          for (const tampered of variants) {
            await expectRefused(() => sent.receive(tampered), `${exchange.label} with a tampered payload`);
          }
        }
      });

      it('truncated and empty payloads are refused', async () => {
        const s = await setup();
        if (!authenticated(s)) return;
        const wire = await s.sender.encode(samplePayload(), context('PUBLISH', s.keyedUri));
        if (wire.kind !== 'opaque') throw new Error('expected an opaque payload');
        for (const len of [0, 1, wire.payload.length >> 1, wire.payload.length - 1]) {
          const cut: WirePayload = { ...wire, payload: wire.payload.slice(0, len) };
          await expectRefused(
            () => s.receiver.decode(cut, context('EVENT', s.keyedUri)),
            `a payload truncated to ${len} bytes`,
          );
        }
      });
    });

    describe('keys (authenticated codecs)', () => {
      it('an opaque payload decoded for a URI the receiver has no key for is refused (when unkeyedUri is given)', async () => {
        const s = await setup();
        if (!authenticated(s) || s.unkeyedUri === undefined) return;
        const wire = await s.sender.encode(samplePayload(), context('PUBLISH', s.keyedUri));
        await expectRefused(
          () => s.receiver.decode(wire, context('EVENT', s.unkeyedUri!)),
          'an opaque payload on a URI without a key',
        );
      });

      it('plaintext on the keyed URI is refused (no downgrade)', async () => {
        const s = await setup();
        if (!authenticated(s)) return;
        const plain: WirePayload = { kind: 'plain', args: ['forged'], kwargs: { by: 'attacker' } };
        await expectRefused(
          () => s.receiver.decode(plain, context('EVENT', s.keyedUri)),
          'a plaintext EVENT on the keyed URI',
        );
        await expectRefused(
          () =>
            s.receiver.decode(
              plain,
              context('INVOCATION', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false }),
            ),
          'a plaintext INVOCATION on the keyed URI',
        );
        await expectRefused(
          () =>
            s.sender.decode(plain, {
              ...context('RESULT', s.keyedUri, { exchange: { procedure: s.keyedUri }, progress: false }),
              requestWasOpaque: true,
            }),
          'a plaintext RESULT on the keyed URI',
        );
        await expectRefused(
          () =>
            s.sender.decode(plain, {
              ...context('ERROR', s.keyedUri, { requestWasOpaque: true, procedure: s.keyedUri }),
              originating: true,
              sending: false,
            }),
          'a plaintext ERROR on the keyed URI',
        );
      });
    });

    describeStatefulConformance(setup, t);
  });
}

type Expect = ConformanceTestFramework['expect'];

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
  const sent = await exchange.send(s, uri, payload);
  const wire = sent.wire;
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
  const decoded = await sent.receive(wire);
  expect(normalizePayload(decoded)).toEqual(normalizePayload(payload));
}
