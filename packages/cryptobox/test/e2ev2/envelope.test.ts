/**
 * Step 0 (§b.9, §b.16, Decisions 13 to 15): which payloads may arrive on a URI, in which carriage.
 */
import { classifyEnvelope, routeOf, type Route, type V2Envelope } from '../../src/e2ev2/envelope';

const v2: Route = { prefix: '', scheme: 'x_e2ev2' };
const bin = Uint8Array.of(0x57, 0x32);
const refusal = (reason: string): Error => expect.objectContaining({ name: 'E2eV2Error', reason }) as Error;
const opaque = (over: Partial<V2Envelope & { kind: 'opaque' }> = {}): V2Envelope => ({
  kind: 'opaque',
  scheme: 'x_e2ev2',
  serializer: 'json',
  payload: bin,
  ...over,
});

describe('routes', () => {
  it('never seal wamp.*, and otherwise take the longest dot-aware prefix', () => {
    const routes: Route[] = [v2, { prefix: 'com.cb.', scheme: 'cryptobox' }];
    expect(routeOf(routes, 'wamp.session.count', v2).scheme).toBe('plaintext');
    expect(routeOf(routes, 'com.cb.x', v2).scheme).toBe('cryptobox');
    expect(routeOf(routes, 'com.cbx', v2).scheme).toBe('x_e2ev2');
    expect(routeOf([], 'a.b', v2)).toBe(v2);
  });
});

describe('on a URI configured for x_e2ev2', () => {
  it('takes transparent carriage, with the key id and serializer for the later checks', () => {
    expect(classifyEnvelope(opaque({ keyId: 'ab' }), v2, undefined, undefined)).toEqual({
      kind: 'v2',
      payload: bin,
      carriage: 'transparent',
      serializer: 'json',
      keyId: 'ab',
    });
  });

  it('takes argument carriage: exactly one binary argument, kwargs absent, null or empty', () => {
    for (const kwargs of [undefined, null, {}]) {
      expect(classifyEnvelope({ kind: 'plain', args: [bin], kwargs }, v2, undefined, undefined)).toMatchObject({
        kind: 'v2',
        carriage: 'argument',
      });
    }
  });

  it.each<[string, V2Envelope]>([
    ['plaintext', { kind: 'plain', args: [1] }],
    ['an empty payload', { kind: 'plain' }],
    ['a binary with kwargs', { kind: 'plain', args: [bin], kwargs: { a: 1 } }],
    ['two binaries', { kind: 'plain', args: [bin, bin] }],
    ['cryptobox', opaque({ scheme: 'cryptobox' })],
  ])('refuses %s as a downgrade', (_what, env) => {
    expect(() => classifyEnvelope(env, v2, undefined, undefined)).toThrow(refusal('downgrade'));
  });

  it('refuses a carriage its route does not allow', () => {
    const transparentOnly: Route = { prefix: '', scheme: 'x_e2ev2', carriages: ['transparent'] };
    const argumentOnly: Route = { prefix: '', scheme: 'x_e2ev2', carriages: ['argument'] };
    expect(() => classifyEnvelope({ kind: 'plain', args: [bin] }, transparentOnly, undefined, undefined)).toThrow(
      refusal('downgrade'),
    );
    expect(() => classifyEnvelope(opaque(), argumentOnly, undefined, undefined)).toThrow(refusal('downgrade'));
  });

  it('refuses a transparent payload that is not binary, or another cipher (envelope)', () => {
    expect(() => classifyEnvelope(opaque({ payload: [bin] }), v2, undefined, undefined)).toThrow(refusal('envelope'));
    expect(() => classifyEnvelope(opaque({ cipher: 'aes256gcm' }), v2, undefined, undefined)).toThrow(
      refusal('envelope'),
    );
    expect(classifyEnvelope(opaque({ cipher: 'xchacha20poly1305' }), v2, undefined, undefined).kind).toBe('v2');
  });
});

describe('elsewhere', () => {
  it('refuses x_e2ev2 on a URI configured for another scheme, and passes plaintext there', () => {
    const cb: Route = { prefix: 'com.cb.', scheme: 'cryptobox' };
    expect(() => classifyEnvelope(opaque(), cb, undefined, undefined)).toThrow(refusal('downgrade'));
    expect(classifyEnvelope({ kind: 'plain', args: [1] }, cb, undefined, undefined)).toEqual({
      kind: 'plain',
      args: [1],
      kwargs: {},
    });
  });

  it('answers to sealed calls: sealed, or a plaintext wamp.error.* ERROR; answers to other calls: not sealed', () => {
    const plain: V2Envelope = { kind: 'plain', args: ['why'] };
    expect(() => classifyEnvelope(plain, v2, true, undefined)).toThrow(refusal('downgrade'));
    expect(() => classifyEnvelope(plain, v2, true, 'com.app.error')).toThrow(refusal('downgrade'));
    expect(classifyEnvelope(plain, v2, true, 'wamp.error.canceled').kind).toBe('plain');
    expect(() => classifyEnvelope(opaque(), v2, false, undefined)).toThrow(refusal('exchange'));
    expect(classifyEnvelope(plain, v2, false, undefined).kind).toBe('plain');
  });
});
