/**
 * Two `x_e2ev2` codecs joined without a router: a `WampApi` whose `call` seals the CALL with the
 * caller's codec, opens it as an INVOCATION with the callee's, runs the handler registered there,
 * seals its answer and opens it as the RESULT or ERROR, as a session would. Enough for the key
 * service and the fetching reader; publishing goes through {@link CodecLoop.deliver}.
 */
import {
  ApplicationError,
  Result,
  type CallResult,
  type Dict,
  type Invocation,
  type Payload,
  type PayloadCodec,
  type PayloadContext,
  type ProcedureHandler,
  type WampApi,
  type WirePayload,
} from '@wampbox/core';

function ctx(
  messageType: PayloadContext['messageType'],
  uri: string,
  extra: Partial<PayloadContext> = {},
): PayloadContext {
  const sending = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'YIELD';
  const originating = messageType === 'PUBLISH' || messageType === 'CALL' || messageType === 'RESULT';
  return { uri, messageType, originating, sending, ...extra };
}

/** A loop between one caller codec and one callee codec. */
export class CodecLoop {
  readonly #handlers = new Map<string, ProcedureHandler>();
  /** The calls made, by procedure. */
  readonly calls: string[] = [];

  constructor(
    readonly caller: PayloadCodec,
    readonly callee: PayloadCodec,
  ) {}

  /** The `WampApi` of the callee's side (only `register` works). */
  get calleeApi(): WampApi {
    return this.#api();
  }

  /** The `WampApi` of the caller's side (only `call` works). */
  get callerApi(): WampApi {
    return this.#api();
  }

  #api(): WampApi {
    const unsupported = (): never => {
      throw new Error('not in the loop');
    };
    return {
      call: (procedure: string, args?: unknown[], kwargs?: Dict) => this.call(procedure, args, kwargs),
      register: (procedure: string, handler: ProcedureHandler) => {
        this.#handlers.set(procedure, handler);
        return Promise.resolve({ procedure, unregister: () => Promise.resolve() } as never);
      },
      callProgressive: unsupported,
      callStream: unsupported,
      publish: unsupported,
      subscribe: unsupported,
    };
  }

  /** Seal a PUBLISH with `from` and open it as an EVENT with `to`. */
  async deliver(from: PayloadCodec, to: PayloadCodec, topic: string, p: Payload): Promise<Payload> {
    const wire = await from.encode(p, ctx('PUBLISH', topic));
    return to.decode(wire, ctx('EVENT', topic));
  }

  async call(procedure: string, args: unknown[] = [], kwargs: Dict = {}): Promise<CallResult> {
    this.calls.push(procedure);
    const handler = this.#handlers.get(procedure);
    if (handler === undefined) throw new ApplicationError('wamp.error.no_such_procedure');
    const callerX = { procedure };
    const calleeX = { procedure };
    const wire = await this.caller.encode(
      { args, kwargs },
      ctx('CALL', procedure, { exchange: callerX, progress: false }),
    );
    const inv = await this.callee.decode(wire, ctx('INVOCATION', procedure, { exchange: calleeX, progress: false }));
    let answer: WirePayload;
    let errorUri: string | undefined;
    try {
      const r = await handler({
        args: inv.args ?? [],
        kwargs: inv.kwargs ?? {},
        details: {},
        procedure,
        signal: new AbortController().signal,
        receiveProgress: false,
        exchange: calleeX,
        progress: () => false,
        chunks: () => {
          throw new Error('not in the loop');
        },
      } satisfies Invocation);
      const res = r instanceof Result ? r : new Result(r === undefined ? [] : [r]);
      answer = await this.callee.encode(res, ctx('YIELD', procedure, { exchange: calleeX, progress: false }));
    } catch (e) {
      if (!(e instanceof ApplicationError)) throw e;
      errorUri = e.uri;
      const p = { args: e.args, kwargs: e.kwargs };
      answer = await this.callee.encode(p, ctx('ERROR', e.uri, { exchange: calleeX, procedure }));
    }
    if (errorUri !== undefined) {
      const p = await this.caller.decode(answer, ctx('ERROR', errorUri, { exchange: callerX, procedure }));
      throw new ApplicationError(errorUri, p.args, p.kwargs);
    }
    const p = await this.caller.decode(
      answer,
      ctx('RESULT', procedure, { exchange: callerX, procedure, progress: false }),
    );
    return { args: p.args ?? [], kwargs: p.kwargs ?? {}, details: {}, progress: false };
  }
}
