/**
 * Keeps steps in order when some of them answer with a promise (an asynchronous schema): a step
 * runs at once, synchronously, unless an earlier one is still pending; then it waits its turn.
 */

function isThenable<V>(v: unknown): v is PromiseLike<V> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function ignore(): void {}

/** Not part of the public API. */
export class Sequencer {
  declare private tail: Promise<void> | undefined;

  constructor() {
    this.tail = undefined;
  }

  /** Run `step` after the pending ones (now, if none is): its value, or a promise of it. */
  run<T>(step: () => T | PromiseLike<T>): T | Promise<T> {
    if (this.tail) return this.track(this.tail.then(step));
    const r = step();
    return isThenable<T>(r) ? this.track(Promise.resolve(r)) : r;
  }

  /** Settles once every step started so far has. */
  idle(): Promise<void> {
    return this.tail ?? Promise.resolve();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(ignore, ignore);
    this.tail = settled;
    void settled.then(() => {
      if (this.tail === settled) this.tail = undefined;
    });
    return p;
  }
}
