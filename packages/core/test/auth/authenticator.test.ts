import { Session, anonymous, computeWampcraSignature, connectWith, ticket, wampcra } from '../../src/index';
import { MessageType as T } from '../../src/internal';
import type { Authenticator, ConnectOptions, Dict, TransportFactory } from '../../src/index';
import { FakeTransport } from '../helpers/fake-transport';

/** Every fake transport a test used: dropped after each test so no session (or timer) outlives it. */
const transports: FakeTransport[] = [];
function fake(): FakeTransport {
  const t = new FakeTransport();
  transports.push(t);
  return t;
}
afterEach(() => {
  for (const t of transports.splice(0)) t.drop();
});

/** A connect whose transport is a {@link FakeTransport}; resolves once HELLO was sent. */
async function start(
  options: Partial<ConnectOptions>,
): Promise<{ t: FakeTransport; hello: Dict; session: Promise<Session> }> {
  const t = fake();
  const helloSent = t.next(T.HELLO);
  const factory: TransportFactory = async () => t;
  const session = connectWith(factory, { url: 'ws://router.test/ws', realm: 'realm1', ...options });
  session.catch(() => undefined);
  const hello = await Promise.race([
    helloSent,
    session.then(
      () => null,
      () => null,
    ),
  ]);
  if (hello === null) await session; // throws the connect error
  return { t, hello: (hello as unknown[])[2] as Dict, session };
}

/** Play the router's CHALLENGE and return the client's AUTHENTICATE. */
async function challenge(t: FakeTransport, method: string, extra: Dict = {}): Promise<unknown[]> {
  const answered = t.next(T.AUTHENTICATE);
  t.deliver([T.CHALLENGE, method, extra]);
  return answered;
}

function welcome(t: FakeTransport, details: Dict = {}): void {
  t.deliver([T.WELCOME, 1, { roles: { broker: {}, dealer: {} }, ...details }]);
}

describe('connect({ auth })', () => {
  it('offers one authenticator and answers its CHALLENGE', async () => {
    const { t, hello, session } = await start({ auth: ticket('ticket-secret', { authid: 'ticket-user' }) });
    expect(hello['authmethods']).toEqual(['ticket']);
    expect(hello['authid']).toBe('ticket-user');
    expect(hello).not.toHaveProperty('authextra');
    expect(await challenge(t, 'ticket')).toEqual([T.AUTHENTICATE, 'ticket-secret', {}]);
    welcome(t, { authid: 'ticket-user', authrole: 'user', authmethod: 'ticket' });
    const s = await session;
    expect(s.welcome.authmethod).toBe('ticket');
  });

  it('offers several methods in order and dispatches the CHALLENGE by method', async () => {
    const { t, hello, session } = await start({
      auth: [wampcra('cra-secret', { authid: 'cra-user' }), ticket('tkt'), anonymous()],
    });
    expect(hello['authmethods']).toEqual(['wampcra', 'ticket', 'anonymous']);
    expect(hello['authid']).toBe('cra-user');
    const auth = await challenge(t, 'wampcra', { challenge: 'the-challenge' });
    expect(auth).toEqual([T.AUTHENTICATE, await computeWampcraSignature('cra-secret', 'the-challenge'), {}]);
    welcome(t);
    await expect(session).resolves.toBeInstanceOf(Session);
  });

  it('takes the authid from the first authenticator that has one, unless authid is set', async () => {
    const first = await start({ auth: [ticket('a'), wampcra('b', { authid: 'second' }), ticket2('c', 'third')] });
    expect(first.hello['authid']).toBe('second');
    const explicit = await start({ auth: [wampcra('b', { authid: 'second' })], authid: 'mine', authrole: 'admin' });
    expect(explicit.hello['authid']).toBe('mine');
    expect(explicit.hello['authrole']).toBe('admin');
  });

  it('merges authextra: the earlier authenticator wins, options.authextra wins over all', async () => {
    const a: Authenticator = { method: 'x-a', authextra: { k: 'a', onlyA: 1 }, challenge: () => 'sig-a' };
    const b: Authenticator = { method: 'x-b', authextra: { k: 'b', onlyB: 2 }, challenge: () => 'sig-b' };
    const merged = await start({ auth: [a, b] });
    expect(merged.hello['authextra']).toEqual({ k: 'a', onlyA: 1, onlyB: 2 });
    const over = await start({ auth: [a, b], authextra: { k: 'mine' } });
    expect(over.hello['authextra']).toEqual({ k: 'mine', onlyA: 1, onlyB: 2 });
  });

  it('passes the CHALLENGE extra to the authenticator and sends its extra back', async () => {
    const seen: Dict[] = [];
    const custom: Authenticator = {
      method: 'x-custom',
      challenge: async (extra) => {
        seen.push(extra);
        return { signature: 'signed', extra: { nonce: extra['nonce'] } };
      },
    };
    const { t, session } = await start({ auth: custom });
    expect(await challenge(t, 'x-custom', { nonce: 7 })).toEqual([T.AUTHENTICATE, 'signed', { nonce: 7 }]);
    expect(seen).toEqual([{ nonce: 7 }]);
    welcome(t);
    await session;
  });

  it('awaits prepare() before opening the transport and reads authextra after it', async () => {
    const order: string[] = [];
    let extra: Dict | undefined;
    const lazy: Authenticator = {
      method: 'x-lazy',
      get authextra() {
        order.push('authextra');
        return extra;
      },
      prepare: async () => {
        await new Promise((r) => setTimeout(r, 5));
        order.push('prepare');
        extra = { pubkey: 'abc' };
      },
      challenge: () => 'sig',
    };
    const t = fake();
    const helloSent = t.next(T.HELLO);
    const session = connectWith(
      async () => {
        order.push('transport');
        return t;
      },
      { url: 'ws://router.test/ws', realm: 'realm1', auth: lazy },
    );
    const hello = await helloSent;
    expect((hello[2] as Dict)['authextra']).toEqual({ pubkey: 'abc' });
    expect(order).toEqual(['prepare', 'authextra', 'transport']);
    welcome(t);
    await session;
  });

  it('aborts with ERR_AUTHENTICATION when the router challenges a method that was not offered', async () => {
    const { t, session } = await start({ auth: ticket('tkt') });
    t.deliver([T.CHALLENGE, 'wampcra', { challenge: 'c' }]);
    const err = await session.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.authentication_failed' });
    expect((err as Error).message).toContain('"wampcra", which was not offered');
    expect(t.last(T.ABORT)?.[2]).toBe('wamp.error.authentication_failed');
  });

  it('aborts with ERR_AUTHENTICATION when an authenticator fails', async () => {
    const { t, session } = await start({ auth: ticket(async () => Promise.reject(new Error('token service down'))) });
    t.deliver([T.CHALLENGE, 'ticket', {}]);
    const err = await session.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION' });
    expect((err as Error).message).toContain('token service down');
    expect(t.last(T.AUTHENTICATE)).toBeUndefined();
  });

  it('reports the router ABORT after AUTHENTICATE as ERR_AUTHENTICATION with reason and message', async () => {
    const { t, session } = await start({ auth: ticket('wrong', { authid: 'ticket-user' }) });
    await challenge(t, 'ticket');
    t.deliver([
      T.ABORT,
      { message: 'ticket in static WAMP-Ticket authentication is invalid' },
      'wamp.error.not_authorized',
    ]);
    await expect(session).rejects.toMatchObject({
      code: 'ERR_AUTHENTICATION',
      reason: 'wamp.error.not_authorized',
      details: { message: 'ticket in static WAMP-Ticket authentication is invalid' },
    });
  });

  it('calls a ticket callback once per connect', async () => {
    let calls = 0;
    const auth = ticket(() => `t${++calls}`, { authid: 'u' });
    for (const expected of ['t1', 't2']) {
      const { t, session } = await start({ auth });
      expect((await challenge(t, 'ticket'))[1]).toBe(expected);
      welcome(t);
      await session;
    }
    expect(calls).toBe(2);
  });

  it('refuses invalid auth options before opening the transport', async () => {
    let opened = 0;
    const factory: TransportFactory = async () => {
      opened++;
      return fake();
    };
    const base = { url: 'ws://router.test/ws', realm: 'realm1' };
    const bad: Partial<ConnectOptions>[] = [
      { auth: [] },
      { auth: [ticket('a'), ticket('b')] },
      { auth: { method: '', challenge: () => 'x' } },
      { auth: { method: 'x' } as unknown as Authenticator },
      { auth: ticket('a'), authmethods: ['ticket'] },
      { auth: ticket('a'), onChallenge: () => 'x' },
    ];
    for (const b of bad)
      await expect(connectWith(factory, { ...base, ...b })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const cause = new Error('no key');
    const err = await connectWith(factory, {
      ...base,
      auth: { method: 'x', prepare: () => Promise.reject(cause), challenge: () => 'x' },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.authentication_failed', cause });
    expect((err as Error).message).toContain('the x authenticator failed to prepare: no key');
    expect(opened).toBe(0);
  });

  it('says what is wrong with an invalid auth option', async () => {
    const factory: TransportFactory = async () => fake();
    const base = { url: 'ws://router.test/ws', realm: 'realm1' };
    const cases: [Partial<ConnectOptions>, string][] = [
      [{ auth: [] }, 'no authenticator'],
      [{ auth: [ticket('a'), null as unknown as Authenticator] }, 'entry 1 is not an Authenticator'],
      [{ auth: 'ticket' as unknown as Authenticator }, 'entry 0 is not an Authenticator'],
      [{ auth: { method: 'x', challenge: 'sig' } as unknown as Authenticator }, 'entry 0 is not an Authenticator'],
      [
        { auth: { method: 'x', prepare: true, challenge: () => 'x' } as unknown as Authenticator },
        'entry 0 is not an Authenticator',
      ],
      [{ auth: [ticket('a'), anonymous(), ticket('b')] }, 'method "ticket" is offered twice'],
      [{ auth: ticket('a'), authmethods: ['ticket'] }, 'pass either auth or authmethods/onChallenge, not both'],
    ];
    for (const [options, message] of cases) {
      await expect(connectWith(factory, { ...base, ...options })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringContaining(message),
      });
    }
  });

  it('uses the authenticators as they were when connect was called', async () => {
    const auth = [ticket('tkt')];
    const { t, session } = await start({ auth });
    auth.push(wampcra('cra'));
    t.deliver([T.CHALLENGE, 'wampcra', { challenge: 'c' }]);
    await expect(session).rejects.toMatchObject({
      code: 'ERR_AUTHENTICATION',
      message: expect.stringContaining('(offered: ticket)'),
    });
  });

  it('keeps the raw authmethods/onChallenge options working without auth', async () => {
    const { t, hello, session } = await start({
      authmethods: ['ticket'],
      authid: 'raw',
      onChallenge: (m) => `raw-${m}`,
    });
    expect(hello['authmethods']).toEqual(['ticket']);
    expect(hello['authid']).toBe('raw');
    expect(await challenge(t, 'ticket')).toEqual([T.AUTHENTICATE, 'raw-ticket', {}]);
    welcome(t);
    await session;
  });

  it('sends no authmethods without auth options', async () => {
    const { t, hello, session } = await start({});
    expect(hello).not.toHaveProperty('authmethods');
    expect(hello).not.toHaveProperty('authid');
    welcome(t);
    await session;
  });
});

/** A ticket authenticator under another method name (to offer two ticket-like methods). */
function ticket2(value: string, authid: string): Authenticator {
  return { ...ticket(value, { authid }), method: 'x-ticket' };
}
