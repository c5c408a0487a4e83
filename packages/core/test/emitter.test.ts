import { Emitter as Base } from '../src/emitter';

interface Events {
  error: [error: Error];
  tick: [n: number, label: string];
}

/** The emitter with `emit` reachable, as its subclasses (Session, Connection) use it. */
class Emitter<E extends { [K in keyof E]: unknown[] }> extends Base<E> {
  override emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    return super.emit(event, ...args);
  }
}

describe('Emitter', () => {
  it('calls listeners in order with the arguments and the emitter as this, and reports whether any ran', () => {
    const e = new Emitter<Events>();
    const seen: unknown[] = [];
    let self: unknown;
    e.on('tick', (n, label) => void seen.push(['a', n, label]));
    e.on('tick', function (this: unknown, n) {
      self = this;
      seen.push(['b', n]);
    });
    expect(e.emit('tick', 1, 'x')).toBe(true);
    expect(seen).toEqual([
      ['a', 1, 'x'],
      ['b', 1],
    ]);
    expect(self).toBe(e);
    expect(e.emit('error', new Error('nobody listens'))).toBe(false);
  });

  it('runs a once listener a single time, even when it emits again from inside', () => {
    const e = new Emitter<Events>();
    let n = 0;
    e.once('tick', () => {
      n++;
      e.emit('tick', 2, 'inner');
    });
    e.emit('tick', 1, 'outer');
    e.emit('tick', 3, 'again');
    expect(n).toBe(1);
    expect(e.listenerCount('tick')).toBe(0);
  });

  it('removes by function (off and removeListener), per event or all at once', () => {
    const e = new Emitter<Events>();
    const f = (): void => undefined;
    const g = (): void => undefined;
    e.on('tick', f).on('tick', g).once('tick', f).on('error', f);
    expect(e.listenerCount('tick')).toBe(3);
    e.off('tick', f);
    expect(e.listenerCount('tick')).toBe(1);
    e.removeListener('tick', g);
    expect(e.listenerCount('tick')).toBe(0);
    e.on('tick', f).on('tick', g);
    e.off('tick');
    expect(e.listenerCount('tick')).toBe(0);
    e.on('tick', f);
    e.removeAllListeners('tick');
    expect(e.listenerCount('tick')).toBe(0);
    expect(e.listenerCount('error')).toBe(1);
    e.on('tick', f);
    e.removeAllListeners();
    expect(e.listenerCount('tick') + e.listenerCount('error')).toBe(0);
    e.off('tick', f); // nothing to remove
  });

  it('works on the listeners present when an emit starts', () => {
    const e = new Emitter<Events>();
    const seen: string[] = [];
    const late = (): void => void seen.push('late');
    const second = (): void => void seen.push('second');
    e.on('tick', () => {
      seen.push('first');
      e.on('tick', late);
      e.off('tick', second);
    });
    e.on('tick', second);
    e.emit('tick', 1, '');
    expect(seen).toEqual(['first', 'second']);
    seen.length = 0;
    e.emit('tick', 2, '');
    expect(seen).toEqual(['first', 'late']);
  });

  it('keeps a throwing listener from reaching the caller: the rest still run, the error goes to `error`', () => {
    const e = new Emitter<Events>();
    const reported: unknown[] = [];
    let after = false;
    e.on('tick', () => {
      throw new Error('listener broke');
    });
    e.on('tick', () => {
      after = true;
    });
    e.on('error', (err) => void reported.push(err));
    expect(() => e.emit('tick', 1, '')).not.toThrow();
    expect(after).toBe(true);
    expect(reported).toEqual([new Error('listener broke')]);
  });

  it('hands an error from an `error` listener, or one nobody hears, to unheard()', () => {
    const unheard: [unknown, unknown][] = [];
    class Logged extends Emitter<Events> {
      protected override unheard(err: unknown, event: keyof Events): void {
        unheard.push([err, event]);
      }
    }
    const e = new Logged();
    e.on('tick', () => {
      throw new Error('no error listener');
    });
    expect(() => e.emit('tick', 1, '')).not.toThrow();
    e.on('error', () => {
      throw new Error('error listener broke');
    });
    expect(() => e.emit('tick', 2, '')).not.toThrow();
    expect(unheard).toEqual([
      [new Error('no error listener'), 'tick'],
      [new Error('error listener broke'), 'error'],
    ]);
  });
});
