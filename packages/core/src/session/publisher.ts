/** The publisher role: PUBLISH, and PUBLISHED or ERROR for acknowledged publications. */
import { MessageType as T } from '../protocol/messages.js';
import type { Dict } from '../protocol/messages.js';
import { checkPublish } from '../protocol/option-checks.js';
import { PUBLISH_OPTIONS, wireOptions } from '../protocol/wire-options.js';
import type { PublishOptions } from '../types.js';
import type { Role, SessionContext } from './context.js';

/** Not part of the public API (not exported by the package). */
export class Publisher implements Role {
  declare private readonly ctx_: SessionContext;

  constructor(ctx: SessionContext) {
    this.ctx_ = ctx;
  }

  publish_(
    topic: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    options: PublishOptions,
  ): Promise<number | undefined> {
    const ctx = this.ctx_;
    return new Promise<number | undefined>((resolve, reject) => {
      checkPublish(topic, args, kwargs, options, ctx.rules_);
      ctx.assertOpen_();
      const id = ctx.requests_.next_();
      const o = wireOptions(options, PUBLISH_OPTIONS);
      const ack = options.acknowledge === true;
      if (ack) {
        o['acknowledge'] = true;
        ctx.requests_.add_(id, { type: T.PUBLISH, resolve: resolve, reject });
      }
      ctx.payload_.sendPayload_([T.PUBLISH, id, o, topic], {
        options: o,
        args,
        kwargs,
        onFail: (err) => {
          if (ack) ctx.requests_.delete_(id);
          reject(err);
        },
        onSent: ack ? undefined : () => resolve(undefined),
      });
    });
  }

  end_(): void {
    // acknowledged publications are failed through the request table
  }
}
