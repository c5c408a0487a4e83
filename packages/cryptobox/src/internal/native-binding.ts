/**
 * The native binding (`SodiumBinding` of `binding.ts`) on the `sodium-native` addon: libsodium
 * compiled for the machine, working on the caller's typed arrays where they are, with no copy into
 * a separate heap and no per-call copy of results. Node only: `node-binding.ts` loads it, and
 * nothing the browser entries import reaches this file.
 *
 * sodium-native exports neither the `crypto_box_*_afternm` functions nor `crypto_core_hsalsa20`,
 * so the binding calls what libsodium itself reduces them to (crypto_box_easy.c,
 * crypto_box_curve25519xsalsa20poly1305.c), which gives the same bytes:
 * - `crypto_box_easy_afternm(c, m, n, k)` is `crypto_secretbox_easy(c, m, n, k)`, and
 *   `crypto_box_open_easy_afternm` is `crypto_secretbox_open_easy`;
 * - `crypto_box_beforenm(k, pk, sk)` is `HSalsa20(key = X25519(sk, pk), input = 16 zero bytes)`
 *   (with libsodium's refusal of a low-order `pk`, whose X25519 result is zero). HSalsa20 is the
 *   Salsa20 core without its final addition of the input words, keeping words 0, 5, 10, 15, 6, 7,
 *   8 and 9. Block 0 of the Salsa20 keystream under an all-zero nonce runs that core on the same
 *   input (the constants, the key, a zero nonce and a zero counter) and adds the input words, so
 *   each kept word is the keystream word minus its input word: the constant for words 0, 5, 10
 *   and 15, zero for words 6 to 9.
 * A known-answer test when the binding loads (NaCl's box test vector) refuses the binding if
 * either reduction ever gives other bytes.
 *
 * Memory: the temporaries of `boxBeforenm` (the X25519 result and the keystream block) and the
 * UTF-8 plaintext of `sealTextAfternm`/`openTextAfternm` live in scratch arrays of this module,
 * zero-filled before each operation returns or throws; the plaintext array grows when a message
 * does not fit and is never shrunk. Everything else is the caller's arrays or fresh results.
 */
import { InvalidArgumentError } from '@wampbox/core';
import { hexDecode } from '../keys.js';
import { unsupported } from './libsodium-module.js';
import { checkLength, failed } from './scratch-heap.js';
import {
  KEY_BYTES,
  MAC_BYTES,
  NONCE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGN_SEED_BYTES,
  SIGNATURE_BYTES,
} from './binding.js';
import type { BindingKeyPair, SodiumBinding } from './binding.js';

type SodiumNative = typeof import('sodium-native');

/** The addon's functions the binding calls. */
const FUNCTIONS: readonly (keyof SodiumNative)[] = [
  'crypto_scalarmult',
  'crypto_scalarmult_base',
  'crypto_stream_salsa20',
  'crypto_secretbox_easy',
  'crypto_secretbox_open_easy',
  'crypto_box_keypair',
  'crypto_sign_seed_keypair',
  'crypto_sign_detached',
  'crypto_sign_verify_detached',
];

/** Salsa20's constants ("expand 32-byte k"), the input words 0, 5, 10 and 15 of its core. */
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
/** The words of the Salsa20 core's state that HSalsa20 outputs, in order. */
const HSALSA20_WORDS = [0, 5, 10, 15, 6, 7, 8, 9];
/** First size of the plaintext scratch. */
const INITIAL_TEXT_BYTES = 16 * 1024;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function createNativeBinding(sn: SodiumNative): Required<SodiumBinding> {
  const point = new Uint8Array(KEY_BYTES); // X25519(sk, pk)
  const block = new Uint8Array(64); // Salsa20 keystream block 0 under `point`
  const zeroNonce = new Uint8Array(8);
  let plainScratch = new Uint8Array(INITIAL_TEXT_BYTES);

  /**
   * The plaintext scratch, at least `bytes` long. A bigger one replaces it when it is too small;
   * the old one holds nothing (every operation wipes what it wrote).
   */
  function textScratch(bytes: number): Uint8Array {
    if (bytes > plainScratch.length) {
      plainScratch = new Uint8Array(Math.ceil(Math.max(bytes, plainScratch.length * 2) / 4096) * 4096);
    }
    return plainScratch;
  }

  function boxBeforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
    checkLength(publicKey, KEY_BYTES, 'publicKey');
    checkLength(secretKey, KEY_BYTES, 'secretKey');
    try {
      try {
        sn.crypto_scalarmult(point, secretKey, publicKey);
      } catch {
        // sizes are checked above: the one failure left is a zero result, libsodium's refusal
        throw new InvalidArgumentError(
          'the public key is a low-order X25519 point: no shared key can be derived from it',
        );
      }
      sn.crypto_stream_salsa20(block, zeroNonce, point);
      const shared = new Uint8Array(KEY_BYTES);
      for (let i = 0; i < 8; i++) {
        const o = HSALSA20_WORDS[i]! * 4;
        const w = (block[o]! | (block[o + 1]! << 8) | (block[o + 2]! << 16) | (block[o + 3]! << 24)) - (SIGMA[i] ?? 0);
        shared[i * 4] = w;
        shared[i * 4 + 1] = w >>> 8;
        shared[i * 4 + 2] = w >>> 16;
        shared[i * 4 + 3] = w >>> 24;
      }
      return shared;
    } finally {
      point.fill(0);
      block.fill(0);
    }
  }

  function boxSealAfternm(message: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array {
    checkLength(nonce, NONCE_BYTES, 'nonce');
    checkLength(sharedKey, KEY_BYTES, 'sharedKey');
    const out = new Uint8Array(message.length + MAC_BYTES);
    sn.crypto_secretbox_easy(out, message, nonce, sharedKey);
    return out;
  }

  function boxOpenAfternm(box: Uint8Array, nonce: Uint8Array, sharedKey: Uint8Array): Uint8Array | undefined {
    if (box.length < MAC_BYTES || nonce.length !== NONCE_BYTES || sharedKey.length !== KEY_BYTES) return undefined;
    const out = new Uint8Array(box.length - MAC_BYTES);
    return sn.crypto_secretbox_open_easy(out, box, nonce, sharedKey) ? out : undefined;
  }

  function sealTextAfternm(text: string, sharedKey: Uint8Array, fillNonce: (target: Uint8Array) => void): Uint8Array {
    checkLength(sharedKey, KEY_BYTES, 'sharedKey');
    // at most 3 bytes of UTF-8 per UTF-16 code unit
    const plain = textScratch(text.length * 3);
    let mlen = 0;
    try {
      mlen = textEncoder.encodeInto(text, plain).written;
      const out = new Uint8Array(NONCE_BYTES + MAC_BYTES + mlen);
      const nonce = out.subarray(0, NONCE_BYTES);
      fillNonce(nonce);
      sn.crypto_secretbox_easy(out.subarray(NONCE_BYTES), plain.subarray(0, mlen), nonce, sharedKey);
      return out;
    } finally {
      plain.fill(0, 0, mlen);
    }
  }

  function openTextAfternm(payload: Uint8Array, sharedKey: Uint8Array): string | undefined | null {
    if (payload.length < NONCE_BYTES + MAC_BYTES || sharedKey.length !== KEY_BYTES) return undefined;
    const plain = textScratch(payload.length - NONCE_BYTES - MAC_BYTES).subarray(
      0,
      payload.length - NONCE_BYTES - MAC_BYTES,
    );
    const box = payload.subarray(NONCE_BYTES);
    if (!sn.crypto_secretbox_open_easy(plain, box, payload.subarray(0, NONCE_BYTES), sharedKey)) return undefined;
    try {
      return textDecoder.decode(plain);
    } catch {
      return null; // the decoder's only failure: invalid UTF-8
    } finally {
      plain.fill(0);
    }
  }

  function scalarmultBase(secretKey: Uint8Array): Uint8Array {
    checkLength(secretKey, KEY_BYTES, 'secretKey');
    const publicKey = new Uint8Array(KEY_BYTES);
    try {
      sn.crypto_scalarmult_base(publicKey, secretKey);
    } catch {
      throw failed('crypto_scalarmult_base');
    }
    return publicKey;
  }

  function boxKeypair(): BindingKeyPair {
    const pair = { publicKey: new Uint8Array(KEY_BYTES), secretKey: new Uint8Array(KEY_BYTES) };
    sn.crypto_box_keypair(pair.publicKey, pair.secretKey);
    return pair;
  }

  function signSeedKeypair(seed: Uint8Array): BindingKeyPair {
    checkLength(seed, SIGN_SEED_BYTES, 'seed');
    const pair = { publicKey: new Uint8Array(SIGN_PUBLIC_KEY_BYTES), secretKey: new Uint8Array(SIGN_SECRET_KEY_BYTES) };
    sn.crypto_sign_seed_keypair(pair.publicKey, pair.secretKey, seed);
    return pair;
  }

  function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
    checkLength(secretKey, SIGN_SECRET_KEY_BYTES, 'secretKey');
    const signature = new Uint8Array(SIGNATURE_BYTES);
    sn.crypto_sign_detached(signature, message, secretKey);
    return signature;
  }

  function verifyDetachedParts(signature: Uint8Array, parts: readonly Uint8Array[], publicKey: Uint8Array): boolean {
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== KEY_BYTES) return false;
    let message = parts[0] ?? new Uint8Array(0);
    if (parts.length > 1) {
      message = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        message.set(p, at);
        at += p.length;
      }
    }
    return sn.crypto_sign_verify_detached(signature, message, publicKey);
  }

  return {
    info: { binding: 'native', library: 'sodium-native' },
    verifyDetachedParts,
    boxBeforenm,
    boxSealAfternm,
    boxOpenAfternm,
    sealTextAfternm,
    openTextAfternm,
    scalarmultBase,
    boxKeypair,
    signSeedKeypair,
    signDetached,
    scratchForTesting: () => {
      const fixed = new Uint8Array(point.length + block.length);
      fixed.set(point);
      fixed.set(block, point.length);
      return { fixed, data: plainScratch.slice() };
    },
  };
}

const hex = hexDecode;

/**
 * NaCl's box test vector (Alice's secret key, Bob's public key, their shared key), and the box of
 * "wampbox" under that key and NaCl's nonce, as libsodium's crypto_box_easy_afternm gives it.
 */
const KNOWN_ANSWER = {
  secretKey: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  publicKey: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389',
  nonce: '69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37',
  box: 'a3e391c34079ff6816da8f63fab5815947ff092a168698',
};

function selfTest(b: Required<SodiumBinding>): boolean {
  const k = KNOWN_ANSWER;
  const shared = b.boxBeforenm(hex(k.publicKey), hex(k.secretKey));
  const box = b.boxSealAfternm(textEncoder.encode('wampbox'), hex(k.nonce), shared);
  const same = (a: Uint8Array, h: string): boolean =>
    Array.from(a, (x) => x.toString(16).padStart(2, '0')).join('') === h;
  return same(shared, k.shared) && same(box, k.box);
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String(err).includes('sodium-native');
}

/**
 * Load `sodium-native` and make the native binding, after checking that the addon has the
 * functions it calls and gives the known answers.
 * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` saying why not: the addon is not
 *   installed, did not load (no build for this platform, a runtime without Node's addon API), lacks
 *   a function, or fails the known-answer test. The message is what `fallbackReason` reports.
 */
export async function loadNativeBinding(): Promise<Required<SodiumBinding>> {
  let loaded: unknown;
  try {
    loaded = await import('sodium-native');
  } catch (err) {
    if (isNotFound(err)) throw unsupported('sodium-native is not installed', err);
    throw unsupported(`sodium-native did not load: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const ns = loaded as Partial<Record<string, unknown>>;
  const sn = (typeof ns['default'] === 'object' && ns['default'] !== null ? ns['default'] : ns) as Record<
    string,
    unknown
  >;
  const missing = FUNCTIONS.find((name) => typeof sn[name] !== 'function');
  if (missing !== undefined) throw unsupported(`sodium-native does not export ${missing}()`);
  const binding = createNativeBinding(sn as unknown as SodiumNative);
  let passed = false;
  try {
    passed = selfTest(binding);
  } catch (err) {
    throw unsupported(`sodium-native failed its self-test: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (!passed) throw unsupported('sodium-native failed its self-test: it gives other bytes than libsodium');
  return binding;
}
