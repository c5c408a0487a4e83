/** The static trust store (§b.8.2, Decision 4): grants by key, dot-aware prefix and role, and revocation. */
import { TrustStore } from '../../src/e2ev2/trust-store';
import { random } from './helpers';

describe('TrustStore', () => {
  it('authorizes a key for the roles and prefixes it was granted, and nothing else', () => {
    const [a, b] = [random(32), random(32)];
    const t = new TrustStore([
      { spk: a, prefix: 'com.example.news.', roles: ['publish'] },
      { spk: a, prefix: 'com.example.rpc', roles: ['call', 'answer'] },
    ]);
    expect(t.isAuthorized(a, 'com.example.news.sports', 'publish')).toBe(true);
    expect(t.isAuthorized(a, 'com.example.news.sports', 'call')).toBe(false);
    expect(t.isAuthorized(a, 'com.example.rpc', 'call')).toBe(true);
    expect(t.isAuthorized(a, 'com.example.rpc.add', 'answer')).toBe(true);
    expect(t.isAuthorized(a, 'com.example.rpcx', 'call')).toBe(false);
    expect(t.isAuthorized(b, 'com.example.news.sports', 'publish')).toBe(false);
    t.revoke(a);
    expect(t.isAuthorized(a, 'com.example.news.sports', 'publish')).toBe(false);
  });

  it('refuses keys of the wrong size and unknown roles', () => {
    const t = new TrustStore();
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => t.grant({ spk: random(31), prefix: '', roles: ['publish'] })).toThrow(invalid);
    expect(() => t.grant({ spk: random(32), prefix: '', roles: ['write' as 'publish'] })).toThrow(invalid);
  });

  it('lets a grant with notAfter lapse by its clock', () => {
    const a = random(32);
    let now = 1000;
    const t = new TrustStore([{ spk: a, prefix: 'com.example.', roles: ['read'], notAfter: 2000 }], {
      clock: () => now,
    });
    expect(t.isAuthorized(a, 'com.example.x', 'read')).toBe(true);
    now = 2001;
    expect(t.isAuthorized(a, 'com.example.x', 'read')).toBe(false);
  });
});
