/**
 * libsodium-wrappers, the reference the tests compare wampbox's own libsodium bindings with (same
 * C code, its own calling layer). Its ESM build has the primitives on the default export, its
 * CommonJS build on the module: `.default ?? namespace` finds them either way.
 */
import * as sodiumNamespace from 'libsodium-wrappers';

type Sodium = typeof sodiumNamespace;

export const referenceSodium: Sodium = (sodiumNamespace as unknown as { default?: Sodium }).default ?? sodiumNamespace;
