/**
 * The clear URIs behind scrambled ones (§c.4): tags are one-way, so a codec remembers the clear
 * URI of every scrambled URI it sent or opened (an opened payload's inner URI was checked to
 * scramble to the wire URI). Bounded: the least recently remembered are forgotten first.
 */

/** Wire URI → clear URI, at most `capacity` of them. */
export class ClearUris {
  readonly #map = new Map<string, string>();

  constructor(readonly capacity = 4096) {}

  /** Remember that `wire` is the scrambled form of `clear`. */
  remember(wire: string, clear: string): void {
    if (this.#map.get(wire) === clear) return;
    this.#map.delete(wire);
    this.#map.set(wire, clear);
    if (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value!);
  }

  /** The clear URI of `wire`, or `undefined` when it is not known. */
  get(wire: string): string | undefined {
    return this.#map.get(wire);
  }
}
