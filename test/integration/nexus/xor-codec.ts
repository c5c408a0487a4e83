/**
 * A custom payload codec for the tests of the spec's dialect: under one URI prefix the payload goes
 * out opaque, as JSON text (WAMP's binary convention inside) XORed with one byte, with every
 * scheme attribute set: `ppt_scheme: "x_wbtest"`, `ppt_serializer: "json"`, `ppt_cipher: "x_xor"`
 * and `ppt_keyid`. Not encryption: it only makes the payload opaque to the router, so that a test
 * can show what a custom `x_` scheme looks like on the wire and that it arrives unchanged.
 */
import { PAYLOAD_ERROR_URIS, PayloadCodecError, decodeJsonBinaries, stringifyJson } from '@wampbox/core';
import type { Payload, PayloadCodec } from '@wampbox/core';

export const XOR_SCHEME = 'x_wbtest';
export const XOR_CIPHER = 'x_xor';
export const XOR_KEY_ID = 'wbtest-key-1';
const MASK = 0x5a;

const xor = (bytes: Uint8Array): Uint8Array => bytes.map((b) => b ^ MASK);

/** The test codec: opaque under `prefix`, plain elsewhere; plaintext under `prefix` is refused. */
export function xorCodec(prefix: string): PayloadCodec {
  return {
    name: XOR_SCHEME,
    encode(p, ctx) {
      if (!ctx.uri.startsWith(prefix)) return { kind: 'plain', args: p.args, kwargs: p.kwargs };
      const text = stringifyJson({ args: p.args ?? [], kwargs: p.kwargs ?? {} });
      const payload = xor(new TextEncoder().encode(text));
      return { kind: 'opaque', scheme: XOR_SCHEME, serializer: 'json', cipher: XOR_CIPHER, keyId: XOR_KEY_ID, payload };
    },
    decode(w, ctx) {
      const keyed = ctx.uri.startsWith(prefix);
      if (w.kind === 'plain') {
        if (!keyed) return w;
        throw new PayloadCodecError(
          'ERR_PAYLOAD_PLAINTEXT_REFUSED',
          PAYLOAD_ERROR_URIS.plaintextRefused,
          `plaintext on "${ctx.uri}"`,
        );
      }
      if (w.scheme !== XOR_SCHEME || w.serializer !== 'json' || w.cipher !== XOR_CIPHER || w.keyId !== XOR_KEY_ID) {
        throw new PayloadCodecError('ERR_PAYLOAD_UNSUPPORTED', PAYLOAD_ERROR_URIS.noCodec, `unsupported "${w.scheme}"`);
      }
      try {
        const opened = decodeJsonBinaries(JSON.parse(new TextDecoder().decode(xor(w.payload))) as Payload);
        return { args: opened.args, kwargs: opened.kwargs };
      } catch (cause) {
        throw new PayloadCodecError('ERR_PAYLOAD_CODEC', PAYLOAD_ERROR_URIS.codec, `cannot open "${ctx.uri}"`, {
          cause,
        });
      }
    },
  };
}
