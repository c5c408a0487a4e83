/** The payloads of the benchmarks, the same bytes for every client. */

/**
 * The 1 KiB binary the benchmarks send: xorshift bytes, the same in every run and every process,
 * and incompressible enough that no layer can shortcut them.
 */
export const BIN_BYTES = 1024;

export function binPayload() {
  const b = new Uint8Array(BIN_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** WAMP's JSON convention for binary: "\u0000" + base64. */
export function jsonBinaryString(bytes) {
  return '\u0000' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * The payloads in each library's representation (`v.lib`: raw, bare, wampbox, autobahn, wampy;
 * `v.ser`: json, msgpack, cbor), the raw baseline's precomputed frames, and the expected echo.
 */
export function payloadsFor(v, uri) {
  const bin = binPayload();
  const binString = jsonBinaryString(bin);
  const small = [1, 'x'];
  // wampbox converts Uint8Array to and from the JSON convention itself. Autobahn|JS and wampy
  // do not, so in JSON they carry the same wire text as a pre-encoded string (they then do no
  // base64 work at all); in msgpack/cbor every library sends real bytes.
  let bin1k;
  if (v.textBinary) bin1k = [binString.slice(1)];
  else if (v.lib === 'wampbox') bin1k = [bin];
  else if (v.ser === 'json') bin1k = [binString];
  else if (v.lib === 'autobahn') bin1k = [Buffer.from(bin)];
  else bin1k = [bin];
  const raw = {
    small: {
      callTail: `,{},${JSON.stringify(uri)},${JSON.stringify(small)}]`,
      yieldTail: `,{},${JSON.stringify(small)}]`,
    },
    bin1k: {
      callTail: `,{},${JSON.stringify(uri)},${JSON.stringify([binString])}]`,
      yieldTail: `,{},${JSON.stringify([binString])}]`,
    },
  };
  return { args: { small, bin1k }, raw, expect: { small, bin1k: v.textBinary ? bin1k : [bin] } };
}

export function sameResult(got, expect) {
  if (!Array.isArray(got) || got.length !== expect.length) return false;
  for (let i = 0; i < expect.length; i++) {
    const e = expect[i];
    let g = got[i];
    if (e instanceof Uint8Array) {
      if (typeof g === 'string' && g.charCodeAt(0) === 0) g = Buffer.from(g.slice(1), 'base64');
      if (!(g instanceof Uint8Array) || Buffer.compare(Buffer.from(g), Buffer.from(e)) !== 0) return false;
    } else if (g !== e) return false;
  }
  return true;
}
