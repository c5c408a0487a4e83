/**
 * The known-answer vectors and the signature properties again, with libsodium running on
 * `sodium-native` as on Node when it is installed (E2E v2 checks signatures through it): the same
 * payloads open, and the same ones are refused with the same error.
 */
import { useNodeBinding } from '../../src/internal/node-binding';
import { sodiumBackend } from '../../src/sodium';
import './vectors.test';
import './properties-signature.test';

useNodeBinding();

test('these ran on sodium-native', async () => {
  expect((await sodiumBackend()).binding).toBe('native');
});
