/**
 * The scratch memory a libsodium binding keeps in the WebAssembly heap: a fixed region for keys,
 * nonces and other small values, and a data region for messages that grows when one does not fit.
 * Allocated once at start-up, so an operation copies in and out without a `malloc` per call; every
 * operation wipes what it wrote. Shared by the cryptobox binding (sodium.ts) and E2E v2's.
 */
import type { LibsodiumModule } from 'libsodium';
import { InvalidArgumentError } from '@wampbox/core';
import { unsupported } from './libsodium-module.js';

/** First size of the data region; messages up to about half of it need no reallocation. */
const INITIAL_DATA_BYTES = 16 * 1024;

export class ScratchHeap {
  /** The initialized module, once {@link ScratchHeap.init} ran. */
  mod: LibsodiumModule | undefined = undefined;
  /** Address of the fixed region. */
  fixed = 0;
  /** Address and size of the data region. */
  private data = 0;
  private cap = 0;

  /**
   * @param fixedBytes - the size of the fixed region.
   * @param readyName - the function that starts this binding, named in the not-ready error.
   */
  constructor(
    private readonly fixedBytes: number,
    private readonly readyName: string,
  ) {}

  /** Allocate both regions in `m` (zero-filled) and make the binding usable. */
  init(m: LibsodiumModule): void {
    const fixed = m._malloc(this.fixedBytes);
    const data = m._malloc(INITIAL_DATA_BYTES);
    if (fixed === 0 || data === 0) throw unsupported('libsodium could not allocate its scratch memory');
    m.HEAPU8.fill(0, fixed, fixed + this.fixedBytes);
    this.fixed = fixed;
    this.data = data;
    this.cap = INITIAL_DATA_BYTES;
    this.mod = m;
  }

  /**
   * The initialized module.
   * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` before {@link ScratchHeap.init}.
   */
  lib(): LibsodiumModule {
    if (this.mod === undefined) throw unsupported(`libsodium is not initialized yet: await ${this.readyName}() first`);
    return this.mod;
  }

  /**
   * The data region, at least `bytes` long. When it is too small it is replaced by a bigger one;
   * the old one holds nothing secret (every operation wipes what it used). May grow the heap:
   * read `HEAPU8` after calling this.
   */
  dataRegion(m: LibsodiumModule, bytes: number): number {
    if (bytes <= this.cap) return this.data;
    const cap = Math.ceil(Math.max(bytes, this.cap * 2) / 4096) * 4096;
    m._free(this.data);
    this.data = 0;
    this.cap = 0;
    const p = m._malloc(cap);
    if (p === 0) throw new InvalidArgumentError(`the libsodium heap cannot hold a ${bytes}-byte operation`);
    this.data = p;
    this.cap = cap;
    return p;
  }

  /** Copies of both regions, for the tests that check no secret stays behind. */
  snapshot(): { fixed: Uint8Array; data: Uint8Array } {
    const heap = this.lib().HEAPU8;
    return {
      fixed: heap.slice(this.fixed, this.fixed + this.fixedBytes),
      data: heap.slice(this.data, this.data + this.cap),
    };
  }
}

export function checkLength(bytes: Uint8Array, expected: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== expected) {
    throw new InvalidArgumentError(`${what} must be ${expected} bytes`);
  }
}

/** A libsodium function failed where it cannot (on inputs of the right sizes). */
export function failed(fn: string): InvalidArgumentError {
  return unsupported(`libsodium's ${fn}() failed`);
}

/** `n` rounded up to a multiple of 16 (keeps the output area of the data region aligned). */
export function align16(n: number): number {
  return (n + 15) & ~15;
}
