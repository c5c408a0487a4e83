/**
 * Bad local input against the real Crossbar.io: Crossbar answers a malformed message (a URI with an
 * empty component, Arguments that are not a list, an unknown match policy, a close reason that is
 * not a URI) by dropping the whole connection, which fails every other operation in flight. Every
 * case of the table must be refused locally, typed, with the session and a call in flight intact.
 */
import { ApplicationError, connect, connection } from '@wampbox/wamp-client';
import type { Session } from '@wampbox/wamp-client';
import { BAD_INPUT } from '../../packages/core/test/helpers/bad-input';
import { closeAll, open, routes, uniqueUri, waitFor } from './helpers';
import { routerInfo } from './router';

afterAll(closeAll);

const [websocket, rawsocket] = routes().filter((r) => r.name === 'websocket/json' || r.name === 'rawsocket-tcp/cbor');

describe.each([websocket!, rawsocket!].map((r) => [r.name, r] as const))('bad input over %s', (_name, route) => {
  let callee: Session;
  let caller: Session;
  let slow: string;
  let release: (() => void) | undefined;
  beforeAll(async () => {
    callee = await open(route);
    caller = await open(route);
    slow = uniqueUri('com.test.badinput.slow');
    await callee.register(slow, () => new Promise((resolve) => (release = () => resolve('done'))));
  });

  it('refuses every case of the table while a call is in flight, and both sessions stay up', async () => {
    const inflight = caller.call(slow);
    inflight.catch(() => undefined); // asserted below; a rejection meanwhile must not end the run
    await waitFor(() => release !== undefined, 5000, 'the invocation to reach the callee');
    const results: string[] = [];
    for (const c of BAD_INPUT) {
      const outcome = await c.run(caller).then(
        () => 'accepted',
        (e: { name?: string; code?: string }) => `${e.name}/${e.code}`,
      );
      if (outcome !== 'InvalidArgumentError/ERR_INVALID_ARGUMENT') results.push(`${c.name}: ${outcome}`);
    }
    expect(results).toEqual([]);
    expect(caller.isOpen).toBe(true);
    expect(callee.isOpen).toBe(true);
    release!();
    await expect(inflight).resolves.toMatchObject({ args: ['done'] });
    // the router saw nothing malformed: the session still works
    const echo = uniqueUri('com.test.badinput.echo');
    await callee.register(echo, (inv) => inv.args[0]);
    await expect(caller.call(echo, ['still here'])).resolves.toMatchObject({ args: ['still here'] });
  });

  it('answers a handler that throws an ApplicationError with a malformed URI with a valid ERROR', async () => {
    const uri = uniqueUri('com.test.badinput.badthrow');
    callee.on('error', () => undefined);
    await callee.register(uri, () => {
      throw new ApplicationError('not a valid uri!');
    });
    await expect(caller.call(uri)).rejects.toMatchObject({ uri: 'wamp.error.runtime_error' });
    expect(callee.isOpen).toBe(true);
  });
});

describe('bad connect options', () => {
  it('connect() refuses them with ERR_INVALID_ARGUMENT, not a TypeError', async () => {
    const { wsUrl, realm } = routerInfo();
    for (const options of [undefined, { url: 5, realm }, { realm }, { url: wsUrl }, { url: wsUrl, realm: 'a b' }]) {
      await expect(connect(options as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    expect(() => connection({ url: 5 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as never,
    );
  });
});
