/**
 * Real Autobahn|Python 22.7.1 cryptobox output (fixed nonces): every payload must open with the
 * listed keys to the listed plaintext, and re-seal byte for byte with the same nonce.
 */
import './binding-under-test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Payload, PayloadContext, PayloadMessageType, WirePayload } from '@wampbox/core';
import { cryptobox, KeyRing, publicKeyFromSecret } from '../src/index';
import { setNonceSourceForTesting } from '../src/internal/nonce';
import { stringifyInner } from '../src/internal/inner-json';
import { ringSharedKey } from '../src/key-ring';

const VECTORS_PATH = path.resolve(__dirname, '../../../test/fixtures/autobahn-22.7.1/vectors.json');

interface KeyHalf {
  priv_hex: string;
  priv_b64: string;
  pub_hex: string;
  pub_b64: string;
}
interface VectorPayload {
  hex: string;
  b64: string;
  len: number;
  nonce_hex: string;
  box_hex: string;
  poly1305_tag_hex: string;
  plaintext_utf8: string;
}
interface VectorMessage {
  type: PayloadMessageType;
  marshal_repr: unknown[];
  direction: string;
  payload?: VectorPayload;
  wire: { json: { text: string } };
}
interface Vector {
  title: string;
  messages: VectorMessage[];
}
interface VectorFile {
  keys: {
    set1: { originator: KeyHalf; responder: KeyHalf; box_shared_key_hex: string };
    set2_crossbarexamples: { originator: KeyHalf; responder: KeyHalf; box_shared_key_hex: string };
    set3_single_key: { key: KeyHalf; box_shared_key_hex: string };
  };
  vectors: Vector[];
}

function loadVectors(): VectorFile | Error {
  try {
    return JSON.parse(fs.readFileSync(VECTORS_PATH, 'utf8')) as VectorFile;
  } catch (err) {
    return new Error(
      `cannot read the Autobahn cryptobox test vectors at ${VECTORS_PATH} (the repository carries them under test/fixtures/): ${String(err)}`,
    );
  }
}

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** The expected application payload: the plaintext JSON with `"\u0000"`-strings as bytes. */
function expectedPayload(plaintext: string): { uri: string; args: unknown; kwargs: unknown } {
  return JSON.parse(plaintext, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith('\u0000') ? Uint8Array.from(Buffer.from(v.slice(1), 'base64')) : v,
  ) as { uri: string; args: unknown; kwargs: unknown };
}

/**
 * Which key rings a vector uses. TV2's title names no key set: it continues TV1 (same prefix
 * key, set 1). Where a title does name one, it must agree with this table.
 */
const KEY_SET_OF: Record<string, 'set1' | 'set2_crossbarexamples' | 'single'> = {
  TV1: 'set1',
  TV2: 'set1',
  TV3: 'set2_crossbarexamples',
  TV4: 'single',
};

function ringsFor(v: Vector, file: VectorFile): { originator: KeyRing; responder: KeyRing } {
  const which = KEY_SET_OF[v.title.slice(0, 3)];
  if (which === undefined) throw new Error(`no key set known for vector "${v.title}"`);
  const named = /key set (\d)\b/.exec(v.title)?.[1];
  if (named !== undefined && which !== (named === '1' ? 'set1' : 'set2_crossbarexamples')) {
    throw new Error(`vector "${v.title}" names key set ${named}, the table says ${which}`);
  }
  if (which === 'single') {
    if (!/KeyRing\(default_key=/.test(v.title)) throw new Error(`vector "${v.title}" is not the single-key ring`);
    const ring = new KeyRing(file.keys.set3_single_key.key.priv_b64);
    return { originator: ring, responder: ring };
  }
  const set = file.keys[which];
  const prefix = /prefix key "([^"]*)"/.exec(v.title)?.[1] ?? 'com.myapp.encrypted.';
  return {
    originator: new KeyRing().setKey(prefix, {
      originatorPriv: set.originator.priv_b64,
      responderPub: set.responder.pub_b64,
    }),
    // hex and base64 are interchangeable
    responder: new KeyRing().setKey(prefix, {
      responderPriv: set.responder.priv_hex,
      originatorPub: set.originator.pub_hex,
    }),
  };
}

/** Payloads of these messages were sealed by the originator (publisher / caller). */
const SEALED_BY_ORIGINATOR = new Set<PayloadMessageType>(['PUBLISH', 'EVENT', 'CALL', 'INVOCATION']);

/** The send context that produced a payload, and the receive context that opens it. */
function contexts(m: VectorMessage, uri: string): { send: PayloadContext; receive: PayloadContext } {
  const byOriginator = SEALED_BY_ORIGINATOR.has(m.type);
  const sendType: PayloadMessageType =
    m.type === 'EVENT' ? 'PUBLISH' : m.type === 'INVOCATION' ? 'CALL' : m.type === 'RESULT' ? 'YIELD' : m.type;
  const receiveType: PayloadMessageType =
    m.type === 'PUBLISH' ? 'EVENT' : m.type === 'CALL' ? 'INVOCATION' : m.type === 'YIELD' ? 'RESULT' : m.type;
  return {
    send: {
      uri,
      messageType: sendType,
      originating: byOriginator,
      sending: true,
      requestWasOpaque: byOriginator ? undefined : true,
    },
    receive: {
      uri,
      messageType: receiveType,
      originating: !byOriginator,
      sending: false,
      requestWasOpaque: byOriginator ? undefined : true,
    },
  };
}

const loaded = loadVectors();

afterEach(() => setNonceSourceForTesting(undefined));

if (loaded instanceof Error) {
  it('loads the Autobahn test vectors', () => {
    throw loaded;
  });
} else {
  const file = loaded;

  describe('key sets', () => {
    const halves: [string, KeyHalf][] = [
      ['set1 originator', file.keys.set1.originator],
      ['set1 responder', file.keys.set1.responder],
      ['set2 originator', file.keys.set2_crossbarexamples.originator],
      ['set2 responder', file.keys.set2_crossbarexamples.responder],
      ['set3 key', file.keys.set3_single_key.key],
    ];
    it.each(halves)('%s: public key derives from the secret key (base64 and hex agree)', async (_name, half) => {
      expect(toHex(await publicKeyFromSecret(half.priv_b64))).toBe(half.pub_hex);
      expect(toHex(await publicKeyFromSecret(half.priv_hex))).toBe(half.pub_hex);
      expect(Buffer.from(half.pub_hex, 'hex').toString('base64')).toBe(half.pub_b64);
    });
  });

  it('precomputed shared keys match box_shared_key_hex, for both boxes of an entry', async () => {
    await publicKeyFromSecret(file.keys.set1.originator.priv_b64); // libsodium ready
    for (const set of [file.keys.set1, file.keys.set2_crossbarexamples]) {
      const originator = new KeyRing().setKey('', {
        originatorPriv: set.originator.priv_b64,
        responderPub: set.responder.pub_b64,
      });
      const responder = new KeyRing().setKey('', {
        responderPriv: set.responder.priv_b64,
        originatorPub: set.originator.pub_b64,
      });
      expect(toHex(ringSharedKey(originator, 'x', true)!)).toBe(set.box_shared_key_hex);
      expect(toHex(ringSharedKey(responder, 'x', false)!)).toBe(set.box_shared_key_hex);
      expect(ringSharedKey(originator, 'x', false)).toBeNull();
      expect(ringSharedKey(responder, 'x', true)).toBeNull();
    }
    const single = new KeyRing(file.keys.set3_single_key.key.priv_b64);
    expect(toHex(ringSharedKey(single, 'any.uri', true)!)).toBe(file.keys.set3_single_key.box_shared_key_hex);
    expect(toHex(ringSharedKey(single, 'any.uri', false)!)).toBe(file.keys.set3_single_key.box_shared_key_hex);
  });

  it('covers four vectors and every message type', () => {
    expect(file.vectors.map((v) => v.title.slice(0, 3))).toEqual(['TV1', 'TV2', 'TV3', 'TV4']);
    const types = new Set(file.vectors.flatMap((v) => v.messages.filter((m) => m.payload).map((m) => m.type)));
    expect([...types].sort()).toEqual(['CALL', 'ERROR', 'EVENT', 'INVOCATION', 'PUBLISH', 'RESULT', 'YIELD']);
  });

  describe.each(file.vectors.map((v) => [v.title, v] as const))('%s', (_title, vector) => {
    const rings = ringsFor(vector, file);
    // Track the topic / procedure of the exchange the way a session would.
    let current = '';
    const cases = vector.messages.map((m, index) => {
      if (m.type === 'PUBLISH' || m.type === 'CALL') current = m.marshal_repr[3] as string;
      const uri = m.type === 'ERROR' ? (m.marshal_repr[4] as string) : current;
      return [`#${index} ${m.type} ${m.direction} ${uri}`, m, uri] as const;
    });

    it.each(cases)('%s', async (_name, m, uri) => {
      const { send, receive } = contexts(m, uri);
      const byOriginator = SEALED_BY_ORIGINATOR.has(m.type);
      const sealer = cryptobox(byOriginator ? rings.originator : rings.responder);
      const opener = cryptobox(byOriginator ? rings.responder : rings.originator);

      if (m.payload === undefined) {
        // A plaintext message (TV2: an ERROR whose URI has no key): not sealed, and accepted.
        const args = m.marshal_repr[5] as unknown[];
        const kwargs = m.marshal_repr[6] as Record<string, unknown>;
        expect(rings.originator.hasKey(uri)).toBe(false);
        expect(await sealer.encode({ args, kwargs }, send)).toEqual({ kind: 'plain', args, kwargs });
        expect(await opener.decode({ kind: 'plain', args, kwargs }, receive)).toMatchObject({ args, kwargs });
        return;
      }

      const p = m.payload;
      const bytes = hex(p.hex);
      const plaintext = Buffer.from(p.plaintext_utf8, 'utf8');
      expect(bytes.length).toBe(p.len);
      expect(bytes.length).toBe(40 + plaintext.length);
      expect(p.hex).toBe(p.nonce_hex + p.box_hex);
      expect(p.box_hex.startsWith(p.poly1305_tag_hex)).toBe(true);
      const inEnvelope = m.marshal_repr[m.marshal_repr.length - 1] as { $bytes_hex: string };
      expect(inEnvelope.$bytes_hex).toBe(p.hex);
      expect(m.wire.json.text).toContain(JSON.stringify('\u0000' + p.b64));

      // Open, as the receiving side does.
      const expected = expectedPayload(p.plaintext_utf8);
      expect(expected.uri).toBe(uri);
      const wire: WirePayload = { kind: 'opaque', payload: bytes, scheme: 'cryptobox', serializer: 'json' };
      const decoded: Payload = await opener.decode(wire, receive);
      expect(decoded.args).toEqual(expected.args ?? undefined);
      expect(decoded.kwargs).toEqual(expected.kwargs ?? undefined);
      const viaRing = await (byOriginator ? rings.responder : rings.originator).decrypt(uri, bytes, {
        originating: !byOriginator,
      });
      expect(viaRing).toEqual(decoded);

      // Our plaintext for the decoded payload is Autobahn's, byte for byte.
      expect(stringifyInner(uri, decoded.args, decoded.kwargs)).toBe(p.plaintext_utf8);

      // Re-seal with the vector's nonce: identical bytes.
      const nonce = hex(p.nonce_hex);
      setNonceSourceForTesting((target) => target.set(nonce));
      const resealed = await sealer.encode(decoded, send);
      expect(resealed.kind).toBe('opaque');
      if (resealed.kind !== 'opaque') return;
      expect(resealed.scheme).toBe('cryptobox');
      expect(resealed.serializer).toBe('json');
      expect(resealed.keyId).toBeUndefined();
      expect(toHex(resealed.payload)).toBe(p.hex);
      const viaRingSeal = await (byOriginator ? rings.originator : rings.responder).encrypt(uri, decoded, {
        originating: byOriginator,
      });
      expect(toHex(viaRingSeal)).toBe(p.hex);
    });
  });

  it('TV3 binary kwarg arrives as bytes', async () => {
    const v = file.vectors[2]!;
    const rings = ringsFor(v, file);
    const call = v.messages.find((m) => m.type === 'INVOCATION')!;
    const decoded = await rings.responder.decrypt('com.myapp.encrypted.echo', hex(call.payload!.hex), {
      originating: false,
    });
    expect(decoded.kwargs?.['blob']).toBeInstanceOf(Uint8Array);
    expect(Array.from(decoded.kwargs?.['blob'] as Uint8Array)).toEqual([0, 1, 255]);
    expect(decoded.args).toEqual([[1, 2, 3], { a: null }, 1.5]);
  });

  it('TV2 single return value: args [30], kwargs null', async () => {
    const v = file.vectors[1]!;
    const rings = ringsFor(v, file);
    const result = v.messages.find((m) => m.type === 'RESULT')!;
    const decoded = await rings.originator.decrypt('com.myapp.encrypted.add2', hex(result.payload!.hex), {
      originating: true,
    });
    expect(decoded).toEqual({ args: [30], kwargs: undefined });
  });

  it('a payload opened with the wrong role box or the other key set fails', async () => {
    const v = file.vectors[0]!;
    const pub = v.messages[0]!;
    const wire: WirePayload = {
      kind: 'opaque',
      payload: hex(pub.payload!.hex),
      scheme: 'cryptobox',
      serializer: 'json',
    };
    const uri = 'com.myapp.encrypted.hello';
    const set2 = file.keys.set2_crossbarexamples;
    const wrong = cryptobox(
      new KeyRing().setKey('com.myapp.', {
        responderPriv: set2.responder.priv_b64,
        originatorPub: set2.originator.pub_b64,
      }),
    );
    await expect(
      Promise.resolve().then(() =>
        wrong.decode(wire, { uri, messageType: 'EVENT', originating: false, sending: false }),
      ),
    ).rejects.toMatchObject({ code: 'ERR_PAYLOAD_DECRYPT', uri: 'wamp.error.encryption.decrypt_error' });
  });
}
