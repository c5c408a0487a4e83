/** A writable stream that can hold writes back and flush them together (Node's `net.Socket`). */
export interface CorkableStream {
  /** Hold writes back. Calls nest: each needs its {@link CorkableStream.uncork}. */
  cork(): void;
  /** Release one {@link CorkableStream.cork}; the last one flushes everything held. */
  uncork(): void;
}

/**
 * Write batching for a transport over a Node stream: returns `hold`, to call before each write.
 * The first call corks the stream and queues, as a microtask, the uncork that flushes everything
 * written since as one system call. Frames sent while one incoming batch is handled, or by the
 * promise continuations of the same microtask checkpoint (100 calls in flight answering at once),
 * leave together; a lone frame leaves at the end of the current task, so no latency is added.
 *
 * @example
 * ```ts
 * const hold = writeBatcher(socket);
 * function send(frame: Uint8Array): void {
 *   hold();
 *   socket.write(frame);
 * }
 * ```
 */
export function writeBatcher(stream: CorkableStream): () => void {
  let held = false;
  const flush = (): void => {
    held = false;
    stream.uncork();
  };
  return () => {
    if (held) return;
    held = true;
    stream.cork();
    queueMicrotask(flush);
  };
}
