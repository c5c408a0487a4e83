/**
 * `wampbox keygen` for E2E v2: identities, group and scope keys, key packages signed from a seed
 * file, role certificates, and verification, round-tripped through the JSON the commands print.
 */
import { runCli } from '../src/internal';
import { signSeedKeypair, scalarmultBase, sodiumReady } from '../src/sodium';
import { sodiumV2Ready } from '../src/sodium-v2';
import { keyId, toHex } from '../src/e2ev2/derive';
import { keyPackageFromJson } from '../src/cli-e2e';
import { verifyKeyPackage } from '../src/e2ev2/key-package';

beforeAll(async () => {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
});

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

function host(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (l: string) => void out.push(l),
    err: (l: string) => void err.push(l),
    readFile: (p: string) => (p in files ? Promise.resolve(files[p]!) : Promise.reject(new Error(`no file ${p}`))),
  };
  const json = (): Record<string, string> => JSON.parse(out.join('\n')) as Record<string, string>;
  return { io, out, err, json, files };
}

async function run(h: ReturnType<typeof host>, ...argv: string[]): Promise<number> {
  h.out.length = 0;
  return runCli(['keygen', ...argv], h.io);
}

describe('wampbox keygen for E2E v2', () => {
  it('identity: a seed, its Ed25519 key, and a separate X25519 receiving key pair', async () => {
    const h = host();
    expect(await run(h, 'identity')).toBe(0);
    const id = h.json();
    expect(id['sign_pk']).toBe(toHex(signSeedKeypair(fromHex(id['seed']!)).publicKey));
    expect(id['enc_pk']).toBe(toHex(scalarmultBase(fromHex(id['enc_sk']!))));
    expect(id['enc_pkid']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('group-key and scope-key: keys with their ids', async () => {
    const h = host();
    expect(await run(h, 'group-key')).toBe(0);
    const g = h.json();
    expect(g['kid']).toBe(toHex(keyId(fromHex(g['key']!))));
    expect(await run(h, 'scope-key')).toBe(0);
    const s = h.json();
    expect(s['public_key']).toBe(toHex(scalarmultBase(fromHex(s['secret_key']!))));
  });

  it('key-package, certify and verify: a package from a seed file, certified by an organisation', async () => {
    const h = host();
    await run(h, 'identity');
    const dave = h.json();
    await run(h, 'identity');
    const org = h.json();
    h.files['dave.seed'] = `${dave['seed']!}\n`;
    h.files['org.seed'] = org['seed']!;
    const args = ['--seed-file', 'dave.seed', '--authid', 'dave', '--enc-pk', dave['enc_pk']!];
    const grants = ['--grant', 'com.example.news.=read,publish', '--grant', 'com.example.rpc.=call'];
    expect(await run(h, 'key-package', ...args, '--not-after', '2030-01-01T00:00:00Z', ...grants)).toBe(0);
    h.files['dave.pkg'] = h.out.join('\n');
    expect(h.files['dave.pkg']).not.toContain(dave['seed']);
    const v = verifyKeyPackage(keyPackageFromJson(h.files['dave.pkg']), { now: Date.now() });
    expect(v).toMatchObject({ authid: 'dave', notAfter: Date.parse('2030-01-01T00:00:00Z'), certified: false });
    expect(v.grants).toEqual([
      { prefix: 'com.example.news.', roles: ['read', 'publish'] },
      { prefix: 'com.example.rpc.', roles: ['call'] },
    ]);

    expect(await run(h, 'certify', '--org-seed-file', 'org.seed', '--package-file', 'dave.pkg')).toBe(0);
    h.files['dave.cert'] = h.out.join('\n');
    expect(await run(h, 'verify', '--package-file', 'dave.cert', '--org-pk', org['sign_pk']!)).toBe(0);
    expect(h.json()).toMatchObject({ ok: true, certified: true, authid: 'dave' });
    // without the certificate, or after expiry: refused, exit code 1
    expect(await run(h, 'verify', '--package-file', 'dave.pkg', '--org-pk', org['sign_pk']!)).toBe(1);
    expect(await run(h, 'verify', '--package-file', 'dave.cert', '--at', '2031-01-01')).toBe(1);
    expect(h.err.join('\n')).toContain('refused: keypkg');
  });

  it.each([
    ['a secret on the command line', ['key-package', '--seed', '00'.repeat(32)]],
    ['a missing option', ['key-package', '--authid', 'dave']],
    [
      'a bad role',
      [
        'key-package',
        '--seed-file',
        's',
        '--authid',
        'a',
        '--enc-pk',
        '00'.repeat(32),
        '--not-after',
        '1',
        '--grant',
        'x=write',
      ],
    ],
    ['an option without a value', ['verify', '--package-file']],
  ])('refuses %s with exit code 2 and the usage', async (_, argv) => {
    const h = host({ s: '11'.repeat(32) });
    expect(await run(h, ...argv)).toBe(2);
    expect(h.err.join('\n')).toContain('wampbox keygen key-package');
  });
});
