/**
 * The message flows of the codec conformance suite, as a session runs them: each payload with
 * the context a session gives it, including the exchange a CALL shares with its results (at the
 * caller) and an INVOCATION with its answers (at the callee), and the envelope's progress flag.
 */
import type {
  Payload,
  PayloadCodec,
  PayloadContext,
  PayloadExchange,
  PayloadMessageType,
  WirePayload,
} from '../payload/payload-codec.js';

/** What the suite runs a codec pair with: see `PayloadCodecConformanceSetup`. */
export interface FlowSetup {
  readonly sender: PayloadCodec;
  readonly receiver: PayloadCodec;
  readonly now?: (() => number) | undefined;
}

/** A payload sent, and how the other side receives it. */
export interface Sent {
  readonly wire: WirePayload;
  /** Decode `wire` (or a changed copy) on the receiving side, in the sent payload's context. */
  receive(wire: WirePayload): Promise<Payload>;
}

/** One kind of message a codec carries: PUBLISH → EVENT, CALL → INVOCATION, … */
export interface Exchange {
  readonly label: string;
  /** Run what must come first (a CALL before its YIELD), then encode `payload` on the sending side. */
  send(s: FlowSetup, uri: string, payload: Payload): Promise<Sent>;
}

/** Context of a payload; `extra` adds the exchange, progress and the like. */
export function context(
  messageType: PayloadMessageType,
  uri: string,
  extra: Partial<PayloadContext> = {},
): PayloadContext {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}

/** A call in flight: the caller's and the callee's exchange, and whether the CALL went out opaque. */
export interface OpenCall {
  readonly caller: PayloadExchange;
  readonly callee: PayloadExchange;
  readonly opaque: boolean;
}

/** A CALL from the sender, received as an INVOCATION by the receiver. */
export async function openCall(s: FlowSetup, uri: string, payload: Payload = { args: [] }): Promise<OpenCall> {
  const caller: PayloadExchange = { procedure: uri };
  const callee: PayloadExchange = { procedure: uri };
  const wire = await s.sender.encode(payload, context('CALL', uri, { exchange: caller, progress: false, now: s.now }));
  await s.receiver.decode(wire, context('INVOCATION', uri, { exchange: callee, progress: false, now: s.now }));
  return { caller, callee, opaque: wire.kind === 'opaque' };
}

/** A YIELD (progress `progress`) answering `call`, and how its caller receives it as a RESULT. */
export async function yieldTo(s: FlowSetup, call: OpenCall, payload: Payload, progress = false): Promise<Sent> {
  const uri = call.caller.procedure;
  const base = { requestWasOpaque: call.opaque, now: s.now };
  const wire = await s.receiver.encode(payload, context('YIELD', uri, { ...base, exchange: call.callee, progress }));
  return {
    wire,
    receive: async (w) => s.sender.decode(w, context('RESULT', uri, { ...base, exchange: call.caller, progress })),
  };
}

/** A callee's ERROR answering `call`, and how its caller receives it. */
export async function errorTo(s: FlowSetup, call: OpenCall, payload: Payload): Promise<Sent> {
  const uri = call.caller.procedure;
  const base = { requestWasOpaque: call.opaque, procedure: uri, now: s.now };
  const wire = await s.receiver.encode(payload, {
    ...context('ERROR', uri, { ...base, exchange: call.callee }),
    originating: false,
    sending: true,
  });
  return {
    wire,
    receive: async (w) =>
      s.sender.decode(w, {
        ...context('ERROR', uri, { ...base, exchange: call.caller }),
        originating: true,
        sending: false,
      }),
  };
}

export const EXCHANGES: readonly Exchange[] = [
  {
    label: 'PUBLISH → EVENT',
    send: async (s, uri, p) => {
      const wire = await s.sender.encode(p, context('PUBLISH', uri, { now: s.now }));
      return {
        wire,
        receive: async (w) => s.receiver.decode(w, context('EVENT', uri, { retained: false, now: s.now })),
      };
    },
  },
  {
    label: 'CALL → INVOCATION',
    send: async (s, uri, p) => {
      const callee: PayloadExchange = { procedure: uri };
      const wire = await s.sender.encode(
        p,
        context('CALL', uri, { exchange: { procedure: uri }, progress: false, now: s.now }),
      );
      const ctx = context('INVOCATION', uri, { exchange: callee, progress: false, now: s.now });
      return { wire, receive: async (w) => s.receiver.decode(w, ctx) };
    },
  },
  { label: 'YIELD → RESULT', send: async (s, uri, p) => yieldTo(s, await openCall(s, uri), p) },
  { label: 'callee ERROR → caller', send: async (s, uri, p) => errorTo(s, await openCall(s, uri), p) },
];
