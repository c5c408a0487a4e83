/**
 * Payload PassThru Mode through gammazero/nexus, with two payload codecs: `cryptobox` (which the
 * spec's dialect names `x_cryptobox`) and the custom test codec `x_wbtest` (./xor-codec.ts), on
 * every transport and serializer nexus offers. Recording serializers show both legs of each
 * exchange: what wampbox sent (the `ppt_*` attributes in Options, the payload as `[binary]`) and
 * what nexus delivered (the same attributes copied into Details, the same bytes). nexus runs with
 * its debug log, which has every message it receives: the plaintext never appears there.
 */
import { ApplicationError, KeyRing, Result, cryptobox, generateKeyPair } from '@wampbox/wamp-client';
import type { EventData, KeyPair, PayloadCodec, Session } from '@wampbox/wamp-client';
import { open, uniqueUri, waitFor } from '../helpers';
import { NEXUS_ROUTE_NAMES, lastOf, nexusRoute, recording, slotsOf, useNexus } from './nexus';
import type { RecordingSerializer } from './nexus';
import { XOR_CIPHER, XOR_KEY_ID, XOR_SCHEME, xorCodec } from './xor-codec';

const nexus = useNexus({ verbose: true });

/** Every keyed URI of this file lives under this prefix, error URIs too. */
const PREFIX = `com.test.nexus.ppt.${process.pid}.${Date.now().toString(36)}.`;
const BIN = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
/** A string that only the plaintext holds. */
const MARKER = `plaintext-${process.pid}-${Date.now().toString(36)}`;
/** A string published in plaintext, outside the prefix: it does show in nexus's log. */
const CONTROL = `control-${process.pid}-${Date.now().toString(36)}`;
const ARGS = [1, MARKER, BIN, { nested: [BIN] }];
const KWARGS = { bin: BIN, n: null };

let O: KeyPair; // originator pair: publishers and callers
let R: KeyPair; // responder pair: subscribers and callees
beforeAll(async () => {
  [O, R] = await Promise.all([generateKeyPair(), generateKeyPair()]);
});

interface Scheme {
  originator(): PayloadCodec;
  responder(): PayloadCodec;
  /** The scheme attributes on the wire, both legs. */
  attrs: Record<string, string>;
}

const SCHEMES: Record<string, Scheme> = {
  cryptobox: {
    originator: () =>
      cryptobox(new KeyRing().setKey(PREFIX, { originatorPriv: O.secretKeyBase64, responderPub: R.publicKeyBase64 })),
    responder: () =>
      cryptobox(new KeyRing().setKey(PREFIX, { responderPriv: R.secretKeyBase64, originatorPub: O.publicKeyBase64 })),
    // the spec leaves only `x_` names to custom schemes: cryptobox goes out as x_cryptobox
    attrs: { ppt_scheme: 'x_cryptobox', ppt_serializer: 'json', ppt_cipher: 'xsalsa20poly1305' },
  },
  [XOR_SCHEME]: {
    originator: () => xorCodec(PREFIX),
    responder: () => xorCodec(PREFIX),
    attrs: { ppt_scheme: XOR_SCHEME, ppt_serializer: 'json', ppt_cipher: XOR_CIPHER, ppt_keyid: XOR_KEY_ID },
  },
};

const CASES = Object.keys(SCHEMES).flatMap((scheme) => NEXUS_ROUTE_NAMES.map((route) => [scheme, route] as const));

/**
 * `sent` (by wampbox) and `delivered` (by nexus, to the other peer) both carry `attrs` and no
 * `enc_*`, the payload as one binary argument and no keyword arguments, and the same bytes.
 */
function expectPassedThrough(sent: unknown[], delivered: unknown[], attrs: Record<string, string>): void {
  const out = slotsOf(sent);
  const got = slotsOf(delivered);
  for (const slots of [out, got]) {
    expect(slots.details).toMatchObject(attrs);
    expect(Object.keys(slots.details).filter((k) => k.startsWith('enc_'))).toEqual([]);
    expect(slots.args).toEqual([expect.any(Uint8Array)]);
    expect(slots.kwargs ?? {}).toEqual({});
  }
  expect(got.args).toEqual(out.args);
}

describe.each(CASES)('%s through nexus over %s', (schemeName, routeName) => {
  const scheme = SCHEMES[schemeName]!;
  let orig: Session;
  let resp: Session;
  let origWire: RecordingSerializer;
  let respWire: RecordingSerializer;
  beforeAll(async () => {
    const route = nexusRoute(routeName);
    origWire = recording(route.serializer());
    respWire = recording(route.serializer());
    [orig, resp] = await Promise.all([
      open(route, { serializers: [origWire], codec: scheme.originator() }),
      open(route, { serializers: [respWire], codec: scheme.responder() }),
    ]);
    expect([orig.payloadDialect, resp.payloadDialect]).toEqual(['passthru', 'passthru']);
  });

  it('PUBLISH → EVENT: the attributes and the bytes pass unchanged, the subscriber opens the values', async () => {
    const topic = uniqueUri(`${PREFIX}topic`);
    const seen: EventData[] = [];
    await resp.subscribe(topic, (ev) => void seen.push(ev));
    await orig.publish(topic, ARGS, KWARGS, { acknowledge: true });
    await waitFor(() => seen.length === 1, 5000, 'event');
    expect(seen[0]).toMatchObject({ args: ARGS, kwargs: KWARGS });
    expectPassedThrough(lastOf(origWire.sent, 16), lastOf(respWire.received, 36), scheme.attrs);
    // the router logged the PUBLISH, which held only the opaque bytes (the plain control shows)
    await orig.publish(uniqueUri('com.test.nexus.plain'), [CONTROL], {}, { acknowledge: true });
    const log = nexus().readLog();
    expect(log).toContain(CONTROL);
    expect(log).toMatch(new RegExp(`submitting PUBLISH: .*${topic.replace(/\./g, '\\.')}`));
    expect(log).not.toContain(MARKER);
  });

  it('CALL → INVOCATION and YIELD → RESULT: both legs opaque, the values round-trip', async () => {
    const uri = uniqueUri(`${PREFIX}echo`);
    await resp.register(uri, (inv) => new Result([...inv.args, 'yielded'], inv.kwargs));
    const res = await orig.call(uri, ARGS, KWARGS);
    expect(res.args).toEqual([...ARGS, 'yielded']);
    expect(res.kwargs).toEqual(KWARGS);
    expectPassedThrough(lastOf(origWire.sent, 48), lastOf(respWire.received, 68), scheme.attrs);
    expectPassedThrough(lastOf(respWire.sent, 70), lastOf(origWire.received, 50), scheme.attrs);
  });

  it('ERROR: an error URI under the prefix travels opaque, and the caller opens it', async () => {
    const uri = uniqueUri(`${PREFIX}refuse`);
    const errorUri = `${PREFIX}error.refused`;
    await resp.register(uri, () => {
      throw new ApplicationError(errorUri, ['no', BIN], { why: 'asked to' });
    });
    const err = await orig.call(uri, ['please']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err).toMatchObject({ uri: errorUri, args: ['no', BIN], kwargs: { why: 'asked to' } });
    expectPassedThrough(lastOf(respWire.sent, 8), lastOf(origWire.received, 8), scheme.attrs);
  });
});
