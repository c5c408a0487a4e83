/**
 * Bad local input is refused with ERR_INVALID_ARGUMENT before anything is sent, and the session
 * (or connection) stays usable: what Crossbar.io would answer by dropping the connection never
 * reaches it. The same table runs against the real router in test/integration/bad-input.test.ts.
 */
import { Connection, InvalidArgumentError, Result, Session, connectWith } from '../../src/index';
import { MessageType as T } from '../../src/internal';
import type { Transport, TransportFactory } from '../../src/index';
import { BAD_INPUT } from '../helpers/bad-input';
import { FakeTransport } from '../helpers/fake-transport';

const ROLES = { broker: {}, dealer: {} };

async function joined(options: { uriRules?: 'loose' | 'strict' } = {}): Promise<{ t: FakeTransport; s: Session }> {
  const t = new FakeTransport();
  const p = Session.join(t, { realm: 'realm1', ...options });
  t.deliver([T.WELCOME, 42, { roles: ROLES }]);
  return { t, s: await p };
}

describe('bad local input', () => {
  it.each(BAD_INPUT.map((c) => [c.name, c] as const))(
    '%s is refused with ERR_INVALID_ARGUMENT; nothing is sent',
    async (_name, c) => {
      const { t, s } = await joined();
      const call = s.call('com.x.inflight');
      const sentBefore = t.sent.length;
      await expect(c.run(s)).rejects.toMatchObject({ name: 'InvalidArgumentError', code: 'ERR_INVALID_ARGUMENT' });
      expect(t.sent.length).toBe(sentBefore);
      expect(s.isOpen).toBe(true);
      // the call in flight before is unharmed
      t.deliver([T.RESULT, t.last(T.CALL)![1], {}, ['ok']]);
      await expect(call).resolves.toMatchObject({ args: ['ok'] });
    },
  );

  it.each(BAD_INPUT.map((c) => [c.name, c] as const))(
    '%s is refused by a Connection, connected or not',
    async (_name, c) => {
      const t = new FakeTransport();
      const factory: TransportFactory = () => Promise.resolve(t as Transport);
      const conn = new Connection(factory, { url: 'ws://x', realm: 'realm1', reconnect: false, closeTimeoutMs: 1 });
      await expect(c.run(conn)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect(conn.waitingCount).toBe(0);
      const opened = conn.open();
      await new Promise((r) => setImmediate(r));
      t.deliver([T.WELCOME, 42, { roles: ROLES }]);
      await opened;
      const sentBefore = t.sent.length;
      await expect(c.run(conn)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect(t.sent.length).toBe(sentBefore);
      expect(conn.isOpen).toBe(true);
      await conn.close();
    },
  );

  it('takes Infinity (and 0) as no deadline, not as one of 1 ms', async () => {
    const { t, s } = await joined();
    const infinite = s.call('com.x.p', [], {}, { timeoutMs: Number.POSITIVE_INFINITY });
    const zero = s.call('com.x.p', [], {}, { timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 20));
    const calls = t.sent.filter((m) => m[0] === T.CALL);
    expect(t.sent.filter((m) => m[0] === T.CANCEL)).toEqual([]);
    for (const m of calls) t.deliver([T.RESULT, m[1], {}, [m[1]]]);
    await expect(infinite).resolves.toMatchObject({ args: [calls[0]![1]] });
    await expect(zero).resolves.toMatchObject({ args: [calls[1]![1]] });
  });

  it('leaves no pending entry behind a refused signal', async () => {
    const { t, s } = await joined();
    await expect(s.call('com.x.p', [], {}, { signal: {} as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    const closed = s.close();
    t.deliver([T.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    expect((await closed).reason).toBe('wamp.close.close_realm');
  });

  it('checks URIs under the strict rules when asked', async () => {
    const { t, s } = await joined({ uriRules: 'strict' });
    await expect(s.call('com.Example.add')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    void s.subscribe('com.example.', undefined, { match: 'prefix' });
    expect(t.last(T.SUBSCRIBE)).toEqual([T.SUBSCRIBE, expect.any(Number), { match: 'prefix' }, 'com.example.']);
  });

  it('refuses bad progressive results and a Result of the wrong shape from the handler', async () => {
    expect(() => new Result('x' as never)).toThrow(InvalidArgumentError);
    expect(() => new Result([], [] as never)).toThrow(InvalidArgumentError);
    const { t, s } = await joined();
    const errors: Error[] = [];
    s.on('error', (e) => void errors.push(e));
    let thrown: unknown;
    const reg = s.register('com.x.p', (inv) => {
      try {
        inv.progress('not a list' as never);
      } catch (e) {
        thrown = e;
      }
      return 1;
    });
    t.deliver([T.REGISTERED, t.last(T.REGISTER)![1], 7]);
    await reg;
    t.deliver([T.INVOCATION, 100, 7, { receive_progress: true }, []]);
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect(t.last(T.YIELD)).toEqual([T.YIELD, 100, {}, [1]]);
  });

  it('answers with a valid ERROR when a handler throws an ApplicationError with an invalid URI', async () => {
    const { ApplicationError } = await import('../../src/index');
    const { t, s } = await joined();
    const errors: Error[] = [];
    s.on('error', (e) => void errors.push(e));
    const reg = s.register('com.x.p', () => {
      throw new ApplicationError('not a uri!', ['x']);
    });
    t.deliver([T.REGISTERED, t.last(T.REGISTER)![1], 7]);
    await reg;
    t.deliver([T.INVOCATION, 100, 7, {}, []]);
    await new Promise((r) => setImmediate(r));
    expect(t.last(T.ERROR)).toEqual([T.ERROR, T.INVOCATION, 100, {}, 'wamp.error.runtime_error', ['malformed error']]);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' })]);
    expect(s.isOpen).toBe(true);
  });
});

describe('bad connect options', () => {
  const factory: TransportFactory = () => Promise.reject(new Error('must not be reached'));
  const cases: [string, unknown][] = [
    ['no options', undefined],
    ['null', null],
    ['url: 5', { url: 5, realm: 'realm1' }],
    ['no url', { realm: 'realm1' }],
    ['no realm', { url: 'ws://x' }],
    ['realm: 5', { url: 'ws://x', realm: 5 }],
    ['realm with a space', { url: 'ws://x', realm: 'my realm' }],
    ['serializers: []', { url: 'ws://x', realm: 'r', serializers: [] }],
    ['serializers: [5]', { url: 'ws://x', realm: 'r', serializers: [5] }],
    ['maxFrameBytes: 0', { url: 'ws://x', realm: 'r', maxFrameBytes: 0 }],
    ['maxFrameBytes: "1"', { url: 'ws://x', realm: 'r', maxFrameBytes: '1' }],
    ['connectTimeoutMs: Infinity', { url: 'ws://x', realm: 'r', connectTimeoutMs: Number.POSITIVE_INFINITY }],
    ['joinTimeoutMs: -5', { url: 'ws://x', realm: 'r', joinTimeoutMs: -5 }],
    ['signal: {}', { url: 'ws://x', realm: 'r', signal: {} }],
    ['codec: {}', { url: 'ws://x', realm: 'r', codec: {} }],
    ['authmethods: "ticket"', { url: 'ws://x', realm: 'r', authmethods: 'ticket' }],
    ['uriRules: "lax"', { url: 'ws://x', realm: 'r', uriRules: 'lax' }],
  ];

  it.each(cases)('%s: connectWith() rejects with ERR_INVALID_ARGUMENT', async (_name, options) => {
    await expect(connectWith(factory, options as never)).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it.each(cases)('%s: new Connection() throws ERR_INVALID_ARGUMENT', (_name, options) => {
    expect(() => new Connection(factory, options as never)).toThrow(InvalidArgumentError);
  });

  it.each([
    ['reconnect: 5', { reconnect: 5 }],
    ['reconnect.factor: 0.5', { reconnect: { factor: 0.5 } }],
    ['reconnect.jitter: 2', { reconnect: { jitter: 2 } }],
    ['reconnect.maxAttempts: 0', { reconnect: { maxAttempts: 0 } }],
    ['heartbeat: true', { heartbeat: true }],
    ['heartbeat.intervalMs: -1', { heartbeat: { intervalMs: -1 } }],
    ['callsWhileDisconnected: "queue"', { callsWhileDisconnected: 'queue' }],
    ['maxWaiting: 1.5', { maxWaiting: 1.5 }],
  ])('%s: new Connection() throws ERR_INVALID_ARGUMENT', (_name, extra) => {
    expect(() => new Connection(factory, { url: 'ws://x', realm: 'r', ...extra } as never)).toThrow(
      InvalidArgumentError,
    );
  });
});
