/**
 * Building blocks of the E2E v2 unit tests: random keys and identities, and sealing inputs with
 * valid defaults that a test overrides field by field.
 */
import { randomBytes } from 'node:crypto';
import { signSeedKeypair, sodiumReady } from '../../src/sodium';
import { sodiumV2Ready } from '../../src/sodium-v2';
import type { SealInput } from '../../src/e2ev2/seal';

/** `n` random bytes. */
export const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** Both libsodium bindings, ready. */
export async function sodiumBothReady(): Promise<void> {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
}

/** An Ed25519 identity: its public key (`spk`) and libsodium's 64-byte secret key. */
export interface Identity {
  readonly spk: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh identity (libsodium must be ready). */
export function identity(): Identity {
  const { publicKey, secretKey } = signSeedKeypair(random(32));
  return { spk: publicKey, secretKey };
}

/** 2026-01-01T00:00:00Z in ms, the clock of the tests. */
export const T0 = 1_767_225_600_000;

/** A signed PUBLISH by `by` under `key` on `uri`, valid unless `over` says otherwise. */
export function publishInput(by: Identity, key: Uint8Array, over: Partial<SealInput> = {}): SealInput {
  return {
    type: 'PUBLISH',
    uri: 'com.example.news.sports',
    ser: 'json',
    args: [1, 'two'],
    kwargs: { k: 'v' },
    key,
    spk: by.spk,
    signer: by.secretKey,
    sid: random(8),
    seq: 1,
    ts: T0,
    xid: new Uint8Array(16),
    nonce: random(24),
    ...over,
  };
}

/** A CALL by `by` under the session key `key`: unsigned and unwrapped unless `over` says otherwise. */
export function callInput(by: Identity, key: Uint8Array, over: Partial<SealInput> = {}): SealInput {
  return {
    type: 'CALL',
    uri: 'com.example.rpc.add',
    ser: 'json',
    args: [2, 3],
    key,
    spk: by.spk,
    sid: random(8),
    seq: 1,
    ts: T0,
    xid: random(16),
    nonce: random(24),
    ...over,
  };
}
