/**
 * §e.1 header fuzz and §e.2 integrity, exhaustively over the known-answer vectors: every single-bit
 * flip of every bit of each of the 49 sealed payloads, and every truncation to 0..n-1 bytes, is
 * refused with a typed `E2eV2Error` in the receiving context the vectors' scenarios give it, never
 * delivered; and the receiver's state is unchanged afterwards, so the unmodified payload then
 * opens (or is refused) exactly as the vectors expect.
 */
import { sodiumReady } from '../../src/sodium';
import { sodiumV2Ready } from '../../src/sodium-v2';
import { E2eV2Error } from '../../src/e2ev2/errors';
import { CallerExchange, type CalleeExchange } from '../../src/e2ev2/exchange';
import type { V2Envelope } from '../../src/e2ev2/envelope';
import { buildExchanges, buildReceiver, envelopeOf, mismatches, runStep, type TestReceiver } from './vector-receiver';
import { fromHex, hex, loadVectors, type MessageVector, type OpenStep, type ScenarioVector } from './vectors-file';

const vectors = loadVectors();

beforeAll(async () => {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
});

/** The step of a scenario that opens `m`'s payload, preferring one that delivers it. */
function stepOf(m: MessageVector): { scenario: ScenarioVector; index: number } {
  const found: { scenario: ScenarioVector; index: number; ok: boolean }[] = [];
  for (const scenario of vectors.scenarios) {
    scenario.steps.forEach((step, index) => {
      if ('action' in step) return;
      const e = step.envelope;
      const p = e.carriage === 'plain' ? e.args?.[0] : e.payload;
      if (p !== null && typeof p === 'object' && !Array.isArray(p) && p['$bytes_hex'] === m.outputs.payload) {
        found.push({ scenario, index, ok: step.expect.ok });
      }
    });
  }
  const best = found.find((f) => f.ok) ?? found[0];
  if (best === undefined) throw new Error(`no scenario opens ${m.id}`);
  return best;
}

type Exchanges = Map<string, CallerExchange | CalleeExchange>;

/** Windows, sessions and exchanges as observable from outside, with the verdict of this stream. */
function fingerprint(r: TestReceiver, exchanges: Exchanges, m: MessageVector): string {
  const rx = r.receiver;
  const i = m.inputs;
  const state: unknown[] = [rx.windows.count, rx.sessions.size, rx.windows.countFor(i.spk)];
  state.push(rx.windows.check(i.spk, i.sid, BigInt(i.seq)), rx.sessions.peek(m.outputs.kid)?.owner);
  for (const [name, x] of exchanges) {
    if (x instanceof CallerExchange) state.push(name, x.lastIndex.toString(), x.closed);
    else state.push(name, x.call === undefined ? null : hex(x.call.xid), x.final);
  }
  return JSON.stringify(state, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v));
}

/** The step's envelope carrying `payload` instead of the vector's bytes. */
function withPayload(envelope: V2Envelope, payload: Uint8Array): V2Envelope {
  return envelope.kind === 'plain' ? { ...envelope, args: [payload] } : { ...envelope, payload };
}

/** Open `payload` in the step's context: the reason of the refusal, or `delivered`. */
function attempt(r: TestReceiver, step: OpenStep, envelope: V2Envelope, exchanges: Exchanges): string {
  r.now = step.now_ms;
  try {
    r.receiver.open({
      wamp: step.wamp,
      uri: step.uri ?? undefined,
      envelope,
      exchange: step.exchange === null ? undefined : exchanges.get(step.exchange),
      progress: step.progress,
      retained: step.retained,
    });
  } catch (err) {
    if (err instanceof E2eV2Error) return err.reason;
    throw err;
  }
  return 'delivered';
}

const tally = { flips: 0, truncations: 0 };
afterAll(() => {
  process.stdout.write(
    `x_e2ev2 mutations refused: ${tally.flips} single-bit flips and ${tally.truncations} truncations ` +
      `of ${vectors.messages.length} sealing vectors.\n`,
  );
});

describe('every single-bit flip and every truncation of every sealing vector is refused', () => {
  it('covers all 49 vectors', () => {
    expect(vectors.messages).toHaveLength(49);
  });

  it.each(vectors.messages.map((m) => [m.id, m] as const))('%s', (_id, m) => {
    const { scenario, index } = stepOf(m);
    const config = vectors.receivers[scenario.receiver]!;
    let r = buildReceiver(config, vectors.constants.NOW);
    let exchanges = buildExchanges(scenario.exchanges);
    for (const prior of scenario.steps.slice(0, index)) {
      if ('action' in prior) {
        r = buildReceiver(config, vectors.constants.NOW);
        exchanges = buildExchanges(scenario.exchanges);
      } else {
        runStep(r, prior, exchanges);
      }
    }
    const step = scenario.steps[index] as OpenStep;
    const envelope = envelopeOf(step.envelope);
    const payload = fromHex(m.outputs.payload);
    expect(payload.length).toBe(m.outputs.length);
    const before = fingerprint(r, exchanges, m);

    const delivered: string[] = [];
    const mutated = payload.slice();
    for (let bit = 0; bit < payload.length * 8; bit++) {
      const at = bit >> 3;
      mutated[at] = payload[at]! ^ (1 << (bit & 7));
      const outcome = attempt(r, step, withPayload(envelope, mutated), exchanges);
      mutated[at] = payload[at]!;
      if (outcome === 'delivered') delivered.push(`flip of bit ${bit}`);
      tally.flips++;
    }
    for (let n = 0; n < payload.length; n++) {
      const outcome = attempt(r, step, withPayload(envelope, payload.slice(0, n)), exchanges);
      if (outcome === 'delivered') delivered.push(`truncation to ${n} bytes`);
      tally.truncations++;
    }
    expect(delivered).toEqual([]);
    expect(fingerprint(r, exchanges, m)).toBe(before);

    // the unmodified payload: exactly what the vectors expect, as if nothing had been tried before
    const outcome = runStep(r, step, exchanges);
    const e = step.expect;
    if (e.ok) expect(outcome.ok ? mismatches(e, outcome.got) : outcome).toEqual([]);
    else expect(outcome).toEqual({ ok: false, error: e.error });
  });
});
