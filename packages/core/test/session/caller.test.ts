/**
 * A call made with `unordered`: its answer is opened at once even while an EVENT waits for an
 * asynchronous codec step, which is how a codec fetches what it needs to open that EVENT over the
 * same session. Without it the answer waits behind the EVENT, as every received message does.
 */
import type { Payload, PayloadCodec, PayloadContext, Session, WirePayload } from '../../src/index';
import { MessageType as T, ScriptedRouter } from '../../src/testing/index';

/** A codec that holds every EVENT back until `release` is called, and passes everything else. */
function holdingCodec(): { codec: PayloadCodec; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const codec: PayloadCodec = {
    name: 'x_holding',
    encode: (p: Payload): WirePayload => ({ kind: 'plain', args: p.args, kwargs: p.kwargs }),
    decode: (w: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> => {
      const p = { args: w.kind === 'plain' ? w.args : [], kwargs: w.kind === 'plain' ? w.kwargs : {} };
      return ctx.messageType === 'EVENT' ? held.then(() => p) : p;
    },
  };
  return { codec, release };
}

async function setUp(): Promise<{ router: ScriptedRouter; session: Session; release: () => void; seen: unknown[] }> {
  const router = new ScriptedRouter();
  const { codec, release } = holdingCodec();
  const session = await router.join({ realm: 'realm1', codec });
  const seen: unknown[] = [];
  const subscribing = session.subscribe('com.example.t', (ev) => void seen.push(ev.args[0]));
  const subId = await router.acceptSubscribe();
  await subscribing;
  router.send([T.EVENT, subId, router.id(), {}, ['held']]);
  return { router, session, release, seen };
}

describe('a call made with unordered', () => {
  it('settles while an earlier EVENT is held by the codec, and the EVENT is still delivered', async () => {
    const { router, session, release, seen } = await setUp();
    const calling = session.call('com.example.key', [], {}, { unordered: true });
    const call = await router.next(T.CALL);
    router.send([T.RESULT, call[1], {}, ['key']]);
    await expect(calling).resolves.toMatchObject({ args: ['key'] });
    expect(seen).toEqual([]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['held']);
  });

  it('gets its ERROR at once too', async () => {
    const { router, session } = await setUp();
    const calling = session.call('com.example.key', [], {}, { unordered: true });
    const call = await router.next(T.CALL);
    router.send([T.ERROR, T.CALL, call[1], {}, 'com.example.error.no_key']);
    await expect(calling).rejects.toMatchObject({ uri: 'com.example.error.no_key' });
  });

  it('is needed: an ordinary call waits behind the held EVENT', async () => {
    const { router, session, release, seen } = await setUp();
    let settled = false;
    const calling = session.call('com.example.key').then((r) => ((settled = true), r));
    const call = await router.next(T.CALL);
    router.send([T.RESULT, call[1], {}, ['key']]);
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    release();
    await expect(calling).resolves.toMatchObject({ args: ['key'] });
    expect(seen).toEqual(['held']);
  });

  it('must be a boolean', async () => {
    const router = new ScriptedRouter();
    const session = await router.join({ realm: 'realm1' });
    await expect(session.call('com.example.key', [], {}, { unordered: 1 as unknown as boolean })).rejects.toMatchObject(
      {
        code: 'ERR_INVALID_ARGUMENT',
      },
    );
  });
});
