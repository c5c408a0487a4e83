/**
 * Step 0 of the receiver: what arrived, and whether it may arrive on this URI (§b.9, §b.16;
 * Decisions 13 to 15). A URI routed to `x_e2ev2` accepts only a v2 payload in one of its route's
 * carriages: transparent (`enc_*` / `ppt_*` scheme attributes, the payload as one binary) or
 * argument (`args` exactly one binary, `kwargs` absent, null or empty). Plaintext, cryptobox or any
 * other scheme there is a downgrade. An answer to a sealed call must be sealed too, except a
 * plaintext `wamp.error.*` ERROR (from the router, or from a callee that could not open the call),
 * which passes as unauthenticated.
 */
import { E2EV2_CIPHER, E2EV2_SCHEME } from './constants.js';
import { E2eV2Error } from './errors.js';
import { longestCovering } from './prefix.js';

/** How a v2 payload travels. */
export type Carriage = 'transparent' | 'argument';

/** What a URI prefix is configured for. */
export interface Route {
  readonly prefix: string;
  readonly scheme: 'x_e2ev2' | 'cryptobox' | 'plaintext';
  /** For `x_e2ev2`: the carriages accepted (default both). */
  readonly carriages?: readonly Carriage[] | undefined;
}

/**
 * A payload as the session hands it to a codec (`WirePayload`'s shape): the scheme attributes of
 * either dialect (`cipher` is `ppt_cipher`) and the opaque payload, or plain args/kwargs. Typed
 * loosely on purpose: it comes from the network.
 */
export type V2Envelope =
  | {
      readonly kind: 'opaque';
      readonly payload: unknown;
      readonly scheme: string;
      readonly serializer: string;
      readonly keyId?: string | null | undefined;
      readonly cipher?: string | null | undefined;
    }
  | {
      readonly kind: 'plain';
      readonly args?: readonly unknown[] | null | undefined;
      readonly kwargs?: Readonly<Record<string, unknown>> | null | undefined;
    };

/** What step 0 found. */
export type Classified =
  | {
      readonly kind: 'v2';
      readonly payload: Uint8Array;
      readonly carriage: Carriage;
      /** Transparent carriage: `enc_serializer` / `ppt_serializer`. */
      readonly serializer: string | undefined;
      /** Transparent carriage: `enc_key` / `ppt_keyid`, when present. */
      readonly keyId: string | undefined;
    }
  | { readonly kind: 'plain'; readonly args: unknown[]; readonly kwargs: Record<string, unknown> };

const BOTH: readonly Carriage[] = ['transparent', 'argument'];
const WAMP_ROUTE: Route = { prefix: 'wamp', scheme: 'plaintext' };

/** The route of `uri`: `wamp.*` is never sealed; otherwise the longest covering prefix, else `fallback`. */
export function routeOf(routes: readonly Route[], uri: string, fallback: Route): Route {
  if (uri === 'wamp' || uri.startsWith('wamp.')) return WAMP_ROUTE;
  return longestCovering(routes, uri) ?? fallback;
}

/** Whether a plain payload is argument carriage: one binary argument and no kwargs. */
function argumentPayload(env: V2Envelope & { kind: 'plain' }): Uint8Array | undefined {
  const { args, kwargs } = env;
  if (!Array.isArray(args) || args.length !== 1 || !(args[0] instanceof Uint8Array)) return undefined;
  if (kwargs !== undefined && kwargs !== null && Object.keys(kwargs).length > 0) return undefined;
  return args[0];
}

function plain(env: V2Envelope & { kind: 'plain' }): Classified {
  return { kind: 'plain', args: [...(env.args ?? [])], kwargs: { ...(env.kwargs ?? {}) } };
}

/**
 * Step 0 for a payload that arrived on a URI with `route`.
 *
 * @param sealedCall - for RESULT and ERROR: whether they answer a sealed call (an exchange exists);
 *   `undefined` for EVENT and INVOCATION.
 * @param errorUri - for ERROR: the error URI (a plaintext `wamp.error.*` passes).
 * @throws E2eV2Error `downgrade`, `exchange` or `envelope`.
 */
export function classifyEnvelope(
  env: V2Envelope,
  route: Route,
  sealedCall: boolean | undefined,
  errorUri: string | undefined,
): Classified {
  const isV2Opaque = env.kind === 'opaque' && env.scheme === E2EV2_SCHEME;
  if (sealedCall === false) {
    // an answer to a call that went out in plaintext (or another scheme's): no exchange to open it with
    if (isV2Opaque) throw new E2eV2Error('exchange', 'a sealed answer to a call that was not sealed');
    if (env.kind === 'plain') return plain(env);
    throw new E2eV2Error('envelope', `a "${env.scheme}" payload is for that scheme's codec`);
  }
  if (route.scheme !== 'x_e2ev2') {
    if (isV2Opaque) throw new E2eV2Error('downgrade', `an x_e2ev2 payload on a URI configured for ${route.scheme}`);
    if (env.kind === 'plain') return plain(env);
    throw new E2eV2Error('envelope', `a "${env.scheme}" payload is for that scheme's codec`);
  }
  const carriages = route.carriages ?? BOTH;
  if (env.kind === 'opaque') {
    if (!isV2Opaque) throw new E2eV2Error('downgrade', `a "${env.scheme}" payload on a URI configured for x_e2ev2`);
    if (!carriages.includes('transparent'))
      throw new E2eV2Error('downgrade', 'transparent carriage is not allowed here');
    if (!(env.payload instanceof Uint8Array)) throw new E2eV2Error('envelope', 'the payload is not binary');
    if (env.cipher !== undefined && env.cipher !== null && env.cipher !== E2EV2_CIPHER) {
      throw new E2eV2Error('envelope', `cipher "${env.cipher}" is not ${E2EV2_CIPHER}`);
    }
    return {
      kind: 'v2',
      payload: env.payload,
      carriage: 'transparent',
      serializer: env.serializer,
      keyId: env.keyId ?? undefined,
    };
  }
  const payload = argumentPayload(env);
  if (payload !== undefined) {
    if (!carriages.includes('argument')) throw new E2eV2Error('downgrade', 'argument carriage is not allowed here');
    return { kind: 'v2', payload, carriage: 'argument', serializer: undefined, keyId: undefined };
  }
  if (sealedCall === true && errorUri !== undefined && errorUri.startsWith('wamp.error.')) return plain(env);
  throw new E2eV2Error('downgrade', 'plaintext on a URI configured for x_e2ev2');
}
