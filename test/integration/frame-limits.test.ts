/**
 * Frame limits against the real Crossbar: what a subscriber or caller with a small `maxFrameBytes`
 * sees when the router has a larger message for it. Over WebSocket the router cannot know the
 * client's limit, sends the message, and the client ends the session with ERR_FRAME_TOO_LARGE.
 * Over RawSocket the client announces its limit in the handshake and Crossbar keeps to it.
 */
import { ApplicationError, cbor, json } from '@wampbox/wamp-client';
import type { Session } from '@wampbox/wamp-client';
import { routerInfo } from './router';
import { closeAll, open, uniqueUri, waitFor } from './helpers';

afterAll(closeAll);

const LIMIT = 16 * 1024;
const BIG = 'x'.repeat(64 * 1024);

/** A session with the given limit, over WebSocket (JSON) or RawSocket (CBOR). */
function session(transport: 'ws' | 'rs', maxFrameBytes?: number): Promise<Session> {
  const info = routerInfo();
  const route =
    transport === 'ws'
      ? { name: 'websocket/json', url: info.wsUrl, serializer: json }
      : { name: 'rawsocket-tcp/cbor', url: info.rsUrl, serializer: cbor };
  return open(route, maxFrameBytes === undefined ? {} : { maxFrameBytes });
}

describe('frame limits on Crossbar', () => {
  it('over WebSocket: an event over maxFrameBytes ends the session with ERR_FRAME_TOO_LARGE', async () => {
    const publisher = await session('ws');
    const subscriber = await session('ws', LIMIT);
    const topic = uniqueUri('com.test.frames.topic');
    const procedure = uniqueUri('com.test.frames.slow');
    let invoked = false;
    await publisher.register(procedure, () => {
      invoked = true;
      return new Promise(() => undefined); // never answers: the call stays pending
    });
    const delivered: unknown[] = [];
    await subscriber.subscribe(topic, (ev) => void delivered.push(ev.args));
    const pending = subscriber.call(procedure);
    await waitFor(() => invoked, 5000, 'the call to reach the callee');

    await publisher.publish(topic, [BIG], {}, { acknowledge: true });

    // the pending call learns why, and so does `closed`
    await expect(pending).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
    const closed = await subscriber.closed;
    expect(closed).toMatchObject({ reason: 'wamp.close.transport_closed', local: true, clean: false });
    expect(closed.error).toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
    expect(closed.error!.message).toContain(`limit of ${LIMIT} bytes`);
    expect(delivered).toEqual([]);
    expect(publisher.isOpen).toBe(true);
  });

  it('over RawSocket: Crossbar keeps to the announced limit and drops the event; the session stays', async () => {
    const publisher = await session('ws');
    const subscriber = await session('rs', LIMIT);
    const topic = uniqueUri('com.test.frames.topic');
    const delivered: number[] = [];
    await subscriber.subscribe(topic, (ev) => void delivered.push((ev.args[0] as string).length));

    await publisher.publish(topic, [BIG], {}, { acknowledge: true });
    await publisher.publish(topic, ['small'], {}, { acknowledge: true });

    await waitFor(() => delivered.length > 0, 5000, 'the small event');
    expect(delivered).toEqual([5]);
    expect(subscriber.isOpen).toBe(true);
  });

  it('over RawSocket: a result over the announced limit comes back as wamp.error.invalid_argument', async () => {
    const callee = await session('ws');
    const caller = await session('rs', LIMIT);
    const procedure = uniqueUri('com.test.frames.big');
    await callee.register(procedure, () => BIG);
    const err = await caller.call(procedure).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err).toMatchObject({ code: 'ERR_APPLICATION', uri: 'wamp.error.invalid_argument' });
    expect(caller.isOpen).toBe(true);
  });
});
