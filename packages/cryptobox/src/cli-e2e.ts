/**
 * `wampbox keygen` for E2E v2: identities, group keys, callee scope keys, key packages and role
 * certificates, as JSON (binary values as lowercase hex) on standard output. Secrets are read from
 * files, never from the command line (which other users and shell histories can see).
 */
import { InvalidArgumentError } from '@wampbox/core';
import { boxKeypair, signSeedKeypair, sodiumReady } from './sodium.js';
import { sodiumV2Ready } from './sodium-v2.js';
import { keyId, publicKeyId, toHex } from './e2ev2/derive.js';
import { hexDecode } from './keys.js';
import {
  certifyKeyPackage,
  makeKeyPackage,
  verifyKeyPackage,
  type KeyPackage,
  type KeyPackageGrant,
} from './e2ev2/key-package.js';
import type { TrustRole } from './e2ev2/trust-store.js';

/** What the E2E v2 commands need from their host: output, and reading a file (secrets, packages). */
export interface E2eCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  readFile?: ((path: string) => Promise<string>) | undefined;
}

/** The keygen kinds this module handles. */
export const E2E_KINDS: ReadonlySet<string> = new Set([
  'identity',
  'group-key',
  'scope-key',
  'key-package',
  'certify',
  'verify',
]);

export const E2E_USAGE = `E2E v2 (x_e2ev2), JSON on standard output, binary values in hex:
  wampbox keygen identity      an Ed25519 identity (seed: also a cryptosign seed) and an X25519 receiving key pair
  wampbox keygen group-key     a group key and its key id
  wampbox keygen scope-key     a callee scope X25519 key pair and its key id
  wampbox keygen key-package --seed-file F --authid A --enc-pk HEX --not-after DATE [--grant PREFIX=ROLE[,ROLE]]...
                               a key package signed by the identity whose seed (hex) is in F
  wampbox keygen certify --org-seed-file F --package-file P
                               the package in P with a role certificate by the organisation key in F
  wampbox keygen verify --package-file P [--org-pk HEX] [--at DATE]
                               check a package (and its role certificate); exit code 1 if refused
  (roles: publish, read, call, answer; DATE: ISO 8601 or milliseconds since the epoch)`;

function hex(s: string, n: number, what: string): Uint8Array {
  const t = s.trim();
  if (!new RegExp(`^[0-9a-fA-F]{${2 * n}}$`).test(t))
    throw new InvalidArgumentError(`${what} must be ${n} bytes in hex`);
  return hexDecode(t);
}

function time(s: string, what: string): number {
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isSafeInteger(ms)) throw new InvalidArgumentError(`${what} must be a date (ISO 8601) or milliseconds`);
  return ms;
}

/** `--name value` options (repeatable ones collected), refusing unknown names. */
function options(args: readonly string[], known: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    const value = args[i + 1];
    if (!name.startsWith('--') || !known.includes(name.slice(2)))
      throw new InvalidArgumentError(`unknown option "${name}"`);
    if (value === undefined) throw new InvalidArgumentError(`${name} needs a value`);
    out.set(name.slice(2), [...(out.get(name.slice(2)) ?? []), value]);
    i++;
  }
  return out;
}

function one(o: Map<string, string[]>, name: string): string {
  const v = o.get(name);
  if (v?.length !== 1) throw new InvalidArgumentError(`--${name} is required, once`);
  return v[0]!;
}

const ROLES: readonly string[] = ['publish', 'read', 'call', 'answer'];

function grantOf(spec: string): KeyPackageGrant {
  const m = /^([^=]*)=([a-z,]+)$/.exec(spec);
  if (m === null) throw new InvalidArgumentError(`--grant "${spec}": PREFIX=ROLE[,ROLE]`);
  const roles = m[2]!.split(',');
  for (const r of roles)
    if (!ROLES.includes(r)) throw new InvalidArgumentError(`--grant "${spec}": unknown role "${r}"`);
  return { prefix: m[1]!, roles: roles as TrustRole[] };
}

/** Bytes as hex, at any depth (the JSON form of a key package). */
function toText(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toText);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toText(x)]));
  return v;
}

/**
 * A key package from its JSON form (binary fields in hex), for {@link verifyKeyPackage}.
 * @throws InvalidArgumentError for text that is not such a package.
 */
export function keyPackageFromJson(text: string): KeyPackage {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError('a key package file holds JSON', { cause: e });
  }
  const sizes: Record<string, number> = { sign_pk: 32, enc_pk: 32, sig: 64, org_sig: 64 };
  const out: Record<string, unknown> = { ...o };
  for (const [k, n] of Object.entries(sizes)) if (typeof o[k] === 'string') out[k] = hex(o[k], n, k);
  return out as unknown as KeyPackage;
}

async function read(io: E2eCliIo, path: string): Promise<string> {
  if (io.readFile === undefined) throw new InvalidArgumentError('this host cannot read files');
  return io.readFile(path);
}

/**
 * Run `wampbox keygen <kind> …` for an E2E v2 kind. Resolves with the exit code.
 * @throws InvalidArgumentError for options that are missing or wrong.
 */
export async function runE2eKeygen(kind: string, args: readonly string[], io: E2eCliIo): Promise<number> {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
  const print = (v: unknown): number => (io.out(JSON.stringify(toText(v), null, 2)), 0);
  switch (kind) {
    case 'identity': {
      options(args, []);
      const seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
      const { publicKey } = signSeedKeypair(seed);
      const enc = boxKeypair();
      return print({
        seed,
        sign_pk: publicKey,
        enc_sk: enc.secretKey,
        enc_pk: enc.publicKey,
        enc_pkid: publicKeyId(enc.publicKey),
      });
    }
    case 'group-key': {
      options(args, []);
      const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
      return print({ key, kid: keyId(key) });
    }
    case 'scope-key': {
      options(args, []);
      const kp = boxKeypair();
      return print({ secret_key: kp.secretKey, public_key: kp.publicKey, pkid: publicKeyId(kp.publicKey) });
    }
    case 'key-package': {
      const o = options(args, ['seed-file', 'authid', 'enc-pk', 'not-after', 'grant']);
      const seed = hex(await read(io, one(o, 'seed-file')), 32, 'the seed file');
      try {
        return print(
          makeKeyPackage({
            identity: { seed },
            authid: one(o, 'authid'),
            encPublicKey: hex(one(o, 'enc-pk'), 32, '--enc-pk'),
            notAfter: time(one(o, 'not-after'), '--not-after'),
            grants: (o.get('grant') ?? []).map(grantOf),
          }),
        );
      } finally {
        seed.fill(0);
      }
    }
    case 'certify': {
      const o = options(args, ['org-seed-file', 'package-file']);
      const seed = hex(await read(io, one(o, 'org-seed-file')), 32, 'the organisation seed file');
      try {
        return print(certifyKeyPackage(keyPackageFromJson(await read(io, one(o, 'package-file'))), { seed }));
      } finally {
        seed.fill(0);
      }
    }
    case 'verify': {
      const o = options(args, ['package-file', 'org-pk', 'at']);
      const pkg = keyPackageFromJson(await read(io, one(o, 'package-file')));
      const orgPk = o.has('org-pk') ? hex(one(o, 'org-pk'), 32, '--org-pk') : undefined;
      const now = o.has('at') ? time(one(o, 'at'), '--at') : Date.now();
      try {
        return print({ ok: true, ...verifyKeyPackage(pkg, { now, orgPublicKey: orgPk }) });
      } catch (e) {
        io.err(`refused: ${(e as Error).message}`);
        return 1;
      }
    }
    default:
      throw new InvalidArgumentError(`unknown keygen kind "${kind}"`);
  }
}
