/**
 * Reading the `x_e2ev2` known-answer vectors (test/fixtures/e2ev2/vectors.json; schema in that
 * folder's README): the types of the parts the tests use, and the conversions between the file's
 * conventions (lowercase hex strings, `{"$bytes_hex": ...}` for binary values) and bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root. */
export const ROOT = join(__dirname, '..', '..', '..', '..');
/** The committed vectors. */
export const VECTORS_PATH = join(ROOT, 'test', 'fixtures', 'e2ev2', 'vectors.json');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface MessageInputs {
  type: 'PUBLISH' | 'CALL' | 'YIELD' | 'ERROR';
  uri: string;
  clear_uri: string | null;
  ser: 'json' | 'msgpack' | 'cbor';
  args: Json[];
  kwargs: Record<string, Json>;
  key: string;
  key_ref: string;
  session_key?: string;
  signer: string;
  signer_seed: string;
  spk: string;
  sid: string;
  seq: number;
  ts: number;
  xid: string;
  nonce: string;
  more: boolean;
  bucket: number | null;
  signed: boolean;
  wrap: { session_key: string; scope_pk: string; ephemeral_sk: string } | null;
}

export interface MessageOutputs {
  kid: string;
  enc_key: string;
  flags: number;
  header: string;
  wrap: string | null;
  aad: string;
  plaintext: string;
  padded_plaintext: string;
  ciphertext: string;
  sig_input: string | null;
  signature: string | null;
  payload: string;
  length: number;
  overhead: number;
  reply_key?: string;
  reply_kid?: string;
}

export interface MessageVector {
  id: string;
  description: string;
  inputs: MessageInputs;
  outputs: MessageOutputs;
}

export interface ReceiverVector {
  max_skew_ms: number;
  window_size: number;
  windows_per_sender: number;
  windows_total: number;
  key_grace_ms: number;
  sign_replies: boolean;
  sign_every_call: boolean;
  routes: { prefix: string; scheme: string; carriages: string[] }[];
  trust: { spk: string; prefix: string; roles: string[] }[];
  group_keys: { key: string; scope: string; not_after: number | null; writers: string[] | null }[];
  scope_keys: { prefix: string; x25519_sk: string; x25519_pk?: string }[];
  sessions?: { key: string; owner: string; scope: string }[];
  namespaces?: { prefix: string; key: string; mode: string }[];
}

export type EnvelopeVector =
  | {
      carriage: 'transparent';
      dialect: 'autobahn';
      enc_algo: string;
      enc_serializer: string;
      enc_key?: string;
      payload: Json;
    }
  | {
      carriage: 'transparent';
      dialect: 'spec';
      ppt_scheme: string;
      ppt_serializer: string;
      ppt_cipher?: string;
      ppt_keyid?: string;
      payload: Json;
    }
  | { carriage: 'plain'; args?: Json[] | null; kwargs?: Record<string, Json> | null };

export interface OpenStep {
  wamp: 'EVENT' | 'INVOCATION' | 'RESULT' | 'ERROR';
  uri: string | null;
  exchange: string | null;
  progress: boolean;
  retained: boolean;
  now_ms: number;
  envelope: EnvelopeVector;
  message?: string;
  note?: string;
  expect: { ok: false; error: string } | ({ ok: true } & Record<string, Json>);
}

export type ScenarioStep = OpenStep | { action: 'restart' };

export type ExchangeVector =
  | { role: 'caller'; xid: string; session_key: string; procedure: string; clear_procedure?: string }
  | { role: 'callee' };

export interface ScenarioVector {
  id: string;
  description: string;
  receiver: string;
  exchanges: Record<string, ExchangeVector>;
  steps: ScenarioStep[];
}

export interface PrimitiveVectors {
  kid: { key: string; kid: string }[];
  pkid: { pk: string; pkid: string }[];
  reply_key: { session_key: string; xid: string; reply_key: string; reply_kid: string }[];
  ed25519_to_x25519: { seed: string; ed25519_pk: string; x25519_sk: string; x25519_pk: string }[];
  sealed_box: { message: string; recipient_pk: string; recipient_sk: string; ephemeral_sk: string; sealed: string }[];
  pad: { length: number; bucket: number; bucket_size: number; padded: string }[];
  scramble: {
    prefix: string;
    mode: string;
    master: string;
    namespace_key: string;
    uris: { clear: string; pattern: boolean; wire: string | null }[];
  }[];
}

export interface VectorsFile {
  format: string;
  schema_version: number;
  identities: Record<string, { role: string; seed: string; ed25519_pk: string; x25519_sk: string; x25519_pk: string }>;
  group_keys: Record<string, { key: string; kid: string; scope: string }>;
  session_keys: Record<string, { key: string; kid: string }>;
  constants: { T0: number; NOW: number; max_skew_ms: number; window_size: number };
  primitives: PrimitiveVectors;
  messages: MessageVector[];
  receivers: Record<string, ReceiverVector>;
  scenarios: ScenarioVector[];
  key_material: Record<string, unknown[]>;
}

/** The vectors file at `path` (the committed one by default), parsed. */
export function loadVectors(path = VECTORS_PATH): VectorsFile {
  return JSON.parse(readFileSync(path, 'utf8')) as VectorsFile;
}

/** The bytes of a lowercase hex string. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Lowercase hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A value of the file with every `{"$bytes_hex": ...}` turned into bytes, at any depth. */
export function fromJson(value: Json): unknown {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const h = value['$bytes_hex'];
    if (keys.length === 1 && typeof h === 'string') return fromHex(h);
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = fromJson(value[k]!);
    return out;
  }
  return value;
}

/** The reverse of {@link fromJson}: bytes as `{"$bytes_hex": ...}`, at any depth. */
export function toJson(value: unknown): Json {
  if (value instanceof Uint8Array) return { $bytes_hex: hex(value) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return value as Json;
}
