/**
 * Standard base64 (RFC 4648 section 4, `+` and `/`, with padding) without Node's `Buffer`, so the
 * package runs unchanged in browsers. Used for keys and for binary values inside the inner JSON.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Character code → 6-bit value, or 255 for characters outside the alphabet. */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Two-character lookup for each 12-bit group: halves the work of the encoder's inner loop. */
const PAIRS: string[] = new Array<string>(4096);
for (let i = 0; i < 4096; i++) PAIRS[i] = ALPHABET[i >> 6]! + ALPHABET[i & 63]!;

/** Encode bytes as standard base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  const full = n - (n % 3);
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += PAIRS[v >> 12]! + PAIRS[v & 4095]!;
    // Keep strings flat: long rope concatenations are slow to read back.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = n - full;
  if (rest === 1) {
    const v = bytes[full]! << 16;
    chunk += PAIRS[v >> 12]! + '==';
  } else if (rest === 2) {
    const v = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    chunk += PAIRS[v >> 12]! + ALPHABET[(v >> 6) & 63]! + '=';
  }
  if (parts.length === 0) return chunk;
  parts.push(chunk);
  return parts.join('');
}

/**
 * Decode standard base64. Padding is optional; whitespace and any character outside the
 * alphabet make it fail. Returns `undefined` on malformed input.
 */
export function base64Decode(text: string): Uint8Array | undefined {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  // With padding the length must be a multiple of 4; without it, a remainder of 1 is impossible.
  if (end !== text.length && text.length % 4 !== 0) return undefined;
  const rem = end % 4;
  if (rem === 1) return undefined;
  const out = new Uint8Array(((end >> 2) * 3) + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let i = 0;
  const fullEnd = end - rem;
  for (; i < fullEnd; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    if ((a | b | c | d) > 63) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (rem >= 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = rem === 3 ? sextet(text, i + 2) : 0;
    if ((a | b | c) > 63) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >> 16;
    if (rem === 3) out[o++] = (v >> 8) & 255;
  }
  return out;
}

function sextet(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? DECODE[c]! : 255;
}
