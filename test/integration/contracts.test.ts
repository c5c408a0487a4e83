/**
 * @wampbox/contracts against the real router: typed call sites with zod schemas, and validation
 * after decryption as a codec decorator, over plaintext and over cryptobox.
 */
import { PayloadValidationError, defineProcedure, defineTopic, typed, withValidation } from '@wampbox/contracts';
import { ApplicationError, KeyRing, cryptobox, generateKeyPair } from '@wampbox/wamp-client';
import type { KeyPair, Session } from '@wampbox/wamp-client';
import { z } from 'zod';
import { closeAll, open, routes, uniqueUri, waitFor } from './helpers';

afterAll(closeAll);

const SECRET = 'SECRET-VALUE-4711';
const ROUTES = routes().filter((r) => r.name === 'websocket/json' || r.name === 'rawsocket-tcp/cbor');

/** The errors a session emits on `error`, from now on. */
function errorsOf(session: Session): Error[] {
  const errors: Error[] = [];
  session.on('error', (e) => errors.push(e));
  return errors;
}

function contracts(ns: string) {
  const Order = z.object({
    id: z.string().min(1),
    items: z.array(z.object({ sku: z.string(), price: z.number().nonnegative() })),
    note: z.string().default('none'),
  });
  return {
    add: defineProcedure(`${ns}.add`, {
      call: { args: z.tuple([z.number(), z.number()]) },
      call_result: { args: z.tuple([z.number()]) },
    }),
    total: defineProcedure(`${ns}.total`, {
      call: { kwargs: Order },
      call_result: { kwargs: z.object({ total: z.number(), currency: z.literal('EUR') }) },
    }),
    created: defineTopic(`${ns}.order.created`, { kwargs: Order }),
  };
}

describe.each(ROUTES.map((r) => [r.name, r] as const))('contracts over %s', (_name, route) => {
  it('types and validates call, register, publish and subscribe with zod schemas', async () => {
    const c = contracts(uniqueUri('com.test.contracts.typed'));
    const callee = typed(await open(route));
    const caller = typed(await open(route));
    await callee.register(c.add, ({ args: [a, b] }) => ({ args: [a + b] }));
    await callee.register(c.total, ({ kwargs }) => ({
      kwargs: { total: kwargs.items.reduce((s, i) => s + i.price, 0), currency: 'EUR' as const },
    }));
    const { args } = await caller.call(c.add, { args: [2, 3] });
    expect(args).toEqual([5]);
    const items = [
      { sku: 'a', price: 2 },
      { sku: 'b', price: 3.5 },
    ];
    expect((await caller.call(c.total, { kwargs: { id: 'o1', items } })).kwargs).toEqual({
      total: 5.5,
      currency: 'EUR',
    });

    const seen: unknown[] = [];
    const sub = await caller.subscribe(c.created, (ev) => void seen.push(ev.kwargs));
    await callee.publish(c.created, { kwargs: { id: 'o2', items } }, { acknowledge: true });
    await waitFor(() => seen.length === 1, 5000, 'the event');
    expect(seen[0]).toEqual({ id: 'o2', items, note: 'none' }); // the schema's default was applied
    await sub.unsubscribe();
  });

  it('answers an invalid INVOCATION with wamp.error.invalid_argument: paths for a plain caller, no values', async () => {
    const c = contracts(uniqueUri('com.test.contracts.invalid_call'));
    const calleeSession = await open(route, { codec: withValidation(undefined, [c.total]) });
    const calleeErrors = errorsOf(calleeSession);
    const handler = jest.fn(() => ({ kwargs: { total: 0, currency: 'EUR' } }));
    await calleeSession.register(c.total.uri, handler);
    const plainCaller = await open(route);
    const bad = {
      id: 'o1',
      items: [
        { sku: 'a', price: 1 },
        { sku: 'b', price: SECRET },
      ],
    };
    const err = (await plainCaller.call(c.total.uri, [], bad).catch((e: unknown) => e)) as ApplicationError;
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err.uri).toBe('wamp.error.invalid_argument');
    expect(err.args).toEqual([`invalid call payload received for ${c.total.uri} at kwargs.items[1].price`]);
    expect(JSON.stringify([err.args, err.kwargs, err.details])).not.toContain(SECRET);
    expect(handler).not.toHaveBeenCalled();
    await waitFor(() => calleeErrors.length === 1, 5000, 'the callee report');
    expect(calleeErrors[0]).toMatchObject({
      code: 'ERR_PAYLOAD_INVALID',
      kind: 'call',
      paths: ['kwargs.items[1].price'],
    });
  });

  it('drops an invalid EVENT and reports it; the next valid one is delivered', async () => {
    const c = contracts(uniqueUri('com.test.contracts.invalid_event'));
    const subscriber = await open(route, { codec: withValidation(undefined, [c.created]) });
    const errors = errorsOf(subscriber);
    const seen: unknown[] = [];
    await subscriber.subscribe(c.created.uri, (ev) => void seen.push(ev.kwargs['id']));
    const publisher = await open(route);
    await publisher.publish(c.created.uri, [], { id: '', items: SECRET }, { acknowledge: true });
    await publisher.publish(c.created.uri, [], { id: 'ok', items: [] }, { acknowledge: true });
    await waitFor(() => seen.length === 1 && errors.length === 1, 5000, 'one event and one report');
    expect(seen).toEqual(['ok']);
    const e = errors[0] as PayloadValidationError;
    expect(e).toBeInstanceOf(PayloadValidationError);
    expect([...e.paths].sort()).toEqual(['kwargs.id', 'kwargs.items']);
    expect(e.message).not.toContain(SECRET);
  });

  it('rejects a call whose RESULT is invalid with PayloadValidationError', async () => {
    const c = contracts(uniqueUri('com.test.contracts.invalid_result'));
    const plainCallee = await open(route);
    await plainCallee.register(c.add.uri, () => SECRET);
    const caller = typed(await open(route));
    const err = (await caller.call(c.add, { args: [1, 2] }).catch((e: unknown) => e)) as PayloadValidationError;
    expect(err).toBeInstanceOf(PayloadValidationError);
    expect(err).toMatchObject({ code: 'ERR_PAYLOAD_INVALID', kind: 'call_result', paths: ['args[0]'] });
    expect(err.message).not.toContain(SECRET);
    const viaCodec = await open(route, { codec: withValidation(undefined, [c.add]) });
    await expect(viaCodec.call(c.add.uri, [1, 2])).rejects.toMatchObject({ kind: 'call_result' });
  });
});

describe('contracts over cryptobox: validation after decryption', () => {
  const route = ROUTES[0]!;
  let O: KeyPair;
  let R: KeyPair;
  let X: KeyPair;
  beforeAll(async () => {
    [O, R, X] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
  });
  const originator = (prefix: string, pair = O): KeyRing =>
    new KeyRing().setKey(prefix, { originatorPriv: pair.secretKeyBase64, responderPub: R.publicKeyBase64 });
  const responder = (prefix: string): KeyRing =>
    new KeyRing().setKey(prefix, { responderPriv: R.secretKeyBase64, originatorPub: O.publicKeyBase64 });

  it('validates sealed calls, results and events once they are opened', async () => {
    const ns = uniqueUri('com.test.contracts.sealed');
    const c = contracts(ns);
    const prefix = `${ns}.`;
    const calleeSession = await open(route, {
      codec: withValidation(cryptobox(responder(prefix)), [c.add, c.created]),
    });
    const calleeErrors = errorsOf(calleeSession);
    await typed(calleeSession).register(c.add, ({ args: [a, b] }) => ({ args: [a + b] }));
    const seen: unknown[] = [];
    await typed(calleeSession).subscribe(c.created, (ev) => void seen.push(ev.kwargs));

    const callerSession = await open(route, { codec: withValidation(cryptobox(originator(prefix)), [c.add]) });
    const caller = typed(callerSession);
    expect((await caller.call(c.add, { args: [20, 22] })).args).toEqual([42]);

    // sealed, so the router cannot see (or validate) it: the callee refuses it after decrypting
    const err = (await callerSession.call(c.add.uri, [1, SECRET]).catch((e: unknown) => e)) as ApplicationError;
    expect(err.uri).toBe('wamp.error.invalid_argument');
    expect(err.args).toEqual([`invalid call payload received for ${c.add.uri} at args[1]`]);
    expect(JSON.stringify(err.args)).not.toContain(SECRET);

    await callerSession.publish(
      c.created.uri,
      [],
      { id: 'x', items: [{ sku: 's', price: -1 }] },
      { acknowledge: true },
    );
    await callerSession.publish(c.created.uri, [], { id: 'y', items: [] }, { acknowledge: true });
    await waitFor(() => seen.length === 1 && calleeErrors.length === 2, 5000, 'one event, two reports');
    expect(seen).toEqual([{ id: 'y', items: [], note: 'none' }]);
    expect(calleeErrors.map((e) => (e as PayloadValidationError).kind).sort()).toEqual(['call', 'event']);
  });

  it('rejects a sealed RESULT that is invalid, and never validates what failed to decrypt', async () => {
    const ns = uniqueUri('com.test.contracts.sealed_result');
    const prefix = `${ns}.`;
    const validate = jest.fn((value: unknown) => ({ value: value as Record<string, unknown> }));
    const spy = { '~standard': { version: 1 as const, vendor: 'spy', validate } };
    const watched = defineTopic(`${ns}.watched`, { kwargs: spy });
    const add = contracts(ns).add;

    const calleeSession = await open(route, { codec: cryptobox(responder(prefix)) });
    await calleeSession.register(add.uri, () => 'not a number');
    const caller = await open(route, { codec: withValidation(cryptobox(originator(prefix)), [add]) });
    await expect(caller.call(add.uri, [1, 2])).rejects.toMatchObject({
      code: 'ERR_PAYLOAD_INVALID',
      kind: 'call_result',
    });

    const subscriber = await open(route, { codec: withValidation(cryptobox(responder(prefix)), [watched]) });
    const errors = errorsOf(subscriber);
    await subscriber.subscribe(watched.uri, () => undefined);
    // sealed with a key the subscriber does not expect: it fails to open, the schema never runs
    const intruder = await open(route, { codec: cryptobox(originator(prefix, X)) });
    await intruder.publish(watched.uri, [], { any: 'thing' }, { acknowledge: true });
    await waitFor(() => errors.length === 1, 5000, 'the decrypt report');
    expect(errors[0]).toMatchObject({ code: 'ERR_PAYLOAD_DECRYPT' });
    expect(validate).not.toHaveBeenCalled();
  });
});
