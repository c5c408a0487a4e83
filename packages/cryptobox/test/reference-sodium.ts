/**
 * libsodium-wrappers, the reference the tests compare wampbox's own libsodium bindings with (same
 * C code, its own calling layer). Its ESM build has the primitives on the default export, its
 * CommonJS build on the module: `.default ?? namespace` finds them either way.
 */
import * as sodiumNamespace from 'libsodium-wrappers';

type Sodium = typeof sodiumNamespace;

export const referenceSodium: Sodium = (sodiumNamespace as unknown as { default?: Sodium }).default ?? sodiumNamespace;

/** Some low-order X25519 points (encoding 0, 1, and points of order 8), from which libsodium derives no shared key. */
export const LOW_ORDER_POINTS: readonly Uint8Array[] = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => new Uint8Array(Buffer.from(h, 'hex')));
