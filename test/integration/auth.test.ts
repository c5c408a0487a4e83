import {
  ApplicationError,
  JoinRefusedError,
  anonymous,
  connect,
  cryptosign,
  ticket,
  wampcra,
} from '@wampbox/wamp-client';
import type { Authenticator, ConnectOptions, Session } from '@wampbox/wamp-client';
import { routerInfo } from './router';
import { closeAll, open, routes, uniqueUri, waitFor } from './helpers';
import type { Route } from './helpers';

afterAll(closeAll);

/**
 * The principals of scripts/router/config.json. The cryptosign seeds are the test keys
 * `client-cs-1` and `client-cs-2`, whose public keys the router lists as `authorized_keys`.
 */
const CS1 = {
  seed: '817e81806e3b60e6885524dc857375c326610212e4a145190a68dcf0091a70fa',
  pub: '043286a054b7ea144e3fd4815be1248d9111bdd62d766305f5a0a12873d5b686',
};
const CS2 = {
  seed: '29b99b9e8eb7c3b01896567ee962a5e28b8b1548c824e972dfddc58749e3c0ae',
  pub: '627b91221201afcf9d7da63e278108cf80a3ed87af1eebb5625f37a376a4aeca',
};
/** A seed whose public key no principal authorizes. */
const STRANGER_SEED = '11'.repeat(32);

/** One route per transport kind (each with a different serializer): authentication is per transport. */
function authRoutes(): Route[] {
  const all = routes();
  const pick = (name: string): Route[] => all.filter((r) => r.name === name);
  return [
    ...pick('websocket/json'),
    ...pick('rawsocket-tcp/msgpack'),
    ...all.filter((r) => r.name.startsWith('rawsocket-unix/')),
  ];
}

/** Connect with authentication, failing the test on a refusal. */
function join(
  route: Route,
  auth: Authenticator | Authenticator[],
  extra: Partial<ConnectOptions> = {},
): Promise<Session> {
  return open(route, { auth, ...extra });
}

/** Connect expecting a refusal; returns the error. */
async function refused(
  route: Route,
  auth: Authenticator | Authenticator[],
  extra: Partial<ConnectOptions> = {},
): Promise<JoinRefusedError> {
  const err = await connect({
    url: route.url,
    realm: routerInfo().realm,
    serializers: [route.serializer()],
    auth,
    ...extra,
  }).then(
    async (s) => {
      await s.close();
      throw new Error(`join unexpectedly succeeded as ${s.welcome.authid}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JoinRefusedError);
  return err as JoinRefusedError;
}

describe.each(authRoutes().map((r) => [r.name, r] as const))('authentication over %s', (_name, route) => {
  describe('ticket', () => {
    it('joins with the principal, its role and the method', async () => {
      const s = await join(route, ticket('ticket-secret', { authid: 'ticket-user' }));
      expect(s.welcome).toMatchObject({
        authid: 'ticket-user',
        authrole: 'user',
        authmethod: 'ticket',
        authprovider: 'static',
      });
    });

    it('refuses a wrong ticket with ERR_AUTHENTICATION and the router reason', async () => {
      const err = await refused(route, ticket('wrong', { authid: 'ticket-user' }));
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
      expect(err.details['message']).toEqual(expect.stringContaining('invalid'));
      expect(err.message).toContain('wamp.error.not_authorized');
      expect(err.message).not.toContain('wrong');
    });

    it('refuses an unknown principal', async () => {
      const err = await refused(route, ticket('ticket-secret', { authid: 'nobody' }));
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
      expect(err.details['message']).toEqual(expect.stringContaining('nobody'));
    });

    it('calls a ticket callback once per connect', async () => {
      let calls = 0;
      const auth = ticket(
        async () => {
          calls++;
          return 'ticket-secret';
        },
        { authid: 'ticket-user' },
      );
      await join(route, auth);
      expect(calls).toBe(1);
      await join(route, auth);
      expect(calls).toBe(2);
    });
  });

  describe('wampcra', () => {
    it('joins with a plain secret', async () => {
      const s = await join(route, wampcra('wampcra-secret', { authid: 'wampcra-user' }));
      expect(s.welcome).toMatchObject({ authid: 'wampcra-user', authrole: 'user', authmethod: 'wampcra' });
    });

    it('joins with a salted secret', async () => {
      const s = await join(route, wampcra('wampcra-salted-secret', { authid: 'wampcra-salted' }));
      expect(s.welcome).toMatchObject({ authid: 'wampcra-salted', authrole: 'user', authmethod: 'wampcra' });
    });

    it('refuses a wrong secret, plain or salted', async () => {
      for (const [secret, authid] of [
        ['nope', 'wampcra-user'],
        ['wampcra-secret', 'wampcra-salted'],
      ] as const) {
        const err = await refused(route, wampcra(secret, { authid }));
        expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
        expect(err.details['message']).toEqual(expect.stringContaining('signature is invalid'));
      }
    });

    it('refuses an unknown principal', async () => {
      const err = await refused(route, wampcra('wampcra-secret', { authid: 'nobody' }));
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
      expect(err.details['message']).toEqual(expect.stringContaining('nobody'));
    });
  });

  describe('cryptosign', () => {
    it('joins with the authid and the authorized key', async () => {
      const s = await join(route, cryptosign(CS1.seed, { authid: 'cryptosign-user' }));
      expect(s.welcome).toMatchObject({ authid: 'cryptosign-user', authrole: 'user', authmethod: 'cryptosign' });
    });

    it('joins without an authid: the router finds the principal by the public key', async () => {
      const s = await join(route, cryptosign(CS2.seed));
      expect(s.welcome).toMatchObject({ authid: 'cryptosign-user2', authrole: 'user', authmethod: 'cryptosign' });
    });

    it("refuses another principal's key (wrong secret)", async () => {
      const err = await refused(route, cryptosign(CS2.seed, { authid: 'cryptosign-user' }));
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
      expect(err.details['message']).toEqual(expect.stringContaining('authorized_keys'));
    });

    it('refuses an unknown principal and an unknown key', async () => {
      const byId = await refused(route, cryptosign(CS1.seed, { authid: 'nobody' }));
      expect(byId).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
      expect(byId.details['message']).toEqual(expect.stringContaining('nobody'));
      const byKey = await refused(route, cryptosign(STRANGER_SEED));
      expect(byKey).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
    });
  });

  describe('several methods', () => {
    it('offers them in order; the router takes the first it has configured', async () => {
      const s = await join(route, [
        wampcra('wampcra-secret', { authid: 'wampcra-user' }),
        ticket('unused'),
        anonymous(),
      ]);
      expect(s.welcome).toMatchObject({ authid: 'wampcra-user', authmethod: 'wampcra' });
    });

    it('does not fall back to the next method when the chosen one fails', async () => {
      const err = await refused(route, [
        ticket('wrong', { authid: 'ticket-user' }),
        wampcra('wampcra-secret', { authid: 'wampcra-user' }),
      ]);
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
    });

    it('skips a known but unconfigured method, and refuses when none is configured', async () => {
      const scram: Authenticator = { method: 'scram', challenge: () => 'unused' };
      const s = await join(route, [scram, ticket('ticket-secret', { authid: 'ticket-user' })]);
      expect(s.welcome.authmethod).toBe('ticket');
      const err = await refused(route, scram);
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.no_auth_method' });
    });

    it('refuses a method it does not know, even before one it has', async () => {
      const custom: Authenticator = { method: 'x-custom', challenge: () => 'unused' };
      const err = await refused(route, [custom, ticket('ticket-secret', { authid: 'ticket-user' })]);
      expect(err).toMatchObject({ code: 'ERR_AUTHENTICATION', reason: 'wamp.error.not_authorized' });
      expect(err.details['message']).toEqual(expect.stringContaining('x-custom'));
    });

    it('joins anonymously with anonymous()', async () => {
      const s = await join(route, anonymous());
      expect(s.welcome).toMatchObject({ authrole: 'anonymous', authmethod: 'anonymous' });
    });
  });

  describe('the restricted role', () => {
    let restricted: Session;
    let user: Session;
    beforeAll(async () => {
      restricted = await join(route, ticket('restricted-secret', { authid: 'ticket-restricted' }));
      user = await join(route, ticket('ticket-secret', { authid: 'ticket-user' }));
    });

    it('joins with role restricted', () => {
      expect(restricted.welcome).toMatchObject({
        authid: 'ticket-restricted',
        authrole: 'restricted',
        authmethod: 'ticket',
      });
    });

    it('may subscribe under com.example.public.', async () => {
      const topic = uniqueUri('com.example.public.auth');
      const seen: unknown[] = [];
      await restricted.subscribe(topic, (ev) => void seen.push(ev.args[0]));
      await user.publish(topic, ['hello'], {}, { acknowledge: true });
      await waitFor(() => seen.length === 1, 5000, 'event for the restricted subscriber');
      expect(seen).toEqual(['hello']);
    });

    it('may not subscribe elsewhere', async () => {
      const err = await restricted.subscribe(uniqueUri('com.example.private.auth')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationError);
      expect(err).toMatchObject({ uri: 'wamp.error.not_authorized' });
    });

    it('may not publish, even under com.example.public.', async () => {
      const err = await restricted
        .publish(uniqueUri('com.example.public.auth'), ['x'], {}, { acknowledge: true })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationError);
      expect(err).toMatchObject({ code: 'ERR_APPLICATION', uri: 'wamp.error.not_authorized' });
    });

    it('may not register', async () => {
      await expect(restricted.register(uniqueUri('com.example.public.reg'), () => 'x')).rejects.toMatchObject({
        uri: 'wamp.error.not_authorized',
      });
    });

    it('may not call', async () => {
      const proc = uniqueUri('com.example.public.proc');
      await user.register(proc, () => 'ok');
      const err = await restricted.call(proc).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationError);
      expect(err).toMatchObject({ uri: 'wamp.error.not_authorized' });
      await expect(user.call(proc)).resolves.toMatchObject({ args: ['ok'] });
      expect(restricted.isOpen).toBe(true);
    });
  });
});
