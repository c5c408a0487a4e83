/**
 * Cross-protocol signatures (§e.2, the invariant of §b.4): an E2E v2 identity may be the same
 * Ed25519 key as the participant's WAMP-cryptosign key, so neither protocol's signature may pass as
 * the other's. Every v2 signature input starts with the 19-byte `SIG_CTX` and is longer than a
 * 32-byte cryptosign challenge; a cryptosign signature (over 32 bytes) spliced into a v2 payload is
 * refused (`signature`), and the legitimate payload still opens afterwards.
 */
import type { PayloadCodec, PayloadContext, WirePayload } from '@wampbox/core';
import { signCryptosignChallenge, CRYPTOSIGN_CHALLENGE_BYTES } from '../../src/cryptosign';
import { boxKeypair, signDetached } from '../../src/sodium';
import { genericHash, signVerifyDetached } from '../../src/sodium-v2';
import { e2eV2 } from '../../src/e2ev2/codec';
import { HEADER_BYTES, SIG_BYTES, SIG_CTX, TAG_BYTES, WRAP_BYTES } from '../../src/e2ev2/constants';
import { encodeUri } from '../../src/e2ev2/derive';
import { signatureInputOf } from '../../src/e2ev2/header';
import { sealPayload, type SealInput } from '../../src/e2ev2/seal';
import { callInput, identity, publishInput, random, sodiumBothReady, type Identity } from './helpers';
import { fromHex, hex, loadVectors } from './vectors-file';

beforeAll(sodiumBothReady);

/** The shortest a signature input can be: context, an empty URI, header, an empty ciphertext's tag. */
const MIN_SIG_INPUT = SIG_CTX.length + 2 + HEADER_BYTES + TAG_BYTES;

describe('every v2 signature input starts with the 19-byte context and is longer than a challenge', () => {
  it('has the lengths of §b.4', () => {
    expect(SIG_CTX.length).toBe(19);
    expect(Buffer.from(SIG_CTX).toString('latin1')).toBe('wampbox/e2e/v2 sig\0');
    expect(MIN_SIG_INPUT).toBe(157);
    expect(CRYPTOSIGN_CHALLENGE_BYTES).toBe(32);
  });

  it('in every signed sealing vector', () => {
    const signed = loadVectors().messages.filter((m) => m.outputs.sig_input !== null);
    expect(signed.length).toBeGreaterThan(20);
    for (const m of signed) {
      const input = fromHex(m.outputs.sig_input!);
      expect([m.id, hex(input.subarray(0, 19))]).toEqual([m.id, hex(SIG_CTX)]);
      expect([m.id, input.length >= MIN_SIG_INPUT]).toEqual([m.id, true]);
    }
  });

  it('in 400 random signed payloads of every type, URI length and serializer', () => {
    const by = identity();
    const scope = boxKeypair();
    const sers = ['json', 'msgpack', 'cbor'] as const;
    for (let i = 0; i < 400; i++) {
      const uri = 'a.'.repeat(i % 20) + 'x';
      const common: Partial<SealInput> = {
        uri,
        ser: sers[i % 3]!,
        args: i % 2 === 0 ? [] : [random(i % 7)],
        kwargs: {},
        signer: by.secretKey,
        bucket: i % 5 === 0 ? (i / 5) % 3 : undefined,
      };
      const wrapped = i % 8 === 1;
      const sessionKey = random(32);
      const input: SealInput = [
        () => publishInput(by, random(32), common),
        () =>
          callInput(by, sessionKey, {
            ...common,
            wrap: wrapped ? { sessionKey, scopePublicKey: scope.publicKey } : undefined,
          }),
        () => callInput(by, random(32), { ...common, type: 'YIELD' }),
        () => callInput(by, random(32), { ...common, type: 'ERROR' }),
      ][i % 4]!();
      const s = sealPayload(input);
      const sig = s.signatureInput!;
      expect(sig.subarray(0, 19)).toEqual(SIG_CTX);
      expect(sig.length).toBeGreaterThanOrEqual(MIN_SIG_INPUT + (input.wrap === undefined ? 0 : WRAP_BYTES));
      expect(sig.length).not.toBe(CRYPTOSIGN_CHALLENGE_BYTES);
      expect(sig).toEqual(signatureInputOf(encodeUri(uri), s.payload.subarray(0, s.payload.length - SIG_BYTES)));
    }
  });
});

describe('a signature of one protocol does not pass as the other', () => {
  const TOPIC = 'com.example.news';
  const ctx = (messageType: 'PUBLISH' | 'EVENT'): PayloadContext => ({
    uri: TOPIC,
    messageType,
    originating: true,
    sending: messageType === 'PUBLISH',
  });
  let writer: Identity;
  let publisher: PayloadCodec;
  let reader: PayloadCodec;
  beforeEach(() => {
    writer = identity();
    const groupKey = random(32);
    publisher = e2eV2({
      identity: { publicKey: writer.spk, secretKey: writer.secretKey },
      groupKeys: [{ scope: 'com.example.', key: groupKey, current: true }],
    });
    reader = e2eV2({
      identity: { seed: random(32) },
      trust: [{ spk: writer.spk, prefix: 'com.example.', roles: ['publish'] }],
      groupKeys: [{ scope: 'com.example.', key: groupKey }],
    });
  });

  const withSignature = (wire: WirePayload, sig: Uint8Array): WirePayload => {
    if (wire.kind !== 'opaque') throw new Error('transparent carriage expected');
    const bytes = wire.payload.slice();
    bytes.set(sig, bytes.length - SIG_BYTES);
    return { ...wire, payload: bytes };
  };

  it('a cryptosign challenge signature, or any signature over 32 bytes, spliced into a v2 payload is refused', async () => {
    const wire = await publisher.encode({ args: ['hold'] }, ctx('PUBLISH'));
    if (wire.kind !== 'opaque') throw new Error('transparent carriage expected');
    const input = signatureInputOf(encodeUri(TOPIC), wire.payload.subarray(0, wire.payload.length - SIG_BYTES));
    const challenges = [
      random(32),
      input.subarray(0, 32), // the start of the v2 input, as a challenge
      input.subarray(input.length - 32), // its end
      wire.payload.subarray(0, 32),
      genericHash(32, input), // a prehash of the v2 input
    ];
    for (const challenge of challenges) {
      const response = await signCryptosignChallenge(writer.secretKey, hex(challenge));
      expect(response).toHaveLength(2 * (SIG_BYTES + 32)); // signature || challenge
      const sig = fromHex(response.slice(0, 2 * SIG_BYTES));
      expect(sig).toEqual(signDetached(challenge, writer.secretKey));
      await expect(async () => reader.decode(withSignature(wire, sig), ctx('EVENT'))).rejects.toThrow(
        expect.objectContaining({ name: 'E2eV2Error', reason: 'signature' }) as Error,
      );
    }
    expect((await reader.decode(wire, ctx('EVENT'))).args).toEqual(['hold']);
  });

  it('a v2 signature verifies over no 32-byte challenge, and cryptosign signs only 32-byte challenges', async () => {
    const wire = await publisher.encode({ args: ['hold'] }, ctx('PUBLISH'));
    if (wire.kind !== 'opaque') throw new Error('transparent carriage expected');
    const sig = wire.payload.subarray(wire.payload.length - SIG_BYTES);
    const input = signatureInputOf(encodeUri(TOPIC), wire.payload.subarray(0, wire.payload.length - SIG_BYTES));
    expect(signVerifyDetached(sig, input, writer.spk)).toBe(true);
    // what a router checking a cryptosign response would verify: the signature over the challenge
    for (let at = 0; at + 32 <= input.length; at++) {
      expect([at, signVerifyDetached(sig, input.subarray(at, at + 32), writer.spk)]).toEqual([at, false]);
    }
    // and a v2 signature input cannot be handed to cryptosign as a challenge to sign
    for (const challenge of [input, input.subarray(0, 31), input.subarray(0, 33)]) {
      await expect(signCryptosignChallenge(writer.secretKey, hex(challenge))).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error,
      );
    }
  });
});
