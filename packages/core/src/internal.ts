/**
 * `@wampbox/core/internal`: what wampbox's own packages share beyond the public API. No
 * compatibility promise: names here may change in any release.
 * @packageDocumentation
 */
export { MessageType, MessageTypeName, validateRouterMessage } from './protocol/messages.js';
export type {
  AbortMessage,
  ArgsSlot,
  AuthenticateMessage,
  CallMessage,
  CancelMessage,
  ChallengeMessage,
  ClientMessage,
  ErrorMessage,
  EventMessage,
  GoodbyeMessage,
  HelloMessage,
  InterruptMessage,
  InvocationMessage,
  PublishMessage,
  PublishedMessage,
  RegisterMessage,
  RegisteredMessage,
  ResultMessage,
  RouterMessage,
  SubscribeMessage,
  SubscribedMessage,
  UnregisterMessage,
  UnregisteredMessage,
  UnsubscribeMessage,
  UnsubscribedMessage,
  WampMessage,
  WelcomeMessage,
  YieldMessage,
} from './protocol/messages.js';
export { writeBatcher } from './wire/write-batcher.js';
export type { CorkableStream } from './wire/write-batcher.js';
export { dialectFromRoles } from './payload/dialect.js';
export { AGENT, CLIENT_ROLES } from './protocol/features.js';
export { checkConnectOptions } from './protocol/option-checks.js';
export { describeMessage } from './logger.js';
