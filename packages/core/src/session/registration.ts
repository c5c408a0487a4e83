import { Emitter } from '../emitter.js';
import type { ProcedureHandler, RegisterOptions } from '../types.js';
import type { HandleEvents, Revocation } from './revocation.js';

/** What a {@link Registration} needs from its session. */
export interface RegistrationOwner {
  unregister(reg: Registration): Promise<void>;
  /** Report an error that belongs to no operation (a listener that threw). */
  report(err: unknown): void;
}

/**
 * A registered procedure, as returned by `session.register()`. When the router revokes it, it
 * emits `revoked` (see {@link HandleEvents}).
 * @example
 * ```ts
 * const reg = await session.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
 * reg.on('revoked', ({ reason }) => console.log('removed by the router:', reason));
 * await reg.unregister();
 * ```
 */
export class Registration extends Emitter<HandleEvents> {
  /** Router-assigned registration id. */
  declare readonly id: number;
  /** The procedure (or pattern) registered. */
  declare readonly procedure: string;
  /** The options it was made with. */
  declare readonly options: Readonly<RegisterOptions>;
  /** @internal */
  declare readonly handler: ProcedureHandler;
  declare private readonly owner_: RegistrationOwner;
  declare private activeFlag_: boolean;

  /** @internal */
  constructor(
    owner: RegistrationOwner,
    id: number,
    procedure: string,
    options: RegisterOptions,
    handler: ProcedureHandler,
  ) {
    super();
    this.owner_ = owner;
    this.id = id;
    this.procedure = procedure;
    this.options = options;
    this.handler = handler;
    this.activeFlag_ = true;
  }

  /** `false` once unregistered, revoked or the session ended. */
  get active(): boolean {
    return this.activeFlag_;
  }

  /**
   * Remove the registration at the router.
   * @throws SessionClosedError `ERR_SESSION_CLOSED` when the session is not open.
   */
  unregister(): Promise<void> {
    if (!this.activeFlag_) return Promise.resolve();
    return this.owner_.unregister(this);
  }

  /** @internal The registration ended (unregistered, revoked or session closed). */
  end(revocation?: Revocation): void {
    if (!this.activeFlag_) return;
    this.activeFlag_ = false;
    if (revocation) this.emit('revoked', revocation);
  }

  /** @internal A `revoked` listener threw: the session reports it. */
  protected override unheard(err: unknown): void {
    this.owner_.report(err);
  }
}
