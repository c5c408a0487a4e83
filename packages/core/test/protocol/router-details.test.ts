/**
 * The Details attributes with a defined type in the router messages a client acts on: a wrong
 * type makes `validateRouterMessage` refuse the message, so the session aborts instead of
 * handing an application a `publisher` that is not a session id or a `progress` flag that is a
 * string. (The wamp-proto vectors for EVENT are run in conformance-vectors.test.ts.)
 */
import { ProtocolError, Session } from '../../src/index';
import { MessageType as T, validateRouterMessage } from '../../src/internal';
import type { CloseInfo } from '../../src/index';
import { FakeTransport } from '../helpers/fake-transport';
import { settledWithin } from '../helpers/settle';

function refusal(msg: unknown[]): string {
  let thrown: unknown;
  try {
    validateRouterMessage(msg);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  expect(thrown).toMatchObject({ code: 'ERR_PROTOCOL_VIOLATION' });
  return (thrown as Error).message;
}

const event = (details: Record<string, unknown>): unknown[] => [T.EVENT, 1, 2, details, ['a']];
const invocation = (details: Record<string, unknown>): unknown[] => [T.INVOCATION, 1, 2, details, ['a']];
const result = (details: Record<string, unknown>): unknown[] => [T.RESULT, 1, details, ['a']];
const error = (details: Record<string, unknown>): unknown[] => [T.ERROR, T.CALL, 1, details, 'com.x.error'];
const sealed = new Uint8Array([1, 2, 3]);

describe('Details attributes of router messages', () => {
  const accepted: [string, unknown[]][] = [
    ['EVENT naming its publisher', event({ publisher: 2 ** 53, publisher_authid: 'a', publisher_authrole: '' })],
    ['EVENT of a pattern subscription', event({ topic: 'com.example.a-b.ü', retained: false })],
    ['EVENT with R-Link attributes', event({ forward_for: [{}], transaction_hash: '', x_acknowledged_delivery: true })],
    ['EVENT with unknown attributes of any type', event({ x_custom: 1, trustlevel: 'whatever', publisher_x: 'y' })],
    ['INVOCATION with caller identification', invocation({ caller: 0, caller_authid: 'a', caller_authrole: 'r' })],
    ['INVOCATION asking for progress', invocation({ receive_progress: true })],
    ['INVOCATION of a pattern registration', invocation({ procedure: 'com.example.proc' })],
    ['RESULT that is progressive', result({ progress: true })],
    ['RESULT that is final', result({ progress: false })],
    ['EVENT with a cryptobox payload', [T.EVENT, 1, 2, { enc_algo: 'cryptobox', enc_serializer: 'json' }, sealed]],
    ['RESULT with an mqtt payload', [T.RESULT, 1, { enc_algo: 'mqtt' }, sealed]],
    ['INVOCATION with an xbr payload', [T.INVOCATION, 1, 2, { enc_algo: 'xbr' }, sealed]],
    ['ERROR with a custom scheme', [T.ERROR, T.CALL, 1, { enc_algo: 'x_my_scheme2' }, 'com.x.e', sealed]],
    ['EVENT with the bare custom prefix Autobahn accepts', [T.EVENT, 1, 2, { enc_algo: 'x_' }, sealed]],
    ['messages without checked attributes keep any Details', [T.WELCOME, 1, { publisher: 'x', progress: 'y' }]],
    ['INTERRUPT with any Options', [T.INTERRUPT, 1, { progress: 'y', caller: 'x' }]],
  ];

  it.each(accepted)('accepts %s', (_name, msg) => {
    expect(validateRouterMessage(msg)).toBe(msg);
  });

  /** [message, what the error message must contain] */
  const refused: [unknown[], string][] = [
    [event({ publisher: 'hello' }), 'invalid EVENT from router: Details.publisher must be an id'],
    [event({ publisher: -1 }), 'Details.publisher must be an id'],
    [event({ publisher: 1.5 }), 'Details.publisher must be an id'],
    [event({ publisher: 2 ** 53 + 2 }), 'Details.publisher must be an id'],
    [event({ publisher: null }), 'Details.publisher must be an id'],
    [event({ publisher_authid: 123 }), 'Details.publisher_authid must be a string'],
    [event({ publisher_authrole: ['r'] }), 'Details.publisher_authrole must be a string'],
    [event({ topic: 123 }), 'Details.topic must be a URI'],
    [event({ topic: '' }), 'Details.topic must be a URI'],
    [event({ topic: 'com..x' }), 'Details.topic must be a URI'],
    [event({ topic: 'com.x.' }), 'Details.topic must be a URI'],
    [event({ topic: 'com.my topic' }), 'Details.topic must be a URI'],
    [event({ topic: 'com.#' }), 'Details.topic must be a URI'],
    [event({ retained: 'true' }), 'Details.retained must be a boolean'],
    [event({ retained: 1 }), 'Details.retained must be a boolean'],
    [event({ forward_for: {} }), 'Details.forward_for must be a list'],
    [invocation({ caller: 'alice' }), 'invalid INVOCATION from router: Details.caller must be an id'],
    [invocation({ caller_authid: 1 }), 'Details.caller_authid must be a string'],
    [invocation({ caller_authrole: false }), 'Details.caller_authrole must be a string'],
    [invocation({ procedure: 7 }), 'Details.procedure must be a URI'],
    [invocation({ procedure: 'com..proc' }), 'Details.procedure must be a URI'],
    [invocation({ receive_progress: 'yes' }), 'Details.receive_progress must be a boolean'],
    [result({ progress: 'true' }), 'invalid RESULT from router: Details.progress must be a boolean'],
    [result({ progress: 1 }), 'Details.progress must be a boolean'],
    [[T.EVENT, 1, 2, { enc_algo: 'invalid' }, sealed], 'Details.enc_algo must be "cryptobox", "mqtt", "xbr" or'],
    [[T.EVENT, 1, 2, { enc_algo: 'x_a' }, sealed], 'Details.enc_algo'],
    [[T.RESULT, 1, { enc_algo: 'Cryptobox' }, sealed], 'invalid RESULT from router: Details.enc_algo'],
    [[T.INVOCATION, 1, 2, { enc_algo: 1 }, sealed], 'invalid INVOCATION from router: Details.enc_algo'],
    [error({ enc_algo: 'x_Upper' }), 'invalid ERROR from router: Details.enc_algo'],
  ];

  it.each(refused)('refuses %j: %s', (msg, expected) => {
    expect(refusal(msg)).toContain(expected);
  });

  it('checks the element kinds first, so a non-dictionary Details is named as such', () => {
    expect(refusal([T.EVENT, 1, 2, 'x'])).toContain('Details must be a dictionary');
  });
});

describe('a session receiving a wrong Details attribute', () => {
  const ROLES = { broker: { features: {} }, dealer: { features: {} } };

  /** How the session ended, or `'hang'` when it is still open a second later. */
  async function ending(s: Session): Promise<string> {
    const outcome = await settledWithin([s.closed], 1000);
    return outcome === 'hang' ? 'hang' : (outcome[0] as PromiseFulfilledResult<CloseInfo>).value.reason;
  }

  async function joined(): Promise<{ t: FakeTransport; s: Session }> {
    const t = new FakeTransport();
    const p = Session.join(t, { realm: 'realm1' });
    t.deliver([T.WELCOME, 42, { roles: ROLES }]);
    return { t, s: await p };
  }

  it('does not run the event handler and aborts with protocol_violation', async () => {
    const { t, s } = await joined();
    const seen: unknown[] = [];
    const subP = s.subscribe('com.x.t', (ev) => void seen.push(ev.details['publisher']));
    t.deliver([T.SUBSCRIBED, t.last(T.SUBSCRIBE)![1], 5]);
    await subP;
    t.deliver([T.EVENT, 5, 1, { publisher: 7 }, ['fine']]);
    t.deliver([T.EVENT, 5, 2, { publisher: 'mallory' }, ['spoofed']]);
    expect(await ending(s)).toBe('wamp.error.protocol_violation');
    expect(seen).toEqual([7]);
    const abort = [T.ABORT, { message: expect.stringContaining('Details.publisher') }, 'wamp.error.protocol_violation'];
    expect(t.last(T.ABORT)).toEqual(abort);
  });

  it('does not run the procedure for an INVOCATION with a caller that is not an id', async () => {
    const { t, s } = await joined();
    let calls = 0;
    const regP = s.register('com.x.p', () => void calls++);
    t.deliver([T.REGISTERED, t.last(T.REGISTER)![1], 9]);
    await regP;
    t.deliver([T.INVOCATION, 1, 9, { caller: 'alice' }, []]);
    expect(await ending(s)).toBe('wamp.error.protocol_violation');
    expect(calls).toBe(0);
    expect(t.last(T.YIELD)).toBeUndefined();
  });

  it('rejects a call whose progressive RESULT has a progress flag that is not a boolean', async () => {
    const { t, s } = await joined();
    const p = s.call('com.x.p', [], {}, { onProgress: () => undefined });
    t.deliver([T.RESULT, t.last(T.CALL)![1], { progress: 'true' }, ['partial']]);
    await expect(p).rejects.toMatchObject({ code: 'ERR_PROTOCOL_VIOLATION' });
  });
});
