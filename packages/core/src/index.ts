/**
 * @wampbox/core: the runtime-agnostic WAMP v2 protocol core.
 *
 * @example
 * ```ts
 * import { connectWith, webSocketTransport, json } from '@wampbox/core';
 * const session = await connectWith(webSocketTransport({ WebSocket }), { url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', serializers: [json()] });
 * ```
 *
 * What applications and codec authors use. What the sibling packages need beyond it is in
 * `@wampbox/core/internal` (no compatibility promise); the codec conformance suite and test doubles
 * are in `@wampbox/core/testing`.
 * @packageDocumentation
 */
export {
  ApplicationError,
  CanceledError,
  InvalidArgumentError,
  JoinRefusedError,
  PAYLOAD_ERROR_URIS,
  PayloadCodecError,
  ProtocolError,
  SerializationError,
  SessionClosedError,
  SlowConsumerError,
  TimeoutError,
  TransportError,
  WampboxError,
} from './errors.js';
export type { ErrorCode, PayloadErrorCode, WampboxErrorOptions } from './errors.js';
export type { Dict, Id } from './protocol/messages.js';
export type { Serializer } from './wire/serializer.js';
export { cbor, defaultSerializers, json, msgpack } from './wire/serializers/index.js';
export { decodeJsonBinaries, encodeJsonBinaries, stringifyJson } from './wire/serializers/json.js';
export { decodeBase64, encodeBase64 } from './wire/serializers/base64.js';
export type {
  Transport,
  TransportCloseInfo,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
} from './wire/transport.js';
export { webSocketTransport } from './wire/websocket-transport.js';
export type { CorkableStream } from './wire/write-batcher.js';
export type { WebSocketConstructor, WebSocketLike, WebSocketTransportConfig } from './wire/websocket-transport.js';
export type {
  DisclosedIdentity,
  OpaqueWirePayload,
  Payload,
  PayloadCodec,
  PayloadContext,
  PayloadExchange,
  PayloadMessageType,
  PlainWirePayload,
  WirePayload,
} from './payload/payload-codec.js';
export { isPassthrough, passthrough } from './payload/passthrough.js';
export type { PayloadDialect } from './payload/dialect.js';
export { VERSION } from './protocol/version.js';
export { Session } from './session/session.js';
export type { SessionEvents } from './session/session.js';
export type { ChallengeHandler, ChallengeResponse, JoinOptions } from './session/join-options.js';
export type { RegistrationHandle, SubscriptionHandle, WampApi } from './session/wamp-api.js';
export type { HandleEvents, Revocation } from './session/revocation.js';
export { Subscription } from './session/subscription.js';
export { Registration } from './session/registration.js';
export { Result } from './types.js';
export type {
  CallOptions,
  CallResult,
  CallStream,
  CancelMode,
  CloseInfo,
  EventData,
  EventHandler,
  HandlerReturn,
  Invocation,
  InvocationChunk,
  InvocationPolicy,
  MatchPolicy,
  ProcedureHandler,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
  WelcomeInfo,
} from './types.js';
export { DEFAULT_MAX_FRAME_BYTES, connectWith } from './session/connect.js';
export { isValidUri } from './protocol/uri.js';
export type { UriForm, UriRules } from './protocol/uri.js';
export type { ConnectOptions } from './session/connect.js';
export type { Authenticator } from './auth/authenticator.js';
export { anonymous } from './auth/anonymous.js';
export { ticket } from './auth/ticket.js';
export type { TicketOptions, TicketSource } from './auth/ticket.js';
export {
  WAMPCRA_DEFAULT_ITERATIONS,
  WAMPCRA_DEFAULT_KEYLEN,
  computeWampcraSignature,
  deriveWampcraKey,
  wampcra,
} from './auth/wampcra.js';
export type { WampcraOptions } from './auth/wampcra.js';
export { Connection } from './connection/connection.js';
export { DurableRegistration, DurableSubscription } from './connection/durable.js';
export { reconnectDelay } from './connection/backoff.js';
export type {
  ConnectionEvents,
  ConnectionOptions,
  HeartbeatOptions,
  OfflinePolicy,
  ReconnectOptions,
  RetryInfo,
} from './connection/options.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { LogFields, LogLevel, Logger } from './logger.js';
