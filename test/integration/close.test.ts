import { connect } from '@wampbox/wamp-client';
import { routerInfo } from './router';
import { closeAll, open, routes, uniqueUri } from './helpers';

afterAll(closeAll);

describe.each(routes().map((r) => [r.name, r] as const))('session lifecycle over %s', (_name, route) => {
  it('joins with what WELCOME granted and the router announces payload transparency', async () => {
    const s = await open(route);
    expect(s.id).toBeGreaterThan(0);
    expect(s.welcome.authrole).toBe('anonymous');
    expect(s.payloadDialect).toBe('transparency');
    expect(s.serializer).toBe(route.serializer().id);
  });

  it('closes with the GOODBYE handshake and settles pending calls', async () => {
    const callee = await open(route);
    const s = await open(route);
    const uri = uniqueUri('com.test.close.hang');
    await callee.register(uri, () => new Promise(() => undefined));
    const pending = s.call(uri);
    const info = await s.close();
    expect(info).toMatchObject({ clean: true, local: true });
    await expect(pending).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    await expect(s.call(uri)).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' });
    await expect(s.closed).resolves.toBe(info);
  });

  it('refuses an unknown realm with ERR_JOIN_REFUSED', async () => {
    await expect(
      connect({ url: route.url, realm: 'no.such.realm', serializers: [route.serializer()] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOIN_REFUSED',
      reason: 'wamp.error.no_such_realm',
    });
  });
});

describe('connection failures', () => {
  it('fails with ERR_TRANSPORT when nothing listens', async () => {
    const info = routerInfo();
    const dead = info.wsUrl.replace(/:\d+/, ':1');
    await expect(connect({ url: dead, realm: 'realm1' })).rejects.toMatchObject({ code: 'ERR_TRANSPORT' });
    await expect(connect({ url: 'rs://127.0.0.1:1', realm: 'realm1' })).rejects.toMatchObject({
      code: 'ERR_TRANSPORT',
    });
  });

  it('rejects frames over the limit with ERR_FRAME_TOO_LARGE and keeps the session', async () => {
    for (const route of routes()) {
      const s = await open(route, { maxFrameBytes: 64 * 1024 });
      await expect(s.publish(uniqueUri('com.test.big'), [new Uint8Array(128 * 1024)])).rejects.toMatchObject({
        code: 'ERR_FRAME_TOO_LARGE',
      });
      expect(s.isOpen).toBe(true);
    }
  });
});
