/**
 * The cryptobox key ring: key entries mapped from URI prefixes, with Autobahn|Python's lookup
 * (longest raw string prefix, then the default key) and its two boxes per entry.
 */
import { InvalidArgumentError, PAYLOAD_ERROR_URIS, PayloadCodecError } from '@wampbox/core';
import type { Payload } from '@wampbox/core';
import { fillNonce } from './internal/nonce.js';
import { parseInner, stringifyInner } from './internal/inner-json.js';
import { parseKey, type KeyInput } from './keys.js';
import {
  boxBeforenm,
  bytesEqual,
  isSodiumReady,
  MAC_BYTES,
  NONCE_BYTES,
  openTextAfternm,
  scalarmultBase,
  sealTextAfternm,
  sodiumReady,
} from './sodium.js';

/**
 * The keys for one URI prefix, in the roles of Autobahn|Python's `Key`. The originator is the
 * publisher or caller, the responder the subscriber or callee. Each key is base64, hex or bytes.
 *
 * A side that originates needs `originatorPriv` and the responder's public key; a side that
 * responds needs `responderPriv` and the originator's public key. A public key may be omitted
 * when the matching secret key is given.
 */
export interface KeyEntryInput {
  /** The originator's secret key (publishers, callers). */
  originatorPriv?: KeyInput | undefined;
  /** The originator's public key (needed by responders that lack `originatorPriv`). */
  originatorPub?: KeyInput | undefined;
  /** The responder's secret key (subscribers, callees). */
  responderPriv?: KeyInput | undefined;
  /** The responder's public key (needed by originators that lack `responderPriv`). */
  responderPub?: KeyInput | undefined;
}

/** Which box of a key entry a message uses. */
export interface BoxRole {
  /**
   * `true` for the originator box (sealing PUBLISH and CALL, opening RESULT and a caller's ERROR),
   * `false` for the responder box (opening EVENT and INVOCATION, sealing YIELD and a callee's ERROR).
   */
  originating: boolean;
}

/** What an entry holds: its keys and, once libsodium is ready, its boxes' shared keys. */
interface EntryKeys {
  readonly originatorPriv: Uint8Array | undefined;
  readonly originatorPub: Uint8Array | undefined;
  readonly responderPriv: Uint8Array | undefined;
  readonly responderPub: Uint8Array | undefined;
  originatorShared?: Uint8Array | undefined;
  responderShared?: Uint8Array | undefined;
  derived?: boolean;
}

/**
 * The key material of every entry, kept out of the entry objects so that logging, inspecting or
 * serializing an entry (or a ring) never shows a key.
 */
const entryKeys = new WeakMap<KeyEntry, EntryKeys>();

/**
 * A parsed, validated key entry: Autobahn|Python's `Key`. Reusable across rings and prefixes.
 *
 * @example
 * ```ts
 * const publisherSide = new KeyEntry({ originatorPriv: pubSecretB64, responderPub: subPublicB64 });
 * ```
 */
export class KeyEntry {
  /** `true` when this entry can seal PUBLISH/CALL and open RESULT/ERROR. */
  readonly canOriginate: boolean;
  /** `true` when this entry can open EVENT/INVOCATION and seal YIELD/ERROR. */
  readonly canRespond: boolean;

  /**
   * @param spec - the keys; or a single secret key used for both roles (Autobahn's
   *   `Key(originator_priv=k, responder_priv=k)`).
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when a key is malformed, when neither role
   *   can be formed, or (checked as soon as libsodium is ready) when a public key does not belong
   *   to the secret key given with it.
   */
  constructor(spec: KeyEntryInput | KeyInput) {
    const s: KeyEntryInput =
      typeof spec === 'string' || spec instanceof Uint8Array ? { originatorPriv: spec, responderPriv: spec } : spec;
    if (s === null || typeof s !== 'object')
      throw new InvalidArgumentError('key entry must be a key or an object of keys');
    const keys: EntryKeys = {
      originatorPriv: optionalKey(s.originatorPriv, 'originatorPriv'),
      originatorPub: optionalKey(s.originatorPub, 'originatorPub'),
      responderPriv: optionalKey(s.responderPriv, 'responderPriv'),
      responderPub: optionalKey(s.responderPub, 'responderPub'),
    };
    this.canOriginate =
      keys.originatorPriv !== undefined && (keys.responderPub !== undefined || keys.responderPriv !== undefined);
    this.canRespond =
      keys.responderPriv !== undefined && (keys.originatorPub !== undefined || keys.originatorPriv !== undefined);
    if (!this.canOriginate && !this.canRespond) {
      throw new InvalidArgumentError(
        'insufficient keys for either role: give originatorPriv with responderPub (or responderPriv), ' +
          'or responderPriv with originatorPub (or originatorPriv)',
      );
    }
    if (isSodiumReady()) derive(keys);
    entryKeys.set(this, keys);
  }
}

/**
 * The precomputed shared key of an entry's box for a role, or `undefined` when the entry lacks
 * that role. libsodium must be ready.
 */
function entrySharedKey(entry: KeyEntry, originating: boolean): Uint8Array | undefined {
  const keys = entryKeys.get(entry) as EntryKeys;
  if (!keys.derived) derive(keys);
  return originating ? keys.originatorShared : keys.responderShared;
}

function derive(keys: EntryKeys): void {
  const oPub = publicOf(keys.originatorPriv, keys.originatorPub, 'originatorPub');
  const rPub = publicOf(keys.responderPriv, keys.responderPub, 'responderPub');
  // originator box = Box(originator_priv, responder_pub), responder box = Box(responder_priv,
  // originator_pub). When both exist, all four keys are known to match, and X25519 gives both
  // boxes the same shared key: compute it once.
  if (keys.originatorPriv !== undefined && rPub !== undefined) {
    keys.originatorShared = boxBeforenm(rPub, keys.originatorPriv);
  }
  if (keys.responderPriv !== undefined && oPub !== undefined) {
    keys.responderShared = keys.originatorShared ?? boxBeforenm(oPub, keys.responderPriv);
  }
  keys.derived = true;
}

function optionalKey(k: KeyInput | undefined | null, what: string): Uint8Array | undefined {
  if (k === undefined || k === null || k === '') return undefined;
  return parseKey(k, what);
}

function publicOf(priv: Uint8Array | undefined, pub: Uint8Array | undefined, what: string): Uint8Array | undefined {
  if (priv === undefined) return pub;
  const derived = scalarmultBase(priv);
  if (pub !== undefined && !bytesEqual(derived, pub)) {
    throw new InvalidArgumentError(`${what} does not belong to the secret key given with it`);
  }
  return derived;
}

/**
 * Key entries mapped from URI prefixes, with Autobahn|Python's semantics: the entry for the
 * longest raw string prefix of a URI wins (not dot-aware: a key for `com.app` also covers
 * `com.appx`), then the default key (the entry for the prefix `''`); with no entry a URI has no key.
 *
 * A URI with an entry is "keyed": the {@link cryptobox} codec seals what it sends on it and, in
 * strict mode, refuses plaintext received on it.
 *
 * @example
 * ```ts
 * // publisher / caller side
 * const ring = new KeyRing();
 * ring.setKey('com.myapp.encrypted.', { originatorPriv: mySecretB64, responderPub: theirPublicB64 });
 *
 * // subscriber / callee side
 * const ring2 = new KeyRing();
 * ring2.setKey('com.myapp.encrypted.', { responderPriv: mySecretB64, originatorPub: theirPublicB64 });
 *
 * // one shared secret key for every URI, both roles (Autobahn's KeyRing(default_key))
 * const shared = new KeyRing(sharedSecretB64);
 * ```
 */
export class KeyRing {
  readonly #entries = new Map<string, KeyEntry>();
  /** Distinct prefix lengths, longest first: lookup tries only these. */
  #lengths: number[] = [];

  /**
   * @param defaultKey - optional default key for every URI without a more specific entry: a
   *   single secret key (used for both roles, like Autobahn's `KeyRing(default_key)`), a
   *   {@link KeyEntryInput} or a {@link KeyEntry}.
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a malformed key.
   */
  constructor(defaultKey?: KeyInput | KeyEntryInput | KeyEntry) {
    if (defaultKey !== undefined) this.setKey('', defaultKey);
  }

  /**
   * Set (or, with `null`, remove) the key entry for a URI prefix. The prefix `''` is the default
   * key. A single secret key stands for both roles.
   *
   * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a malformed key or insufficient keys.
   */
  setKey(uriPrefix: string, key: KeyInput | KeyEntryInput | KeyEntry | null): this {
    if (typeof uriPrefix !== 'string') throw new InvalidArgumentError('uriPrefix must be a string');
    if (key === null) {
      this.#entries.delete(uriPrefix);
    } else {
      this.#entries.set(uriPrefix, key instanceof KeyEntry ? key : new KeyEntry(key));
    }
    this.#lengths = [...new Set([...this.#entries.keys()].map((p) => p.length))].sort((a, b) => b - a);
    return this;
  }

  /** `true` when `uri` has a key entry (its own, a prefix's, or the default key). */
  hasKey(uri: string): boolean {
    return this.find(uri) !== undefined;
  }

  /**
   * Seal a payload for `uri`: `nonce(24) || crypto_box_easy_afternm(JSON {"uri","args","kwargs"})`.
   *
   * @throws PayloadCodecError `ERR_PAYLOAD_NO_KEY` when `uri` has no key for this role;
   *   `ERR_PAYLOAD_CODEC` when the payload cannot be serialized as JSON.
   */
  async encrypt(uri: string, payload: Payload, role: BoxRole): Promise<Uint8Array> {
    if (!isSodiumReady()) await sodiumReady();
    return sealPayload(this, uri, payload, role.originating);
  }

  /**
   * Open a payload sealed for `uri` and check the URI bound inside it.
   *
   * @throws PayloadCodecError `ERR_PAYLOAD_NO_KEY` when `uri` has no key for this role;
   *   `ERR_PAYLOAD_DECRYPT` when the payload is truncated, tampered with, sealed with another
   *   key, or not a valid inner payload; `ERR_PAYLOAD_URI_MISMATCH` when it was sealed for another URI.
   */
  async decrypt(uri: string, payload: Uint8Array, role: BoxRole): Promise<Payload> {
    if (!isSodiumReady()) await sodiumReady();
    return openPayload(this, uri, payload, role.originating);
  }

  /** The entry `uri` uses, if any (also read by {@link ringSharedKey}). */
  private find(uri: string): KeyEntry | undefined {
    const lengths = this.#lengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i]!;
      if (len > uri.length) continue;
      const entry = this.#entries.get(len === uri.length ? uri : uri.slice(0, len));
      if (entry !== undefined) return entry;
    }
    return undefined;
  }
}

/**
 * The shared key of the box `uri` uses in a role: `undefined` when `uri` has no entry,
 * `null` when its entry lacks the role. Internal to the package; libsodium must be ready.
 */
export function ringSharedKey(ring: KeyRing, uri: string, originating: boolean): Uint8Array | null | undefined {
  const entry = ring['find'](uri);
  if (entry === undefined) return undefined;
  return entrySharedKey(entry, originating) ?? null;
}

function noKey(uri: string, originating: boolean): PayloadCodecError {
  return new PayloadCodecError(
    'ERR_PAYLOAD_NO_KEY',
    PAYLOAD_ERROR_URIS.noKey,
    `no ${originating ? 'originator' : 'responder'} key for URI "${uri}"`,
  );
}

function decryptError(uri: string, why: string, cause?: unknown): PayloadCodecError {
  return new PayloadCodecError(
    'ERR_PAYLOAD_DECRYPT',
    PAYLOAD_ERROR_URIS.decrypt,
    `cannot open the payload for "${uri}": ${why}`,
    cause !== undefined ? { cause } : undefined,
  );
}

/** Seal synchronously (libsodium must be ready). */
export function sealPayload(ring: KeyRing, uri: string, payload: Payload, originating: boolean): Uint8Array {
  const key = ringSharedKey(ring, uri, originating);
  if (key == null) throw noKey(uri, originating);
  return sealWith(key, uri, payload);
}

/** Seal with a known shared key (libsodium must be ready). */
export function sealWith(key: Uint8Array, uri: string, payload: Payload): Uint8Array {
  let text: string;
  try {
    text = stringifyInner(uri, payload.args, payload.kwargs);
  } catch (err) {
    throw new PayloadCodecError(
      'ERR_PAYLOAD_CODEC',
      PAYLOAD_ERROR_URIS.codec,
      `cannot serialize the payload for "${uri}" as JSON`,
      {
        cause: err,
      },
    );
  }
  return sealTextAfternm(text, key, fillNonce);
}

/** Open synchronously (libsodium must be ready). */
export function openPayload(ring: KeyRing, uri: string, payload: Uint8Array, originating: boolean): Payload {
  const key = ringSharedKey(ring, uri, originating);
  if (key == null) throw noKey(uri, originating);
  return openWith(key, uri, payload);
}

/** Open with a known shared key (libsodium must be ready). */
export function openWith(key: Uint8Array, uri: string, payload: Uint8Array): Payload {
  if (!(payload instanceof Uint8Array)) throw decryptError(uri, 'payload is not binary');
  if (payload.length < NONCE_BYTES + MAC_BYTES) throw decryptError(uri, 'payload is too short');
  const text = openTextAfternm(payload, key);
  if (text === undefined) throw decryptError(uri, 'authentication failed (wrong key or tampered payload)');
  if (text === null) throw decryptError(uri, 'the inner payload is not valid UTF-8');
  let inner;
  try {
    inner = parseInner(text);
  } catch (err) {
    throw decryptError(uri, 'the inner payload is not valid JSON', err);
  }
  if (inner.uri !== uri) {
    throw new PayloadCodecError(
      'ERR_PAYLOAD_URI_MISMATCH',
      PAYLOAD_ERROR_URIS.uriMismatch,
      `the URI inside the payload does not match the envelope URI "${uri}"`,
    );
  }
  const { args, kwargs } = inner;
  if (args !== null && args !== undefined && !Array.isArray(args))
    throw decryptError(uri, 'inner "args" is not a list');
  if (kwargs !== null && kwargs !== undefined && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
    throw decryptError(uri, 'inner "kwargs" is not an object');
  }
  return {
    args: (args ?? undefined) as unknown[] | undefined,
    kwargs: (kwargs ?? undefined) as Record<string, unknown> | undefined,
  };
}
