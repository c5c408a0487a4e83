/**
 * E2E v2's per-message bindings, in place: the AEAD with the plaintext written into the
 * WebAssembly heap (as UTF-8 straight from a string, or from bytes) and read from it where it was
 * decrypted, and Ed25519 verification over an input given in parts. A message's additional data and signature
 * input are a context string, the bound URI and a view of the payload: they are written into the
 * heap part by part instead of being concatenated into a new array first, and the plaintext is
 * neither encoded into an array of its own before sealing nor copied out of the heap after
 * opening. Same conventions as `sodium-v2.ts` (scratch memory, wiping, errors), whose scratch it
 * shares; every function here wipes the plaintext and the key it wrote before returning or throwing.
 */
import { InvalidArgumentError } from '@wampbox/core';
import {
  align16,
  checkBytes,
  checkLength,
  dataRegion,
  failed,
  fixedRegion,
  F_KEY,
  F_NONCE,
  F_PUBLIC,
  F_SIG,
  F_SIZE,
  lib,
  readSize,
} from './internal/v2-scratch.js';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, SIGNATURE_BYTES, V2_KEY_BYTES } from './sodium-v2-sizes.js';
import { verifyPartsNatively } from './sodium.js';

const utf8 = new TextEncoder();

/** Where {@link aeadEncryptFramed} writes the ciphertext, and the additional data it binds. */
export interface AeadFrame {
  /** At least `length + 16` bytes: the ciphertext and its tag are written at its start. */
  readonly target: Uint8Array;
  /** The additional data, in parts (concatenated in this order); `adLength` bytes in all. */
  readonly ad: readonly Uint8Array[];
}

/** The sizes {@link aeadEncryptFramed} reserves room for before the plaintext is written. */
export interface FramedLayout {
  /** Pad to a multiple of this (ISO/IEC 7816-4, as `pad`); absent: not padded. */
  readonly blockSize?: number | undefined;
  /** The length of the additional data `frame` will give. */
  readonly adLength: number;
}

function partsLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) {
    checkBytes(p, 'part');
    n += p.length;
  }
  return n;
}

function writeParts(heap: Uint8Array, at: number, parts: readonly Uint8Array[]): void {
  for (const p of parts) {
    heap.set(p, at);
    at += p.length;
  }
}

/**
 * `crypto_aead_xchacha20poly1305_ietf_encrypt` of a plaintext written straight into the heap: a
 * string as UTF-8, or bytes; padded there with `sodium_pad` to a multiple of `layout.blockSize`
 * when one is given. Once the (padded) plaintext's length is known, `frame(length)` says where the
 * ciphertext goes and what additional data it binds (which may be a view of that target, say a
 * header written by `frame`: it is read after `frame` returns); `frame` must call no other
 * binding. Returns the (padded) plaintext's length.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` for a nonce that is not 24 bytes, a key that
 *   is not 32, a block size that is not a positive integer, a frame whose additional data is not
 *   `layout.adLength` bytes or whose target is too short. Whatever `frame` throws is thrown, the heap wiped.
 */
export function aeadEncryptFramed(
  plaintext: string | Uint8Array,
  layout: FramedLayout,
  frame: (length: number) => AeadFrame,
  nonce: Uint8Array,
  key: Uint8Array,
): number {
  const { blockSize, adLength } = layout;
  const m = lib();
  const text = typeof plaintext === 'string';
  if (!text) checkBytes(plaintext, 'plaintext');
  if (blockSize !== undefined && !(Number.isInteger(blockSize) && blockSize > 0)) {
    throw new InvalidArgumentError('blockSize must be a positive integer');
  }
  checkLength(nonce, AEAD_NONCE_BYTES, 'nonce');
  checkLength(key, V2_KEY_BYTES, 'key');
  // UTF-8 takes at most 3 bytes per UTF-16 unit; padding adds at most one block
  const cap = (text ? plaintext.length * 3 : plaintext.length) + (blockSize ?? 0);
  const adOffset = align16(cap);
  const outOffset = adOffset + align16(adLength);
  const data = dataRegion(m, outOffset + cap + AEAD_TAG_BYTES);
  const f = fixedRegion();
  let written = 0;
  try {
    let heap = m.HEAPU8;
    if (text) {
      written = cap; // until encodeInto says how much it wrote
      written = utf8.encodeInto(plaintext, heap.subarray(data, data + cap)).written;
    } else {
      written = plaintext.length;
      heap.set(plaintext, data);
    }
    let length = written;
    if (blockSize !== undefined) {
      written = cap; // what sodium_pad may write
      if (m._sodium_pad(f + F_SIZE, data, length, blockSize, cap) !== 0) throw failed('sodium_pad');
      heap = m.HEAPU8;
      length = readSize(heap, f + F_SIZE);
      written = length;
    }
    const { target, ad } = frame(length);
    checkBytes(target, 'target');
    if (target.length < length + AEAD_TAG_BYTES)
      throw new InvalidArgumentError('the ciphertext does not fit in target');
    if (partsLength(ad) !== adLength) throw new InvalidArgumentError(`the additional data must be ${adLength} bytes`);
    heap = m.HEAPU8;
    writeParts(heap, data + adOffset, ad);
    heap.set(nonce, f + F_NONCE);
    heap.set(key, f + F_KEY);
    const out = data + outOffset;
    const rc = m._crypto_aead_xchacha20poly1305_ietf_encrypt(
      out,
      0,
      data,
      length,
      0,
      data + adOffset,
      adLength,
      0,
      0,
      f + F_NONCE,
      f + F_KEY,
    );
    if (rc !== 0) throw failed('crypto_aead_xchacha20poly1305_ietf_encrypt');
    target.set(m.HEAPU8.subarray(out, out + length + AEAD_TAG_BYTES));
    return length;
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, data, data + written); // plaintext (and padding)
    heap.fill(0, f + F_KEY, f + F_KEY + V2_KEY_BYTES);
  }
}

/**
 * `crypto_aead_xchacha20poly1305_ietf_decrypt` with the additional data in parts; when the tag
 * verifies, `read` gets the plaintext as a view into the heap and its result is returned. The view
 * is valid only during `read` (it is wiped right after, also when `read` throws), and `read` must
 * call no other binding. `undefined` when the tag does not verify (wrong key, nonce or additional
 * data, tampered with, shorter than the tag) or the nonce or key has the wrong length.
 *
 * @throws InvalidArgumentError `ERR_INVALID_ARGUMENT` when the inputs do not fit in the heap.
 *   Whatever `read` throws is thrown.
 */
export function aeadDecryptWith<T>(
  ciphertext: Uint8Array,
  ad: readonly Uint8Array[],
  nonce: Uint8Array,
  key: Uint8Array,
  read: (plaintext: Uint8Array) => T,
): T | undefined {
  const m = lib();
  checkBytes(ciphertext, 'ciphertext');
  const adLength = partsLength(ad);
  if (ciphertext.length < AEAD_TAG_BYTES || nonce.length !== AEAD_NONCE_BYTES || key.length !== V2_KEY_BYTES) {
    return undefined;
  }
  const clen = ciphertext.length;
  const mlen = clen - AEAD_TAG_BYTES;
  const adOffset = align16(clen);
  const outOffset = adOffset + align16(adLength);
  const data = dataRegion(m, outOffset + mlen);
  const f = fixedRegion();
  const out = data + outOffset;
  let opened = false;
  try {
    const heap = m.HEAPU8;
    heap.set(ciphertext, data);
    writeParts(heap, data + adOffset, ad);
    heap.set(nonce, f + F_NONCE);
    heap.set(key, f + F_KEY);
    const rc = m._crypto_aead_xchacha20poly1305_ietf_decrypt(
      out,
      0,
      0,
      data,
      clen,
      0,
      data + adOffset,
      adLength,
      0,
      f + F_NONCE,
      f + F_KEY,
    );
    opened = rc === 0;
    if (!opened) return undefined;
    return read(m.HEAPU8.subarray(out, out + mlen));
  } finally {
    const heap = m.HEAPU8;
    heap.fill(0, out, out + mlen); // plaintext
    heap.fill(0, f + F_KEY, f + F_KEY + V2_KEY_BYTES);
  }
}

/**
 * `crypto_sign_verify_detached` over the concatenation of `parts`: `signVerifyDetached` of
 * `sodium-v2.ts` without concatenating them first. `false` for a signature or key of the wrong length.
 */
export function signVerifyDetachedParts(
  signature: Uint8Array,
  parts: readonly Uint8Array[],
  publicKey: Uint8Array,
): boolean {
  const native = verifyPartsNatively(signature, parts, publicKey);
  if (native !== undefined) return native;
  const m = lib();
  const mlen = partsLength(parts);
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== V2_KEY_BYTES) return false;
  const data = dataRegion(m, mlen);
  const f = fixedRegion();
  const heap = m.HEAPU8;
  writeParts(heap, data, parts);
  heap.set(signature, f + F_SIG);
  heap.set(publicKey, f + F_PUBLIC);
  return m._crypto_sign_verify_detached(f + F_SIG, data, mlen, 0, f + F_PUBLIC) === 0;
}
