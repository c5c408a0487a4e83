/**
 * The `x_e2ev2` vectors written by this implementation: the schema of test/fixtures/e2ev2 (see its
 * README), from the same fixed inputs, so that the Python verifier can check TypeScript's output
 * and the two files can be compared byte for byte.
 *
 * What is an input and what is computed:
 * - inputs, taken from an input file (the committed vectors): seeds, keys, secret keys, `sid`s,
 *   `xid`s, nonces, ephemeral keys, message inputs, receiver configurations, scenario steps and
 *   texts; for a hostile payload that is a fresh seal (e.g. `seq` 0, a wrap of another key), its
 *   header fields, its wrap and its plaintext, which the input file gives nowhere else;
 * - computed here: every public key, converted key, key id, reply key, namespace key, primitive
 *   output, every sealed message and its parts, every payload of a scenario step (a message's,
 *   a mutation of one per {@link RECIPES}, or a fresh seal of the inputs above), every `enc_key`
 *   that names a payload's key, and every expected verdict (this implementation's receiver opening
 *   the payload; the fields an `expect` lists are taken from the input file);
 * - copied as they are: the key material of §b.8 (key packages, records, bundles), which this
 *   implementation does not build yet.
 */
import { deriveKeyMaterial } from './generate-key-material';
import { LIBSODIUM_VERSION } from '../../src/internal/libsodium-module';
import { scalarmultBase, signDetached, signSeedKeypair } from '../../src/sodium';
import {
  aeadDecrypt,
  aeadEncrypt,
  boxSealWithEphemeral,
  ed25519PkToX25519,
  ed25519SkToX25519,
  pad,
} from '../../src/sodium-v2';
import { HEADER_BYTES, WRAP_BYTES } from '../../src/e2ev2/constants';
import { concatBytes, encodeUri, keyId, publicKeyId, replyKey, toHex } from '../../src/e2ev2/derive';
import { aadOf, readHeader, signatureInputOf, writeHeader } from '../../src/e2ev2/header';
import { namespaceKey, scrambleUri, type ScrambleMode } from '../../src/e2ev2/scramble';
import { sealPayload, type SealedPayload } from '../../src/e2ev2/seal';
import { buildExchanges, buildReceiver, runStep } from './vector-receiver';
import { fromHex, fromJson, hex, type Json, type MessageVector, type OpenStep, type VectorsFile } from './vectors-file';

/** How a hostile payload is made from a message's payload. */
interface Mutation {
  readonly from: string;
  readonly truncate?: number;
  readonly set?: readonly (readonly [number, number])[];
  readonly xor?: readonly (readonly [number, number])[];
  /** Clear `SIGNED` and drop the signature. */
  readonly unsign?: boolean;
  /** Put this identity's key in the header's `spk`. */
  readonly spk?: string;
}

/** A fresh seal of the header, wrap and plaintext the input file's payload carries. */
interface Reseal {
  readonly reseal: true;
}

/** The hostile payloads of the scenarios, by scenario id (one per scenario). */
export const RECIPES: Readonly<Record<string, Mutation | Reseal>> = {
  'downgrade-binary-with-kwargs': { from: 'pub-json' },
  'downgrade-cryptobox': { from: 'pub-json' },
  'downgrade-v2-on-cryptobox-uri': { from: 'pub-json' },
  'downgrade-argument-not-allowed': { from: 'pub-json' },
  'envelope-ppt-cipher': { from: 'pub-json' },
  'parse-truncated-empty': { from: 'pub-json', truncate: 0 },
  'parse-truncated-4': { from: 'pub-json', truncate: 4 },
  'parse-truncated-header': { from: 'pub-json', truncate: 100 },
  'parse-truncated-signed-min': { from: 'pub-json', truncate: 120 + 16 + 64 - 1 },
  'parse-truncated-wrapped': { from: 'call-wrapped', truncate: 120 + 80 + 16 + 64 - 1 },
  'parse-bad-signature-length': { from: 'pub-json', truncate: -1 },
  'parse-magic': { from: 'pub-json', xor: [[0, 1]] },
  'parse-suite-2': { from: 'pub-json', set: [[2, 2]] },
  'parse-suite-0': { from: 'pub-json', set: [[2, 0]] },
  'parse-reserved-byte': { from: 'pub-json', set: [[7, 1]] },
  'parse-reserved-bit7': { from: 'pub-json', xor: [[4, 0x80]] },
  'parse-bucket-without-padded': { from: 'pub-json', xor: [[4, 0x20]] },
  'parse-bucket-3': { from: 'pub-pad256-msgpack', xor: [[4, 0x40]] },
  'parse-publish-wrapped': { from: 'pub-pad1024-cbor', xor: [[4, 0x10]] },
  'parse-publish-unsigned': { from: 'pub-json', unsign: true },
  'parse-wrapped-unsigned': { from: 'call-wrapped', unsign: true },
  'serializer-unknown': { from: 'pub-json', set: [[5, 4]] },
  'signature-spliced-spk': { from: 'pub-mallory', spk: 'alice' },
  'signature-ct-bit': { from: 'pub-json', xor: [[130, 1]] },
  'signature-sig-bit': { from: 'pub-json', xor: [[266, 1]] },
  'signature-header-bit': { from: 'pub-json', xor: [[79, 1]] },
  'signature-signed-reply': { from: 'yield-c3-signed', xor: [[125, 1]] },
  'refusal-commits-nothing': { from: 'pub-json', xor: [[130, 1]] },
  'decrypt-tampered': { from: 'call-session', xor: [[130, 1]] },
  'decrypt-header-bit': { from: 'call-session', xor: [[79, 1]] },
  'decrypt-truncated-unsigned': { from: 'call-session', truncate: -1 },
  'any-valid-json': { reseal: true },
  'parse-seq-zero': { reseal: true },
  'parse-publish-xid': { reseal: true },
  'parse-call-zero-xid': { reseal: true },
  'group-key-other-scope': { reseal: true },
  'wrong-recipient-no-scope': { reseal: true },
  'key-commitment': { reseal: true },
  'padding-invalid': { reseal: true },
  'padding-length': { reseal: true },
  'plaintext-garbage': { reseal: true },
  'plaintext-args-map': { reseal: true },
  'plaintext-uri-without-flag': { reseal: true },
  'plaintext-extra-key': { reseal: true },
};

type Obj = Record<string, Json>;
const obj = (v: Json | undefined): Obj => v as Obj;
const str = (v: Json | undefined): string => v as string;

/** Seal a message vector's inputs with this implementation. */
export function sealMessage(m: MessageVector): SealedPayload {
  const i = m.inputs;
  return sealPayload({
    type: i.type,
    uri: i.uri,
    clearUri: i.clear_uri ?? undefined,
    ser: i.ser,
    args: fromJson(i.args) as unknown[],
    kwargs: fromJson(i.kwargs) as Record<string, unknown>,
    key: fromHex(i.key),
    spk: fromHex(i.spk),
    signer: i.signed ? signSeedKeypair(fromHex(i.signer_seed)).secretKey : undefined,
    sid: fromHex(i.sid),
    seq: i.seq,
    ts: i.ts,
    xid: fromHex(i.xid),
    nonce: fromHex(i.nonce),
    more: i.more,
    bucket: i.bucket ?? undefined,
    wrap:
      i.wrap === null
        ? undefined
        : {
            sessionKey: fromHex(i.wrap.session_key),
            scopePublicKey: fromHex(i.wrap.scope_pk),
            ephemeralSecretKey: fromHex(i.wrap.ephemeral_sk),
          },
  });
}

function messageOutputs(m: MessageVector, s: SealedPayload): Obj {
  const h = (b: Uint8Array | undefined): Json => (b === undefined ? null : hex(b));
  const out: Obj = {
    kid: hex(s.kid),
    enc_key: hex(s.kid),
    flags: s.flags,
    header: hex(s.header),
    wrap: h(s.wrap),
    aad: hex(s.aad),
    plaintext: hex(s.plaintext),
    padded_plaintext: hex(s.paddedPlaintext),
    ciphertext: hex(s.ciphertext),
    sig_input: h(s.signatureInput),
    signature: h(s.signature),
    payload: hex(s.payload),
    length: s.payload.length,
    overhead: s.payload.length - s.plaintext.length,
  };
  const i = m.inputs;
  if (i.type === 'CALL') {
    const k = replyKey(fromHex(i.key), fromHex(i.xid));
    out['reply_key'] = hex(k);
    out['reply_kid'] = hex(keyId(k));
  } else if (i.session_key !== undefined) {
    // an answer sealed under its call's reply key (one vector is deliberately under another key)
    out['reply_key'] = hex(replyKey(fromHex(i.session_key), fromHex(i.xid)));
  }
  return out;
}

function mutate(r: Mutation, payloads: ReadonlyMap<string, Uint8Array>, identities: Obj): Uint8Array {
  let p = payloads.get(r.from)!.slice();
  if (r.unsign === true) {
    p[4] = p[4]! & ~0x08;
    p = p.slice(0, p.length - 64);
  }
  if (r.truncate !== undefined) p = p.slice(0, r.truncate < 0 ? p.length + r.truncate : r.truncate);
  for (const [at, v] of r.set ?? []) p[at] = v;
  for (const [at, v] of r.xor ?? []) p[at] = p[at]! ^ v;
  if (r.spk !== undefined) p.set(signSeedKeypair(fromHex(str(obj(identities[r.spk])['seed']))).publicKey, 24);
  return p;
}

/** Seal again what a hostile payload of the input file carries (its header fields, wrap and plaintext). */
function reseal(
  given: Uint8Array,
  boundUri: string,
  keys: readonly Uint8Array[],
  seeds: readonly string[],
): Uint8Array {
  const fields = readHeader(given);
  const wrapped = (fields.flags & 0x10) !== 0;
  const signed = (fields.flags & 0x08) !== 0;
  const boundEnd = HEADER_BYTES + (wrapped ? WRAP_BYTES : 0);
  const key = keys.find((k) => toHex(keyId(k)) === toHex(fields.kid));
  if (key === undefined) throw new Error('no known key has the kid of the payload to seal again');
  const header = writeHeader(fields);
  const bound = concatBytes(header, given.subarray(HEADER_BYTES, boundEnd));
  const u = encodeUri(boundUri);
  const aad = aadOf(u, bound);
  const plaintext = aeadDecrypt(given.subarray(boundEnd, given.length - (signed ? 64 : 0)), aad, fields.nonce, key);
  if (plaintext === undefined) throw new Error('the payload to seal again does not decrypt: give it a recipe');
  const body = concatBytes(bound, aeadEncrypt(plaintext, aad, fields.nonce, key));
  if (!signed) return body;
  const seed = seeds.find((s) => toHex(signSeedKeypair(fromHex(s)).publicKey) === toHex(fields.spk));
  if (seed === undefined) throw new Error('no known identity has the spk of the payload to seal again');
  return concatBytes(body, signDetached(signatureInputOf(u, body), signSeedKeypair(fromHex(seed)).secretKey));
}

function derivePrimitives(p: Obj): void {
  for (const c of p['kid'] as Obj[]) c['kid'] = toHex(keyId(fromHex(str(c['key']))));
  for (const c of p['pkid'] as Obj[]) c['pkid'] = toHex(publicKeyId(fromHex(str(c['pk']))));
  for (const c of p['reply_key'] as Obj[]) {
    const k = replyKey(fromHex(str(c['session_key'])), fromHex(str(c['xid'])));
    c['reply_key'] = hex(k);
    c['reply_kid'] = hex(keyId(k));
  }
  for (const c of p['ed25519_to_x25519'] as Obj[]) deriveIdentity(c);
  for (const c of p['sealed_box'] as Obj[]) {
    c['recipient_pk'] = hex(scalarmultBase(fromHex(str(c['recipient_sk']))));
    const sealed = boxSealWithEphemeral(
      fromHex(str(c['message'])),
      fromHex(str(c['recipient_pk'])),
      fromHex(str(c['ephemeral_sk'])),
    );
    c['sealed'] = hex(sealed);
  }
  for (const c of p['pad'] as Obj[])
    c['padded'] = hex(pad(new Uint8Array(c['length'] as number), c['bucket_size'] as number));
  for (const c of p['scramble'] as Obj[]) {
    const key = namespaceKey(fromHex(str(c['master'])), str(c['prefix']));
    c['namespace_key'] = hex(key);
    const ns = { prefix: str(c['prefix']), key, mode: str(c['mode']) as ScrambleMode };
    for (const u of c['uris'] as Obj[])
      u['wire'] = scrambleUri(ns, str(u['clear']), { pattern: u['pattern'] === true }) ?? null;
  }
}

function deriveIdentity(c: Obj): void {
  const { publicKey, secretKey } = signSeedKeypair(fromHex(str(c['seed'])));
  c['ed25519_pk'] = hex(publicKey);
  c['x25519_sk'] = hex(ed25519SkToX25519(secretKey));
  c['x25519_pk'] = hex(ed25519PkToX25519(publicKey)!);
}

function deriveX25519(c: Obj): void {
  const pk = scalarmultBase(fromHex(str(c['x25519_sk'])));
  if ('x25519_pk' in c) c['x25519_pk'] = hex(pk);
  if ('pkid' in c) c['pkid'] = hex(publicKeyId(pk));
}

function deriveKid(c: Obj): void {
  if ('kid' in c) c['kid'] = toHex(keyId(fromHex(str(c['key']))));
}

/**
 * The vectors this implementation writes from the inputs of `input`, as the text of a file
 * (`JSON.stringify` with an indent of 1, as the Python generator writes it).
 */
export function generateVectors(input: VectorsFile): string {
  const out = JSON.parse(JSON.stringify(input)) as Obj;
  out['generator'] = 'packages/cryptobox/test/e2ev2/generate-vectors.ts (TypeScript, @wampbox/cryptobox on libsodium)';
  out['generated_with'] = { node: process.versions.node, libsodium: LIBSODIUM_VERSION };
  for (const c of Object.values(obj(out['identities']))) deriveIdentity(obj(c));
  for (const c of Object.values(obj(out['readers']))) deriveX25519(obj(c));
  for (const c of Object.values(obj(out['group_keys']))) deriveKid(obj(c));
  for (const c of Object.values(obj(out['scope_keys']))) deriveX25519(obj(c));
  for (const c of Object.values(obj(out['session_keys']))) deriveKid(obj(c));
  for (const c of Object.values(obj(out['exchanges']))) {
    const x = obj(c);
    x['reply_key'] = hex(replyKey(fromHex(str(x['session_key'])), fromHex(str(x['xid']))));
  }
  for (const c of Object.values(obj(out['namespaces']))) {
    const n = obj(c);
    n['key'] = hex(namespaceKey(fromHex(str(n['master'])), str(n['prefix'])));
  }
  derivePrimitives(obj(out['primitives']));
  deriveKeyMaterial(obj(out['key_material']), input.identities);

  const payloads = new Map<string, Uint8Array>();
  const kidRename = new Map<string, string>(); // the input file's kid of a message -> this implementation's
  (out['messages'] as unknown as MessageVector[]).forEach((m, index) => {
    const sealed = sealMessage(input.messages[index]!);
    payloads.set(m.id, sealed.payload);
    kidRename.set(input.messages[index]!.outputs.kid, hex(sealed.kid));
    (m as unknown as Obj)['outputs'] = messageOutputs(m, sealed);
  });

  for (const c of Object.values(obj(out['receivers']))) {
    const r = obj(c);
    for (const g of r['group_keys'] as Obj[]) deriveKid(g);
    for (const s of r['scope_keys'] as Obj[]) deriveX25519(s);
    for (const s of (r['sessions'] as Obj[] | undefined) ?? []) deriveKid(s);
  }

  const keys = [...Object.values(input.group_keys), ...Object.values(input.session_keys)].map((k) => fromHex(k.key));
  const seeds = Object.values(input.identities).map((i) => i.seed);
  const identities = obj(out['identities']);
  const generated = out as unknown as VectorsFile;
  for (const scenario of generated.scenarios) {
    const recipe = RECIPES[scenario.id];
    let r = buildReceiver(generated.receivers[scenario.receiver]!, generated.constants.NOW);
    let exchanges = buildExchanges(scenario.exchanges);
    for (const step of scenario.steps) {
      if ('action' in step) {
        r = buildReceiver(generated.receivers[scenario.receiver]!, generated.constants.NOW);
        exchanges = buildExchanges(scenario.exchanges);
        continue;
      }
      const payload = stepPayload(step, scenario.exchanges, recipe, { payloads, keys, seeds, identities });
      if (payload !== undefined) setPayload(step, payload);
      renameKeyId(step, kidRename);
      step.expect = expectOf(step, runStep(r, step, exchanges));
    }
  }
  return `${JSON.stringify(out, null, 1)}\n`;
}

interface Sources {
  payloads: ReadonlyMap<string, Uint8Array>;
  keys: readonly Uint8Array[];
  seeds: readonly string[];
  identities: Obj;
}

function givenPayload(step: OpenStep): Uint8Array | undefined {
  const e = step.envelope;
  const v = e.carriage === 'plain' ? (e.args?.length === 1 ? e.args[0] : undefined) : e.payload;
  const bytes = v === undefined ? undefined : fromJson(v);
  return bytes instanceof Uint8Array ? bytes : undefined;
}

function stepPayload(
  step: OpenStep,
  exchanges: VectorsFile['scenarios'][number]['exchanges'],
  recipe: Mutation | Reseal | undefined,
  src: Sources,
): Uint8Array | undefined {
  if (step.message !== undefined) return src.payloads.get(step.message);
  const given = givenPayload(step);
  if (given === undefined) return undefined; // plaintext, or a payload that is not binary: as given
  if (recipe === undefined) throw new Error(`a hostile payload without a recipe (${step.wamp} on ${String(step.uri)})`);
  if (!('reseal' in recipe)) return mutate(recipe, src.payloads, src.identities);
  const x = step.exchange === null ? undefined : exchanges[step.exchange];
  const bound = step.wamp === 'RESULT' && x?.role === 'caller' ? x.procedure : step.uri!;
  return reseal(given, bound, src.keys, src.seeds);
}

function setPayload(step: OpenStep, payload: Uint8Array): void {
  const e = step.envelope as Obj;
  if (e['carriage'] === 'plain') (e['args'] as Json[])[0] = { $bytes_hex: hex(payload) };
  else e['payload'] = { $bytes_hex: hex(payload) };
}

function renameKeyId(step: OpenStep, kidRename: ReadonlyMap<string, string>): void {
  const e = step.envelope as Obj;
  for (const field of ['enc_key', 'ppt_keyid']) {
    const v = e[field];
    if (typeof v === 'string' && kidRename.has(v)) e[field] = kidRename.get(v)!;
  }
}

/** This implementation's verdict, in the fields the input file's `expect` lists. */
function expectOf(step: OpenStep, outcome: ReturnType<typeof runStep>): OpenStep['expect'] {
  if (!outcome.ok) return { ok: false, error: outcome.error };
  const e: Obj = { ok: true };
  for (const k of Object.keys(step.expect)) if (k !== 'ok') e[k] = outcome.got[k] ?? null;
  return e as OpenStep['expect'];
}
