/**
 * URI scrambling live through Crossbar.io (§c): with E2E v2 namespaces, sessions use clear URIs
 * (`scrambled(session, codec)`) and the router routes keyed tags. Exact URIs, dot-terminated
 * prefixes and (positional namespaces) wildcards deliver, for subscriptions and registrations;
 * handlers see clear URIs; an application error's URI is scrambled on the wire and clear again at
 * the caller; a chained namespace refuses wildcards; a prefix without a dot matches only whole
 * components (pinned). A private router at log level "trace" shows that no clear name crossed it.
 */
import { ApplicationError, cryptosignKeyPair, generateKeyPair, json } from '@wampbox/wamp-client';
import type { CryptosignKeyPair, EventData, KeyPair, Session } from '@wampbox/wamp-client';
import { e2eV2, scrambled, type E2eV2Codec, type ScrambledApi } from '@wampbox/cryptobox/e2ev2';
import { defineProcedure, typed } from '@wampbox/contracts';
import { z } from 'zod';
import { closeAll, open, routes, waitFor } from './helpers';
import { startPrivateRouter, type PrivateRouter } from './router';

const ROOT = 'com.test.scr.';
const CHAINED = `${ROOT}c.`;
const POSITIONAL = `${ROOT}p.`;
/** A clear name that must never appear in the router's log. */
const NAME = `orders${Date.now().toString(36)}`;

const random = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

let router: PrivateRouter;
let writer: CryptosignKeyPair;
let reader: CryptosignKeyPair;
let scope: KeyPair;
const master = random(32);
const groupKey = random(32);

beforeAll(async () => {
  [router, writer, reader, scope] = await Promise.all([
    startPrivateRouter({ loglevel: 'trace' }),
    cryptosignKeyPair(random(32)),
    cryptosignKeyPair(random(32)),
    generateKeyPair(),
  ]);
}, 180_000);

afterAll(async () => {
  await closeAll();
  await router?.stop();
}, 60_000);

function codec(who: CryptosignKeyPair, other: CryptosignKeyPair): E2eV2Codec {
  return e2eV2({
    identity: { publicKey: who.publicKey, secretKey: who.secretKey },
    trust: [{ spk: other.publicKey, prefix: ROOT, roles: ['publish', 'call', 'answer'] }],
    groupKeys: [{ scope: ROOT, key: groupKey, current: true }],
    calleeScopes: [{ prefix: ROOT, secretKey: scope.secretKey }],
    routes: [{ prefix: ROOT, carriage: 'transparent' }],
    scramble: [
      { prefix: CHAINED, master },
      { prefix: POSITIONAL, master, mode: 'positional' },
    ],
  });
}

async function pairOfSessions(): Promise<[ScrambledApi, ScrambledApi, Session]> {
  const route = routes(router).find((r) => r.name === 'websocket/json')!;
  const [cw, cr] = [codec(writer, reader), codec(reader, writer)];
  const [w, r] = await Promise.all([
    open(route, { codec: cw, serializers: [json()] }),
    open(route, { codec: cr, serializers: [json()] }),
  ]);
  return [scrambled(w, cw), scrambled(r, cr), r];
}

describe('scrambled URIs through Crossbar', () => {
  let pub: ScrambledApi;
  let sub: ScrambledApi;
  let subSession: Session;
  beforeAll(async () => {
    [pub, sub, subSession] = await pairOfSessions();
  });

  it('exact and dot-terminated prefix subscriptions deliver, with clear topics in the handler', async () => {
    const seen: string[] = [];
    const on = (ev: EventData): void => void seen.push(`${ev.topic}=${String(ev.args[0])}`);
    await sub.subscribe(`${CHAINED}${NAME}.created`, on);
    await sub.subscribe(`${CHAINED}${NAME}.`, on, { match: 'prefix' });
    await pub.publish(`${CHAINED}${NAME}.created`, [1], {}, { acknowledge: true });
    await pub.publish(`${CHAINED}${NAME}.paid`, [2], {}, { acknowledge: true });
    await waitFor(() => seen.length === 3, 10_000, 'three events');
    expect(seen.sort()).toEqual(
      [`${CHAINED}${NAME}.created=1`, `${CHAINED}${NAME}.created=1`, `${CHAINED}${NAME}.paid=2`].sort(),
    );
  });

  it('positional wildcard subscriptions and registrations deliver; a chained namespace refuses wildcards', async () => {
    const seen: string[] = [];
    await sub.subscribe(`${POSITIONAL}.${NAME}.created`, (ev) => void seen.push(ev.topic), { match: 'wildcard' });
    await pub.publish(`${POSITIONAL}eu.${NAME}.created`, [], {}, { acknowledge: true });
    await waitFor(() => seen.length === 1, 10_000, 'the wildcard event');
    expect(seen).toEqual([`${POSITIONAL}eu.${NAME}.created`]);

    await sub.register(`${POSITIONAL}.${NAME}.count`, (inv) => `${inv.procedure}:${String(inv.args[0])}`, {
      match: 'wildcard',
    });
    const r = await pub.call(`${POSITIONAL}us.${NAME}.count`, [7]);
    expect(r.args).toEqual([`${POSITIONAL}us.${NAME}.count:7`]);

    await expect(sub.subscribe(`${CHAINED}.${NAME}`, () => undefined, { match: 'wildcard' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('an application error in the namespace is scrambled on the wire and clear at the caller', async () => {
    await sub.register(`${CHAINED}${NAME}.pay`, () => {
      throw new ApplicationError(`${CHAINED}${NAME}.error.declined`, ['no']);
    });
    await expect(pub.call(`${CHAINED}${NAME}.pay`)).rejects.toMatchObject({
      uri: `${CHAINED}${NAME}.error.declined`,
      args: ['no'],
    });
  });

  it('takes typed contracts on clear URIs, validated at the call sites', async () => {
    const total = defineProcedure(`${CHAINED}${NAME}.total`, {
      call: { args: z.tuple([z.array(z.number())]) },
      call_result: { args: z.tuple([z.number()]) },
    });
    await typed(sub).register(total, ({ args: [xs] }) => ({ args: [xs.reduce((a, b) => a + b, 0)] }));
    const {
      args: [sum],
    } = await typed(pub).call(total, { args: [[1, 2, 3]] });
    expect(sum).toBe(6);
    await expect(pub.call(total.uri, ['not a list'])).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument' });
  });

  it('pins the one difference in prefix matching: a prefix without a dot matches whole components only', async () => {
    const seen: string[] = [];
    await sub.subscribe(`${CHAINED}${NAME}.ab`, (ev) => void seen.push(ev.topic), { match: 'prefix' });
    for (const t of ['ab', 'ab.c', 'abx']) await pub.publish(`${CHAINED}${NAME}.${t}`, [], {}, { acknowledge: true });
    await waitFor(() => seen.length >= 2, 10_000, 'the whole-component matches');
    await new Promise((r) => setTimeout(r, 300));
    // unscrambled, Crossbar's prefix "…ab" would also match "…abx"
    expect(seen.sort()).toEqual([`${CHAINED}${NAME}.ab`, `${CHAINED}${NAME}.ab.c`]);
    expect(subSession.isOpen).toBe(true);
  });

  it('leaves no clear name in a trace-level router log, which does show the tags', async () => {
    const wire = await codec(writer, reader).scramble(`${CHAINED}${NAME}.created`);
    await waitFor(() => router.readLog().includes(wire), 10_000, 'the scrambled topic in the router log');
    const log = router.readLog();
    expect(log).toContain(CHAINED); // the clear routing prefix, for permissions
    expect(log).not.toContain(NAME);
  });
});
