/**
 * The trust store in static mode (§b.8.2, Decision 4): which Ed25519 identities may write on which
 * URI prefixes, and in which role. The receiver asks it at step 3 (a signed payload's `spk`) and at
 * step 6 (a session call's owner, who must still be authorized): removing a grant revokes it from
 * the next message on.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { toHex } from './derive.js';
import { covers } from './prefix.js';

/** What a grant allows: publishing, reading (key service), calling, answering calls. */
export type TrustRole = 'publish' | 'read' | 'call' | 'answer';

const ROLES: ReadonlySet<string> = new Set<TrustRole>(['publish', 'read', 'call', 'answer']);

/** One grant: `spk` may act in `roles` on the URIs `prefix` covers (dot-aware). */
export interface TrustGrant {
  /** The Ed25519 public key (32 bytes). */
  readonly spk: Uint8Array;
  readonly prefix: string;
  readonly roles: readonly TrustRole[];
}

interface StoredGrant {
  readonly prefix: string;
  readonly roles: ReadonlySet<TrustRole>;
}

/** A static trust store. */
export class TrustStore {
  readonly #grants = new Map<string, StoredGrant[]>();

  constructor(grants: Iterable<TrustGrant> = []) {
    for (const g of grants) this.grant(g);
  }

  /**
   * Add a grant.
   * @throws InvalidArgumentError for a key that is not 32 bytes or an unknown role.
   */
  grant(g: TrustGrant): void {
    if (!(g.spk instanceof Uint8Array) || g.spk.length !== 32) throw new InvalidArgumentError('spk must be 32 bytes');
    for (const r of g.roles) if (!ROLES.has(r)) throw new InvalidArgumentError(`unknown role "${r}"`);
    const key = toHex(g.spk);
    const list = this.#grants.get(key) ?? [];
    list.push({ prefix: g.prefix, roles: new Set(g.roles) });
    this.#grants.set(key, list);
  }

  /** Remove every grant of `spk` (revocation). */
  revoke(spk: Uint8Array): void {
    this.#grants.delete(toHex(spk));
  }

  /** Whether `spk` may act in `role` on `uri` (the wire URI; grants name clear routing prefixes). */
  isAuthorized(spk: Uint8Array, uri: string, role: TrustRole): boolean {
    const list = this.#grants.get(toHex(spk));
    if (list === undefined) return false;
    return list.some((g) => g.roles.has(role) && covers(g.prefix, uri));
  }
}
