/**
 * The `x_e2ev2` payload codec (preview): the factory, and the handle through which an application
 * manages its keys at run time (rotation, the key service, who signed an invocation).
 */
import type { Payload, PayloadCodec, PayloadContext, PayloadExchange, WampApi, WirePayload } from '@wampbox/core';
import { isSodiumReady, sodiumReady } from '../sodium.js';
import { isSodiumV2Ready, sodiumV2Ready } from '../sodium-v2.js';
import { checkOptions, type E2eV2Config, type E2eV2GroupKeyOption, type E2eV2Options } from './codec-options.js';
import { E2eV2State } from './codec-state.js';
import { E2EV2_SCHEME } from './constants.js';
import { KeyFetcher, type KeyFetchOptions } from './key-fetch.js';
import { CryptoboxRoutes } from './legacy.js';
import { holdKey, replaceKey, type E2eV2KeyInfo, type RotateOptions } from './key-holder.js';
import { TrustStore } from './trust-store.js';

export type {
  E2eV2CalleeScopeOption,
  E2eV2GroupKeyOption,
  E2eV2IdentityInput,
  E2eV2Options,
  E2eV2RouteOption,
} from './codec-options.js';

/** The `x_e2ev2` codec, with what an application needs to manage its keys while it runs. */
export interface E2eV2Codec extends PayloadCodec {
  /** The trust store: grant and revoke while the codec runs (a revocation counts from the next message). */
  readonly trust: TrustStore;
  /** Hold a group key (and, with `current`, publish with it on its scope). Resolves with its id (hex). */
  addGroupKey(key: E2eV2GroupKeyOption): Promise<string>;
  /** Stop holding the group key with this id (hex). */
  removeGroupKey(kid: string): Promise<void>;
  /**
   * Publish on `scope` under a new random key from now on; the previous key stays accepted for
   * `graceMs` (default 60 s). Readers fetch the new key from the key service when they meet it.
   */
  rotate(scope: string, options?: RotateOptions): Promise<E2eV2KeyInfo>;
  /**
   * Publish on `scope` under a new random key and drop the previous one now: after a reader lost
   * its `read` grant, the key service hands the new key only to the readers still entitled. What
   * the removed reader already had stays readable to it.
   */
  rekey(scope: string, options?: Omit<RotateOptions, 'graceMs'>): Promise<E2eV2KeyInfo>;
  /**
   * The authenticated caller of a sealed invocation (its Ed25519 key: the signer of the call, or
   * the owner of the session it came in), by `invocation.exchange`; `undefined` when it was not sealed.
   */
  callerOf(exchange: PayloadExchange): Uint8Array | undefined;
  /**
   * Fetch the group keys of events this reader does not hold from a key service, over `api` (the
   * session or connection this codec runs on): such an event (and those after it) waits for the
   * key, bounded in count and time. The key service's procedure must be sealed (a route and a
   * callee scope key for it) and trusted to answer.
   */
  fetchKeysFrom(api: WampApi, options: KeyFetchOptions): void;
  /**
   * The wire form of a clear URI (or, with `pattern`, a prefix or wildcard pattern) in a scrambled
   * namespace; a URI outside every namespace is returned as it is. `scrambled(api, codec)` calls it
   * for you.
   * @throws InvalidArgumentError (rejects) for a pattern the namespace cannot scramble: a wildcard
   *   in a chained namespace.
   */
  scramble(clear: string, options?: { readonly pattern?: boolean }): Promise<string>;
  /** The clear URI behind a scrambled wire URI this codec sent or opened (`wire` itself when unknown). */
  clearUri(wire: string): string;
}

/** What the key service of this package reads from a codec. Internal. */
export interface KeyServiceView {
  readonly ready: () => Promise<E2eV2Config>;
}

const views = new WeakMap<object, KeyServiceView>();

/** The key service's view of a codec made by {@link e2eV2}, or `undefined` for any other object. */
export function keyServiceView(codec: object): KeyServiceView | undefined {
  return views.get(codec);
}

/**
 * Make the `x_e2ev2` payload codec (preview).
 *
 * Readers of a topic hold its group key but cannot publish on it unless the trust store grants
 * them `publish`: every PUBLISH is signed. Calls are sealed under a session key wrapped to the
 * callee scope's X25519 key; results and errors under a reply key bound to the call. Replays
 * (within the freshness bound and the replay window) are refused.
 *
 * The codec is asynchronous until libsodium has started, synchronous afterwards.
 *
 * @param options - see {@link E2eV2Options}.
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for options of the wrong shape.
 * @throws E2eV2Error from `decode` (a refusal, with the check that failed as `reason`) and from
 *   `encode` (`seal`: no key to seal with, or a payload that cannot be serialized).
 *
 * @example
 * ```ts
 * import { e2eV2 } from '@wampbox/cryptobox/e2ev2';
 *
 * const codec = e2eV2({
 *   identity: { seed: mySeed },
 *   trust: [{ spk: publisherPublicKey, prefix: 'com.example.news.', roles: ['publish'] }],
 *   groupKeys: [{ scope: 'com.example.news.', key: newsKey }],
 *   routes: [{ prefix: 'com.example.', carriage: 'transparent' }],
 * });
 * ```
 */
export function e2eV2(options: E2eV2Options): E2eV2Codec {
  checkOptions(options);
  const trust = options.trust instanceof TrustStore ? options.trust : new TrustStore(options.trust ?? []);
  let state: E2eV2State | undefined;
  let fetch: { api: WampApi; options: KeyFetchOptions } | undefined;
  const cryptoboxCodec = options.cryptobox?.codec;
  const legacy = cryptoboxCodec === undefined ? undefined : new CryptoboxRoutes(options, cryptoboxCodec);
  const ready = (): boolean => isSodiumReady() && isSodiumV2Ready();
  const get = (): E2eV2State => {
    if (state === undefined) {
      state = new E2eV2State({ ...options, trust });
      if (fetch !== undefined) state.fetcher = fetcherOf(state, fetch.api, fetch.options);
    }
    return state;
  };
  const whenReady = (): Promise<E2eV2State> => Promise.all([sodiumReady(), sodiumV2Ready()]).then(get);
  const codec: E2eV2Codec = Object.freeze({
    name: E2EV2_SCHEME,
    trust,
    encode(payload: Payload, ctx: PayloadContext): WirePayload | Promise<WirePayload> {
      if (legacy?.sends(ctx) === true) return legacy.encode(payload, ctx);
      if (ready()) return get().encode(payload, ctx);
      return whenReady().then((s) => s.encode(payload, ctx));
    },
    decode(wire: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> {
      const opened = legacy?.decode(wire, ctx);
      if (opened !== undefined) return opened;
      if (ready()) return get().decode(wire, ctx);
      return whenReady().then((s) => s.decode(wire, ctx));
    },
    addGroupKey: async (key: E2eV2GroupKeyOption) => holdKey((await whenReady()).config, key),
    removeGroupKey: async (kid: string) => (await whenReady()).config.groupKeys.remove(kid),
    rotate: async (scope: string, o: RotateOptions = {}) => {
      const s = await whenReady();
      return replaceKey(s.config, scope, 'rotate', { ...o, now: s.clock() });
    },
    rekey: async (scope: string, o: Omit<RotateOptions, 'graceMs'> = {}) => {
      const s = await whenReady();
      return replaceKey(s.config, scope, 'rekey', { ...o, now: s.clock() });
    },
    callerOf: (exchange: PayloadExchange) => state?.callerOf(exchange),
    scramble: async (clear: string, o: { readonly pattern?: boolean } = {}) =>
      (await whenReady()).scramble(clear, o.pattern === true),
    clearUri: (wire: string) => state?.clearUris.get(wire) ?? wire,
    fetchKeysFrom(api: WampApi, o: KeyFetchOptions): void {
      if (state !== undefined) state.fetcher = fetcherOf(state, api, o);
      else {
        fetcherOf(undefined, api, o); // checks the options now
        fetch = { api, options: o };
      }
    },
  });
  views.set(codec, { ready: async () => (await whenReady()).config });
  return codec;
}

function fetcherOf(state: E2eV2State | undefined, api: WampApi, o: KeyFetchOptions): KeyFetcher {
  const hold = (k: Parameters<typeof holdKey>[1]): void => void state?.config.groupKeys.add(k);
  return new KeyFetcher(api, o, hold, () => state?.clock() ?? Date.now());
}
