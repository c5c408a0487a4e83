/**
 * The 1 KiB binary both benchmarks send: xorshift bytes, the same in every run and every process,
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
