/**
 * The official WAMP conformance vectors (wamp-proto's `testsuite/`, carried under
 * `test/fixtures/wamp-proto-testsuite/`): every message in JSON, MessagePack and CBOR bytes with the
 * attributes they stand for, and raw messages a receiver must accept or refuse.
 *
 * For every serialization sample and each of wampbox's serializers: every byte variant decodes to
 * the expected attributes, re-encoding the message gives one of the variants byte for byte (the
 * suite's "at least one" rule: its variants differ in JSON spacing, wampbox writes the compact one
 * Autobahn|Python writes), and a message a router sends passes `validateRouterMessage` while one
 * only a client sends is refused by it. Variants in serializations wampbox does not implement
 * (`ubjson`, `flatbuffers`) are not read.
 *
 * For every validation sample of a message a client receives (EVENT): the message, sent through
 * each serializer, is accepted by `validateRouterMessage` when the suite says it is valid, and
 * refused with a ProtocolError naming the attribute when the suite says it must be refused. The
 * samples of messages only a router receives (PUBLISH and SUBSCRIBE options) must keep their shape
 * through every serializer, so that the router sees what the sender meant.
 */
import { ProtocolError } from '../../src/index';
import { MessageType as T, MessageTypeName, validateRouterMessage } from '../../src/internal';
import type { Serializer } from '../../src/wire/serializer';
import { cbor } from '../../src/wire/serializers/cbor';
import { json } from '../../src/wire/serializers/json';
import { msgpack } from '../../src/wire/serializers/msgpack';
import { bytesToHex, comparable } from '../wire/serializers/helpers';
import {
  attributesOf,
  isValidationSample,
  loadVectorFiles,
  receivedForm,
  variantBytes,
  withoutNulls,
} from '../helpers/wamp-proto-vectors';
import type { SerializationSample, ValidationSample } from '../helpers/wamp-proto-vectors';

const SERIALIZERS: [string, Serializer][] = [
  ['json', json()],
  ['msgpack', msgpack()],
  ['cbor', cbor()],
];

/** Message types a router sends to a client (ABORT, GOODBYE and ERROR go both ways). */
const FROM_ROUTER = new Set<number>([
  T.WELCOME,
  T.ABORT,
  T.CHALLENGE,
  T.GOODBYE,
  T.ERROR,
  T.PUBLISHED,
  T.SUBSCRIBED,
  T.UNSUBSCRIBED,
  T.EVENT,
  T.RESULT,
  T.REGISTERED,
  T.UNREGISTERED,
  T.INVOCATION,
  T.INTERRUPT,
]);

const files = loadVectorFiles();

const serializationSamples: [string, SerializationSample][] = [];
const validationSamples: [string, ValidationSample][] = [];
for (const f of files) {
  f.samples.forEach((sample, i) => {
    const name = `${f.file} #${i}: ${sample.description}`;
    if (isValidationSample(sample)) validationSamples.push([name, sample]);
    else serializationSamples.push([name, sample]);
  });
}

/** Decode a frame as a transport would hand it over: text for JSON, bytes otherwise. */
function decodeFrame(s: Serializer, bytes: Uint8Array): unknown[] {
  return s.decode(s.binary ? bytes : new TextDecoder().decode(bytes));
}

function frameHex(frame: string | Uint8Array): string {
  return typeof frame === 'string' ? Buffer.from(frame, 'utf8').toString('hex') : bytesToHex(frame);
}

function catchProtocolError(fn: () => unknown): ProtocolError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  expect(thrown).toMatchObject({ code: 'ERR_PROTOCOL_VIOLATION', name: 'ProtocolError' });
  return thrown as ProtocolError;
}

describe('wamp-proto conformance vectors', () => {
  it('are all there: every message type a client sends or receives, in json, msgpack and cbor', () => {
    const codes = new Set(files.map((f) => f.wamp_message_code));
    for (const code of Object.values(T)) expect(codes).toContain(code);
    for (const [, sample] of serializationSamples) {
      for (const [id] of SERIALIZERS) expect(sample.serializers[id]?.length ?? 0).toBeGreaterThan(0);
    }
    expect(serializationSamples.length).toBeGreaterThanOrEqual(35);
    const eventRefusals = validationSamples.filter(([, s]) => s.wmsg[0] === T.EVENT && s.expected_error);
    expect(eventRefusals.length).toBeGreaterThanOrEqual(9);
  });

  it('name each file after the message type its samples carry', () => {
    for (const f of files) {
      expect(MessageTypeName[f.wamp_message_code] ?? 'EVENT_RECEIVED').toBe(f.wamp_message_type);
      for (const sample of f.samples) {
        const code = isValidationSample(sample) ? sample.wmsg[0] : sample.expected_attributes.message_type;
        expect(code).toBe(f.wamp_message_code);
      }
    }
  });

  describe.each(SERIALIZERS)('%s', (id, s) => {
    it.each(serializationSamples)('decodes and re-encodes %s', (_name, sample) => {
      const variants = sample.serializers[id]!;
      const expected = withoutNulls(sample.expected_attributes);
      const hexes = variants.map((v) => bytesToHex(variantBytes(v)));
      for (const variant of variants) {
        const decoded = decodeFrame(s, variantBytes(variant));
        expect(comparable(attributesOf(decoded))).toStrictEqual(comparable(expected));
        // the suite's rule for serializing: the bytes match at least one variant
        expect(hexes).toContain(frameHex(s.encode(decoded)));
      }
    });

    it.each(serializationSamples)('validates %s as its direction requires', (_name, sample) => {
      const decoded = decodeFrame(s, variantBytes(sample.serializers[id]![0]!));
      const type = decoded[0] as number;
      if (FROM_ROUTER.has(type)) {
        expect(validateRouterMessage(decoded)).toBe(decoded);
      } else {
        const err = catchProtocolError(() => validateRouterMessage(decoded));
        expect(err.message).toContain('unexpected message type');
      }
    });
  });

  const received = validationSamples.filter(([, sample]) => FROM_ROUTER.has(sample.wmsg[0] as number));
  const sentOnly = validationSamples.filter(([, sample]) => !FROM_ROUTER.has(sample.wmsg[0] as number));

  describe.each(SERIALIZERS)('validation samples a client receives, through %s', (_id, s) => {
    it.each(received.filter(([, sample]) => sample.expected_error === undefined))('accepts %s', (_name, sample) => {
      const msg = s.decode(s.encode(receivedForm(sample.wmsg)));
      expect(validateRouterMessage(msg)).toBe(msg);
    });

    it.each(received.filter(([, sample]) => sample.expected_error !== undefined))('refuses %s', (_name, sample) => {
      expect(sample.expected_error!.type).toBe('protocol_violation');
      const msg = s.decode(s.encode(receivedForm(sample.wmsg)));
      const err = catchProtocolError(() => validateRouterMessage(msg));
      expect(err.message).toContain(`invalid ${MessageTypeName[msg[0] as number]} from router`);
      expect(err.message).toContain(sample.expected_error!.contains ?? '');
    });
  });

  describe.each(SERIALIZERS)('validation samples only a router receives, through %s', (_id, s) => {
    it.each(sentOnly)('keeps the shape of %s', (_name, sample) => {
      const msg = receivedForm(sample.wmsg);
      expect(comparable(s.decode(s.encode(msg)))).toStrictEqual(comparable(msg));
    });
  });
});
