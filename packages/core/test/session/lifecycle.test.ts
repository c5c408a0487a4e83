/**
 * The session's state machine against what could break it from outside: a HELLO the transport
 * cannot send, and user code (listeners) that throws in the middle of a transition.
 */
import { Connection, Session, TransportError, connectWith, json } from '../../src/index';
import { MessageType as T } from '../../src/internal';
import type { Logger, Transport, TransportFactory } from '../../src/index';
import { FakeTransport } from '../helpers/fake-transport';

const ROLES = { broker: {}, dealer: {} };

/** A transport that, like the real ones, refuses frames over its limit with ERR_FRAME_TOO_LARGE. */
class SmallFrameTransport extends FakeTransport {
  override readonly maxFrameBytes = 512;
  override send(frame: string | Uint8Array): void {
    const text = JSON.stringify(frame);
    if (text.length > this.maxFrameBytes) {
      throw new TransportError(`frame of ${text.length} bytes exceeds the limit of ${this.maxFrameBytes} bytes`, {
        code: 'ERR_FRAME_TOO_LARGE',
      });
    }
    super.send(frame);
  }
}

describe('a HELLO that cannot be sent', () => {
  it('fails connect() at once with ERR_FRAME_TOO_LARGE, not after the join timeout', async () => {
    const t = new SmallFrameTransport();
    const factory: TransportFactory = () => Promise.resolve(t as Transport);
    const started = Date.now();
    // a HELLO with a long authextra, as cryptosign or a large client announcement makes it
    const p = connectWith(factory, {
      url: 'rs://x',
      realm: 'realm1',
      authextra: { pad: 'x'.repeat(600) },
      serializers: [json()],
    });
    await expect(p).rejects.toMatchObject({ name: 'TransportError', code: 'ERR_FRAME_TOO_LARGE' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(t.closed).not.toBeNull();
  });
});

describe('listeners that throw', () => {
  async function joined(logger?: Logger): Promise<{ t: FakeTransport; s: Session }> {
    const t = new FakeTransport();
    const p = Session.join(t, { realm: 'realm1', logger, closeTimeoutMs: 20 });
    t.deliver([T.WELCOME, 42, { roles: ROLES }]);
    return { t, s: await p };
  }

  it('a close listener that throws leaves nothing open and reaches the error listeners', async () => {
    const { t, s } = await joined();
    const errors: unknown[] = [];
    s.on('close', () => {
      throw new Error('close listener broke');
    });
    s.on('error', (e) => void errors.push(e));
    const info = s.close();
    t.deliver([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    expect((await info).clean).toBe(true);
    expect(t.closed).not.toBeNull();
    expect(errors).toEqual([new Error('close listener broke')]);
  });

  it('on the close-timeout path, a throwing close listener is no uncaught exception and the transport closes', async () => {
    const warnings: unknown[] = [];
    const { t, s } = await joined({ warn: (m, f) => void warnings.push([m, f]) });
    s.on('close', () => {
      throw new Error('close listener broke');
    });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const info = await s.close(); // no GOODBYE reply: the 20 ms close timeout ends the session
      expect(info.clean).toBe(false);
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(t.closed).not.toBeNull();
    expect(warnings).toEqual([['a session close listener threw', { name: 'Error' }]]);
  });

  it('an open listener that throws on a Connection: open() still settles, no unhandled rejection', async () => {
    const t = new FakeTransport();
    const conn = new Connection(() => Promise.resolve(t as Transport), {
      url: 'ws://x',
      realm: 'realm1',
      reconnect: false,
      closeTimeoutMs: 1,
    });
    const errors: unknown[] = [];
    conn.on('open', () => {
      throw new Error('open listener broke');
    });
    conn.on('error', (e) => void errors.push(e));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const opened = conn.open();
      await new Promise((r) => setImmediate(r));
      t.deliver([T.WELCOME, 42, { roles: ROLES }]);
      await expect(opened).resolves.toBeInstanceOf(Session);
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(errors).toEqual([new Error('open listener broke')]);
    expect(conn.isOpen).toBe(true);
    await conn.close();
  });
});
