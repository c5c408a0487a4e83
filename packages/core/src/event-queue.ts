/**
 * A single-consumer async queue: values pushed before they are read are buffered, readers wait
 * for the next value, and `end()` finishes every reader.
 * @internal
 */
export class EventQueue<T> {
  private readonly buffer: T[] = [];
  private readonly waiters: ((r: IteratorResult<T>) => void)[] = [];
  private ended = false;

  /** Whether the queue has ended. */
  get done(): boolean {
    return this.ended;
  }

  push(value: T): void {
    if (this.ended) return;
    const w = this.waiters.shift();
    if (w) w({ value, done: false });
    else this.buffer.push(value);
  }

  /** End the queue: readers finish once the buffer is drained. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }

  /** Drop buffered values. */
  clear(): void {
    this.buffer.length = 0;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** An iterator over the queue; `return()` (a `break` out of `for await`) drops the buffer and runs `onReturn`. */
  iterator(onReturn: () => Promise<void>): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async (): Promise<IteratorResult<T>> => {
        this.clear();
        await onReturn();
        return { value: undefined, done: true };
      },
    };
  }
}
