/**
 * Coexistence with Autobahn-compatible cryptobox (§b.9): one codec instance, URI prefixes mapped
 * to a scheme. Prefixes configured for cryptobox are sealed and opened by the cryptobox codec
 * given; every other sealed route is E2E v2. Strict both ways: an `x_e2ev2` payload on a cryptobox
 * prefix and a cryptobox payload on a v2 route are refused (`downgrade`), so that a cryptobox key
 * holder cannot inject into a v2 URI — except, for migrating a URI, on a v2 route with
 * `acceptCryptoboxUntil`: until then its cryptobox payloads are still opened (and an invocation
 * opened so is answered with cryptobox), while everything sent on it is v2.
 */
import type { Payload, PayloadCodec, PayloadContext, PayloadExchange, WirePayload } from '@wampbox/core';
import type { E2eV2Options } from './codec-options.js';
import { E2EV2_SCHEME } from './constants.js';
import { E2eV2Error } from './errors.js';
import { longestCovering } from './prefix.js';

/** The cryptobox scheme names, in Crossbar's dialect and in the spec's. */
const CRYPTOBOX_SCHEMES: ReadonlySet<string> = new Set(['cryptobox', 'x_cryptobox']);

interface Entry {
  readonly prefix: string;
  readonly cryptobox: boolean;
  /** v2 routes: until when (ms) cryptobox payloads are still opened. */
  readonly until: number | undefined;
}

/** The cryptobox side of a codec that has cryptobox prefixes or migrating routes. */
export class CryptoboxRoutes {
  readonly #codec: PayloadCodec;
  readonly #entries: readonly Entry[];
  readonly #clock: () => number;
  /** Invocations opened by cryptobox on a migrating route: answered with cryptobox. */
  readonly #opened = new WeakSet<PayloadExchange>();

  constructor(options: E2eV2Options, codec: PayloadCodec) {
    this.#codec = codec;
    this.#clock = options.clock ?? Date.now;
    this.#entries = [
      ...(options.cryptobox?.prefixes ?? []).map((prefix) => ({ prefix, cryptobox: true, until: undefined })),
      ...(options.routes ?? []).map((r) => ({ prefix: r.prefix, cryptobox: false, until: r.acceptCryptoboxUntil })),
    ];
  }

  /** The URI a message is routed by: the topic or procedure (for answers, the call's procedure). */
  #uri(ctx: PayloadContext): string {
    if (ctx.messageType === 'RESULT' || ctx.messageType === 'ERROR') {
      return ctx.procedure ?? ctx.exchange?.procedure ?? ctx.uri;
    }
    return ctx.uri;
  }

  #entry(ctx: PayloadContext): Entry | undefined {
    const uri = this.#uri(ctx);
    if (uri === 'wamp' || uri.startsWith('wamp.')) return undefined;
    return longestCovering(this.#entries, uri);
  }

  /** Whether cryptobox seals this outgoing payload. */
  sends(ctx: PayloadContext): boolean {
    if (ctx.exchange !== undefined && this.#opened.has(ctx.exchange)) return true;
    return this.#entry(ctx)?.cryptobox === true;
  }

  encode(payload: Payload, ctx: PayloadContext): WirePayload | Promise<WirePayload> {
    return this.#codec.encode(payload, ctx);
  }

  /**
   * Open `wire` with cryptobox when its route says so, or `undefined` when it is E2E v2's to open.
   * @throws E2eV2Error `downgrade` for an x_e2ev2 payload on a cryptobox prefix.
   */
  decode(wire: WirePayload, ctx: PayloadContext): Payload | Promise<Payload> | undefined {
    const entry = this.#entry(ctx);
    if (entry === undefined) return undefined;
    const scheme = wire.kind === 'opaque' ? wire.scheme : undefined;
    if (entry.cryptobox) {
      if (scheme === E2EV2_SCHEME)
        throw new E2eV2Error('downgrade', 'an x_e2ev2 payload on a URI sealed with cryptobox');
      return this.#codec.decode(wire, ctx);
    }
    const migrating = entry.until !== undefined && this.#clock() <= entry.until;
    if (!migrating || scheme === undefined || !CRYPTOBOX_SCHEMES.has(scheme)) return undefined;
    if (ctx.messageType === 'INVOCATION' && ctx.exchange !== undefined) this.#opened.add(ctx.exchange);
    return this.#codec.decode(wire, ctx);
  }
}
