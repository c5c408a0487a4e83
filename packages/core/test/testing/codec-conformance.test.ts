import { PAYLOAD_ERROR_URIS, PayloadCodecError, decodeJsonBinaries, stringifyJson } from '../../src/index';
import type { PayloadCodec, PayloadExchange } from '../../src/index';
import { passthrough } from '../../src/payload/passthrough';
import { describePayloadCodecConformance } from '../../src/testing/codec-conformance';

describePayloadCodecConformance(
  'passthrough',
  async () => ({
    sender: passthrough(),
    receiver: passthrough(),
    keyedUri: 'com.example.any',
    unkeyedUri: 'com.example.other',
    expectOpaque: false,
  }),
  { describe, it, expect },
);

/**
 * A toy stateful codec (no cryptography): it carries the call's exchange id, the result index and
 * the progress flag inside the opaque payload, and checks them against what it remembers per
 * exchange. `checks: false` makes a broken one that remembers but never checks.
 */
function bindingCodec(checks = true): PayloadCodec {
  let nextXid = 1;
  const state = new WeakMap<PayloadExchange, { xid: number; idx: number }>();
  const fail = (why: string): never => {
    throw new PayloadCodecError('ERR_PAYLOAD_DECRYPT', PAYLOAD_ERROR_URIS.decrypt, why);
  };
  return {
    name: 'x_binding',
    encode: (p, ctx) => {
      let xid = 0;
      let idx = 0;
      if (ctx.messageType === 'CALL') state.set(ctx.exchange!, { xid: (xid = nextXid++), idx: 0 });
      else if (ctx.exchange) {
        const st = state.get(ctx.exchange)!;
        xid = st.xid;
        idx = ++st.idx;
      }
      const inner = { args: p.args ?? [], kwargs: p.kwargs ?? {}, xid, idx, progress: ctx.progress ?? false };
      return {
        kind: 'opaque',
        scheme: 'x_binding',
        serializer: 'json',
        payload: new TextEncoder().encode(stringifyJson(inner)),
      };
    },
    decode: (w, ctx) => {
      if (w.kind !== 'opaque' || w.scheme !== 'x_binding') return fail('not a binding payload');
      const inner = decodeJsonBinaries(JSON.parse(new TextDecoder().decode(w.payload))) as {
        args: unknown[];
        kwargs: Record<string, unknown>;
        xid: number;
        idx: number;
        progress: boolean;
      };
      if (ctx.messageType === 'INVOCATION') state.set(ctx.exchange!, { xid: inner.xid, idx: 0 });
      else if (ctx.messageType === 'RESULT' || (ctx.messageType === 'ERROR' && ctx.exchange)) {
        const st = state.get(ctx.exchange!);
        if (checks) {
          if (!st || st.xid !== inner.xid) fail('result of another call');
          if (inner.idx <= st!.idx) fail('result replayed');
          if (ctx.progress !== undefined && inner.progress !== ctx.progress) fail('progress flag changed');
        }
        if (st) st.idx = inner.idx;
      }
      return { args: inner.args, kwargs: inner.kwargs };
    },
  };
}

const bindingSetup = (checks: boolean) => async () => ({
  sender: bindingCodec(checks),
  receiver: bindingCodec(checks),
  keyedUri: 'com.example.bound',
  expectOpaque: true,
  confidential: false,
  authenticated: false,
  bindsExchange: true,
  bindsProgress: true,
});

describePayloadCodecConformance('a stateful codec that binds results to calls', bindingSetup(true), {
  describe,
  it,
  expect,
});

describe('the stateful cases of the conformance suite', () => {
  it('fail for a codec that claims to bind results but does not check', async () => {
    const cases: [string, () => Promise<void>][] = [];
    const framework = {
      describe: (_name: string, fn: () => void) => fn(),
      it: (name: string, fn: () => Promise<void>) => void cases.push([name, fn]),
      expect: (actual: unknown) => ({
        toEqual: (e: unknown) => expect(actual).toEqual(e),
        toBe: (e: unknown) => expect(actual).toBe(e),
      }),
    };
    describePayloadCodecConformance('broken', bindingSetup(false), framework);
    const stateful = cases.filter(([name]) => /another call|twice|progress flag/.test(name));
    expect(stateful).toHaveLength(3);
    for (const [, run] of stateful) await expect(run()).rejects.toThrow(/expected a PayloadCodecError/);
    // and the stateless cases still pass for it
    for (const [, run] of cases.filter((c) => !stateful.includes(c))) await expect(run()).resolves.toBeUndefined();
  });
});
