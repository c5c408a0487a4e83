/**
 * A scripted router for tests and codec authors: it joins a {@link Session} over a
 * {@link MemoryTransport} and answers what the test tells it to, so that a codec or an
 * application's handlers can be exercised message by message without a real router.
 */
import { MessageType as T } from '../protocol/messages.js';
import type { Dict } from '../protocol/messages.js';
import type { JoinOptions } from '../session/join-options.js';
import { Session } from '../session/session.js';
import { MemoryTransport } from './memory-transport.js';

/** Options of a {@link ScriptedRouter}. */
export interface ScriptedRouterOptions {
  /**
   * The router roles WELCOME announces. Default: broker and dealer with `payload_transparency`
   * (Crossbar.io's dialect); `{ broker: { features: { payload_passthru_mode: true } }, ... }` for the
   * WAMP spec's dialect.
   */
  readonly roles?: Dict | undefined;
  /** The session id WELCOME gives. Default 1. */
  readonly sessionId?: number | undefined;
}

const CROSSBAR_ROLES: Dict = {
  broker: { features: { payload_transparency: true } },
  dealer: { features: { payload_transparency: true } },
};

/**
 * @example
 * ```ts
 * const router = new ScriptedRouter();
 * const session = await router.join({ realm: 'realm1', codec: myCodec });
 * const result = session.call('com.example.add', [2, 3]);
 * const call = await router.next(MessageType.CALL);          // [48, id, options, uri, args?, kwargs?]
 * router.send([MessageType.RESULT, call[1], {}, [5]]);
 * await result;                                               // { args: [5], ... }
 * ```
 */
export class ScriptedRouter {
  /** The transport the session runs over. */
  readonly transport: MemoryTransport;
  private readonly roles_: Dict;
  private readonly sessionId_: number;
  private nextId_: number;

  constructor(options: ScriptedRouterOptions = {}) {
    this.transport = new MemoryTransport();
    this.roles_ = options.roles ?? CROSSBAR_ROLES;
    this.sessionId_ = options.sessionId ?? 1;
    this.nextId_ = 1;
  }

  /** Join a session: HELLO is answered with WELCOME. */
  async join(options: JoinOptions): Promise<Session> {
    const joining = Session.join(this.transport, options);
    await this.next(T.HELLO);
    this.send([
      T.WELCOME,
      this.sessionId_,
      { roles: this.roles_, authid: 'anonymous', authrole: 'anonymous', authmethod: 'anonymous' },
    ]);
    return joining;
  }

  /** Send a message to the session, as the router. */
  send(msg: unknown[]): void {
    this.transport.deliver(msg);
  }

  /** The next message of type `type` the session sends (or the last one, if it was already sent and not yet taken). */
  next(type: number): Promise<unknown[]> {
    const seen = this.transport.sent.filter((m) => m[0] === type);
    const taken = this.taken_.get(type) ?? 0;
    if (seen.length > taken) {
      this.taken_.set(type, taken + 1);
      return Promise.resolve(seen[taken]!);
    }
    return this.transport.next(type).then((m) => {
      this.taken_.set(type, (this.taken_.get(type) ?? 0) + 1);
      return m;
    });
  }

  private readonly taken_ = new Map<number, number>();

  /** Answer the next SUBSCRIBE with SUBSCRIBED; resolves with the subscription id given. */
  async acceptSubscribe(): Promise<number> {
    const msg = await this.next(T.SUBSCRIBE);
    const id = this.nextId_++;
    this.send([T.SUBSCRIBED, msg[1], id]);
    return id;
  }

  /** Answer the next REGISTER with REGISTERED; resolves with the registration id given. */
  async acceptRegister(): Promise<number> {
    const msg = await this.next(T.REGISTER);
    const id = this.nextId_++;
    this.send([T.REGISTERED, msg[1], id]);
    return id;
  }

  /** A new id for a publication or an invocation. */
  id(): number {
    return this.nextId_++;
  }
}
