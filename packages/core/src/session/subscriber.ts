/** The subscriber role: SUBSCRIBE/UNSUBSCRIBE, EVENT delivery, and the router's revocations. */
import { SessionClosedError } from '../errors.js';
import { MessageType as T } from '../protocol/messages.js';
import type { ArgsSlot, Dict } from '../protocol/messages.js';
import { checkSubscribe } from '../protocol/option-checks.js';
import { isPlain } from '../payload/pipeline.js';
import { wireOptions } from '../protocol/wire-options.js';
import { Subscription } from './subscription.js';
import type { SubscriptionEntry, SubscriptionOwner } from './subscription.js';
import type { EventData, EventHandler, SubscribeOptions } from '../types.js';
import { isThenable } from '../payload/dialect.js';
import type { Role, SessionContext } from './context.js';
import { disclosedBy } from './disclosed.js';
import { request } from './requests.js';
import type { Revocation } from './revocation.js';

/** Not part of the public API (not exported by the package). */
export class Subscriber implements Role {
  declare private readonly ctx_: SessionContext;
  /** Router subscriptions by id; local subscriptions to the same topic share one. */
  declare private readonly subscriptions_: Map<number, SubscriptionEntry>;
  declare private readonly owner_: SubscriptionOwner;

  constructor(ctx: SessionContext) {
    this.ctx_ = ctx;
    this.subscriptions_ = new Map();
    this.owner_ = { unsubscribe: (s) => this.unsubscribe_(s), report: (err) => ctx.report_(err) };
  }

  subscribe_(topic: string, handler: EventHandler | undefined, options: SubscribeOptions): Promise<Subscription> {
    checkSubscribe(topic, handler, options, this.ctx_.rules_);
    const o = wireOptions(options);
    if (options.match && options.match !== 'exact') o['match'] = options.match;
    if (options.getRetained) o['get_retained'] = true;
    return request(this.ctx_, [T.SUBSCRIBE, 0, o, topic], (subId) => {
      let entry = this.subscriptions_.get(subId);
      if (!entry) this.subscriptions_.set(subId, (entry = { topic, subs: new Set() }));
      const sub = new Subscription(this.owner_, subId, topic, options, handler);
      entry.subs.add(sub);
      return sub;
    });
  }

  private unsubscribe_(sub: Subscription): Promise<void> {
    const entry = this.subscriptions_.get(sub.id);
    if (entry?.subs.size === 1 && entry.subs.has(sub)) {
      return request(this.ctx_, [T.UNSUBSCRIBE, 0, sub.id], () => {
        const current = this.subscriptions_.get(sub.id);
        this.subscriptions_.delete(sub.id);
        if (current) for (const s of current.subs) s.end();
      });
    }
    // unknown, or other local subscriptions share the router subscription
    entry?.subs.delete(sub);
    sub.end();
    return Promise.resolve();
  }

  /** UNSUBSCRIBED for request 0: the router revoked subscription `id`. */
  revoked_(id: number, r: Revocation): void {
    const entry = this.subscriptions_.get(id);
    if (!entry) return;
    this.subscriptions_.delete(id);
    const reason = r.reason ?? 'wamp.error.subscription_revoked';
    for (const sub of entry.subs)
      sub.end(new SessionClosedError(reason, `subscription revoked by the router (${reason})`), r);
  }

  onEvent_(subId: number, publication: number, details: Dict, slot?: ArgsSlot, kw?: Dict): Promise<void> | void {
    const ctx = this.ctx_;
    const entry = this.subscriptions_.get(subId);
    if (!entry) return; // unsubscribed while the event was under way
    const topic = typeof details['topic'] === 'string' ? details['topic'] : entry.topic;
    if (!ctx.payload_.codec_ && isPlain(slot, details))
      return this.deliver_(entry, { args: slot ?? [], kwargs: kw ?? {}, details, topic, publication });
    return ctx.payload_.open_(
      slot,
      kw,
      details,
      {
        uri: topic,
        messageType: 'EVENT',
        originating: false,
        sending: false,
        retained: details['retained'] === true,
        publication,
        disclosed: disclosedBy(details, 'publisher'),
        now: ctx.payload_.now_,
      },
      {
        // messages are handled in order, but an asynchronous decode may finish after the session
        // ended (which drops every subscription): then the event goes nowhere
        then: (p) =>
          this.subscriptions_.get(subId) === entry
            ? this.deliver_(entry, { args: p.args ?? [], kwargs: p.kwargs ?? {}, details, topic, publication })
            : undefined,
        fail: (err) => ctx.report_(err),
      },
    );
  }

  private deliver_(entry: SubscriptionEntry, ev: EventData): void {
    for (const sub of entry.subs) {
      if (sub.iterated) sub.push(ev);
      try {
        const r = sub.handler?.(ev);
        if (isThenable(r)) r.then(undefined, (e: unknown) => this.ctx_.report_(e));
      } catch (e) {
        this.ctx_.report_(e);
      }
    }
  }

  end_(err: Error, clean: boolean): void {
    for (const entry of this.subscriptions_.values()) for (const sub of entry.subs) sub.end(clean ? undefined : err);
    this.subscriptions_.clear();
  }
}
