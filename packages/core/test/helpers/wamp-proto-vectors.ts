/**
 * The wamp-proto conformance vectors (`test/fixtures/wamp-proto-testsuite/`, see its README):
 * loading them, and reading a WAMP message tuple as the attributes the vectors name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TESTSUITE_DIR = path.resolve(__dirname, '../../../../test/fixtures/wamp-proto-testsuite');

/** One byte representation of a message in one serialization. */
export interface ByteVariant {
  bytes?: string;
  bytes_hex?: string;
  bytes_base64?: string;
  note?: string;
}

/** A sample with bytes per serializer and the attributes they decode to. */
export interface SerializationSample {
  description: string;
  serializers: Record<string, ByteVariant[]>;
  expected_attributes: Record<string, unknown> & { message_type: number };
}

/** A raw message exercising a validation rule: refused when `expected_error` is there. */
export interface ValidationSample {
  description: string;
  test_category?: string;
  wmsg: unknown[];
  expected_error?: { type: string; contains?: string };
}

export interface VectorFile {
  /** Path below the testsuite folder, e.g. `singlemessage/basic/event.json`. */
  file: string;
  wamp_message_type: string;
  wamp_message_code: number;
  samples: (SerializationSample | ValidationSample)[];
}

/** Every vector file under `singlemessage/`; throws (failing the suite) when there are none. */
export function loadVectorFiles(): VectorFile[] {
  const root = path.join(TESTSUITE_DIR, 'singlemessage');
  if (!fs.existsSync(root)) {
    throw new Error(`wamp-proto conformance vectors not found at ${root} (the repository carries them)`);
  }
  const files: VectorFile[] = [];
  for (const level of fs.readdirSync(root).sort()) {
    for (const name of fs.readdirSync(path.join(root, level)).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = `singlemessage/${level}/${name}`;
      const parsed = JSON.parse(fs.readFileSync(path.join(TESTSUITE_DIR, file), 'utf8')) as Omit<VectorFile, 'file'>;
      files.push({ file, ...parsed });
    }
  }
  if (files.length === 0) throw new Error(`no vector files under ${root}`);
  return files;
}

export function isValidationSample(sample: SerializationSample | ValidationSample): sample is ValidationSample {
  return 'wmsg' in sample;
}

/** The bytes of a variant; its `bytes`, `bytes_hex` and `bytes_base64` forms must agree. */
export function variantBytes(v: ByteVariant): Uint8Array {
  const forms: Buffer[] = [];
  if (v.bytes !== undefined) forms.push(Buffer.from(v.bytes, 'utf8'));
  if (v.bytes_hex !== undefined) forms.push(Buffer.from(v.bytes_hex, 'hex'));
  if (v.bytes_base64 !== undefined) forms.push(Buffer.from(v.bytes_base64, 'base64'));
  if (forms.length === 0) throw new Error('a byte variant without bytes');
  for (const form of forms) {
    if (!form.equals(forms[0]!)) throw new Error(`the forms of a byte variant disagree (${v.note ?? 'no note'})`);
  }
  return new Uint8Array(forms[0]!);
}

/**
 * The elements after the type code, by type code, as the vectors name them. `...details` spreads
 * the Details dictionary into the attributes (the vectors give HELLO's and WELCOME's `roles` that
 * way); `+payload` stands for the optional Arguments and ArgumentsKw (`args`, `kwargs`, or an
 * opaque binary in the Arguments place as `payload`, in hex).
 */
const ELEMENTS: Readonly<Record<number, string>> = {
  1: 'realm ...details',
  2: 'session_id ...details',
  3: 'details reason',
  4: 'method extra',
  5: 'signature extra',
  6: 'details reason',
  8: 'request_type request_id details error +payload',
  16: 'request_id options topic +payload',
  17: 'request_id publication_id',
  32: 'request_id options topic',
  33: 'request_id subscription_id',
  34: 'request_id subscription_id',
  35: 'request_id details',
  36: 'subscription publication details +payload',
  48: 'request_id options procedure +payload',
  49: 'request_id options',
  50: 'request_id details +payload',
  64: 'request_id options procedure',
  65: 'request_id registration_id',
  66: 'request_id registration_id',
  67: 'request_id details',
  68: 'request_id registration_id details +payload',
  69: 'request_id options',
  70: 'request_id options +payload',
  337: 'publication_id', // EVENT_RECEIVED (acknowledged event delivery, provisional code)
};

/**
 * A decoded message as the vectors' attributes: `message_type` and one entry per element, absent
 * elements left out (the vectors write them as `null`, see {@link withoutNulls}). Throws for a type
 * code without a layout and for elements beyond it.
 */
export function attributesOf(msg: readonly unknown[]): Record<string, unknown> {
  const type = msg[0] as number;
  const layout = ELEMENTS[type];
  if (layout === undefined) throw new Error(`no attribute layout for message type ${String(type)}`);
  const out: Record<string, unknown> = { message_type: type };
  let i = 1;
  for (const name of layout.split(' ')) {
    if (name === '+payload') {
      const slot = msg[i];
      if (slot instanceof Uint8Array) out['payload'] = Buffer.from(slot).toString('hex');
      else if (slot !== undefined) out['args'] = slot;
      if (msg[i + 1] !== undefined) out['kwargs'] = msg[i + 1];
      i += slot === undefined ? 0 : msg[i + 1] === undefined ? 1 : 2;
    } else if (name === '...details') {
      if (i < msg.length) Object.assign(out, msg[i++] as Record<string, unknown>);
    } else if (i < msg.length) {
      out[name] = msg[i++];
    }
  }
  if (i !== msg.length) throw new Error(`message type ${type} has ${msg.length - i} elements beyond its layout`);
  return out;
}

/** `attrs` without the entries whose value is `null` (how the vectors mark an absent element). */
export function withoutNulls(attrs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== null));
}

/**
 * A validation sample's message as a receiver sees it. The vectors write the opaque payload of
 * their `enc_algo` samples as hex text in the Arguments place (JSON has no bytes: the generator
 * names it `payload_hex`); on the wire it is a binary, so it becomes bytes here.
 */
export function receivedForm(wmsg: readonly unknown[]): unknown[] {
  const msg = [...wmsg];
  const type = msg[0] as number;
  const detailsAt = type === 16 ? 2 : type === 36 ? 3 : -1;
  const argsAt = type === 16 ? 4 : type === 36 ? 4 : -1;
  const details = msg[detailsAt] as Record<string, unknown> | undefined;
  const slot = msg[argsAt];
  if (details !== undefined && 'enc_algo' in details && typeof slot === 'string' && /^([0-9a-f]{2})+$/.test(slot)) {
    msg[argsAt] = new Uint8Array(Buffer.from(slot, 'hex'));
  }
  return msg;
}
