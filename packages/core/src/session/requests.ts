/**
 * The one table of requests awaiting the router's reply (CALL, PUBLISH with acknowledge,
 * SUBSCRIBE, UNSUBSCRIBE, REGISTER, UNREGISTER), keyed by request id.
 */
import { ProtocolError } from '../errors.js';
import { MessageTypeName } from '../protocol/messages.js';
import type { SessionContext } from './context.js';

/** A request awaiting the router's reply. */
export interface Pending {
  /** Message type of the request (CALL, PUBLISH, SUBSCRIBE, ...). */
  readonly type: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** Called instead of `reject` when the session ends (a call clears its timer first). */
  end?(err: Error): void;
  /** A CALL whose answers skip the inbound queue (`CallOptions.unordered`). */
  readonly unordered?: boolean;
}

/** Not part of the public API (not exported by the package). */
export class RequestTable {
  declare private readonly pending_: Map<number, Pending>;
  declare private nextId_: number;

  constructor() {
    this.pending_ = new Map();
    this.nextId_ = 1;
  }

  /** A new request id: 1, 2, … 2^53, then 1 again (the WAMP session scope). */
  next_(): number {
    const id = this.nextId_;
    this.nextId_ = id >= 2 ** 53 ? 1 : id + 1;
    return id;
  }

  add_(id: number, p: Pending): void {
    this.pending_.set(id, p);
  }

  get_(id: number): Pending | undefined {
    return this.pending_.get(id);
  }

  delete_(id: number): void {
    this.pending_.delete(id);
  }

  /**
   * The pending request `id`, which must be of `type`; `reply` names the reply for errors.
   * @throws ProtocolError when there is none, or it is of another type.
   */
  take_(type: number, id: number, reply: string): Pending {
    const p = this.pending_.get(id);
    if (!p) throw new ProtocolError(`${reply} for unknown request ${id}`);
    if (p.type !== type)
      throw new ProtocolError(`${reply} answers request ${id}, which was a ${MessageTypeName[p.type]}`);
    return p;
  }

  /** The session ended: every request fails with `err`, and the table is empty. */
  rejectAll_(err: Error): void {
    for (const p of this.pending_.values()) {
      if (p.end) p.end(err);
      else p.reject(err);
    }
    this.pending_.clear();
  }
}

/**
 * Send a request the router answers with one reply (SUBSCRIBE, UNSUBSCRIBE, REGISTER,
 * UNREGISTER): `msg[1]` is set to a new request id, and the promise resolves with what `then`
 * makes of the reply's value (its id).
 */
export function request<V>(ctx: SessionContext, msg: unknown[], then: (id: number) => V): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    ctx.assertOpen_();
    const id = (msg[1] = ctx.requests_.next_());
    ctx.requests_.add_(id, { type: msg[0] as number, resolve: (v) => resolve(then(v as number)), reject });
    ctx.payload_.send_(msg, (err) => {
      ctx.requests_.delete_(id);
      reject(err);
    });
  });
}
