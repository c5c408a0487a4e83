/**
 * @wampbox/contracts: procedures and topics defined once with Standard Schema schemas (zod,
 * valibot, arktype, ...), typed call sites over a `Session` or `Connection`, and payload
 * validation after decryption as a codec decorator.
 *
 * @example
 * ```ts
 * import { defineProcedure, typed, withValidation } from '@wampbox/contracts';
 * import { z } from 'zod';
 *
 * const add = defineProcedure('com.example.add', {
 *   call: { args: z.tuple([z.number(), z.number()]) },
 *   call_result: { args: z.tuple([z.number()]) },
 * });
 * const session = await connect({ url, realm, codec: withValidation(undefined, [add]) });
 * const { args: [sum] } = await typed(session).call(add, { args: [2, 3] });
 * ```
 * @packageDocumentation
 */
export { defineProcedure, defineTopic } from './define.js';
export type { Contract, ProcedureContract, ProcedureSchemas, TopicContract } from './define.js';
export { INVALID_ARGUMENT_URI, PayloadValidationError, RUNTIME_ERROR_URI } from './errors.js';
export type { PayloadValidationInit, ValidationDirection } from './errors.js';
export type {
  CallPayload,
  EventPayload,
  EventSchemasOf,
  InvocationPayload,
  ProgressOf,
  ProgressPayload,
  PublishPayload,
  ResultOf,
  ResultPayload,
  SchemasOf,
} from './infer.js';
export type {
  ArgsInput,
  ArgsOutput,
  EmptyPart,
  KindOf,
  KwargsInput,
  KwargsOutput,
  ReceivedPayload,
  ResultFrom,
  SchemaInput,
  SchemaOutput,
  SentPayload,
  WholePart,
} from './payload-types.js';
export type { ValidationSource } from './schema-table.js';
export type {
  ArgsSchema,
  KwargsSchema,
  PayloadKind,
  PayloadSchema,
  PayloadSchemas,
  SplitSchemas,
  UriSchemas,
  ValidationTable,
  WholePayload,
  WholeSchemas,
} from './schemas.js';
export { typed } from './typed-api.js';
export type { TypedApiTarget } from './typed-api.js';
export type {
  EventInfo,
  InvocationInfo,
  PayloadArgs,
  RegisterRest,
  ResultInfo,
  TypedApi,
  TypedApiOptions,
  TypedCallOptions,
  TypedCallResult,
  TypedEvent,
  TypedEventHandler,
  TypedInvocation,
  TypedProcedureHandler,
  TypedProgress,
  TypedRegistration,
  TypedSubscription,
} from './typed-types.js';
export { withValidation } from './with-validation.js';
export type { ValidationOptions } from './with-validation.js';
