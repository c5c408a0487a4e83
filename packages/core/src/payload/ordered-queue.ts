/**
 * An ordered queue of steps: while an asynchronous step (a codec answering with a promise) is in
 * flight, later steps wait their turn, so messages keep their order in both directions.
 */

/** Not part of the public API (not exported by the package). */
export class OrderedQueue {
  declare private tail_: Promise<void> | undefined;

  constructor() {
    this.tail_ = undefined;
  }

  /** `true` while a step is queued or running. */
  get busy(): boolean {
    return this.tail_ !== undefined;
  }

  /** Run `step` after everything already queued; a failure goes to `onFail`. The queue is dropped once it runs dry. */
  run(step: () => unknown, onFail: (err: Error) => void): void {
    const done = (): void => {
      if (this.tail_ === next) this.tail_ = undefined;
    };
    const next: Promise<void> = (this.tail_ ?? Promise.resolve()).then(step).then(undefined, onFail).then(done, done);
    this.tail_ = next;
  }
}
