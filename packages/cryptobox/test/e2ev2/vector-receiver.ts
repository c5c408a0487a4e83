/**
 * Running the vectors' scenarios: a receiver and exchanges built from the file's configurations,
 * envelopes as the session hands them to a codec, and what a step expects compared with what the
 * receiver did. Shared by the known-answer tests and the TypeScript vector generator.
 */
import { E2eV2Error } from '../../src/e2ev2/errors';
import { CalleeExchange, CallerExchange } from '../../src/e2ev2/exchange';
import { Freshness } from '../../src/e2ev2/freshness';
import { GroupKeyStore } from '../../src/e2ev2/group-keys';
import { E2eReceiver, type OpenedPayload } from '../../src/e2ev2/receiver';
import { ReplayWindows } from '../../src/e2ev2/replay-window';
import { ScopeKeyStore } from '../../src/e2ev2/scope-keys';
import { SessionCache } from '../../src/e2ev2/session-cache';
import { TrustStore, type TrustRole } from '../../src/e2ev2/trust-store';
import type { Route, V2Envelope } from '../../src/e2ev2/envelope';
import type { ScrambleMode } from '../../src/e2ev2/scramble';
import {
  fromHex,
  fromJson,
  hex,
  toJson,
  type EnvelopeVector,
  type ExchangeVector,
  type Json,
  type OpenStep,
  type ReceiverVector,
} from './vectors-file';

/** A receiver whose clock a test sets. */
export interface TestReceiver {
  readonly receiver: E2eReceiver;
  now: number;
}

/** A fresh receiver from a configuration of the file. */
export function buildReceiver(config: ReceiverVector, now: number): TestReceiver {
  const holder: { now: number } = { now };
  const sessions = new SessionCache();
  for (const s of config.sessions ?? []) {
    sessions.put({ key: fromHex(s.key), owner: fromHex(s.owner), scope: s.scope });
  }
  const receiver = new E2eReceiver({
    freshness: new Freshness({ clock: () => holder.now, maxSkewMs: config.max_skew_ms }),
    keyGraceMs: config.key_grace_ms,
    signReplies: config.sign_replies,
    signEveryCall: config.sign_every_call,
    routes: config.routes.map((r) => ({ prefix: r.prefix, scheme: r.scheme, carriages: r.carriages }) as Route),
    trust: new TrustStore(
      config.trust.map((t) => ({ spk: fromHex(t.spk), prefix: t.prefix, roles: t.roles as TrustRole[] })),
    ),
    groupKeys: new GroupKeyStore(
      config.group_keys.map((g) => ({
        key: fromHex(g.key),
        scope: g.scope,
        notAfter: g.not_after ?? undefined,
        writers: g.writers?.map(fromHex),
      })),
    ),
    scopeKeys: new ScopeKeyStore(config.scope_keys.map((s) => ({ prefix: s.prefix, secretKey: fromHex(s.x25519_sk) }))),
    sessions,
    windows: new ReplayWindows({
      size: config.window_size,
      perSender: config.windows_per_sender,
      total: config.windows_total,
    }),
    namespaces: (config.namespaces ?? []).map((n) => ({
      prefix: n.prefix,
      key: fromHex(n.key),
      mode: n.mode as ScrambleMode,
    })),
  });
  return {
    receiver,
    get now() {
      return holder.now;
    },
    set now(v: number) {
      holder.now = v;
    },
  };
}

/** The exchanges of a scenario. */
export function buildExchanges(specs: Record<string, ExchangeVector>): Map<string, CallerExchange | CalleeExchange> {
  const out = new Map<string, CallerExchange | CalleeExchange>();
  for (const [name, x] of Object.entries(specs)) {
    out.set(
      name,
      x.role === 'callee'
        ? new CalleeExchange()
        : new CallerExchange({
            xid: fromHex(x.xid),
            sessionKey: fromHex(x.session_key),
            procedure: x.procedure,
            ...(x.clear_procedure === undefined ? {} : { clearProcedure: x.clear_procedure }),
          }),
    );
  }
  return out;
}

/** An envelope of the file as a codec receives it (the session has mapped either dialect). */
export function envelopeOf(e: EnvelopeVector): V2Envelope {
  if (e.carriage === 'plain') {
    return {
      kind: 'plain',
      args: fromJson(e.args ?? null) as unknown[] | null,
      kwargs: fromJson(e.kwargs ?? null) as Record<string, unknown> | null,
    };
  }
  if (e.dialect === 'autobahn') {
    return {
      kind: 'opaque',
      payload: fromJson(e.payload),
      scheme: e.enc_algo,
      serializer: e.enc_serializer,
      keyId: e.enc_key,
    };
  }
  return {
    kind: 'opaque',
    payload: fromJson(e.payload),
    scheme: e.ppt_scheme,
    serializer: e.ppt_serializer,
    keyId: e.ppt_keyid,
    cipher: e.ppt_cipher,
  };
}

/** What one step did: the refusal's reason, or the delivered payload in the file's `expect` form. */
export type StepOutcome = { ok: false; error: string } | { ok: true; got: Record<string, Json> };

/** Open one step's envelope on `r`. Anything but an `E2eV2Error` is rethrown (a bug, not a refusal). */
export function runStep(
  r: TestReceiver,
  step: OpenStep,
  exchanges: Map<string, CallerExchange | CalleeExchange>,
): StepOutcome {
  r.now = step.now_ms;
  let opened: OpenedPayload;
  try {
    opened = r.receiver.open({
      wamp: step.wamp,
      uri: step.uri ?? undefined,
      envelope: envelopeOf(step.envelope),
      exchange: step.exchange === null ? undefined : exchanges.get(step.exchange),
      progress: step.progress,
      retained: step.retained,
    });
  } catch (err) {
    if (err instanceof E2eV2Error) return { ok: false, error: err.reason };
    throw err;
  }
  if (opened.kind === 'plain') {
    return { ok: true, got: { args: toJson(opened.args), kwargs: toJson(opened.kwargs), passthrough: true } };
  }
  return {
    ok: true,
    got: {
      args: toJson(opened.args),
      kwargs: toJson(opened.kwargs),
      uri: opened.uri,
      spk: hex(opened.spk),
      author: opened.author === null ? null : hex(opened.author),
      signed: opened.signed,
      more: opened.more,
      stale: opened.stale,
      carriage: opened.carriage,
      passthrough: false,
    },
  };
}

/** The fields of `expect` (an ok step) that the outcome has differently, with both values. */
export function mismatches(expect: Record<string, Json>, got: Record<string, Json>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(expect)) {
    if (k === 'ok') continue;
    if (k === 'passthrough' && v === false && got[k] === undefined) continue;
    if (JSON.stringify(normalize(v)) !== JSON.stringify(normalize(got[k] ?? null))) {
      out.push(`${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(got[k])}`);
    }
  }
  return out;
}

/** Key order does not matter, and 1.0 (Python) is 1 (JavaScript). */
function normalize(v: Json): Json {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(v).sort()) out[k] = normalize(v[k]!);
    return out;
  }
  return v;
}
