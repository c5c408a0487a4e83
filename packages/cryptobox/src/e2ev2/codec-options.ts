/**
 * The options of the `x_e2ev2` payload codec (preview), and the static configuration built from
 * them once libsodium is ready: the identity, the trust store, the group keys, the callee scope keys
 * and the routes. Static mode only: keys and grants are given, not fetched.
 */
import { InvalidArgumentError, type PayloadCodec } from '@wampbox/core';
import { scalarmultBase, bytesEqual } from '../sodium.js';
import type { InnerSerializer } from './constants.js';
import type { Carriage, Route } from './envelope.js';
import { GroupKeyStore, type GroupKeyInput } from './group-keys.js';
import { identityKeyPair, type E2eV2IdentityInput } from './identity.js';
import { longestCovering } from './prefix.js';
import { namespaceKey, type Namespace, type ScrambleMode } from './scramble.js';
import { ScopeKeyStore } from './scope-keys.js';
import { TrustStore, type TrustGrant } from './trust-store.js';

export type { E2eV2IdentityInput } from './identity.js';

/** A group key of a topic scope: held for reading; with `current`, also what this side publishes with. */
export interface E2eV2GroupKeyOption extends GroupKeyInput {
  /** Publish with this key on the topics its scope covers (the longest scope wins). */
  readonly current?: boolean | undefined;
}

/**
 * A callee scope (procedures a dot-aware prefix covers): callees give the scope's X25519 secret key,
 * callers its public key, to which they wrap their session keys.
 */
export interface E2eV2CalleeScopeOption {
  readonly prefix: string;
  /** The X25519 secret key (callees). */
  readonly secretKey?: Uint8Array | undefined;
  /** The X25519 public key (callers; computed from `secretKey` when that is given). */
  readonly publicKey?: Uint8Array | undefined;
}

/**
 * A URI prefix sealed with `x_e2ev2`: the carriage it is sent in and, when `strict` (the default),
 * the only carriage accepted there. With `strict: false` both carriages are accepted. Plaintext is
 * refused on a route in either case.
 */
export interface E2eV2RouteOption {
  readonly prefix: string;
  /** `transparent`: scheme attributes and one opaque binary; `argument`: one binary argument. */
  readonly carriage: Carriage;
  readonly strict?: boolean | undefined;
  /**
   * Migrating this prefix from cryptobox: until this time (ms since the Unix epoch) cryptobox
   * payloads on it are still opened by `cryptobox.codec` (and invocations so opened are answered
   * with it); everything sent on it is E2E v2. Afterwards, cryptobox there is a downgrade.
   */
  readonly acceptCryptoboxUntil?: number | undefined;
}

/**
 * A scrambled namespace (URI scrambling): below its clear routing `prefix` (ending with a dot, so
 * that the router's permissions can still name it), every URI component travels as a 16-character
 * keyed tag. Use it through `scrambled(api, codec)`, which takes clear URIs.
 */
export interface E2eV2ScrambleOption {
  readonly prefix: string;
  /** The application's master secret (32 bytes); the namespace key is derived from it and the prefix. */
  readonly master: Uint8Array;
  /** `chained` (default: a tag depends on the whole path before it) or `positional` (wildcards work). */
  readonly mode?: ScrambleMode | undefined;
}

/** Options of the `x_e2ev2` codec. */
export interface E2eV2Options {
  /** This participant's Ed25519 identity: what it signs with, and the `spk` of its payloads. */
  readonly identity: E2eV2IdentityInput;
  /** Who may publish, call and answer on which URI prefixes (static mode). */
  readonly trust?: TrustStore | readonly TrustGrant[] | undefined;
  /** Group keys per topic scope (static mode). */
  readonly groupKeys?: readonly E2eV2GroupKeyOption[] | undefined;
  /** Callee scope keys: key pairs at callees, public keys at callers. */
  readonly calleeScopes?: readonly E2eV2CalleeScopeOption[] | undefined;
  /**
   * The sealed URI prefixes (longest wins; `wamp.*` is never sealed). URIs no route covers travel
   * in plaintext. Default: every URI, transparent carriage.
   */
  readonly routes?: readonly E2eV2RouteOption[] | undefined;
  /**
   * Coexistence with Autobahn-compatible cryptobox: the URI prefixes sealed with the cryptobox
   * `codec` (`cryptobox(keyRing)`) by this codec; longest prefix wins against `routes`.
   */
  readonly cryptobox?: { readonly codec: PayloadCodec; readonly prefixes?: readonly string[] | undefined } | undefined;
  /** Scrambled namespaces (longest prefix wins). */
  readonly scramble?: readonly E2eV2ScrambleOption[] | undefined;
  /** The inner serializer (default `json`). */
  readonly serializer?: InnerSerializer | undefined;
  /** The clock when the session gives none (`PayloadContext.now`); default `Date.now`. */
  readonly clock?: (() => number) | undefined;
  /** Largest accepted distance between a payload's timestamp and now, in ms (default 300000; 0: off). */
  readonly maxSkewMs?: number | undefined;
  /** How long after its `notAfter` a group key is still accepted, in ms (default 0). */
  readonly keyGraceMs?: number | undefined;
  /** Sign every CALL (not only a session's first) and refuse unsigned ones. Default `false`. */
  readonly signEveryCall?: boolean | undefined;
  /** Sign YIELDs and ERRORs and refuse unsigned ones. Default `false`. */
  readonly signReplies?: boolean | undefined;
}

/** The static configuration of one codec instance. Internal. */
export interface E2eV2Config {
  readonly spk: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly trust: TrustStore;
  readonly groupKeys: GroupKeyStore;
  /** The keys this side publishes with, by scope (changed by rotation). */
  readonly sendKeys: { prefix: string; key: Uint8Array }[];
  readonly scopeKeys: ScopeKeyStore;
  /** The callee scopes' public keys, for wrapping. */
  readonly scopePublic: readonly { readonly prefix: string; readonly publicKey: Uint8Array }[];
  /** The routes for the receiver, a plaintext catch-all included when no route covers `""`. */
  readonly routes: readonly Route[];
  /** The scrambled namespaces. */
  readonly namespaces: readonly Namespace[];
}

const SERIALIZERS: ReadonlySet<string> = new Set(['json', 'msgpack', 'cbor']);
const CARRIAGES: ReadonlySet<string> = new Set(['transparent', 'argument']);
const ROLES: ReadonlySet<string> = new Set(['publish', 'read', 'call', 'answer']);
const DEFAULT_ROUTES: readonly E2eV2RouteOption[] = [{ prefix: '', carriage: 'transparent' }];

function isBytes(v: unknown, n: number): v is Uint8Array {
  return v instanceof Uint8Array && v.length === n;
}

/**
 * Check the options' shape (what can be checked before libsodium is ready).
 * @throws InvalidArgumentError naming the first option that is wrong.
 */
export function checkOptions(o: E2eV2Options): void {
  if (typeof o !== 'object' || o === null) throw new InvalidArgumentError('e2eV2(options): options must be an object');
  const id = o.identity as Partial<{ seed: unknown; publicKey: unknown; secretKey: unknown }> | undefined;
  if (typeof id !== 'object' || id === null) throw new InvalidArgumentError('e2eV2: identity is required');
  if (id.seed !== undefined ? !isBytes(id.seed, 32) : !isBytes(id.publicKey, 32) || !isBytes(id.secretKey, 64)) {
    throw new InvalidArgumentError('e2eV2: identity is a 32-byte seed or a key pair (32-byte public, 64-byte secret)');
  }
  for (const r of o.routes ?? []) {
    if (typeof r.prefix !== 'string' || !CARRIAGES.has(r.carriage)) {
      throw new InvalidArgumentError('e2eV2: a route is { prefix, carriage: "transparent" | "argument" }');
    }
  }
  if (o.serializer !== undefined && !SERIALIZERS.has(o.serializer)) {
    throw new InvalidArgumentError('e2eV2: serializer is json, msgpack or cbor');
  }
  for (const s of o.calleeScopes ?? []) {
    if (typeof s.prefix !== 'string' || (s.secretKey === undefined && s.publicKey === undefined)) {
      throw new InvalidArgumentError('e2eV2: a callee scope is { prefix, secretKey } or { prefix, publicKey }');
    }
    if (
      (s.secretKey !== undefined && !isBytes(s.secretKey, 32)) ||
      (s.publicKey !== undefined && !isBytes(s.publicKey, 32))
    ) {
      throw new InvalidArgumentError('e2eV2: callee scope keys are 32 bytes');
    }
  }
  for (const n of o.scramble ?? []) {
    if (typeof n.prefix !== 'string' || !n.prefix.endsWith('.') || n.prefix.startsWith('wamp.')) {
      throw new InvalidArgumentError('e2eV2: a scrambled namespace prefix ends with a dot (and is not wamp.*)');
    }
    if (!isBytes(n.master, 32)) throw new InvalidArgumentError('e2eV2: a namespace master secret is 32 bytes');
    if (n.mode !== undefined && n.mode !== 'chained' && n.mode !== 'positional') {
      throw new InvalidArgumentError('e2eV2: a namespace mode is chained or positional');
    }
  }
  const cb = o.cryptobox;
  const needsCryptobox = (o.routes ?? []).some((r) => r.acceptCryptoboxUntil !== undefined);
  if (cb !== undefined || needsCryptobox) {
    if (typeof cb?.codec.decode !== 'function' || typeof cb.codec.encode !== 'function') {
      throw new InvalidArgumentError('e2eV2: cryptobox prefixes and migrating routes need cryptobox.codec');
    }
    if ((cb.prefixes ?? []).some((p) => typeof p !== 'string')) {
      throw new InvalidArgumentError('e2eV2: cryptobox.prefixes are URI prefixes');
    }
  }
  if (o.clock !== undefined && typeof o.clock !== 'function')
    throw new InvalidArgumentError('e2eV2: clock is a function');
  checkKeys(o);
}

/** The group keys and grants: sizes and shapes, so that a mistake shows when the codec is made. */
function checkKeys(o: E2eV2Options): void {
  for (const g of o.groupKeys ?? []) {
    if (!isBytes(g.key, 32) || typeof g.scope !== 'string') {
      throw new InvalidArgumentError('e2eV2: a group key is { scope, key } with a 32-byte key');
    }
  }
  if (o.trust !== undefined && !(o.trust instanceof TrustStore)) {
    if (!Array.isArray(o.trust)) throw new InvalidArgumentError('e2eV2: trust is a TrustStore or a list of grants');
    for (const g of o.trust as readonly TrustGrant[]) {
      if (!isBytes(g.spk, 32) || typeof g.prefix !== 'string' || !Array.isArray(g.roles)) {
        throw new InvalidArgumentError('e2eV2: a grant is { spk (32 bytes), prefix, roles }');
      }
      for (const r of g.roles as readonly unknown[])
        if (typeof r !== 'string' || !ROLES.has(r))
          throw new InvalidArgumentError(`e2eV2: unknown role "${String(r)}"`);
    }
  }
  if ('publicKey' in o.identity && !bytesEqual(o.identity.secretKey.subarray(32), o.identity.publicKey)) {
    throw new InvalidArgumentError('e2eV2: the identity secret key does not belong to its public key');
  }
}

/**
 * Build the static configuration (libsodium must be ready).
 * @throws InvalidArgumentError for keys that do not fit (a key pair whose halves differ, a bad grant).
 */
export function buildConfig(o: E2eV2Options): E2eV2Config {
  const { publicKey: spk, secretKey } = identityKeyPair(o.identity);
  const trust = o.trust instanceof TrustStore ? o.trust : new TrustStore(o.trust ?? []);
  const groupKeys = new GroupKeyStore(o.groupKeys ?? []);
  const sendKeys = (o.groupKeys ?? [])
    .filter((g) => g.current === true)
    .map((g) => ({ prefix: g.scope, key: g.key.slice() }));
  const scopeKeys = new ScopeKeyStore();
  const scopePublic: { prefix: string; publicKey: Uint8Array }[] = [];
  for (const s of o.calleeScopes ?? []) {
    if (s.secretKey !== undefined) {
      scopeKeys.add({ prefix: s.prefix, secretKey: s.secretKey });
      scopePublic.push({ prefix: s.prefix, publicKey: scalarmultBase(s.secretKey) });
    } else scopePublic.push({ prefix: s.prefix, publicKey: s.publicKey!.slice() });
  }
  const routes: Route[] = (o.routes ?? DEFAULT_ROUTES).map((r) => ({
    prefix: r.prefix,
    scheme: 'x_e2ev2',
    carriages: r.strict === false ? ['transparent', 'argument'] : [r.carriage],
  }));
  if (!routes.some((r) => r.prefix === '')) routes.push({ prefix: '', scheme: 'plaintext' });
  const namespaces: Namespace[] = (o.scramble ?? []).map((n) => ({
    prefix: n.prefix,
    key: namespaceKey(n.master, n.prefix),
    mode: n.mode ?? 'chained',
  }));
  return { spk, secretKey, trust, groupKeys, sendKeys, scopeKeys, scopePublic, routes, namespaces };
}

/** The sending carriage of `uri`, or `undefined` when it travels in plaintext. */
export function sendCarriage(routes: readonly E2eV2RouteOption[] | undefined, uri: string): Carriage | undefined {
  if (uri === 'wamp' || uri.startsWith('wamp.')) return undefined;
  return longestCovering(routes ?? DEFAULT_ROUTES, uri)?.carriage;
}
