import { writeBatcher } from '../../src/internal';

/** A stream double that records cork/uncork calls and the writes made while corked. */
function recordingStream() {
  const log: string[] = [];
  let depth = 0;
  return {
    log,
    cork: () => {
      depth++;
      log.push('cork');
    },
    uncork: () => {
      depth--;
      log.push('uncork');
    },
    write: (s: string) => log.push(depth > 0 ? `held ${s}` : `write ${s}`),
  };
}

describe('writeBatcher()', () => {
  it('holds every write of one task and releases them together at the next microtask checkpoint', async () => {
    const stream = recordingStream();
    const hold = writeBatcher(stream);
    for (const s of ['a', 'b', 'c']) {
      hold();
      stream.write(s);
    }
    expect(stream.log).toEqual(['cork', 'held a', 'held b', 'held c']);
    await Promise.resolve();
    expect(stream.log).toEqual(['cork', 'held a', 'held b', 'held c', 'uncork']);
  });

  it('also holds writes made by promise continuations queued before the release', async () => {
    const stream = recordingStream();
    const hold = writeBatcher(stream);
    const answers = [1, 2, 3].map((n) => Promise.resolve(n));
    await Promise.all(
      answers.map((p) =>
        p.then((n) => {
          hold();
          stream.write(String(n));
        }),
      ),
    );
    expect(stream.log).toEqual(['cork', 'held 1', 'held 2', 'held 3', 'uncork']);
  });

  it('corks again for writes of a later task', async () => {
    const stream = recordingStream();
    const hold = writeBatcher(stream);
    hold();
    stream.write('a');
    await new Promise((r) => setTimeout(r, 0));
    hold();
    stream.write('b');
    await new Promise((r) => setTimeout(r, 0));
    expect(stream.log).toEqual(['cork', 'held a', 'uncork', 'cork', 'held b', 'uncork']);
  });
});
