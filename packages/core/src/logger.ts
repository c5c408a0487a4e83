/**
 * Logging: an injectable logger with levels. The default is silent. Message traces name message
 * types, ids and URIs, never payload contents, secrets, tickets or keys.
 */
import { ApplicationError, WampboxError } from './errors.js';
import { MessageType as T, MessageTypeName } from './protocol/messages.js';

/** Log levels, most verbose first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Structured fields attached to a log line. Never holds payloads or secrets. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * Where log lines go. Any method may be missing; `console` fits.
 *
 * @example
 * ```ts
 * const session = await connect({ url, realm, logger: consoleLogger('debug'), trace: true });
 * ```
 */
export interface Logger {
  /** Message traces (with `trace: true`): one line per message sent or received. */
  trace?(message: string, fields?: LogFields): void;
  /** Details useful when debugging. */
  debug?(message: string, fields?: LogFields): void;
  /** Lifecycle: connected, closed, reconnecting. */
  info?(message: string, fields?: LogFields): void;
  /** Something went wrong but the client carries on. */
  warn?(message: string, fields?: LogFields): void;
  /** Something failed. */
  error?(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** The default logger: drops everything. */
export const silentLogger: Logger = Object.freeze({});

/**
 * A logger that writes to `console` at `level` and above.
 * @example
 * ```ts
 * connect({ url, realm, logger: consoleLogger('info') });
 * ```
 */
export function consoleLogger(level: LogLevel = 'info', prefix = '[wampbox]'): Logger {
  const out: Logger = {};
  for (const l of Object.keys(ORDER) as LogLevel[]) {
    if (ORDER[l] < ORDER[level]) continue;
    const name = l === 'trace' ? 'debug' : l;
    // looked up at each call, so that a console replaced later (by a test, say) is the one used
    out[l] = (message, fields) => (fields ? console[name](prefix, message, fields) : console[name](prefix, message));
  }
  return out;
}

/** URI position of each message type that carries one (for traces). */
const URI_AT: Readonly<Record<number, number>> = {
  [T.HELLO]: 1,
  [T.ABORT]: 2,
  [T.GOODBYE]: 2,
  [T.ERROR]: 4,
  [T.PUBLISH]: 3,
  [T.SUBSCRIBE]: 3,
  [T.CALL]: 3,
  [T.REGISTER]: 3,
};

/**
 * Describe a message for a trace: its type, request id and URI, and whether it carries an opaque
 * payload, but nothing of the payload itself.
 * @example
 * ```ts
 * describeMessage([48, 7, {}, 'com.example.add', [1, 2]]); // { type: 'CALL', id: 7, uri: 'com.example.add' }
 * ```
 */
export function describeMessage(msg: readonly unknown[]): LogFields {
  const type = msg[0] as number;
  const fields: LogFields = { type: MessageTypeName[type] ?? String(type) };
  if (type !== T.HELLO && type !== T.ABORT && type !== T.GOODBYE && typeof msg[1] === 'number') fields['id'] = msg[1];
  if (type === T.ERROR && typeof msg[2] === 'number') {
    fields['requestType'] = MessageTypeName[msg[1] as number] ?? String(msg[1]);
    fields['id'] = msg[2];
  }
  if (type === T.EVENT || type === T.INVOCATION) fields['target'] = msg[2] as number;
  const at = URI_AT[type];
  if (at !== undefined && typeof msg[at] === 'string') fields['uri'] = msg[at];
  const details = msg.find(
    (v, i) => i > 0 && typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array),
  ) as Record<string, unknown> | undefined;
  if (details && typeof details['enc_algo'] === 'string') fields['opaque'] = details['enc_algo'];
  if (details && typeof details['ppt_scheme'] === 'string') fields['opaque'] = details['ppt_scheme'];
  return fields;
}

/**
 * Log fields for an error (internal), without payloads: wampbox's own messages name
 * types, ids and URIs only, but an `ApplicationError`'s message carries its first argument and an
 * application's own error may carry anything, so those are logged by URI or name alone.
 */
export function errorLogFields(err: unknown): LogFields {
  if (err instanceof ApplicationError) return { name: err.name, code: err.code, uri: err.uri };
  if (err instanceof WampboxError) return { name: err.name, code: err.code, message: err.message };
  return { name: err instanceof Error ? err.name : typeof err };
}
