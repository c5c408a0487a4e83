/**
 * Progressive call invocations and the test router: the pinned Crossbar.io does not announce
 * `progressive_call_invocations` in WELCOME (its dealer has no such feature), so `callStream()` is
 * refused before anything goes out, as the spec makes a progressive CALL to such a router a
 * protocol error. The feature itself is tested through gammazero/nexus, which announces it
 * (nexus/progressive-invocations.test.ts).
 */
import type { Session } from '@wampbox/wamp-client';
import { closeAll, open, routes, uniqueUri } from './helpers';

afterAll(closeAll);

describe('progressive call invocations on Crossbar.io', () => {
  let caller: Session;
  let callee: Session;
  beforeAll(async () => {
    const route = routes()[0]!;
    [caller, callee] = await Promise.all([open(route), open(route)]);
  });

  it('is not announced by the router, and callStream() is refused with ERR_FEATURE_UNSUPPORTED', async () => {
    const dealer = (caller.welcome.roles as Record<string, { features?: Record<string, unknown> }>)['dealer'];
    expect(dealer?.features?.['call_canceling']).toBe(true);
    expect(dealer?.features?.['progressive_call_invocations']).toBeUndefined();
    const uri = uniqueUri('com.test.pci.crossbar');
    await callee.register(uri, (inv) => inv.args[0]);
    expect(() => caller.callStream(uri, ['chunk'])).toThrow(
      expect.objectContaining({ code: 'ERR_FEATURE_UNSUPPORTED' }),
    );
    // nothing went out: the session is still there and calls as usual
    await expect(caller.call(uri, ['whole'])).resolves.toMatchObject({ args: ['whole'] });
  });
});
