/**
 * One publication, several subscriptions: a session whose subscriptions overlap (an exact and a
 * prefix subscription, say) receives one EVENT per subscription, all carrying the same sealed
 * payload. The first is opened; the replay window refuses the others. This remembers the last
 * opened events by publication id with their sealed header (which holds the sender's stream,
 * sequence number and nonce), so that a copy under the same publication id with the same header is
 * given the payload opened before, instead of being refused. Nothing new is opened that way: only
 * what already passed every check is delivered again. Any other repeat is still a replay.
 */
import type { Payload, PayloadContext, WirePayload } from '@wampbox/core';
import { bytesEqual } from '../sodium.js';
import { HEADER_BYTES } from './constants.js';
import { E2eV2Error } from './errors.js';

interface Opened {
  readonly header: Uint8Array;
  readonly payload: Payload;
}

/** The sealed bytes of a payload in either carriage. */
function sealedBytes(wire: WirePayload): Uint8Array | undefined {
  if (wire.kind === 'opaque') return wire.payload;
  const a = wire.args;
  return a?.length === 1 && a[0] instanceof Uint8Array ? a[0] : undefined;
}

/** The last `capacity` opened events, by publication id. */
export class FanOut {
  readonly #byPublication = new Map<number, Opened>();

  constructor(readonly capacity = 64) {}

  /** Remember an EVENT that was opened (other messages are ignored). */
  opened(wire: WirePayload, ctx: PayloadContext, payload: Payload): void {
    const sealed = sealedBytes(wire);
    if (ctx.messageType !== 'EVENT' || ctx.publication === undefined || sealed === undefined) return;
    const map = this.#byPublication;
    map.delete(ctx.publication);
    map.set(ctx.publication, { header: sealed.slice(0, HEADER_BYTES), payload });
    if (map.size > this.capacity) map.delete(map.keys().next().value!);
  }

  /**
   * For an EVENT refused as a replay: a copy of the payload opened for the same publication from
   * the same sealed header, or `undefined`.
   */
  copyOf(refusal: unknown, wire: WirePayload, ctx: PayloadContext): Payload | undefined {
    if (!(refusal instanceof E2eV2Error) || refusal.reason !== 'replay' || ctx.messageType !== 'EVENT')
      return undefined;
    const sealed = sealedBytes(wire);
    const o = ctx.publication === undefined ? undefined : this.#byPublication.get(ctx.publication);
    if (o === undefined || sealed === undefined || !bytesEqual(o.header, sealed.subarray(0, HEADER_BYTES))) {
      return undefined;
    }
    return structuredClone(o.payload);
  }
}
