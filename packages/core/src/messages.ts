/**
 * WAMP v2 messages as typed tuples, and validation of what a router sends.
 */
import { ProtocolError } from './errors.js';

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
export type WelcomeMessage = [typeof MessageType.WELCOME, Id, Dict];
export type AbortMessage = [typeof MessageType.ABORT, Dict, string];
export type ChallengeMessage = [typeof MessageType.CHALLENGE, string, Dict];
export type AuthenticateMessage = [typeof MessageType.AUTHENTICATE, string, Dict];
export type GoodbyeMessage = [typeof MessageType.GOODBYE, Dict, string];
export type ErrorMessage =
  | [typeof MessageType.ERROR, number, Id, Dict, string]
  | [typeof MessageType.ERROR, number, Id, Dict, string, ArgsSlot]
  | [typeof MessageType.ERROR, number, Id, Dict, string, ArgsSlot, Dict];
export type PublishMessage =
  | [typeof MessageType.PUBLISH, Id, Dict, string]
  | [typeof MessageType.PUBLISH, Id, Dict, string, ArgsSlot]
  | [typeof MessageType.PUBLISH, Id, Dict, string, ArgsSlot, Dict];
export type PublishedMessage = [typeof MessageType.PUBLISHED, Id, Id];
export type SubscribeMessage = [typeof MessageType.SUBSCRIBE, Id, Dict, string];
export type SubscribedMessage = [typeof MessageType.SUBSCRIBED, Id, Id];
export type UnsubscribeMessage = [typeof MessageType.UNSUBSCRIBE, Id, Id];
export type UnsubscribedMessage = [typeof MessageType.UNSUBSCRIBED, Id] | [typeof MessageType.UNSUBSCRIBED, Id, Dict];
export type EventMessage =
  | [typeof MessageType.EVENT, Id, Id, Dict]
  | [typeof MessageType.EVENT, Id, Id, Dict, ArgsSlot]
  | [typeof MessageType.EVENT, Id, Id, Dict, ArgsSlot, Dict];
export type CallMessage =
  | [typeof MessageType.CALL, Id, Dict, string]
  | [typeof MessageType.CALL, Id, Dict, string, ArgsSlot]
  | [typeof MessageType.CALL, Id, Dict, string, ArgsSlot, Dict];
export type CancelMessage = [typeof MessageType.CANCEL, Id, Dict];
export type ResultMessage =
  | [typeof MessageType.RESULT, Id, Dict]
  | [typeof MessageType.RESULT, Id, Dict, ArgsSlot]
  | [typeof MessageType.RESULT, Id, Dict, ArgsSlot, Dict];
export type RegisterMessage = [typeof MessageType.REGISTER, Id, Dict, string];
export type RegisteredMessage = [typeof MessageType.REGISTERED, Id, Id];
export type UnregisterMessage = [typeof MessageType.UNREGISTER, Id, Id];
export type UnregisteredMessage = [typeof MessageType.UNREGISTERED, Id] | [typeof MessageType.UNREGISTERED, Id, Dict];
export type InvocationMessage =
  | [typeof MessageType.INVOCATION, Id, Id, Dict]
  | [typeof MessageType.INVOCATION, Id, Id, Dict, ArgsSlot]
  | [typeof MessageType.INVOCATION, Id, Id, Dict, ArgsSlot, Dict];
export type InterruptMessage = [typeof MessageType.INTERRUPT, Id, Dict];
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

const MAX_ID = 2 ** 53;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ID;
}
function isArgs(v: unknown): v is ArgsSlot {
  return Array.isArray(v) || v instanceof Uint8Array;
}

function fail(msg: readonly unknown[], why: string): never {
  const code = msg[0];
  const name = typeof code === 'number' ? (MessageTypeName[code] ?? `type ${code}`) : 'message';
  throw new ProtocolError(`invalid ${name} from router: ${why}`);
}

function checkLength(msg: readonly unknown[], min: number, max: number): void {
  if (msg.length < min || msg.length > max) fail(msg, `expected ${min === max ? min : `${min}..${max}`} elements, got ${msg.length}`);
}

/** Validate the optional [Arguments, ArgumentsKw] tail starting at index `at`. */
function checkPayload(msg: readonly unknown[], at: number): void {
  if (msg.length > at && !isArgs(msg[at])) fail(msg, 'Arguments must be a list (or an opaque binary)');
  if (msg.length > at + 1) {
    if (msg[at] instanceof Uint8Array) fail(msg, 'an opaque payload takes no ArgumentsKw');
    if (!isDict(msg[at + 1])) fail(msg, 'ArgumentsKw must be a dictionary');
  }
}

/**
 * Validate a decoded frame from the router and narrow it to a {@link RouterMessage}.
 * @example
 * ```ts
 * const msg = validateRouterMessage(serializer.decode(frame)); // throws ProtocolError when malformed
 * ```
 * @throws ProtocolError (`ERR_PROTOCOL_VIOLATION`) when the message is malformed or is not a
 *   message a router may send to a client.
 */
export function validateRouterMessage(msg: unknown[]): RouterMessage {
  if (msg.length === 0) throw new ProtocolError('invalid message from router: empty list');
  const type = msg[0];
  switch (type) {
    case MessageType.WELCOME:
      checkLength(msg, 3, 3);
      if (!isId(msg[1])) fail(msg, 'Session must be an id');
      if (!isDict(msg[2])) fail(msg, 'Details must be a dictionary');
      break;
    case MessageType.ABORT:
    case MessageType.GOODBYE:
      checkLength(msg, 3, 3);
      if (!isDict(msg[1])) fail(msg, 'Details must be a dictionary');
      if (typeof msg[2] !== 'string') fail(msg, 'Reason must be a URI');
      break;
    case MessageType.CHALLENGE:
      checkLength(msg, 3, 3);
      if (typeof msg[1] !== 'string') fail(msg, 'AuthMethod must be a string');
      if (!isDict(msg[2])) fail(msg, 'Extra must be a dictionary');
      break;
    case MessageType.ERROR:
      checkLength(msg, 5, 7);
      if (!isId(msg[1])) fail(msg, 'Request.Type must be an integer');
      if (!isId(msg[2])) fail(msg, 'Request must be an id');
      if (!isDict(msg[3])) fail(msg, 'Details must be a dictionary');
      if (typeof msg[4] !== 'string') fail(msg, 'Error must be a URI');
      checkPayload(msg, 5);
      break;
    case MessageType.PUBLISHED:
    case MessageType.SUBSCRIBED:
    case MessageType.REGISTERED:
      checkLength(msg, 3, 3);
      if (!isId(msg[1]) || !isId(msg[2])) fail(msg, 'ids must be integers');
      break;
    case MessageType.UNSUBSCRIBED:
    case MessageType.UNREGISTERED:
      checkLength(msg, 2, 3);
      if (!isId(msg[1])) fail(msg, 'Request must be an id');
      if (msg.length === 3 && !isDict(msg[2])) fail(msg, 'Details must be a dictionary');
      break;
    case MessageType.EVENT:
    case MessageType.INVOCATION:
      checkLength(msg, 4, 6);
      if (!isId(msg[1]) || !isId(msg[2])) fail(msg, 'ids must be integers');
      if (!isDict(msg[3])) fail(msg, 'Details must be a dictionary');
      checkPayload(msg, 4);
      break;
    case MessageType.RESULT:
      checkLength(msg, 3, 5);
      if (!isId(msg[1])) fail(msg, 'Request must be an id');
      if (!isDict(msg[2])) fail(msg, 'Details must be a dictionary');
      checkPayload(msg, 3);
      break;
    case MessageType.INTERRUPT:
      checkLength(msg, 3, 3);
      if (!isId(msg[1])) fail(msg, 'Request must be an id');
      if (!isDict(msg[2])) fail(msg, 'Options must be a dictionary');
      break;
    default:
      if (typeof type !== 'number') throw new ProtocolError('invalid message from router: first element must be a message type code');
      throw new ProtocolError(`unexpected message type ${MessageTypeName[type] ?? type} from router`);
  }
  return msg as RouterMessage;
}
