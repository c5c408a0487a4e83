/**
 * A single-consumer async queue: values pushed before they are read are buffered, readers wait
 * for the next value, and `end()` finishes every reader (with an error, if one is given, once
 * the buffer is drained). At most `limit` values wait: more are dropped and counted, and
 * `onOverflow` hears of the first drop of each overflow.
 * Not part of the public API.
 */
export class EventQueue<T> {
  declare private readonly buffer_: T[];
  declare private readonly waiters_: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }[];
  declare private ended_: boolean;
  declare private failure_: unknown;
  declare private readonly limit_: number;
  declare private readonly onOverflow_: ((dropped: number) => void) | undefined;
  declare private droppedCount_: number;
  /** The last value was dropped (its overflow has been announced). */
  declare private overflowing_: boolean;

  constructor(limit = Number.POSITIVE_INFINITY, onOverflow?: (dropped: number) => void) {
    this.limit_ = limit;
    this.onOverflow_ = onOverflow;
    this.droppedCount_ = 0;
    this.overflowing_ = false;
    this.buffer_ = [];
    this.waiters_ = [];
    this.ended_ = false;
  }

  /** Whether the queue has ended. */
  get done(): boolean {
    return this.ended_;
  }

  /** How many values were dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount_;
  }

  /** Hand `value` to a waiting reader, or buffer it, or (buffer full) drop it. */
  push(value: T): void {
    if (this.ended_) return;
    const w = this.waiters_.shift();
    if (w) w.resolve({ value, done: false });
    else if (this.buffer_.length < this.limit_) this.buffer_.push(value);
    else {
      this.droppedCount_++;
      if (!this.overflowing_) this.onOverflow_?.(this.droppedCount_);
      this.overflowing_ = true;
      return;
    }
    this.overflowing_ = false;
  }

  /** End the queue: readers finish (or, with `error`, throw it) once the buffer is drained. */
  end(error?: unknown): void {
    if (this.ended_) return;
    this.ended_ = true;
    this.failure_ = error;
    for (const w of this.waiters_.splice(0)) this.settle_(w);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer_.length > 0) return Promise.resolve({ value: this.buffer_.shift() as T, done: false });
    return new Promise((resolve, reject) => {
      if (this.ended_) this.settle_({ resolve, reject });
      else this.waiters_.push({ resolve, reject });
    });
  }

  /** An iterator over the queue; `return()` (a `break` out of `for await`) drops the buffer and runs `onReturn`. */
  iterator(onReturn: () => Promise<void>): AsyncIterableIterator<T> {
    const it: AsyncIterableIterator<T> = {
      next: () => this.next(),
      return: async (): Promise<IteratorResult<T>> => {
        this.buffer_.length = 0;
        await onReturn();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  private settle_(w: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }): void {
    if (this.failure_ !== undefined) w.reject(this.failure_);
    else w.resolve({ value: undefined, done: true });
  }
}
