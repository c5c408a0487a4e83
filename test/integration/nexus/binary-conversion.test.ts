/**
 * A known limitation of gammazero/nexus v3.3.0, pinned: it does not convert binary values between
 * serializers. WAMP's JSON serializer carries bytes as the string "\0" + base64, which a router
 * must turn into bytes for a MessagePack or CBOR peer and back; nexus forwards what it decoded:
 *
 * - from a JSON peer to a MessagePack or CBOR peer, a binary value arrives as that string;
 * - from a MessagePack or CBOR peer to a JSON peer, it arrives as bare base64 (no "\0"): nexus's
 *   JSON encoder writes bytes as a base64 string;
 * - between two JSON peers, or between MessagePack and CBOR, bytes stay bytes.
 *
 * So an opaque payload (Payload PassThru Mode's `[binary]`) crosses only between peers on the same
 * side of that line: otherwise the receiver reads a string where the binary should be and refuses
 * the message (`ERR_PAYLOAD_CODEC`), while the attributes arrive intact. Crossbar.io converts, see
 * ../cryptobox-interop.test.ts ("across serializers").
 */
import {
  ApplicationError,
  KeyRing,
  Result,
  cbor,
  cryptobox,
  generateKeyPair,
  json,
  msgpack,
} from '@wampbox/wamp-client';
import type { PayloadCodec, Serializer, Session, WampboxError } from '@wampbox/wamp-client';
import { open, sleep, uniqueUri, waitFor } from '../helpers';
import { lastOf, nexusRoute, recording, slotsOf, useNexus } from './nexus';
import type { RecordingSerializer } from './nexus';

useNexus();

type Ser = 'json' | 'msgpack' | 'cbor';
const MAKE: Record<Ser, () => Serializer> = { json, msgpack, cbor };
const BIN = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** What a peer on `to` receives for the bytes `b` sent by a peer on `from`. */
function received(from: Ser, to: Ser, b: Uint8Array): Uint8Array | string {
  if ((from === 'json') === (to === 'json')) return b;
  return from === 'json' ? `\u0000${base64(b)}` : base64(b);
}

/** How `received()` reads, for test names. */
function form(from: Ser, to: Ser): string {
  const got = received(from, to, BIN);
  if (typeof got !== 'string') return 'bytes';
  return got.startsWith('\u0000') ? 'the string "\\0" + base64' : 'a bare base64 string';
}

const PAIRS: [Ser, Ser][] = [
  ['json', 'msgpack'],
  ['json', 'cbor'],
  ['msgpack', 'json'],
  ['cbor', 'json'],
  ['msgpack', 'cbor'],
  ['cbor', 'msgpack'],
  ['json', 'json'],
];

interface Pair {
  a: Session;
  b: Session;
  aWire: RecordingSerializer;
  bWire: RecordingSerializer;
}

/** Two sessions on nexus's WebSocket transport, on serializers `a` and `b`, recording their frames. */
async function pair(a: Ser, b: Ser, codec?: () => PayloadCodec): Promise<Pair> {
  const route = nexusRoute('websocket/json');
  const aWire = recording(MAKE[a]());
  const bWire = recording(MAKE[b]());
  const extra = codec ? { codec: codec() } : {};
  const sessions = await Promise.all([
    open(route, { serializers: [aWire], ...extra }),
    open(route, { serializers: [bWire], ...extra }),
  ]);
  return { a: sessions[0], b: sessions[1], aWire, bWire };
}

describe.each(PAIRS)('plain binary values from %s to %s through nexus', (from, to) => {
  const expected = received(from, to, BIN);
  const back = received(to, from, BIN);

  it(`an event's bytes arrive as ${form(from, to)}, at any depth`, async () => {
    const { a: pub, b: sub } = await pair(from, to);
    const topic = uniqueUri('com.test.nexus.bin.topic');
    const seen: unknown[] = [];
    await sub.subscribe(topic, (ev) => void seen.push([ev.args, ev.kwargs]));
    await pub.publish(topic, [BIN, { at: [BIN] }], { k: BIN }, { acknowledge: true });
    await waitFor(() => seen.length === 1, 5000, 'event');
    expect(seen[0]).toEqual([[expected, { at: [expected] }], { k: expected }]);
  });

  it('a call carries them one way, its result the other way', async () => {
    const { a: caller, b: callee } = await pair(from, to);
    const uri = uniqueUri('com.test.nexus.bin.call');
    const invoked: unknown[] = [];
    await callee.register(uri, (inv) => {
      invoked.push(inv.args[0]);
      return new Result([BIN]);
    });
    const res = await caller.call(uri, [BIN]);
    expect(invoked).toEqual([expected]);
    expect(res.args).toEqual([back]);
  });
});

describe.each(PAIRS)('cryptobox payloads from %s to %s through nexus', (from, to) => {
  const crosses = (from === 'json') === (to === 'json');
  let ring: () => PayloadCodec;
  beforeAll(async () => {
    const key = await generateKeyPair();
    ring = () => cryptobox(new KeyRing().setKey('com.test.nexus.sealed.', key.secretKeyBase64));
  });

  /**
   * What nexus delivered to `p.b` for the last message `p.a` sent (of types `sent`, `delivered`):
   * the attributes intact, the sealed bytes as `received()` says.
   */
  const expectDelivered = (p: Pair, sent: number, delivered: number): void => {
    const [sealed] = slotsOf(lastOf(p.aWire.sent, sent)).args as [Uint8Array];
    const slots = slotsOf(lastOf(p.bWire.received, delivered));
    expect(slots.details).toMatchObject({ ppt_scheme: 'x_cryptobox', ppt_serializer: 'json' });
    expect(slots.args).toEqual([received(from, to, sealed)]);
  };
  const refusal = { code: 'ERR_PAYLOAD_CODEC', message: 'ppt_scheme set but the payload is not [binary]' };

  it(crosses ? 'an event is delivered' : 'an event is refused by the subscriber', async () => {
    const p = await pair(from, to, ring);
    const { a: pub, b: sub } = p;
    const errors: WampboxError[] = [];
    sub.on('error', (e) => void errors.push(e as WampboxError));
    const topic = uniqueUri('com.test.nexus.sealed.topic');
    const seen: unknown[] = [];
    await sub.subscribe(topic, (ev) => void seen.push(ev.args));
    await pub.publish(topic, ['secret', BIN], {}, { acknowledge: true });
    await waitFor(() => seen.length + errors.length > 0, 5000, 'event or refusal');
    await sleep(50);
    expect(seen).toEqual(crosses ? [['secret', BIN]] : []);
    expect(errors).toEqual(crosses ? [] : [expect.objectContaining(refusal)]);
    expectDelivered(p, 16, 36);
  });

  it(
    crosses ? 'a call is answered' : 'a call is refused by the callee, which answers wamp.error.payload_codec',
    async () => {
      const p = await pair(from, to, ring);
      const { a: caller, b: callee } = p;
      const uri = uniqueUri('com.test.nexus.sealed.call');
      let ran = 0;
      await callee.register(uri, () => ++ran);
      const outcome = await caller.call(uri, [BIN]).then(
        (r) => r.args,
        (e: unknown) => e,
      );
      expectDelivered(p, 48, 68);
      if (crosses) {
        expect(outcome).toEqual([1]);
        return;
      }
      expect(ran).toBe(0);
      expect(outcome).toBeInstanceOf(ApplicationError);
      expect(outcome).toMatchObject({ uri: 'wamp.error.payload_codec', args: [refusal.message] });
    },
  );
});
