/**
 * A single-consumer async queue: values pushed before they are read are buffered, readers wait
 * for the next value, and `end()` finishes every reader (with an error, if one is given, once
 * the buffer is drained). At most `limit` values wait; more are refused (see {@link EventQueue.push}).
 * Not part of the public API.
 */
export class EventQueue<T> {
  declare private readonly buffer: T[];
  declare private readonly waiters: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }[];
  declare private ended: boolean;
  declare private failure: unknown;
  declare private readonly limit: number;

  constructor(limit = Number.POSITIVE_INFINITY) {
    this.limit = limit;
    this.buffer = [];
    this.waiters = [];
    this.ended = false;
  }

  /** Whether the queue has ended. */
  get done(): boolean {
    return this.ended;
  }

  /** Hand `value` to a waiting reader or buffer it. Returns `false` when the buffer is full and `value` was dropped. */
  push(value: T): boolean {
    if (this.ended) return true;
    const w = this.waiters.shift();
    if (w) w.resolve({ value, done: false });
    else if (this.buffer.length >= this.limit) return false;
    else this.buffer.push(value);
    return true;
  }

  /** End the queue: readers finish (or, with `error`, throw it) once the buffer is drained. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    for (const w of this.waiters.splice(0)) this.settle(w);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    return new Promise((resolve, reject) => {
      if (this.ended) this.settle({ resolve, reject });
      else this.waiters.push({ resolve, reject });
    });
  }

  /** An iterator over the queue; `return()` (a `break` out of `for await`) drops the buffer and runs `onReturn`. */
  iterator(onReturn: () => Promise<void>): AsyncIterableIterator<T> {
    const it: AsyncIterableIterator<T> = {
      next: () => this.next(),
      return: async (): Promise<IteratorResult<T>> => {
        this.buffer.length = 0;
        await onReturn();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  private settle(w: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }): void {
    if (this.failure !== undefined) w.reject(this.failure);
    else w.resolve({ value: undefined, done: true });
  }
}
