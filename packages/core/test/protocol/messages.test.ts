import { ProtocolError } from '../../src/index';
import { MessageType as T, MessageTypeName, validateRouterMessage } from '../../src/internal';

const bytes = new Uint8Array([1, 2]);

/** Every message a router may send, in each allowed length. */
const valid: unknown[][] = [
  [T.WELCOME, 1, {}],
  [T.ABORT, {}, 'wamp.error.no_such_realm'],
  [T.CHALLENGE, 'ticket', {}],
  [T.GOODBYE, {}, 'wamp.close.normal'],
  [T.ERROR, T.CALL, 1, {}, 'wamp.error.x'],
  [T.ERROR, T.CALL, 1, {}, 'wamp.error.x', []],
  [T.ERROR, T.CALL, 1, {}, 'wamp.error.x', [], {}],
  [T.ERROR, T.CALL, 1, {}, 'wamp.error.x', bytes],
  [T.ERROR, T.CALL, 1, {}, 'wamp.error.x', bytes, {}],
  [T.PUBLISHED, 1, 2],
  [T.SUBSCRIBED, 1, 2],
  [T.UNSUBSCRIBED, 1],
  [T.UNSUBSCRIBED, 1, {}],
  [T.EVENT, 1, 2, {}],
  [T.EVENT, 1, 2, {}, [1]],
  [T.EVENT, 1, 2, {}, [1], { a: 1 }],
  [T.EVENT, 1, 2, {}, bytes],
  [T.EVENT, 1, 2, {}, bytes, {}], // an empty ArgumentsKw beside an opaque payload (spec: absent or empty)
  [T.RESULT, 1, {}],
  [T.RESULT, 1, {}, []],
  [T.RESULT, 1, {}, [], {}],
  [T.REGISTERED, 1, 2],
  [T.UNREGISTERED, 1],
  [T.UNREGISTERED, 1, {}],
  [T.INVOCATION, 1, 2, {}],
  [T.INVOCATION, 1, 2, {}, [], {}],
  [T.INVOCATION, 1, 2, {}, bytes, {}],
  [T.RESULT, 1, {}, bytes, {}],
  [T.INTERRUPT, 1, {}],
  [T.RESULT, 0, {}],
  [T.RESULT, 2 ** 53, {}],
];

describe('validateRouterMessage', () => {
  it.each(valid.map((m) => [MessageTypeName[m[0] as number], m.length, m]))(
    'accepts %s with %i elements',
    (_name, _n, msg) => {
      expect(validateRouterMessage(msg)).toBe(msg);
    },
  );

  /** [malformed message, what the error message must contain] */
  const invalid: [unknown, string][] = [
    [[], 'invalid message from router'],
    [{ not: 'a list' }, 'invalid message from router'],
    [['WELCOME', 1, {}], 'invalid message from router'],
    [[999, 1], 'unexpected message type 999 from router'],
    [[T.CALL, 1, {}, 'x'], 'unexpected message type CALL from router'],
    [[T.HELLO, 'realm', {}], 'unexpected message type HELLO from router'],
    [[T.WELCOME, 1], 'invalid WELCOME from router: expected 3 elements, got 2'],
    [[T.WELCOME, 1, {}, {}], 'invalid WELCOME from router: expected 3 elements, got 4'],
    [[T.WELCOME, 'x', {}], 'invalid WELCOME from router: Session must be an id'],
    [[T.WELCOME, -1, {}], 'Session must be an id'],
    [[T.WELCOME, 1.5, {}], 'Session must be an id'],
    [[T.WELCOME, 2 ** 53 + 2, {}], 'Session must be an id'],
    [[T.WELCOME, 1, []], 'invalid WELCOME from router: Details must be a dictionary'],
    [[T.WELCOME, 1, null], 'Details must be a dictionary'],
    [[T.WELCOME, 1, bytes], 'Details must be a dictionary'],
    [[T.ABORT, {}, 1], 'invalid ABORT from router: Reason must be a string'],
    [[T.GOODBYE, 'x', 'wamp.close.normal'], 'invalid GOODBYE from router: Details must be a dictionary'],
    [[T.CHALLENGE, 1, {}], 'invalid CHALLENGE from router: AuthMethod must be a string'],
    [[T.CHALLENGE, 'ticket', 'x'], 'invalid CHALLENGE from router: Extra must be a dictionary'],
    [[T.ERROR, T.CALL, 1, {}], 'invalid ERROR from router: expected 5..7 elements, got 4'],
    [[T.ERROR, 'CALL', 1, {}, 'e'], 'invalid ERROR from router: Request.Type must be an id'],
    [[T.ERROR, T.CALL, 'x', {}, 'e'], 'invalid ERROR from router: Request must be an id'],
    [[T.ERROR, T.CALL, 1, {}, 5], 'invalid ERROR from router: Error must be a string'],
    [[T.ERROR, T.CALL, 1, {}, 'e', 'x'], 'invalid ERROR from router: Arguments must be a list or an opaque binary'],
    [[T.ERROR, T.CALL, 1, {}, 'e', [], []], 'invalid ERROR from router: ArgumentsKw must be a dictionary'],
    [[T.ERROR, T.CALL, 1, {}, 'e', bytes, { k: 1 }], 'invalid ERROR from router: a non-empty ArgumentsKw'],
    [[T.PUBLISHED, 1, 'x'], 'invalid PUBLISHED from router: Publication must be an id'],
    [[T.SUBSCRIBED, 'x', 1], 'invalid SUBSCRIBED from router: Request must be an id'],
    [[T.SUBSCRIBED, 1, 'x'], 'invalid SUBSCRIBED from router: Subscription must be an id'],
    [[T.REGISTERED, 1, null], 'invalid REGISTERED from router: Registration must be an id'],
    [[T.UNSUBSCRIBED], 'invalid UNSUBSCRIBED from router: expected 2..3 elements, got 1'],
    [[T.UNSUBSCRIBED, 1, 'x'], 'invalid UNSUBSCRIBED from router: Details must be a dictionary'],
    [[T.UNREGISTERED, 1, {}, {}], 'invalid UNREGISTERED from router: expected 2..3 elements, got 4'],
    [[T.EVENT, 1, 2], 'invalid EVENT from router: expected 4..6 elements, got 3'],
    [[T.EVENT, 'x', 2, {}], 'invalid EVENT from router: Subscription must be an id'],
    [[T.EVENT, 1, 'x', {}], 'invalid EVENT from router: Publication must be an id'],
    [[T.EVENT, 1, 2, 'x'], 'invalid EVENT from router: Details must be a dictionary'],
    [[T.EVENT, 1, 2, {}, { a: 1 }], 'invalid EVENT from router: Arguments must be a list or an opaque binary'],
    [[T.EVENT, 1, 2, {}, bytes, { k: 1 }], 'invalid EVENT from router: a non-empty ArgumentsKw'],
    [[T.EVENT, 1, 2, {}, [], {}, {}], 'invalid EVENT from router: expected 4..6 elements, got 7'],
    [[T.RESULT, 1, {}, 'x', {}], 'invalid RESULT from router: Arguments must be a list or an opaque binary'],
    [[T.RESULT, 1, {}, [], 'x'], 'invalid RESULT from router: ArgumentsKw must be a dictionary'],
    [[T.RESULT, 1, {}, [], {}, 1], 'invalid RESULT from router: expected 3..5 elements, got 6'],
    [[T.INVOCATION, 1, 'x', {}], 'invalid INVOCATION from router: Registration must be an id'],
    [[T.INVOCATION, 1, 2, {}, bytes, { k: 1 }], 'invalid INVOCATION from router: a non-empty ArgumentsKw'],
    [[T.INTERRUPT, 1, 'x'], 'invalid INTERRUPT from router: Options must be a dictionary'],
    [[T.INTERRUPT, 1], 'invalid INTERRUPT from router: expected 3 elements, got 2'],
  ];

  it.each(invalid)('refuses %j with a ProtocolError: %s', (msg, expected) => {
    let error: unknown;
    try {
      validateRouterMessage(msg as unknown[]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'ERR_PROTOCOL_VIOLATION', name: 'ProtocolError' });
    expect((error as Error).message).toContain(expected);
  });
});
