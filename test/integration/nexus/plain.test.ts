/**
 * gammazero/nexus, the router of the WAMP spec's dialect: plain RPC and PubSub on every transport
 * (WebSocket, RawSocket over TCP and over a Unix socket) and serializer (json, msgpack, cbor) it
 * offers, each session pair on one serializer. The router is this file's own (see ./nexus.ts).
 */
import { ApplicationError, Result } from '@wampbox/wamp-client';
import type { EventData, Session } from '@wampbox/wamp-client';
import { open, uniqueUri, waitFor } from '../helpers';
import { NEXUS_ROUTE_NAMES, nexusRoute, useNexus } from './nexus';

const nexus = useNexus();

const BIN = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
/** Values of every kind WAMP carries, binary at depth among them. */
const ARGS = [0, -1.5, 2 ** 40, 'text ✓', true, null, BIN, { nested: [BIN, { deeper: BIN }] }];
const KWARGS = { bin: BIN, list: [1, 'two'], map: { a: null } };

it(`runs nexus v3.3.0 (${NEXUS_ROUTE_NAMES.length} routes)`, () => {
  expect(nexus().version).toBe('v3.3.0');
});

describe.each(NEXUS_ROUTE_NAMES)('nexus over %s', (name) => {
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    const route = nexusRoute(name);
    [a, b] = await Promise.all([open(route), open(route)]);
  });

  it('reads the spec dialect from WELCOME: payload_passthru_mode, no payload_transparency', () => {
    expect(a.payloadDialect).toBe('passthru');
    const roles = a.welcome.roles as Record<string, { features?: Record<string, unknown> }>;
    for (const role of ['broker', 'dealer']) {
      expect(roles[role]?.features?.['payload_passthru_mode']).toBe(true);
      expect(roles[role]?.features?.['payload_transparency']).toBeUndefined();
    }
  });

  it('round-trips args, kwargs and binary values through a call and its result', async () => {
    const uri = uniqueUri('com.test.nexus.echo');
    await b.register(uri, (inv) => new Result(inv.args, { ...inv.kwargs, callee: b.id }));
    const res = await a.call(uri, ARGS, KWARGS);
    expect(res.args).toEqual(ARGS);
    expect(res.kwargs).toEqual({ ...KWARGS, callee: b.id });
    expect((res.args[7] as { nested: Uint8Array[] }).nested[0]).toBeInstanceOf(Uint8Array);
  });

  it('delivers an application error and progressive results', async () => {
    const uri = uniqueUri('com.test.nexus.progress');
    await b.register(uri, (inv) => {
      if (inv.args[0] === 'fail') throw new ApplicationError('com.test.nexus.failed', [BIN], { why: 'asked' });
      for (let i = 0; i < 3; i++) inv.progress([i]);
      return 'done';
    });
    const seen: unknown[] = [];
    const res = await a.call(uri, ['go'], undefined, { onProgress: (r) => void seen.push(r.args[0]) });
    expect(seen).toEqual([0, 1, 2]);
    expect(res.args).toEqual(['done']);
    await expect(a.call(uri, ['fail'])).rejects.toMatchObject({
      uri: 'com.test.nexus.failed',
      args: [BIN],
      kwargs: { why: 'asked' },
    });
  });

  it('delivers events with args, kwargs and binary values, acknowledged with a publication id', async () => {
    const topic = uniqueUri('com.test.nexus.topic');
    const seen: EventData[] = [];
    await b.subscribe(topic, (ev) => void seen.push(ev));
    const publication = await a.publish(topic, ARGS, KWARGS, { acknowledge: true, discloseMe: true });
    await waitFor(() => seen.length === 1, 5000, 'event');
    expect(seen[0]).toMatchObject({ args: ARGS, kwargs: KWARGS, publication, topic });
    expect(seen[0]!.details['publisher']).toBe(a.id);
  });
});
