/**
 * The key-material part of the vectors this implementation writes: each well-formed key package
 * signed again from its owner's seed (and certified from the organisation's), each well-formed key
 * record encoded again. The tampered cases and the bundles (whose sealing takes random ephemeral
 * keys the file does not give) are kept as the input has them.
 */
import { toHex } from '../../src/e2ev2/derive';
import { certifyKeyPackage, keyPackageTbs, makeKeyPackage, type KeyPackage } from '../../src/e2ev2/key-package';
import { decodeKeyRecord, encodeKeyRecord } from '../../src/e2ev2/key-record';
import { fromHex, fromJson, toJson, type Json } from './vectors-file';

type Obj = Record<string, unknown>;

/** Re-make `keyMaterial` (the file's `key_material`, changed in place) from `identities`' seeds. */
export function deriveKeyMaterial(
  keyMaterial: Obj,
  identities: Record<string, { seed: string; ed25519_pk: string }>,
): void {
  const seedOf = (pk: Uint8Array): string | undefined =>
    Object.values(identities).find((i) => i.ed25519_pk === toHex(pk))?.seed;
  for (const c of keyMaterial['key_packages'] as Obj[]) {
    if (c['tbs'] === undefined) continue;
    const pkg = fromJson(c['package'] as Json) as KeyPackage;
    const seed = seedOf(pkg.sign_pk);
    if (seed === undefined) continue;
    let made = makeKeyPackage({
      identity: { seed: fromHex(seed) },
      authid: pkg.authid,
      encPublicKey: pkg.enc_pk,
      notAfter: pkg.not_after,
      grants: pkg.grants,
    });
    if (pkg.org_sig !== undefined) made = certifyKeyPackage(made, { seed: fromHex(identities['org']!.seed) });
    c['package'] = toJson(made);
    c['tbs'] = toHex(keyPackageTbs(made));
  }
  for (const c of keyMaterial['key_records'] as Obj[]) {
    if (c['error'] !== null) continue;
    c['record'] = toHex(encodeKeyRecord(decodeKeyRecord(fromHex(c['record'] as string))));
  }
}
