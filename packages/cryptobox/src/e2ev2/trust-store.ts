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
  /** Milliseconds since the Unix epoch after which the grant no longer counts (default: never). */
  readonly notAfter?: number | undefined;
}

/**
 * What the router claims about the sender of a payload (`publisher_authid` / `caller_authid`): not
 * proof, but what trust-on-first-use pins a key to.
 */
export interface SenderClaims {
  readonly authid?: string | undefined;
}

interface StoredGrant {
  readonly prefix: string;
  readonly roles: ReadonlySet<TrustRole>;
  readonly notAfter: number | undefined;
}

/** A static trust store: the grants it is given (the base of the other modes). */
export class TrustStore {
  readonly #grants = new Map<string, StoredGrant[]>();
  /** The clock grants expire by. */
  protected readonly clock: () => number;

  /** @param options.clock - what grant expiry is checked against (default `Date.now`). */
  constructor(grants: Iterable<TrustGrant> = [], options: { readonly clock?: () => number } = {}) {
    this.clock = options.clock ?? Date.now;
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
    list.push({ prefix: g.prefix, roles: new Set(g.roles), notAfter: g.notAfter });
    this.#grants.set(key, list);
  }

  /** Remove every grant of `spk` (revocation). */
  revoke(spk: Uint8Array): void {
    this.#grants.delete(toHex(spk));
  }

  /**
   * Whether `spk` may act in `role` on `uri` (the wire URI; grants name clear routing prefixes).
   * `claims` are the router's, for the modes that use them.
   * @throws E2eV2Error when a mode refuses outright (`tofu-mismatch`).
   */
  isAuthorized(spk: Uint8Array, uri: string, role: TrustRole, claims?: SenderClaims): boolean;
  isAuthorized(spk: Uint8Array, uri: string, role: TrustRole): boolean {
    const list = this.#grants.get(toHex(spk));
    if (list === undefined) return false;
    const now = this.clock();
    return list.some(
      (g) => g.roles.has(role) && covers(g.prefix, uri) && !(g.notAfter !== undefined && now > g.notAfter),
    );
  }

  /**
   * Told by the receiver once a payload authorized by {@link isAuthorized} passed every check:
   * where a mode learns (trust on first use pins the key). Nothing in static mode.
   */
  accepted(spk: Uint8Array, uri: string, role: TrustRole, claims?: SenderClaims): void;
  accepted(): void {
    // static mode learns nothing
  }
}
