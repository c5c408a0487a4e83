/**
 * The trust store's other two modes (§b.8.2):
 *
 * - **Authority**: one organisation key is pinned; a participant's grants come from its key
 *   package, countersigned by that key (a role certificate), and last until the package expires.
 *   This is what makes "may publish" and "may read" separate rights at scale: the organisation
 *   signs roles once, every receiver checks them without a list of keys.
 * - **Trust on first use** (development): on the URI prefixes it is given, the first key a sender
 *   (by the router's `authid` claim) signs with is pinned; a later payload of the same authid
 *   under another key is refused (`tofu-mismatch`) and reported, like SSH's `known_hosts`. The
 *   router must disclose the publisher or caller (`disclose_me`, or the router's configuration).
 *   A key is pinned only once its payload passed every check.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { toHex } from './derive.js';
import { E2eV2Error } from './errors.js';
import { verifyKeyPackage, type VerifiedKeyPackage } from './key-package.js';
import { longestCovering } from './prefix.js';
import { TrustStore, type SenderClaims, type TrustGrant, type TrustRole } from './trust-store.js';

/** Authority mode: grants from role certificates of one pinned organisation key. */
export class AuthorityTrustStore extends TrustStore {
  readonly #organisation: Uint8Array;
  readonly #packages = new Map<string, VerifiedKeyPackage>();

  /**
   * @param organisation - the organisation's Ed25519 public key (32 bytes).
   * @param options.grants - static grants besides the certified ones (the key service itself, say).
   * @throws InvalidArgumentError for a key that is not 32 bytes.
   */
  constructor(
    organisation: Uint8Array,
    options: { readonly grants?: Iterable<TrustGrant>; readonly clock?: () => number } = {},
  ) {
    super(options.grants, { clock: options.clock });
    if (!(organisation instanceof Uint8Array) || organisation.length !== 32) {
      throw new InvalidArgumentError('AuthorityTrustStore: the organisation key is 32 bytes');
    }
    this.#organisation = organisation.slice();
  }

  /**
   * Admit a key package (libsodium must be ready): its self-signature, expiry and role certificate
   * are checked, then its grants count for its signing key until it expires. A newer package of the
   * same authid replaces the older one (the older signing key loses its grants).
   * @throws E2eV2Error `keypkg` when any check fails; nothing changes then.
   */
  admit(pkg: unknown): VerifiedKeyPackage {
    const v = verifyKeyPackage(pkg, { now: this.clock(), orgPublicKey: this.#organisation });
    const previous = this.#packages.get(v.authid);
    if (previous !== undefined) this.revoke(previous.signPublicKey);
    for (const g of v.grants)
      this.grant({ spk: v.signPublicKey, prefix: g.prefix, roles: g.roles, notAfter: v.notAfter });
    this.#packages.set(v.authid, v);
    return v;
  }

  /** The admitted package of `authid` (its receiving key is what keys are sealed to). */
  packageOf(authid: string): VerifiedKeyPackage | undefined {
    return this.#packages.get(authid);
  }
}

/** A prefix on which trust on first use applies, and the roles a pinned key gets there. */
export interface TofuScope {
  readonly prefix: string;
  readonly roles: readonly TrustRole[];
}

/** What {@link TofuTrustStore} reports when a pinned authid shows another key. */
export interface TofuMismatch {
  readonly authid: string;
  readonly prefix: string;
  /** Hex of the pinned and of the offered key. */
  readonly pinned: string;
  readonly offered: string;
}

/** Trust-on-first-use mode (for development). */
export class TofuTrustStore extends TrustStore {
  readonly #scopes: readonly TofuScope[];
  readonly #pins = new Map<string, string>();
  readonly #maxPins: number;
  readonly #onMismatch: ((m: TofuMismatch) => void) | undefined;

  /**
   * @param options.scopes - where first use is trusted, and in which roles.
   * @param options.maxPins - how many (authid, prefix) pins are kept (default 10000); beyond, new
   *   senders are not trusted.
   * @param options.onMismatch - told of every refusal for a changed key.
   */
  constructor(options: {
    readonly scopes: readonly TofuScope[];
    readonly grants?: Iterable<TrustGrant>;
    readonly maxPins?: number;
    readonly onMismatch?: (m: TofuMismatch) => void;
    readonly clock?: () => number;
  }) {
    super(options.grants, { clock: options.clock });
    const scopes: unknown = options.scopes;
    if (!Array.isArray(scopes)) throw new InvalidArgumentError('TofuTrustStore: scopes is a list');
    this.#scopes = options.scopes.map((s) => ({ prefix: s.prefix, roles: [...s.roles] }));
    this.#maxPins = options.maxPins ?? 10_000;
    this.#onMismatch = options.onMismatch;
  }

  /** The pins, as `[authid, prefix, key hex]` (to keep them across restarts). */
  get pins(): [string, string, string][] {
    return [...this.#pins].map(([k, spk]) => [...(k.split('\0') as [string, string]), spk]);
  }

  /** Restore a pin. */
  pin(authid: string, prefix: string, spk: Uint8Array): void {
    this.#pins.set(`${authid}\0${prefix}`, toHex(spk));
  }

  override isAuthorized(spk: Uint8Array, uri: string, role: TrustRole, claims?: SenderClaims): boolean {
    if (super.isAuthorized(spk, uri, role)) return true;
    const at = this.#at(uri, role, claims);
    if (at === undefined) return false;
    const pinned = this.#pins.get(at.key);
    const offered = toHex(spk);
    if (pinned === undefined) return this.#pins.size < this.#maxPins;
    if (pinned === offered) return true;
    this.#onMismatch?.({ authid: at.authid, prefix: at.prefix, pinned, offered });
    throw new E2eV2Error('tofu-mismatch', `"${at.authid}" on ${at.prefix} signs with another key than the pinned one`);
  }

  override accepted(spk: Uint8Array, uri: string, role: TrustRole, claims?: SenderClaims): void {
    const at = this.#at(uri, role, claims);
    if (at !== undefined && !this.#pins.has(at.key) && this.#pins.size < this.#maxPins) {
      this.#pins.set(at.key, toHex(spk));
    }
  }

  #at(uri: string, role: TrustRole, claims: SenderClaims | undefined) {
    const authid = claims?.authid;
    if (typeof authid !== 'string') return undefined;
    const scope = longestCovering(this.#scopes, uri);
    if (scope === undefined || !scope.roles.includes(role)) return undefined;
    return { authid, prefix: scope.prefix, key: `${authid}\0${scope.prefix}` };
  }
}
