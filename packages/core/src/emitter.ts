/**
 * A small typed event emitter: the part of the familiar `EventEmitter` API that sessions and
 * connections offer (`on`, `once`, `off`/`removeListener`, `emit`, `listenerCount`,
 * `removeAllListeners`).
 */

/** Any listener; the typed methods check the arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

interface Entry {
  readonly fn: Listener;
  readonly once: boolean;
}

/**
 * A typed event emitter. `E` maps each event name to the tuple of arguments its listeners get.
 *
 * - Listeners run synchronously, in the order they were added, with the emitter as `this`. A
 *   listener that throws never reaches the caller of `emit` (a session or connection in the middle
 *   of a state change): the other listeners still run, and the error goes to the `error`
 *   listeners, or, from an `error` listener or with none, to {@link Emitter.unheard} (sessions and
 *   connections log it as a warning).
 * - An emit works on the listeners present when it starts: a listener added meanwhile runs from
 *   the next emit on, one removed meanwhile still runs this time.
 * - Emitting `error` with no listener does nothing (it does not throw).
 *
 * @example
 * ```ts
 * session.on('error', (err) => console.warn(err.message));
 * conn.once('open', (s) => console.log('joined as', s.id));
 * ```
 */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  /** Listeners per event. Lists are replaced, never changed, so an emit can iterate its own. */
  declare private readonly listenerLists_: Map<keyof E, readonly Entry[]>;

  constructor() {
    this.listenerLists_ = new Map();
  }

  /** Add a listener. */
  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    return this.add_(event, fn, false);
  }

  /** Add a listener that is removed before it first runs. */
  once<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this {
    return this.add_(event, fn, true);
  }

  /** Remove every registration of `fn` for `event`, or all listeners of `event` without `fn`. */
  off<K extends keyof E>(event: K, fn?: (...args: E[K]) => void): this {
    return this.keep_(event, (l) => fn !== undefined && l.fn !== fn);
  }

  /** The same as {@link Emitter.off}. */
  removeListener<K extends keyof E>(event: K, fn?: (...args: E[K]) => void): this {
    return this.off(event, fn);
  }

  /** Remove all listeners of `event`, or of every event. */
  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listenerLists_.clear();
    else this.listenerLists_.delete(event);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof E): number {
    return this.listenerLists_.get(event)?.length ?? 0;
  }

  /** Call the listeners of `event` with `args`. Returns `true` when there were any. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.listenerLists_.get(event);
    if (!list) return false;
    for (const l of list) {
      if (l.once) this.keep_(event, (x) => x !== l);
      try {
        l.fn.apply(this, args);
      } catch (e) {
        this.listenerFailed_(event, e);
      }
    }
    return true;
  }

  /** A listener of `event` threw `err`: hand it to the `error` listeners, unless it came from one. */
  private listenerFailed_(event: keyof E, err: unknown): void {
    const reported = event !== 'error' && this.emit('error' as keyof E, ...([err] as unknown as E[keyof E]));
    if (!reported) this.unheard(err, event);
  }

  /**
   * Where an error thrown by a listener goes when no `error` listener took it (it came from an
   * `error` listener, or there is none). Default: nowhere; subclasses log it.
   */
  protected unheard(_err: unknown, _event: keyof E): void {
    // nowhere by default
  }

  private add_(event: keyof E, fn: Listener, once: boolean): this {
    this.listenerLists_.set(event, [...(this.listenerLists_.get(event) ?? []), { fn, once }]);
    return this;
  }

  /** Keep only the listeners of `event` that pass `test`. */
  private keep_(event: keyof E, test: (l: Entry) => boolean): this {
    const list = this.listenerLists_.get(event)?.filter(test);
    if (list?.length) this.listenerLists_.set(event, list);
    else this.listenerLists_.delete(event);
    return this;
  }
}
