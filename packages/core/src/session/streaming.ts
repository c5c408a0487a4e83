/**
 * Progressive call invocations: whether this build has them, the writer of a streamed call at the
 * caller, and the chunks of a streamed input at the callee. The browser bundles (`wampbox*.min.js`)
 * load this module as `STREAMING = false` and nothing else (scripts/bundle.mjs): they leave the
 * feature out, which does not fit their size budgets, and do not announce it in HELLO; the roles
 * call into it only where `STREAMING` holds.
 * Not part of the public API.
 */
import { InvalidArgumentError } from '../errors.js';
import { rejected } from '../protocol/checks.js';
import { MessageType as T } from '../protocol/messages.js';
import { checkPayload } from '../protocol/option-checks.js';
import type { Pending } from './requests.js';
import type { ArgsSlot, Dict } from '../protocol/messages.js';
import type { PayloadExchange } from '../payload/payload-codec.js';
import { isPlain } from '../payload/pipeline.js';
import type { CallResult, CallStream, InvocationChunk } from '../types.js';
import type { SessionContext } from './context.js';
import { disclosedBy } from './disclosed.js';
import { EventQueue } from './event-queue.js';

/** Whether this build streams call input (`Session.callStream`, the chunks of an INVOCATION). */
export const STREAMING: boolean = true;

/** Sends a further chunk of a streamed call (the last unless `more`); throws why it cannot. */
export type ChunkSender = (args: unknown[] | undefined, kwargs: Dict | undefined, more: boolean) => void;

/** What a streamed call's chunks need of its pending CALL. */
export interface StreamedCall extends Pending {
  readonly procedure: string;
  readonly abandoned: boolean;
  readonly exchange: PayloadExchange | undefined;
  /** Why the call failed, once it has. */
  failure?: Error;
  /** The last chunk went out. */
  ended?: boolean;
}

/**
 * What sends the chunks after the first of streamed call `id`: each a CALL with the same id,
 * `progress: true` unless it is the last, through the codec in the call's exchange. A chunk the
 * codec or transport refuses fails the whole call (`abandon`); one after the call ended throws its
 * failure, or `ERR_INVALID_ARGUMENT`.
 */
export function chunkSender(
  ctx: SessionContext,
  id: number,
  p: StreamedCall,
  abandon: (err: Error) => void,
): ChunkSender {
  return (args, kwargs, more) => {
    checkPayload(args, kwargs);
    if (p.abandoned || p.ended || ctx.requests_.get_(id) !== p)
      throw p.failure ?? new InvalidArgumentError('the call has ended');
    p.ended = !more;
    const o: Dict = more ? { progress: true } : {};
    ctx.payload_.sendPayload_([T.CALL, id, o, p.procedure], {
      options: o,
      args,
      kwargs,
      progress: more,
      exchange: p.exchange,
      onFail: abandon,
    });
  };
}

/** The feature a streamed call needs from the router. */
const PCI = 'progressive_call_invocations';

/**
 * The writer of a streamed call: `start` sends its first CALL and hands over what sends the next.
 * @throws InvalidArgumentError `ERR_FEATURE_UNSUPPORTED` when the router does not announce the feature.
 */
export function streamCall(
  ctx: SessionContext,
  start: (hook: (send: ChunkSender) => void) => Promise<CallResult>,
): CallStream {
  const dealer = ctx.welcomeInfo_?.roles['dealer'] as { features?: Dict } | undefined;
  if (dealer?.features?.[PCI] !== true)
    throw new InvalidArgumentError(`the router does not announce ${PCI}`, { code: 'ERR_FEATURE_UNSUPPORTED' });
  let send!: ChunkSender;
  const result = start((s) => (send = s));
  // a failure reaches the application through write(), end() or result: never as unhandled
  result.catch(() => undefined);
  return {
    result,
    write: (a, k) => send(a, k, true),
    end: (a, k) => {
      try {
        send(a, k, false);
      } catch (e) {
        return rejected(e);
      }
      return result;
    },
  };
}

/** The input of a streamed call at the callee: its chunks, and the exchange its INVOCATIONs are opened in. */
export interface Stream {
  readonly chunks: EventQueue<InvocationChunk>;
  readonly exchange: PayloadExchange;
}

/** The first INVOCATION of streamed call `id`: the ones that follow with this id are its chunks. */
export function openStream(streams: Map<number, Stream>, id: number, procedure: string): Stream {
  const s: Stream = { chunks: new EventQueue(), exchange: { procedure } };
  streams.set(id, s);
  return s;
}

/**
 * A further INVOCATION of streamed call `id`: opened in the call's exchange and handed to the
 * reader; the last chunk ends the input, and one that cannot be opened fails it.
 */
export function takeChunk(
  ctx: SessionContext,
  streams: Map<number, Stream>,
  id: number,
  details: Dict,
  payload: { slot: ArgsSlot | undefined; kw: Dict | undefined },
): Promise<void> | void {
  const s = streams.get(id)!;
  const more = details['progress'] === true;
  if (!more) streams.delete(id);
  const push = (p: { args?: unknown[] | undefined; kwargs?: Dict | undefined }): void => {
    s.chunks.push({ args: p.args ?? [], kwargs: p.kwargs ?? {}, details, progress: more });
    if (!more) s.chunks.end();
  };
  const { slot, kw } = payload;
  if (!ctx.payload_.codec_ && isPlain(slot, details)) return push({ args: slot, kwargs: kw });
  const open = { uri: s.exchange.procedure, messageType: 'INVOCATION', originating: false, sending: false } as const;
  return ctx.payload_.open_(
    slot,
    kw,
    details,
    {
      ...open,
      exchange: s.exchange,
      progress: more,
      disclosed: disclosedBy(details, 'caller'),
      now: ctx.payload_.now_,
    },
    {
      then: push,
      fail: (err) => {
        ctx.report_(err);
        s.chunks.end(err);
      },
    },
  );
}
