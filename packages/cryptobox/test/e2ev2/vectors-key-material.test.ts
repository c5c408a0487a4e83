/**
 * The key-material cases of the `x_e2ev2` known-answer vectors (§b.8: key packages and role
 * certificates, key records, push bundles), written by the independent Python implementation:
 * packages re-made byte for byte from the identities' seeds and checked with the expected outcome,
 * records encoded and decoded, bundles opened by each reader.
 */
import { sodiumReady } from '../../src/sodium';
import { sodiumV2Ready } from '../../src/sodium-v2';
import { toHex } from '../../src/e2ev2/derive';
import { E2eV2Error } from '../../src/e2ev2/errors';
import {
  certifyKeyPackage,
  keyPackageTbs,
  makeKeyPackage,
  verifyKeyPackage,
  type KeyPackage,
} from '../../src/e2ev2/key-package';
import { decodeKeyRecord, encodeKeyRecord, openKeyBundle } from '../../src/e2ev2/key-record';
import { fromHex, fromJson, loadVectors, type Json } from './vectors-file';

const vectors = loadVectors();
const km = vectors.key_material as unknown as {
  key_packages: {
    id: string;
    package: Json;
    tbs?: string;
    checks: { now_ms: number; org_pk: string | null; error: string | null }[];
  }[];
  key_records: {
    id: string;
    record: string;
    key?: string;
    kid?: string;
    scope?: string;
    not_after?: number | null;
    writers?: string[] | null;
    error: string | null;
  }[];
  bundles: {
    id: string;
    entries: Json;
    opens: { reader: string; x25519_sk: string; key?: string; error: string | null }[];
  }[];
};
const identities = vectors.identities as unknown as Record<string, { seed: string; ed25519_pk: string }>;
const readers = (vectors as unknown as { readers: unknown }).readers as Record<
  string,
  { x25519_sk: string; x25519_pk: string }
>;

beforeAll(async () => {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
});

/** The error identifier a call ends with, or `null` when it passes. */
function outcome(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof E2eV2Error) return e.reason;
    throw e;
  }
}

describe('key packages', () => {
  it.each(km.key_packages)('$id: every check gives the expected outcome', (c) => {
    const pkg = fromJson(c.package) as KeyPackage;
    for (const check of c.checks) {
      const org = check.org_pk === null ? undefined : fromHex(check.org_pk);
      const got = outcome(() => verifyKeyPackage(pkg, { now: check.now_ms, orgPublicKey: org }));
      expect([check, got]).toEqual([check, check.error]);
    }
  });

  it.each(km.key_packages.filter((c) => c.tbs !== undefined))('$id: re-made byte for byte', (c) => {
    const pkg = fromJson(c.package) as KeyPackage;
    expect(toHex(keyPackageTbs(pkg))).toBe(c.tbs);
    const owner = Object.values(identities).find((i) => i.ed25519_pk === toHex(pkg.sign_pk));
    expect(owner).toBeDefined();
    const made = makeKeyPackage({
      identity: { seed: fromHex(owner!.seed) },
      authid: pkg.authid,
      encPublicKey: pkg.enc_pk,
      notAfter: pkg.not_after,
      grants: pkg.grants,
    });
    expect(toHex(made.sig)).toBe(toHex(pkg.sig));
    if (pkg.org_sig !== undefined) {
      const certified = certifyKeyPackage(made, { seed: fromHex(identities['org']!.seed) });
      expect(toHex(certified.org_sig!)).toBe(toHex(pkg.org_sig));
    }
  });
});

describe('key records', () => {
  it.each(km.key_records)('$id', (c) => {
    const bytes = fromHex(c.record);
    if (c.error !== null) {
      expect(outcome(() => decodeKeyRecord(bytes))).toBe(c.error);
      return;
    }
    const r = decodeKeyRecord(bytes);
    expect({
      kid: toHex(r.kid),
      key: toHex(r.key),
      scope: r.scope,
      not_after: r.notAfter ?? null,
      writers: r.writers?.map(toHex) ?? null,
    }).toEqual({ kid: c.kid, key: c.key, scope: c.scope, not_after: c.not_after, writers: c.writers });
    expect(toHex(encodeKeyRecord(r))).toBe(c.record);
  });
});

describe('push bundles', () => {
  it.each(km.bundles)('$id: each reader opens its entry or is refused', (c) => {
    const entries = fromJson(c.entries);
    for (const o of c.opens) {
      const reader = { publicKey: fromHex(readers[o.reader]!.x25519_pk), secretKey: fromHex(o.x25519_sk) };
      let key: string | undefined;
      const got = outcome(() => (key = toHex(openKeyBundle(entries, reader).key)));
      expect([o.reader, got, key]).toEqual([o.reader, o.error, o.error === null ? o.key : undefined]);
    }
  });
});
