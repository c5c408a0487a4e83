/**
 * A key holder's side of the group keys (§b.8.5): holding a key at run time, and the two ways of
 * replacing the key a scope is published with.
 *
 * - **Rotate** (periodic): a new key becomes current; the previous one stays held, and accepted by
 *   readers, until `now + graceMs`, so that events in flight still open.
 * - **Rekey** (a reader was removed): a new key becomes current and the previous one is dropped at
 *   once, so the key service no longer hands it out. A removed reader keeps what it already had:
 *   rekeying protects what is published from now on, not what was.
 *
 * Keys made here are the holder's own (Decision 21: one key per publisher and scope): their
 * `writers` list only the holder's signing key.
 */
import { InvalidArgumentError } from '@wampbox/core';
import type { E2eV2Config } from './codec-options.js';
import { keyId, toHex } from './derive.js';
import type { GroupKeyInput } from './group-keys.js';

/** What rotation and rekeying report about the new key (never the key itself). */
export interface E2eV2KeyInfo {
  /** The key id, 32 lowercase hex digits (what `enc_key` / `ppt_keyid` carry). */
  readonly kid: string;
  readonly scope: string;
  /** When the key expires (ms since the Unix epoch), if it does. */
  readonly notAfter: number | undefined;
}

/** Options of the codec's `rotate` and `rekey`. */
export interface RotateOptions {
  /** How long the previous key stays accepted, in ms (default 60000). */
  readonly graceMs?: number | undefined;
  /** When the new key expires (ms since the Unix epoch); default: never. */
  readonly notAfter?: number | undefined;
}

function randomKey(): Uint8Array {
  const k = new Uint8Array(32);
  globalThis.crypto.getRandomValues(k);
  return k;
}

/** Hold `k` (and publish with it on its scope when `current`). Returns its id. */
export function holdKey(config: E2eV2Config, k: GroupKeyInput & { readonly current?: boolean | undefined }): string {
  const held = config.groupKeys.add(k);
  if (k.current === true) setCurrent(config, k.scope, held.key);
  return toHex(held.kid);
}

function setCurrent(config: E2eV2Config, scope: string, key: Uint8Array): Uint8Array | undefined {
  const entry = config.sendKeys.find((s) => s.prefix === scope);
  const previous = entry?.key;
  if (entry === undefined) config.sendKeys.push({ prefix: scope, key: key.slice() });
  else entry.key = key.slice();
  return previous;
}

/**
 * Replace the key `scope` is published with by a new random one.
 *
 * @param mode - `rotate` keeps the previous key for `graceMs`; `rekey` drops it now.
 * @throws InvalidArgumentError for a scope that is not a string or a negative grace.
 */
export function replaceKey(
  config: E2eV2Config,
  scope: string,
  mode: 'rotate' | 'rekey',
  options: RotateOptions & { readonly now: number },
): E2eV2KeyInfo {
  if (typeof scope !== 'string') throw new InvalidArgumentError('rotate/rekey: scope is a URI prefix');
  const graceMs = options.graceMs ?? 60_000;
  if (!(graceMs >= 0)) throw new InvalidArgumentError('rotate: graceMs is a duration in ms');
  const key = randomKey();
  try {
    const held = config.groupKeys.add({ key, scope, notAfter: options.notAfter, writers: [config.spk] });
    const previous = setCurrent(config, scope, key);
    if (previous !== undefined) {
      const kid = toHex(keyId(previous));
      if (mode === 'rekey') config.groupKeys.remove(kid);
      else config.groupKeys.expire(kid, options.now + graceMs);
      previous.fill(0);
    }
    return { kid: toHex(held.kid), scope, notAfter: held.notAfter };
  } finally {
    key.fill(0);
  }
}
