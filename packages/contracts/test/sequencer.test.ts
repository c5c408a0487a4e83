import { Sequencer } from '../src/sequencer';

describe('Sequencer', () => {
  it('runs synchronous steps at once', () => {
    const seq = new Sequencer();
    expect(seq.run(() => 1)).toBe(1);
  });

  it('holds later steps back while an asynchronous one is pending, and settles idle after them', async () => {
    const seq = new Sequencer();
    const order: string[] = [];
    const first = seq.run(() =>
      new Promise<string>((r) => setTimeout(() => r('a'), 20)).then((v) => (order.push(v), v)),
    );
    const second = seq.run(() => (order.push('b'), 'b'));
    expect(second).toBeInstanceOf(Promise);
    await seq.idle();
    expect(order).toEqual(['a', 'b']);
    await expect(first).resolves.toBe('a');
    expect(seq.run(() => 'c')).toBe('c');
  });

  it('goes on after a failed step', async () => {
    const seq = new Sequencer();
    const failed = seq.run(() => Promise.reject(new RangeError('x')));
    const next = seq.run(() => 'ok');
    await expect(failed).rejects.toThrow('x');
    await expect(next).resolves.toBe('ok');
  });
});
