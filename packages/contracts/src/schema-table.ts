/** Finding the schemas of a payload: by URI (exact, then the longest dot-terminated prefix) and kind. */
import { InvalidArgumentError } from '@wampbox/core';
import type { Contract } from './define.js';
import type { PayloadKind, PayloadSchemas, UriSchemas, ValidationTable } from './schemas.js';

/** What validation is configured from: contracts, or a table of schemas by URI (or prefix). */
export type ValidationSource = readonly Contract[] | ValidationTable;

const KINDS = ['event', 'call', 'call_progress', 'call_result', 'call_result_progress', 'call_error'] as const;

function isSchema(s: unknown): boolean {
  const std = (s as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  return std?.version === 1 && typeof std.validate === 'function';
}

function checkPayloadSchemas(p: PayloadSchemas, where: string): void {
  const parts = ['args', 'kwargs', 'payload'] as const;
  for (const part of parts) {
    const s = p[part];
    if (s !== undefined && !isSchema(s)) throw new InvalidArgumentError(`${where}.${part} is not a Standard Schema`);
  }
  if (p.payload && (p.args || p.kwargs)) throw new InvalidArgumentError(`${where}: payload goes without args/kwargs`);
}

function checkUriSchemas(s: UriSchemas, uri: string): void {
  for (const key of Object.keys(s)) {
    if (!(KINDS as readonly string[]).includes(key))
      throw new InvalidArgumentError(`schemas for ${uri}: unknown payload kind "${key}"`);
  }
  for (const kind of KINDS) {
    if (kind === 'call_error') {
      for (const [errorUri, p] of Object.entries(s.call_error ?? {}))
        checkPayloadSchemas(p, `${uri}.call_error[${errorUri}]`);
    } else if (s[kind]) checkPayloadSchemas(s[kind], `${uri}.${kind}`);
  }
}

/** Not part of the public API. The schemas of a {@link ValidationSource}, checked and indexed. */
export class SchemaTable {
  declare private readonly exact: Map<string, UriSchemas>;
  /** Dot-terminated keys, longest first. */
  declare private readonly prefixes: [string, UriSchemas][];

  /** @throws InvalidArgumentError for a schema that is not a Standard Schema, or one kind given twice. */
  constructor(source: ValidationSource) {
    this.exact = new Map();
    this.prefixes = [];
    const merged = new Map<string, UriSchemas>();
    const entries: [string, UriSchemas][] = Array.isArray(source)
      ? (source as readonly Contract[]).map((c) => [c.uri, c.schemas as UriSchemas])
      : Object.entries(source as ValidationTable);
    for (const [uri, schemas] of entries) {
      checkUriSchemas(schemas, uri);
      const before = merged.get(uri);
      if (before) {
        for (const kind of KINDS) {
          if (before[kind] && schemas[kind]) throw new InvalidArgumentError(`${uri}: schemas for ${kind} given twice`);
        }
      }
      merged.set(uri, before ? { ...before, ...schemas } : schemas);
    }
    for (const [uri, schemas] of merged) {
      if (uri.endsWith('.')) this.prefixes.push([uri, schemas]);
      else this.exact.set(uri, schemas);
    }
    this.prefixes.sort((a, b) => b[0].length - a[0].length);
  }

  /** The schemas for `uri`: its own, else those of its longest prefix. */
  find(uri: string): UriSchemas | undefined {
    const own = this.exact.get(uri);
    if (own) return own;
    for (const [prefix, schemas] of this.prefixes) if (uri.startsWith(prefix)) return schemas;
    return undefined;
  }

  /** The schemas of one payload: `kind` on `uri` (for `call_error`, the error URI's). */
  select(uri: string, kind: PayloadKind, errorUri?: string): PayloadSchemas | undefined {
    return schemasOf(this.find(uri), kind, errorUri);
  }
}

/** Not part of the public API. The schemas of `kind` (for `call_error`, of `errorUri`) among `s`. */
export function schemasOf(s: UriSchemas | undefined, kind: PayloadKind, errorUri?: string): PayloadSchemas | undefined {
  if (!s) return undefined;
  if (kind !== 'call_error') return s[kind];
  const errors = s.call_error;
  return errors && errorUri !== undefined && Object.hasOwn(errors, errorUri) ? errors[errorUri] : undefined;
}
