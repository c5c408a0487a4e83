/**
 * Key records (Decision 19): a group key with its id, expiry, scope and writers, as bytes, and the
 * push bundle that seals one record to each reader's X25519 key (§b.8.4).
 *
 * `record = u8(1) ‖ kid(16) ‖ key(32) ‖ u64be(not_after ms, 0 = none) ‖ U(scope) ‖ u16be(n) ‖ n × writer spk(32)`;
 * a bundle's args are `[[PKID(reader RK), crypto_box_seal(record, RK)], …]`.
 */
import { bytesEqual } from '../sodium.js';
import { boxSeal, boxSealOpen } from '../sodium-v2.js';
import { concatBytes, encodeUri, keyId, publicKeyId } from './derive.js';
import { E2eV2Error } from './errors.js';
import type { GroupKeyInput } from './group-keys.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Encode a group key as a key record. @throws E2eV2Error `keypkg` for fields that do not fit. */
export function encodeKeyRecord(g: GroupKeyInput): Uint8Array {
  if (!(g.key instanceof Uint8Array) || g.key.length !== 32) throw new E2eV2Error('keypkg', 'a group key is 32 bytes');
  const writers = g.writers ?? [];
  if (writers.length > 0xffff || writers.some((w) => !(w instanceof Uint8Array) || w.length !== 32)) {
    throw new E2eV2Error('keypkg', 'writers are 32-byte Ed25519 keys');
  }
  const notAfter = new Uint8Array(8);
  new DataView(notAfter.buffer).setBigUint64(0, BigInt(g.notAfter ?? 0));
  let scope: Uint8Array;
  try {
    scope = encodeUri(g.scope);
  } catch (e) {
    throw new E2eV2Error('keypkg', 'the scope is too long', { cause: e });
  }
  const count = Uint8Array.of(writers.length >>> 8, writers.length & 0xff);
  return concatBytes(Uint8Array.of(1), keyId(g.key), g.key, notAfter, scope, count, ...writers);
}

/**
 * Decode a key record.
 * @throws E2eV2Error `keypkg` (truncated, trailing bytes, unknown version, text not UTF-8) or
 *   `key-commitment` (`KID(key)` differs from the record's `kid`).
 */
export function decodeKeyRecord(bytes: Uint8Array): GroupKeyInput & { readonly kid: Uint8Array } {
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new E2eV2Error('keypkg', 'truncated key record');
    return bytes.subarray(at, (at += n));
  };
  const u16 = (): number => {
    const b = take(2);
    return (b[0]! << 8) | b[1]!;
  };
  if (take(1)[0] !== 1) throw new E2eV2Error('keypkg', 'unknown key record version');
  const kid = take(16).slice();
  const key = take(32).slice();
  const notAfter = Number(new DataView(take(8).slice().buffer).getBigUint64(0));
  let scope: string;
  try {
    scope = utf8.decode(take(u16()));
  } catch (e) {
    if (e instanceof E2eV2Error) throw e;
    throw new E2eV2Error('keypkg', 'the scope is not UTF-8');
  }
  const writers: Uint8Array[] = [];
  for (let n = u16(); n > 0; n--) writers.push(take(32).slice());
  if (at !== bytes.length) throw new E2eV2Error('keypkg', 'trailing bytes after a key record');
  if (!bytesEqual(keyId(key), kid)) throw new E2eV2Error('key-commitment', 'key record: KID(key) differs from kid');
  return {
    kid,
    key,
    scope,
    notAfter: notAfter === 0 ? undefined : notAfter,
    writers: writers.length === 0 ? undefined : writers,
  };
}

/** One entry of a push bundle: the reader's key id and the record sealed to it. */
export type KeyBundleEntry = [readerKeyId: Uint8Array, sealedRecord: Uint8Array];

/**
 * A push bundle (the args of a signed PUBLISH on `‹ns›.e2e.key.bundle`): the key record sealed to
 * each reader's X25519 public key, in the order given (libsodium must be ready).
 */
export function makeKeyBundle(g: GroupKeyInput, readers: readonly Uint8Array[]): KeyBundleEntry[] {
  const record = encodeKeyRecord(g);
  try {
    return readers.map((rk) => [publicKeyId(rk), boxSeal(record, rk)]);
  } finally {
    record.fill(0);
  }
}

/**
 * Open this reader's entry of a push bundle.
 * @throws E2eV2Error `wrong-recipient` (no entry for this key, or it does not open), `keypkg`,
 *   `key-commitment`.
 */
export function openKeyBundle(
  entries: unknown,
  reader: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array },
): GroupKeyInput & { readonly kid: Uint8Array } {
  if (!Array.isArray(entries)) throw new E2eV2Error('keypkg', 'a key bundle is a list');
  const me = publicKeyId(reader.publicKey);
  for (const e of entries as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2 || !(e[0] instanceof Uint8Array) || !bytesEqual(e[0], me)) continue;
    const sealed: unknown = e[1];
    const record = sealed instanceof Uint8Array ? boxSealOpen(sealed, reader.publicKey, reader.secretKey) : undefined;
    if (record === undefined) throw new E2eV2Error('wrong-recipient', 'the bundle entry does not open');
    try {
      return decodeKeyRecord(record);
    } finally {
      record.fill(0);
    }
  }
  throw new E2eV2Error('wrong-recipient', 'no bundle entry for this reader');
}
