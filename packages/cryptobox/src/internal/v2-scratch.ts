/**
 * The scratch memory of the E2E v2 bindings (`sodium-v2.ts`, `sodium-v2-keys.ts`) in libsodium's
 * WebAssembly heap, as `sodium.ts` keeps its own: a fixed region for keys, nonces, hashes and
 * signatures, allocated once at start-up, and a data region for messages, replaced by a bigger one
 * (free, then malloc) when a message does not fit and never shrunk. Any `_malloc` may grow the
 * memory and detach the old `HEAPU8` view: callers read it afresh after {@link dataRegion}. The
 * module is loaded and checked once for every binding (`libsodium-module.ts`); the functions E2E v2
 * adds are checked when this one starts, so a bundle without E2E v2 carries no trace of them.
 * Internal to the bindings.
 */
import type { LibsodiumModule } from 'libsodium';
import { InvalidArgumentError } from '@wampbox/core';
import { checkE2eV2Functions, startLibsodium } from './libsodium-module.js';
import { ScratchHeap } from './scratch-heap.js';

export { align16, checkLength, failed } from './scratch-heap.js';

// Layout of the fixed scratch region (byte offsets). Everything below F_PUBLIC is secret.
/** A 32-byte key: AEAD key, X25519 secret key, ephemeral secret key, converted secret key. */
export const F_KEY = 0;
/** A second 32-byte secret: the shared key of a deterministic seal. */
export const F_SHARED = 32;
/** Ed25519 secret key (64 bytes), or a BLAKE2b key (up to 64 bytes). */
export const F_LONG_KEY = 64;
/** BLAKE2b output (up to 64 bytes). */
export const F_HASH = 128;
/** A public key, given or computed (32 bytes). */
export const F_PUBLIC = 192;
/** A second public key (32 bytes), e.g. the ephemeral one of a sealed box. */
export const F_PUBLIC2 = 224;
/** A nonce (24 bytes, padded to 32). */
export const F_NONCE = 256;
/** A signature (64 bytes). */
export const F_SIG = 288;
/** A `size_t` result (4 bytes in wasm32, padded to 8). */
export const F_SIZE = 352;
const FIXED_BYTES = 368;
export const SECRET_END = F_PUBLIC;

const scratch = new ScratchHeap(FIXED_BYTES, 'sodiumV2Ready');
let readyPromise: Promise<void> | undefined;

/**
 * Resolves once libsodium is initialized and E2E v2's scratch memory is allocated
 * (idempotent). Rejects as `sodiumReady()` of `sodium.ts` does (`ERR_FEATURE_UNSUPPORTED`).
 */
export function sodiumV2Ready(): Promise<void> {
  readyPromise ??= start();
  return readyPromise;
}

/** `true` once {@link sodiumV2Ready} has resolved. */
export function isSodiumV2Ready(): boolean {
  return scratch.mod !== undefined;
}

async function start(): Promise<void> {
  const m = await startLibsodium();
  checkE2eV2Functions(m); // before the first call into them
  scratch.init(m);
}

export function lib(): LibsodiumModule {
  return scratch.lib();
}

export function checkBytes(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`${what} must be a Uint8Array`);
}

/** The data region, at least `bytes` long (see scratch-heap.ts); read `HEAPU8` after calling this. */
export function dataRegion(m: LibsodiumModule, bytes: number): number {
  return scratch.dataRegion(m, bytes);
}

/** Reads the little-endian 32-bit `size_t` libsodium wrote at `ptr`. */
export function readSize(heap: Uint8Array, ptr: number): number {
  return (heap[ptr]! | (heap[ptr + 1]! << 8) | (heap[ptr + 2]! << 16) | (heap[ptr + 3]! << 24)) >>> 0;
}

/** The fixed scratch region's address (valid once {@link sodiumV2Ready} resolved). */
export function fixedRegion(): number {
  return scratch.fixed;
}

/**
 * Test hook: copies of this binding's scratch regions (the fixed region and the whole data
 * region), to check that no secret stays behind. Internal: never call it outside tests.
 */
export function scratchV2ForTesting(): { fixed: Uint8Array; data: Uint8Array } {
  return scratch.snapshot();
}
