import type {
  CallOptions,
  CallResult,
  CloseInfo,
  Dict,
  EventHandler,
  ProcedureHandler,
  PublishOptions,
  RegisterOptions,
  SubscribeOptions,
} from '../../src/index';

/** What a Session and a Connection both offer (the bad-input cases run on either). */
export interface WampApiLike {
  call(procedure: string, args?: unknown[], kwargs?: Dict, options?: CallOptions): Promise<CallResult>;
  publish(topic: string, args?: unknown[], kwargs?: Dict, options?: PublishOptions): Promise<number | undefined>;
  subscribe(topic: string, handler?: EventHandler, options?: SubscribeOptions): Promise<unknown>;
  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Promise<unknown>;
  close(reason?: string, message?: string): Promise<CloseInfo>;
}
