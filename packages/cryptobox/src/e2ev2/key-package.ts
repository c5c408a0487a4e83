/**
 * Key packages and role certificates (§b.8.1, Decision 18): a participant's signing key and
 * receiving key (X25519), signed by the participant, optionally countersigned by an organisation
 * key whose signature grants roles on URI prefixes. Self-authenticating: they may travel in the
 * clear, as a map in any serializer.
 *
 * `TBS = u8(1) ‖ U(authid) ‖ sign_pk ‖ enc_pk ‖ u64be(not_after) ‖ u16be(n) ‖ n × (U(prefix) ‖ u8(m) ‖ m × U(role))`;
 * `sig = Ed25519(sign_sk, "wampbox/e2e/v2 keypkg\0" ‖ TBS)`,
 * `org_sig = Ed25519(org_sk, "wampbox/e2e/v2 rolecert\0" ‖ TBS)`.
 */
import { signDetached } from '../sodium.js';
import { signVerifyDetached } from '../sodium-v2.js';
import { concatBytes, encodeUri } from './derive.js';
import { E2eV2Error } from './errors.js';
import { identityKeyPair, type E2eV2IdentityInput } from './identity.js';
import type { TrustRole } from './trust-store.js';

const utf8 = new TextEncoder();
const KEYPKG_CTX = utf8.encode('wampbox/e2e/v2 keypkg\0');
const ROLECERT_CTX = utf8.encode('wampbox/e2e/v2 rolecert\0');
const ROLES: ReadonlySet<string> = new Set<TrustRole>(['publish', 'read', 'call', 'answer']);

/** A grant in a key package: the roles its owner claims (or, certified, holds) on a URI prefix. */
export interface KeyPackageGrant {
  readonly prefix: string;
  readonly roles: readonly TrustRole[];
}

/** A key package as it travels (snake_case, as in every implementation of the format). */
export interface KeyPackage {
  readonly v: 1;
  readonly authid: string;
  /** The Ed25519 public key (32 bytes): the `spk` of this participant's payloads. */
  readonly sign_pk: Uint8Array;
  /** The X25519 public key (32 bytes) that keys are sealed to. */
  readonly enc_pk: Uint8Array;
  /** Milliseconds since the Unix epoch after which the package is refused. */
  readonly not_after: number;
  readonly grants: readonly KeyPackageGrant[];
  /** The participant's signature (64 bytes). */
  readonly sig: Uint8Array;
  /** The organisation's signature (64 bytes): the role certificate. */
  readonly org_sig?: Uint8Array | undefined;
}

/** A key package that passed {@link verifyKeyPackage}. */
export interface VerifiedKeyPackage {
  readonly authid: string;
  readonly signPublicKey: Uint8Array;
  readonly encPublicKey: Uint8Array;
  readonly notAfter: number;
  /** The grants: certified when an organisation key was given, else only claimed. */
  readonly grants: readonly KeyPackageGrant[];
  /** Whether a role certificate from the given organisation key verified. */
  readonly certified: boolean;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** The bytes both signatures cover. @throws E2eV2Error `keypkg` for fields that do not fit. */
export function keyPackageTbs(p: Omit<KeyPackage, 'v' | 'sig' | 'org_sig'>): Uint8Array {
  if (typeof p.authid !== 'string') throw new E2eV2Error('keypkg', 'authid is a string');
  if (!(p.sign_pk instanceof Uint8Array) || p.sign_pk.length !== 32)
    throw new E2eV2Error('keypkg', 'sign_pk is 32 bytes');
  if (!(p.enc_pk instanceof Uint8Array) || p.enc_pk.length !== 32) throw new E2eV2Error('keypkg', 'enc_pk is 32 bytes');
  if (!Number.isSafeInteger(p.not_after) || p.not_after < 0)
    throw new E2eV2Error('keypkg', 'not_after is a time in ms');
  const grants: unknown = p.grants;
  if (!Array.isArray(grants) || grants.length > 0xffff) throw new E2eV2Error('keypkg', 'grants is a list');
  const parts: Uint8Array[] = [Uint8Array.of(1), uriBytes(p.authid), p.sign_pk, p.enc_pk, u64(p.not_after)];
  parts.push(Uint8Array.of(grants.length >>> 8, grants.length & 0xff));
  for (const g of grants as unknown[]) {
    const { prefix, roles } = (g ?? {}) as { prefix?: unknown; roles?: unknown };
    if (typeof prefix !== 'string' || !Array.isArray(roles) || roles.length > 255) {
      throw new E2eV2Error('keypkg', 'a grant is { prefix, roles }');
    }
    parts.push(uriBytes(prefix), Uint8Array.of(roles.length));
    for (const r of roles as unknown[]) {
      if (typeof r !== 'string' || !ROLES.has(r)) throw new E2eV2Error('keypkg', 'unknown role in a grant');
      parts.push(uriBytes(r));
    }
  }
  return concatBytes(...parts);
}

function uriBytes(s: string): Uint8Array {
  try {
    return encodeUri(s);
  } catch (e) {
    throw new E2eV2Error('keypkg', 'a text longer than 65535 bytes', { cause: e });
  }
}

/**
 * Make a key package signed by `identity` (libsodium must be ready).
 *
 * @param input.encPublicKey - the X25519 public key keys will be sealed to.
 * @param input.notAfter - expiry, milliseconds since the Unix epoch.
 * @param input.grants - the roles claimed; only a role certificate ({@link certifyKeyPackage}) makes
 *   them count in authority mode.
 * @throws InvalidArgumentError for an identity that does not fit; E2eV2Error `keypkg` for fields that do not.
 */
export function makeKeyPackage(input: {
  readonly identity: E2eV2IdentityInput;
  readonly authid: string;
  readonly encPublicKey: Uint8Array;
  readonly notAfter: number;
  readonly grants?: readonly KeyPackageGrant[] | undefined;
}): KeyPackage {
  const id = identityKeyPair(input.identity);
  try {
    const grants = (input.grants ?? []).map((g) => ({ prefix: g.prefix, roles: [...g.roles] }));
    const body = {
      authid: input.authid,
      sign_pk: id.publicKey,
      enc_pk: input.encPublicKey.slice(),
      not_after: input.notAfter,
      grants,
    };
    const sig = signDetached(concatBytes(KEYPKG_CTX, keyPackageTbs(body)), id.secretKey);
    return { v: 1, ...body, sig };
  } finally {
    id.secretKey.fill(0);
  }
}

/**
 * Countersign a key package with an organisation key: the role certificate that makes its grants
 * count in authority mode. Returns a copy with `org_sig`.
 * @throws E2eV2Error `keypkg` for a package whose fields do not fit.
 */
export function certifyKeyPackage(pkg: KeyPackage, organisation: E2eV2IdentityInput): KeyPackage {
  const org = identityKeyPair(organisation, 'organisation');
  try {
    return { ...pkg, org_sig: signDetached(concatBytes(ROLECERT_CTX, keyPackageTbs(pkg)), org.secretKey) };
  } finally {
    org.secretKey.fill(0);
  }
}

/**
 * Check a key package received from anywhere (libsodium must be ready): its shape, its
 * self-signature, its expiry and, with `orgPublicKey`, its role certificate.
 *
 * @throws E2eV2Error `keypkg` when any check fails.
 */
export function verifyKeyPackage(
  pkg: unknown,
  options: { readonly now: number; readonly orgPublicKey?: Uint8Array | undefined },
): VerifiedKeyPackage {
  if (typeof pkg !== 'object' || pkg === null) throw new E2eV2Error('keypkg', 'a key package is a map');
  const p = pkg as Partial<Record<keyof KeyPackage, unknown>>;
  if (p.v !== 1) throw new E2eV2Error('keypkg', 'unknown key package version');
  const tbs = keyPackageTbs({
    authid: p.authid as string,
    sign_pk: p.sign_pk as Uint8Array,
    enc_pk: p.enc_pk as Uint8Array,
    not_after: p.not_after as number,
    grants: (p.grants ?? []) as KeyPackageGrant[],
  });
  if (
    !(p.sig instanceof Uint8Array) ||
    !signVerifyDetached(p.sig, concatBytes(KEYPKG_CTX, tbs), p.sign_pk as Uint8Array)
  ) {
    throw new E2eV2Error('keypkg', 'the self-signature does not verify');
  }
  if (options.now > (p.not_after as number)) throw new E2eV2Error('keypkg', 'the key package expired');
  let certified = false;
  if (options.orgPublicKey !== undefined) {
    const ok =
      p.org_sig instanceof Uint8Array &&
      signVerifyDetached(p.org_sig, concatBytes(ROLECERT_CTX, tbs), options.orgPublicKey);
    if (!ok) throw new E2eV2Error('keypkg', 'no valid role certificate from the pinned organisation key');
    certified = true;
  }
  const grants = ((p.grants ?? []) as KeyPackageGrant[]).map((g) => ({ prefix: g.prefix, roles: [...g.roles] }));
  return {
    authid: p.authid as string,
    signPublicKey: (p.sign_pk as Uint8Array).slice(),
    encPublicKey: (p.enc_pk as Uint8Array).slice(),
    notAfter: p.not_after as number,
    grants,
    certified,
  };
}
