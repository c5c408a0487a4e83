/**
 * The `x_e2ev2` known-answer vectors (test/fixtures/e2ev2/vectors.json, written by the independent
 * Python implementation): every primitive case, every sealing vector re-sealed byte for byte and
 * opened, and every scenario step opened or refused with the named error, a refusal leaving the
 * receiver's state as it was. The key-material cases are in vectors-key-material.test.ts.
 */
import { sealMessage } from './generate-vectors';
import { signSeedKeypair, scalarmultBase, sodiumReady } from '../../src/sodium';
import {
  boxSealOpen,
  boxSealWithEphemeral,
  ed25519PkToX25519,
  ed25519SkToX25519,
  pad,
  sodiumV2Ready,
} from '../../src/sodium-v2';
import { keyId, publicKeyId, replyKey, toHex } from '../../src/e2ev2/derive';
import { CalleeExchange, CallerExchange } from '../../src/e2ev2/exchange';
import { namespaceKey, scrambleUri, type ScrambleMode } from '../../src/e2ev2/scramble';
import { replyKeyOf } from '../../src/e2ev2/seal';
import { buildExchanges, buildReceiver, mismatches, runStep, type TestReceiver } from './vector-receiver';
import { fromHex, hex, loadVectors } from './vectors-file';

const vectors = loadVectors();
const covered = { primitives: 0, messages: 0, steps: 0, refusals: 0, scenarios: 0 };

beforeAll(async () => {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
});

afterAll(() => {
  process.stdout.write(
    `x_e2ev2 vectors covered: ${covered.primitives} primitive cases, ${covered.messages}/${vectors.messages.length} ` +
      `sealing vectors, ${covered.scenarios}/${vectors.scenarios.length} scenarios with ${covered.steps} steps ` +
      `(${covered.refusals} refusals); key material: vectors-key-material.test.ts.\n`,
  );
});

describe('primitive cases', () => {
  const p = vectors.primitives;

  it.each(p.kid)('KID of $ref', (c) => {
    expect(toHex(keyId(fromHex(c.key)))).toBe(c.kid);
    covered.primitives++;
  });

  it.each(p.pkid)('PKID of $ref', (c) => {
    expect(toHex(publicKeyId(fromHex(c.pk)))).toBe(c.pkid);
    covered.primitives++;
  });

  it.each(p.reply_key)('K_reply of $session_ref', (c) => {
    const k = replyKey(fromHex(c.session_key), fromHex(c.xid));
    expect(toHex(k)).toBe(c.reply_key);
    expect(toHex(keyId(k))).toBe(c.reply_kid);
    expect(toHex(replyKeyOf(fromHex(c.session_key), fromHex(c.xid)).kid)).toBe(c.reply_kid);
    covered.primitives++;
  });

  it.each(p.ed25519_to_x25519)('Ed25519 to X25519 of $ref', (c) => {
    const { publicKey, secretKey } = signSeedKeypair(fromHex(c.seed));
    expect(hex(publicKey)).toBe(c.ed25519_pk);
    expect(hex(ed25519PkToX25519(publicKey)!)).toBe(c.x25519_pk);
    const xsk = ed25519SkToX25519(secretKey);
    expect(hex(xsk)).toBe(c.x25519_sk);
    expect(hex(scalarmultBase(xsk))).toBe(c.x25519_pk);
    covered.primitives++;
  });

  it.each(p.sealed_box)('sealed box: $ref', (c) => {
    const sealed = boxSealWithEphemeral(fromHex(c.message), fromHex(c.recipient_pk), fromHex(c.ephemeral_sk));
    expect(hex(sealed)).toBe(c.sealed);
    expect(hex(boxSealOpen(fromHex(c.sealed), fromHex(c.recipient_pk), fromHex(c.recipient_sk))!)).toBe(c.message);
    covered.primitives++;
  });

  it.each(p.pad)('pad $length bytes to bucket $bucket', (c) => {
    expect(hex(pad(new Uint8Array(c.length), c.bucket_size))).toBe(c.padded);
    covered.primitives++;
  });

  it.each(p.scramble)('scramble in $mode mode under $prefix', (c) => {
    const key = namespaceKey(fromHex(c.master), c.prefix);
    expect(hex(key)).toBe(c.namespace_key);
    const ns = { prefix: c.prefix, key, mode: c.mode as ScrambleMode };
    for (const u of c.uris)
      expect([u.clear, scrambleUri(ns, u.clear, { pattern: u.pattern }) ?? null]).toEqual([u.clear, u.wire]);
    covered.primitives++;
  });
});

describe('sealing vectors, byte for byte', () => {
  it.each(vectors.messages.map((m) => [m.id, m] as const))('%s', (_id, m) => {
    const s = sealMessage(m);
    const o = m.outputs;
    const h = (b: Uint8Array | undefined): string | null => (b === undefined ? null : hex(b));
    expect({
      kid: h(s.kid),
      enc_key: h(s.kid),
      flags: s.flags,
      header: h(s.header),
      wrap: h(s.wrap),
      aad: h(s.aad),
      plaintext: h(s.plaintext),
      padded_plaintext: h(s.paddedPlaintext),
      ciphertext: h(s.ciphertext),
      sig_input: h(s.signatureInput),
      signature: h(s.signature),
      payload: h(s.payload),
      length: s.payload.length,
      overhead: s.payload.length - s.plaintext.length,
    }).toEqual({ ...o, reply_key: undefined, reply_kid: undefined });
    if (o.reply_key !== undefined) {
      // CALL: the key its answers use; YIELD/ERROR: the key itself, derived from the session key
      const sessionKey = m.inputs.type === 'CALL' ? m.inputs.key : m.inputs.session_key!;
      const reply = replyKeyOf(fromHex(sessionKey), fromHex(m.inputs.xid));
      expect(hex(reply.key)).toBe(o.reply_key);
      if (m.inputs.type !== 'CALL') expect(o.reply_key).toBe(m.inputs.key);
      if (o.reply_kid !== undefined) expect(hex(reply.kid)).toBe(o.reply_kid);
    }
    covered.messages++;
  });
});

/** Streams and sequence numbers of every message: their window verdicts are part of the state. */
const probes = vectors.messages.map((m) => [m.inputs.spk, m.inputs.sid, BigInt(m.inputs.seq)] as const);
const sessionKids = [...new Set(vectors.messages.filter((m) => m.inputs.type === 'CALL').map((m) => m.outputs.kid))];

/** What a refusal must not change: windows, sessions, exchanges, as observable from outside. */
function fingerprint(r: TestReceiver, exchanges: Map<string, CallerExchange | CalleeExchange>): string {
  const rx = r.receiver;
  const state: unknown[] = [rx.windows.count, rx.sessions.size];
  for (const [spk, sid, seq] of probes) state.push(rx.windows.check(spk, sid, seq), rx.windows.countFor(spk));
  for (const kid of sessionKids)
    state.push(rx.sessions.peek(kid) === undefined ? null : hex(rx.sessions.peek(kid)!.owner));
  for (const [name, x] of exchanges) {
    if (x instanceof CallerExchange) state.push(name, x.lastIndex.toString(), x.closed);
    else state.push(name, x.call === undefined ? null : hex(x.call.xid), x.final);
  }
  return JSON.stringify(state);
}

describe('scenarios', () => {
  it.each(vectors.scenarios.map((s) => [s.id, s] as const))('%s', (_id, s) => {
    const config = vectors.receivers[s.receiver]!;
    let r = buildReceiver(config, vectors.constants.NOW);
    let exchanges = buildExchanges(s.exchanges);
    s.steps.forEach((step, index) => {
      if ('action' in step) {
        r = buildReceiver(config, vectors.constants.NOW);
        exchanges = buildExchanges(s.exchanges);
        return;
      }
      const where = `step ${index + 1} (${step.wamp})`;
      const before = fingerprint(r, exchanges);
      const outcome = runStep(r, step, exchanges);
      const e = step.expect;
      if (!e.ok) {
        expect([where, outcome]).toEqual([where, { ok: false, error: e.error }]);
        expect([where, fingerprint(r, exchanges)]).toEqual([where, before]);
        covered.refusals++;
      } else {
        expect([where, outcome.ok ? mismatches(e, outcome.got) : outcome]).toEqual([where, []]);
      }
      covered.steps++;
    });
    covered.scenarios++;
  });
});
