import type { ProcedureHandler, RegisterOptions } from '../types.js';

/** What a {@link Registration} needs from its session. */
export interface RegistrationOwner {
  unregister(reg: Registration): Promise<void>;
}

/**
 * A registered procedure, as returned by `session.register()`.
 * @example
 * ```ts
 * const reg = await session.register('com.example.add', (inv) => (inv.args[0] as number) + (inv.args[1] as number));
 * await reg.unregister();
 * ```
 */
export class Registration {
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
    this.owner_ = owner;
    this.id = id;
    this.procedure = procedure;
    this.options = options;
    this.handler = handler;
    this.activeFlag_ = true;
  }

  /** `false` once unregistered or the session ended. */
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

  /** @internal */
  end(): void {
    this.activeFlag_ = false;
  }
}
