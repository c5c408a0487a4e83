import './binding-under-test';
import { InvalidArgumentError } from '@wampbox/core';
import { generateKeyPair, parseKey, publicKeyFromSecret } from '../src/index';
import { runCli } from '../src/internal';

const B64 = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=';
const HEX = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20';
const BYTES = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

describe('parseKey', () => {
  it('accepts standard base64 (with or without padding), hex (either case) and bytes', () => {
    expect(parseKey(B64)).toEqual(BYTES);
    expect(parseKey(B64.replace(/=+$/, ''))).toEqual(BYTES);
    expect(parseKey(HEX)).toEqual(BYTES);
    expect(parseKey(HEX.toUpperCase())).toEqual(BYTES);
    expect(parseKey(BYTES)).toEqual(BYTES);
    expect(parseKey(`  ${B64}\n`)).toEqual(BYTES);
  });

  it('copies byte input', () => {
    const input = BYTES.slice();
    const key = parseKey(input);
    input[0] = 99;
    expect(key[0]).toBe(1);
  });

  it.each([
    ['too short base64', 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e'],
    ['too long base64', B64.slice(0, -1) + 'AAAA'],
    ['63 hex digits', HEX.slice(1)],
    ['url-safe base64', '-_' + B64.slice(2)],
    ['garbage', 'not a key at all!'],
    ['empty', ''],
  ])('rejects %s with ERR_INVALID_ARGUMENT', (_name, input) => {
    expect(() => parseKey(input)).toThrow(InvalidArgumentError);
    try {
      parseKey(input);
    } catch (err) {
      expect((err as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
      if (input.length > 8) expect((err as Error).message).not.toContain(input);
    }
  });

  it('rejects byte arrays that are not 32 bytes, and other types', () => {
    expect(() => parseKey(new Uint8Array(31))).toThrow(InvalidArgumentError);
    expect(() => parseKey(new Uint8Array(33))).toThrow(InvalidArgumentError);
    expect(() => parseKey(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('generateKeyPair / publicKeyFromSecret', () => {
  it('makes a consistent X25519 key pair in every form', async () => {
    const kp = await generateKeyPair();
    expect(kp.publicKey).toHaveLength(32);
    expect(kp.secretKey).toHaveLength(32);
    expect(kp.publicKeyBase64).toBe(Buffer.from(kp.publicKey).toString('base64'));
    expect(kp.secretKeyBase64).toBe(Buffer.from(kp.secretKey).toString('base64'));
    expect(kp.publicKeyHex).toBe(Buffer.from(kp.publicKey).toString('hex'));
    expect(kp.secretKeyHex).toBe(Buffer.from(kp.secretKey).toString('hex'));
    expect(await publicKeyFromSecret(kp.secretKeyBase64)).toEqual(kp.publicKey);
    expect(await publicKeyFromSecret(kp.secretKeyHex)).toEqual(kp.publicKey);
    const other = await generateKeyPair();
    expect(other.secretKeyHex).not.toBe(kp.secretKeyHex);
  });

  it('publicKeyFromSecret matches a known pair (Autobahn vectors, key set 1)', async () => {
    expect(Buffer.from(await publicKeyFromSecret(B64)).toString('hex')).toBe(
      '07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c',
    );
  });

  it('publicKeyFromSecret rejects a malformed key', async () => {
    await expect(publicKeyFromSecret('nope')).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('key text forms', () => {
  it('accepts base64 with or without padding, and hex', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);
    const b64 = Buffer.from(bytes).toString('base64');
    expect(parseKey(b64)).toEqual(bytes);
    expect(parseKey(b64.replace(/=+$/, ''))).toEqual(bytes);
    expect(parseKey(Buffer.from(bytes).toString('hex'))).toEqual(bytes);
  });

  it.each(['A', 'A===', 'AB=C', 'ABC*', 'AB C', 'ABCDE=', '\u00e9AAA'])('rejects %j', (s) => {
    expect(() => parseKey(s)).toThrow(InvalidArgumentError);
  });
});

describe('wampbox keygen (runCli)', () => {
  function capture(): { io: { out: (l: string) => void; err: (l: string) => void }; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
  }

  it('prints one key pair in base64 and hex, with KeyRing and Autobahn Key(...) hints', async () => {
    const c = capture();
    expect(await runCli(['keygen'], c.io)).toBe(0);
    const text = c.out.join('\n');
    const sk = /secret key \(base64\): (\S+)/.exec(text)![1]!;
    const pk = /public key \(base64\): (\S+)/.exec(text)![1]!;
    const skHex = /secret key \(hex\):\s+(\S+)/.exec(text)![1]!;
    expect(parseKey(sk)).toEqual(parseKey(skHex));
    expect(await publicKeyFromSecret(sk)).toEqual(parseKey(pk));
    expect(text).toContain(`Key(originator_priv='${sk}', responder_pub=`);
    expect(text).toContain(`Key(responder_priv='${sk}', originator_pub=`);
    expect(text).toContain(`new KeyRing('${sk}')`);
  });

  it('--pair prints matching configurations for both sides', async () => {
    const c = capture();
    expect(await runCli(['keygen', '--pair'], c.io)).toBe(0);
    const text = c.out.join('\n');
    const get = (label: string): string => new RegExp(`${label} \\(base64\\):\\s+(\\S+)`).exec(text)![1]!;
    const [os, op, rs, rp] = [
      'originator secret key',
      'originator public key',
      'responder secret key',
      'responder public key',
    ].map(get);
    expect(await publicKeyFromSecret(os!)).toEqual(parseKey(op!));
    expect(await publicKeyFromSecret(rs!)).toEqual(parseKey(rp!));
    expect(text).toContain(`Key(originator_priv='${os}', responder_pub='${rp}')`);
    expect(text).toContain(`Key(responder_priv='${rs}', originator_pub='${op}')`);
  });

  it('--json', async () => {
    const c = capture();
    expect(await runCli(['keygen', '--pair', '--json'], c.io)).toBe(0);
    const parsed = JSON.parse(c.out.join('\n')) as {
      originator: Record<string, string>;
      responder: Record<string, string>;
    };
    expect(await publicKeyFromSecret(parsed.originator['secretKeyHex']!)).toEqual(
      parseKey(parsed.originator['publicKeyBase64']!),
    );
    expect(Object.keys(parsed.responder).sort()).toEqual([
      'publicKeyBase64',
      'publicKeyHex',
      'secretKeyBase64',
      'secretKeyHex',
    ]);
  });

  it('usage errors exit 2; --help exits 0', async () => {
    let c = capture();
    expect(await runCli([], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('usage: wampbox keygen');
    c = capture();
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    c = capture();
    expect(await runCli(['keygen', '--bogus'], c.io)).toBe(2);
    c = capture();
    expect(await runCli(['keygen', '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('--pair');
  });
});
