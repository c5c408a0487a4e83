/**
 * Sealing one payload from explicit inputs (§b.4, §b.5): what the parts are, the rules per type the
 * sealer enforces, and that no key or plaintext stays in the WebAssembly heap.
 */
import { scratchForTesting } from '../../src/sodium';
import { aeadDecrypt, boxSealOpen, scratchV2ForTesting, signVerifyDetached } from '../../src/sodium-v2';
import { boxKeypair } from '../../src/sodium';
import { concatBytes, encodeUri, keyId, toHex } from '../../src/e2ev2/derive';
import { aadOf, signatureInputOf } from '../../src/e2ev2/header';
import { sealPayload, type SealInput } from '../../src/e2ev2/seal';
import { callInput, identity, publishInput, random, sodiumBothReady } from './helpers';

beforeAll(sodiumBothReady);

const sealError = expect.objectContaining({ name: 'E2eV2Error', reason: 'seal', code: 'ERR_PAYLOAD_CODEC' });

describe('a sealed payload', () => {
  it('is header || ciphertext || signature, the ciphertext under the AAD, the signature over all before it', () => {
    const alice = identity();
    const key = random(32);
    const input = publishInput(alice, key);
    const s = sealPayload(input);
    expect(toHex(s.kid)).toBe(toHex(keyId(key)));
    expect(s.flags).toBe(0x08);
    expect(toHex(s.payload)).toBe(toHex(concatBytes(s.header, s.ciphertext, s.signature!)));
    const u = encodeUri(input.uri);
    expect(toHex(s.aad)).toBe(toHex(aadOf(u, s.header)));
    expect(aeadDecrypt(s.ciphertext, s.aad, input.nonce, key)).toEqual(s.plaintext);
    expect(signVerifyDetached(s.signature!, signatureInputOf(u, concatBytes(s.header, s.ciphertext)), alice.spk)).toBe(
      true,
    );
    // PUBLISH overhead: 120 header + 16 tag + 64 signature
    expect(s.payload.length - s.plaintext.length).toBe(200);
  });

  it('wraps the session key of a first CALL to the scope key, after the header and inside the AAD', () => {
    const dave = identity();
    const scope = boxKeypair();
    const ks = random(32);
    const s = sealPayload(
      callInput(dave, ks, { signer: dave.secretKey, wrap: { sessionKey: ks, scopePublicKey: scope.publicKey } }),
    );
    expect(s.flags).toBe(0x18);
    expect(s.wrap).toHaveLength(80);
    expect(boxSealOpen(s.wrap!, scope.publicKey, scope.secretKey)).toEqual(ks);
    expect(toHex(s.payload.subarray(120, 200))).toBe(toHex(s.wrap!));
    expect(toHex(s.aad.subarray(s.aad.length - 80))).toBe(toHex(s.wrap!));
    expect(s.payload.length - s.plaintext.length).toBe(280);
  });

  it('gets a region of its own: payloads sealed one after another never share bytes', () => {
    const key = random(32);
    const sealed = Array.from({ length: 40 }, (_, i) =>
      sealPayload(publishInput(identity(), key, { args: ['x'.repeat(i * 40)] })),
    );
    const copies = sealed.map((s) => s.payload.slice());
    for (const s of sealed) s.payload.fill(0xff); // what one holder does to its payload
    for (const [i, s] of sealed.entries()) {
      s.payload.set(copies[i]!);
      expect(toHex(s.payload.subarray(6, 8))).toBe('0000'); // reserved bytes
    }
    for (const [i, s] of sealed.entries()) expect(toHex(s.payload)).toBe(toHex(copies[i]!));
  });

  it('pads to the bucket and marks it in the flags', () => {
    const s = sealPayload(publishInput(identity(), random(32), { bucket: 1 }));
    expect(s.flags).toBe(0x08 | 0x02 | (1 << 5));
    expect(s.paddedPlaintext.length % 256).toBe(0);
    expect(s.ciphertext).toHaveLength(s.paddedPlaintext.length + 16);
  });

  it('an unsigned session CALL is header || ciphertext: 136 bytes over the plaintext', () => {
    const s = sealPayload(callInput(identity(), random(32)));
    expect(s.signature).toBeUndefined();
    expect(s.payload.length - s.plaintext.length).toBe(136);
  });
});

describe('the rules the sealer enforces', () => {
  type Make = (alice: ReturnType<typeof identity>, key: Uint8Array) => SealInput;
  const cases: [string, Make][] = [
    ['an unsigned PUBLISH', (alice, key) => publishInput(alice, key, { signer: undefined })],
    ['a PUBLISH with an xid', (alice, key) => publishInput(alice, key, { xid: random(16) })],
    ['a CALL with a zero xid', (alice, key) => callInput(alice, key, { xid: new Uint8Array(16) })],
    ['seq 0', (alice, key) => publishInput(alice, key, { seq: 0 })],
    [
      'a wrap on an unsigned CALL',
      (alice, key) => callInput(alice, key, { wrap: { sessionKey: key, scopePublicKey: random(32) } }),
    ],
    [
      'a wrap on a YIELD',
      (alice, key) =>
        callInput(alice, key, {
          type: 'YIELD',
          signer: alice.secretKey,
          wrap: { sessionKey: key, scopePublicKey: random(32) },
        }),
    ],
    [
      'a wrap of another key',
      (alice, key) =>
        callInput(alice, key, {
          signer: alice.secretKey,
          wrap: { sessionKey: random(32), scopePublicKey: random(32) },
        }),
    ],
    ['bucket 3', (alice, key) => publishInput(alice, key, { bucket: 3 })],
    ['a signer that is not spk', (alice, key) => publishInput(alice, key, { signer: identity().secretKey })],
    ['a content key of 16 bytes', (alice) => publishInput(alice, random(16))],
    ['a nonce of 12 bytes', (alice, key) => publishInput(alice, key, { nonce: random(12) })],
    ['an unknown type', (alice, key) => publishInput(alice, key, { type: 'EVENT' as 'PUBLISH' })],
  ];
  it.each(cases)('refuses %s', (_what, make) => {
    expect(() => sealPayload(make(identity(), random(32)))).toThrow(sealError);
  });
});

describe('memory hygiene', () => {
  it('leaves no content key, session key, signer key or plaintext in either binding scratch', () => {
    const dave = identity();
    const scope = boxKeypair();
    const ks = random(32);
    const secret = 'a secret that must not linger in the heap';
    const s = sealPayload(
      callInput(dave, ks, {
        args: [secret],
        signer: dave.secretKey,
        wrap: { sessionKey: ks, scopePublicKey: scope.publicKey },
        bucket: 0,
      }),
    );
    const heap = [scratchV2ForTesting(), scratchForTesting()].flatMap((x) => [x.fixed, x.data]);
    for (const secretBytes of [ks, dave.secretKey.subarray(0, 32), s.plaintext.subarray(0, 32)]) {
      for (const region of heap) expect(Buffer.from(region).indexOf(Buffer.from(secretBytes))).toBe(-1);
    }
  });
});
