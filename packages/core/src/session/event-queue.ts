/**
 * A single-consumer async queue: values pushed before they are read are buffered, readers wait
 * for the next value, and `end()` finishes every reader (with an error, if one is given, once
 * the buffer is drained). At most `limit` values wait: more are dropped and counted, and
 * `onOverflow` hears of the first drop of each overflow.
 * Not part of the public API.
 */
export class EventQueue<T> {
  declare private readonly buffer: T[];
  declare private readonly waiters: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }[];
  declare private ended: boolean;
  declare private failure: unknown;
  declare private readonly limit: number;
  declare private readonly onOverflow: ((dropped: number) => void) | undefined;
  declare private droppedCount: number;
  /** The last value was dropped (its overflow has been announced). */
  declare private overflowing: boolean;

  constructor(limit = Number.POSITIVE_INFINITY, onOverflow?: (dropped: number) => void) {
    this.limit = limit;
    this.onOverflow = onOverflow;
    this.droppedCount = 0;
    this.overflowing = false;
    this.buffer = [];
    this.waiters = [];
    this.ended = false;
  }

  /** Whether the queue has ended. */
  get done(): boolean {
    return this.ended;
  }

  /** How many values were dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Hand `value` to a waiting reader, or buffer it, or (buffer full) drop it. */
  push(value: T): void {
    if (this.ended) return;
    const w = this.waiters.shift();
    if (w) w.resolve({ value, done: false });
    else if (this.buffer.length < this.limit) this.buffer.push(value);
    else {
      this.droppedCount++;
      if (!this.overflowing) this.onOverflow?.(this.droppedCount);
      this.overflowing = true;
      return;
    }
    this.overflowing = false;
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
