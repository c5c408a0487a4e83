/**
 * WAMP v2 messages as typed tuples, and validation of what a router sends.
 */
import { ProtocolError } from '../errors.js';
import { detailsProblem } from './router-details.js';

/** WAMP message type codes. */
export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

/** Names of message types by code (for errors and traces). */
export const MessageTypeName: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k])),
);

/** A WAMP dictionary. */
export type Dict = Record<string, unknown>;
/** A WAMP id (integer in [0, 2^53]). */
export type Id = number;
/** The Arguments slot: a list, or (payload transparency) one opaque binary. */
export type ArgsSlot = unknown[] | Uint8Array;

/** HELLO: `[1, Realm, Details]`. */
export type HelloMessage = [typeof MessageType.HELLO, string, Dict];
/** WELCOME: `[2, Session, Details]`. */
export type WelcomeMessage = [typeof MessageType.WELCOME, Id, Dict];
/** ABORT: `[3, Details, Reason]`. */
export type AbortMessage = [typeof MessageType.ABORT, Dict, string];
/** CHALLENGE: `[4, AuthMethod, Extra]`. */
export type ChallengeMessage = [typeof MessageType.CHALLENGE, string, Dict];
/** AUTHENTICATE: `[5, Signature, Extra]`. */
export type AuthenticateMessage = [typeof MessageType.AUTHENTICATE, string, Dict];
/** GOODBYE: `[6, Details, Reason]`. */
export type GoodbyeMessage = [typeof MessageType.GOODBYE, Dict, string];
/** ERROR: `[8, Request.Type, Request, Details, Error, Arguments?, ArgumentsKw?]`. */
export type ErrorMessage =
  | [typeof MessageType.ERROR, number, Id, Dict, string]
  | [typeof MessageType.ERROR, number, Id, Dict, string, ArgsSlot]
  | [typeof MessageType.ERROR, number, Id, Dict, string, ArgsSlot, Dict];
/** PUBLISH: `[16, Request, Options, Topic, Arguments?, ArgumentsKw?]`. */
export type PublishMessage =
  | [typeof MessageType.PUBLISH, Id, Dict, string]
  | [typeof MessageType.PUBLISH, Id, Dict, string, ArgsSlot]
  | [typeof MessageType.PUBLISH, Id, Dict, string, ArgsSlot, Dict];
/** PUBLISHED: `[17, PUBLISH.Request, Publication]`. */
export type PublishedMessage = [typeof MessageType.PUBLISHED, Id, Id];
/** SUBSCRIBE: `[32, Request, Options, Topic]`. */
export type SubscribeMessage = [typeof MessageType.SUBSCRIBE, Id, Dict, string];
/** SUBSCRIBED: `[33, SUBSCRIBE.Request, Subscription]`. */
export type SubscribedMessage = [typeof MessageType.SUBSCRIBED, Id, Id];
/** UNSUBSCRIBE: `[34, Request, SUBSCRIBED.Subscription]`. */
export type UnsubscribeMessage = [typeof MessageType.UNSUBSCRIBE, Id, Id];
/** UNSUBSCRIBED: `[35, UNSUBSCRIBE.Request]`, or `[35, 0, Details]` when the router revokes a subscription. */
export type UnsubscribedMessage = [typeof MessageType.UNSUBSCRIBED, Id] | [typeof MessageType.UNSUBSCRIBED, Id, Dict];
/** EVENT: `[36, SUBSCRIBED.Subscription, PUBLISHED.Publication, Details, Arguments?, ArgumentsKw?]`. */
export type EventMessage =
  | [typeof MessageType.EVENT, Id, Id, Dict]
  | [typeof MessageType.EVENT, Id, Id, Dict, ArgsSlot]
  | [typeof MessageType.EVENT, Id, Id, Dict, ArgsSlot, Dict];
/** CALL: `[48, Request, Options, Procedure, Arguments?, ArgumentsKw?]`. */
export type CallMessage =
  | [typeof MessageType.CALL, Id, Dict, string]
  | [typeof MessageType.CALL, Id, Dict, string, ArgsSlot]
  | [typeof MessageType.CALL, Id, Dict, string, ArgsSlot, Dict];
/** CANCEL: `[49, CALL.Request, Options]`. */
export type CancelMessage = [typeof MessageType.CANCEL, Id, Dict];
/** RESULT: `[50, CALL.Request, Details, Arguments?, ArgumentsKw?]`. */
export type ResultMessage =
  | [typeof MessageType.RESULT, Id, Dict]
  | [typeof MessageType.RESULT, Id, Dict, ArgsSlot]
  | [typeof MessageType.RESULT, Id, Dict, ArgsSlot, Dict];
/** REGISTER: `[64, Request, Options, Procedure]`. */
export type RegisterMessage = [typeof MessageType.REGISTER, Id, Dict, string];
/** REGISTERED: `[65, REGISTER.Request, Registration]`. */
export type RegisteredMessage = [typeof MessageType.REGISTERED, Id, Id];
/** UNREGISTER: `[66, Request, REGISTERED.Registration]`. */
export type UnregisterMessage = [typeof MessageType.UNREGISTER, Id, Id];
/** UNREGISTERED: `[67, UNREGISTER.Request]`, or `[67, 0, Details]` when the router revokes a registration. */
export type UnregisteredMessage = [typeof MessageType.UNREGISTERED, Id] | [typeof MessageType.UNREGISTERED, Id, Dict];
/** INVOCATION: `[68, Request, REGISTERED.Registration, Details, Arguments?, ArgumentsKw?]`. */
export type InvocationMessage =
  | [typeof MessageType.INVOCATION, Id, Id, Dict]
  | [typeof MessageType.INVOCATION, Id, Id, Dict, ArgsSlot]
  | [typeof MessageType.INVOCATION, Id, Id, Dict, ArgsSlot, Dict];
/** INTERRUPT: `[69, INVOCATION.Request, Options]`. */
export type InterruptMessage = [typeof MessageType.INTERRUPT, Id, Dict];
/** YIELD: `[70, INVOCATION.Request, Options, Arguments?, ArgumentsKw?]`. */
export type YieldMessage =
  | [typeof MessageType.YIELD, Id, Dict]
  | [typeof MessageType.YIELD, Id, Dict, ArgsSlot]
  | [typeof MessageType.YIELD, Id, Dict, ArgsSlot, Dict];

/** Every message a client sends. */
export type ClientMessage =
  | HelloMessage
  | AuthenticateMessage
  | AbortMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | CallMessage
  | CancelMessage
  | RegisterMessage
  | UnregisterMessage
  | YieldMessage;

/** Every message a client receives. */
export type RouterMessage =
  | WelcomeMessage
  | AbortMessage
  | ChallengeMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishedMessage
  | SubscribedMessage
  | UnsubscribedMessage
  | EventMessage
  | ResultMessage
  | RegisteredMessage
  | UnregisteredMessage
  | InvocationMessage
  | InterruptMessage;

/** Any WAMP message. */
export type WampMessage = ClientMessage | RouterMessage;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Whether `v` is of an element kind: `i` an id, `d` a dictionary, `s` a string, `a` Arguments. */
function is(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'i':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 53;
    case 'd':
      return isDict(v);
    case 's':
      return typeof v === 'string';
    default:
      return Array.isArray(v) || v instanceof Uint8Array;
  }
}

/** How errors name each element kind. */
const EXPECTED: Readonly<Record<string, string>> = {
  i: 'an id',
  d: 'a dictionary',
  s: 'a string',
  a: 'a list or an opaque binary',
};

const PAYLOAD = ' Arguments?a ArgumentsKw?d';

/**
 * The elements after the type code of every message a router may send, by type code:
 * `Name:kind` for a required element, `Name?kind` for an optional one (kinds as {@link is} takes
 * them).
 */
const SHAPES: Readonly<Record<number, string>> = {
  2: 'Session:i Details:d', // WELCOME
  3: 'Details:d Reason:s', // ABORT
  4: 'AuthMethod:s Extra:d', // CHALLENGE
  6: 'Details:d Reason:s', // GOODBYE
  8: 'Request.Type:i Request:i Details:d Error:s' + PAYLOAD, // ERROR
  17: 'Request:i Publication:i', // PUBLISHED
  33: 'Request:i Subscription:i', // SUBSCRIBED
  35: 'Request:i Details?d', // UNSUBSCRIBED
  36: 'Subscription:i Publication:i Details:d' + PAYLOAD, // EVENT
  50: 'Request:i Details:d' + PAYLOAD, // RESULT
  65: 'Request:i Registration:i', // REGISTERED
  67: 'Request:i Details?d', // UNREGISTERED
  68: 'Request:i Registration:i Details:d' + PAYLOAD, // INVOCATION
  69: 'Request:i Options:d', // INTERRUPT
};

/**
 * {@link SHAPES} parsed once: the least element count (one `:` per required element, plus the
 * type code) and each element's `[name, kind]`.
 */
const ROUTER_MESSAGES: Readonly<Record<string, readonly [min: number, elements: string[][]]>> =
  /* @__PURE__ */ Object.fromEntries(
    Object.entries(SHAPES).map(([type, shape]) => [
      type,
      [shape.split(':').length, shape.split(' ').map((e) => e.split(/[:?]/))],
    ]),
  );

function fail(type: number, why: string): never {
  throw new ProtocolError(`invalid ${MessageTypeName[type]} from router: ${why}`);
}

/**
 * Validate a decoded frame from the router and narrow it to a {@link RouterMessage}.
 * @example
 * ```ts
 * const msg = validateRouterMessage(serializer.decode(frame)); // throws ProtocolError when malformed
 * ```
 * @throws ProtocolError (`ERR_PROTOCOL_VIOLATION`) when the message is malformed (including a
 *   Details attribute the spec defines with the wrong type, e.g. an EVENT's `publisher` that is
 *   not an id) or is not a message a router may send to a client.
 */
export function validateRouterMessage(msg: unknown[]): RouterMessage {
  const type = Array.isArray(msg) ? msg[0] : undefined;
  if (typeof type !== 'number')
    throw new ProtocolError('invalid message from router: not a list starting with a message type code');
  const shape = ROUTER_MESSAGES[type];
  if (shape === undefined)
    throw new ProtocolError(`unexpected message type ${MessageTypeName[type] ?? type} from router`);
  const [min, elements] = shape;
  const max = elements.length + 1;
  const n = msg.length;
  if (n < min || n > max) fail(type, `expected ${min < max ? `${min}..${max}` : min} elements, got ${n}`);
  for (let i = 1; i < n; i++) {
    const element = elements[i - 1]!; // [name, kind]; indexed rather than destructured: this runs for every message
    const name = element[0]!;
    const kind = element[1]!;
    if (!is(kind, msg[i])) fail(type, `${name} must be ${EXPECTED[kind]}`);
    // beside an opaque payload ArgumentsKw must be absent or empty (the spec's Payload PassThru Mode)
    if (name === 'ArgumentsKw' && msg[i - 1] instanceof Uint8Array && Object.keys(msg[i] as Dict).length > 0) {
      fail(type, 'a non-empty ArgumentsKw beside an opaque payload');
    }
  }
  // Details attributes of a defined type (router-details.ts); only ERROR, EVENT, RESULT and INVOCATION have them
  if (type === 36 || type === 68 || type === 50 || type === 8) {
    const problem = detailsProblem(type, msg);
    if (problem !== undefined) fail(type, problem);
  }
  return msg as RouterMessage;
}
