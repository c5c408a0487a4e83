/** Helpers for tests that check that every operation settles. */

/** The outcomes of `ops` once all have settled, or `'hang'` if one has not after `ms`. */
export async function settledWithin(
  ops: readonly Promise<unknown>[],
  ms: number,
): Promise<PromiseSettledResult<unknown>[] | 'hang'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.allSettled(ops),
      new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run `fn`, and return the reasons of the promise rejections nobody handled meanwhile. */
export async function unhandledRejectionsDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await fn();
    // let the process notice rejections left unhandled by the last steps
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return unhandled;
}
