/**
 * The stateful cases of the codec conformance suite, for codecs that declare them: a result is
 * bound to its call (`bindsExchange`) and the envelope's progress flag is sealed (`bindsProgress`).
 */
import type { ConformanceTestFramework, PayloadCodecConformanceSetup } from './codec-conformance.js';
import { context, openCall, yieldTo } from './conformance-flows.js';
import type { OpenCall } from './conformance-flows.js';
import { expectRefused, normalizePayload, samplePayload } from './conformance-helpers.js';
import type { WirePayload } from '../payload/payload-codec.js';

/** Decode `wire` as a RESULT of `call` at the caller, with the progress flag `progress`. */
function resultOf(s: PayloadCodecConformanceSetup, call: OpenCall, wire: WirePayload, progress: boolean): unknown {
  const uri = call.caller.procedure;
  const ctx = context('RESULT', uri, { exchange: call.caller, progress, requestWasOpaque: call.opaque, now: s.now });
  return s.sender.decode(wire, ctx);
}

/** Register the stateful cases (each returns at once for a codec that does not declare its property). */
export function describeStatefulConformance(
  setup: () => Promise<PayloadCodecConformanceSetup>,
  t: ConformanceTestFramework,
): void {
  const { describe, it, expect } = t;
  const expected = normalizePayload(samplePayload());

  describe('exchange and progress binding (stateful codecs)', () => {
    it('a result decoded for another call is refused, and then still opens for its own', async () => {
      const s = await setup();
      if (s.bindsExchange !== true) return;
      const one = await openCall(s, s.keyedUri);
      const two = await openCall(s, s.keyedUri);
      const answer = await yieldTo(s, one, samplePayload());
      await expectRefused(() => resultOf(s, two, answer.wire, false), 'a result decoded for another call');
      expect(normalizePayload(await answer.receive(answer.wire))).toEqual(expected);
    });

    it('the same result decoded twice is refused the second time', async () => {
      const s = await setup();
      if (s.bindsExchange !== true) return;
      const call = await openCall(s, s.keyedUri);
      const first = await yieldTo(s, call, samplePayload(), true);
      expect(normalizePayload(await first.receive(first.wire))).toEqual(expected);
      await expectRefused(() => first.receive(first.wire), 'a result replayed in its own call');
    });

    it('a result whose progress flag was changed in transit is refused, and opens with the flag it was sent with', async () => {
      const s = await setup();
      if (s.bindsProgress !== true) return;
      const call = await openCall(s, s.keyedUri);
      const progressive = await yieldTo(s, call, samplePayload(), true);
      await expectRefused(() => resultOf(s, call, progressive.wire, false), 'a progressive result passed off as final');
      expect(normalizePayload(await progressive.receive(progressive.wire))).toEqual(expected);
      const final = await yieldTo(s, call, samplePayload(), false);
      await expectRefused(() => resultOf(s, call, final.wire, true), 'a final result passed off as progressive');
      expect(normalizePayload(await final.receive(final.wire))).toEqual(expected);
    });
  });
}
