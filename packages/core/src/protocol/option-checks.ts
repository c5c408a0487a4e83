/**
 * The checks of each API call's arguments and options (see `checks.ts` for the single-value checks).
 * Each returns nothing and throws {@link InvalidArgumentError} `ERR_INVALID_ARGUMENT` on the first
 * problem; they run before a request id is taken or anything is queued.
 */
import {
  checkArgs,
  checkBoolean,
  checkCount,
  checkDuration,
  checkFunction,
  checkIdList,
  checkKwargs,
  checkOneOf,
  checkOptions,
  checkSignal,
  checkString,
  checkStringList,
  checkUri,
  invalid,
  isPlainObject,
} from './checks.js';
import type { UriRules } from './uri.js';

/** The match policies of subscriptions and registrations. */
const MATCH = ['exact', 'prefix', 'wildcard'] as const;
/** The shared-registration policies. */
const INVOKE = ['single', 'roundrobin', 'random', 'first', 'last'] as const;
/** The CANCEL modes. */
const CANCEL = ['skip', 'kill', 'killnowait'] as const;

function checkWampOptions(o: Record<string, unknown>, what: string): void {
  if (o['wampOptions'] !== undefined && !isPlainObject(o['wampOptions']))
    invalid(`${what}.wampOptions must be a plain object`);
}

/** The payload of a CALL, PUBLISH, YIELD or progressive result. */
export function checkPayload(args: unknown, kwargs: unknown): void {
  checkArgs(args);
  checkKwargs(kwargs);
}

/** `call(procedure, args, kwargs, options)`. */
export function checkCall(procedure: unknown, args: unknown, kwargs: unknown, options: unknown, rules: UriRules): void {
  checkUri(procedure, 'procedure', rules);
  checkPayload(args, kwargs);
  checkOptions(options, 'call options');
  const o = options;
  if (o === undefined) return;
  checkSignal(o['signal'], 'options.signal');
  checkOneOf(o['cancelMode'], CANCEL, 'options.cancelMode');
  checkDuration(o['timeoutMs'], 'options.timeoutMs');
  checkBoolean(o['discloseMe'], 'options.discloseMe');
  checkBoolean(o['unordered'], 'options.unordered');
  checkFunction(o['onProgress'], 'options.onProgress');
  checkWampOptions(o, 'options');
}

/** `publish(topic, args, kwargs, options)`. */
export function checkPublish(topic: unknown, args: unknown, kwargs: unknown, options: unknown, rules: UriRules): void {
  checkUri(topic, 'topic', rules);
  checkPayload(args, kwargs);
  checkOptions(options, 'publish options');
  const o = options;
  if (o === undefined) return;
  for (const k of ['acknowledge', 'excludeMe', 'discloseMe', 'retain']) checkBoolean(o[k], `options.${k}`);
  checkIdList(o['exclude'], 'options.exclude');
  checkIdList(o['eligible'], 'options.eligible');
  for (const k of ['excludeAuthid', 'excludeAuthrole', 'eligibleAuthid', 'eligibleAuthrole'])
    checkStringList(o[k], `options.${k}`);
  checkWampOptions(o, 'options');
}

/** `subscribe(topic, handler, options)`. */
export function checkSubscribe(topic: unknown, handler: unknown, options: unknown, rules: UriRules): void {
  checkOptions(options, 'subscribe options');
  const o = options;
  checkOneOf(o?.['match'], MATCH, 'options.match');
  checkUri(topic, 'topic', rules, (o?.['match'] as 'exact' | 'prefix' | 'wildcard' | undefined) ?? 'exact');
  checkFunction(handler, 'handler');
  if (o === undefined) return;
  checkBoolean(o['getRetained'], 'options.getRetained');
  if (o['maxBuffered'] !== Number.POSITIVE_INFINITY) checkCount(o['maxBuffered'], 'options.maxBuffered', 1);
  checkWampOptions(o, 'options');
}

/** `register(procedure, handler, options)`. */
export function checkRegister(procedure: unknown, handler: unknown, options: unknown, rules: UriRules): void {
  checkOptions(options, 'register options');
  const o = options;
  checkOneOf(o?.['match'], MATCH, 'options.match');
  checkUri(procedure, 'procedure', rules, (o?.['match'] as 'exact' | 'prefix' | 'wildcard' | undefined) ?? 'exact');
  if (typeof handler !== 'function') invalid('handler must be a function');
  if (o === undefined) return;
  checkOneOf(o['invoke'], INVOKE, 'options.invoke');
  checkWampOptions(o, 'options');
}

function checkOptionsObject(options: unknown): asserts options is Record<string, unknown> {
  if (!isPlainObject(options)) invalid('connect options must be an object with url and realm');
}

/** The options of joining a realm (part of the connect options). */
export function checkJoinOptions(options: unknown): void {
  checkOptionsObject(options);
  const o = options;
  checkOneOf(o['uriRules'], ['loose', 'strict'], 'uriRules');
  checkUri(o['realm'], 'realm', (o['uriRules'] as UriRules | undefined) ?? 'loose');
  const codec = o['codec'] as Record<string, unknown> | undefined;
  if (
    codec !== undefined &&
    (typeof codec !== 'object' ||
      codec === null ||
      typeof codec['encode'] !== 'function' ||
      typeof codec['decode'] !== 'function')
  ) {
    invalid('codec must be a PayloadCodec');
  }
  checkStringList(o['authmethods'], 'authmethods');
  checkString(o['authid'], 'authid');
  checkString(o['authrole'], 'authrole');
  if (o['authextra'] !== undefined && !isPlainObject(o['authextra'])) invalid('authextra must be a plain object');
  checkFunction(o['onChallenge'], 'onChallenge');
  checkFunction(o['clock'], 'clock');
  checkDuration(o['closeTimeoutMs'], 'closeTimeoutMs', false);
  checkDuration(o['joinTimeoutMs'], 'joinTimeoutMs', false);
  if (o['logger'] !== undefined && (typeof o['logger'] !== 'object' || o['logger'] === null))
    invalid('logger must be an object');
  checkBoolean(o['trace'], 'trace');
  checkCount(o['maxBufferedBytes'], 'maxBufferedBytes');
  checkCount(o['highWaterMarkBytes'], 'highWaterMarkBytes');
}

/** The options of `connect()` / `connectWith()`: where to connect, how, and how to join. */
export function checkConnectOptions(options: unknown): void {
  checkOptionsObject(options);
  const url = options['url'];
  if (typeof url !== 'string' || url.length === 0)
    invalid(`url must be a non-empty string, got ${url === '' ? '""' : typeof url}`);
  checkJoinOptions(options);
  const serializers = options['serializers'];
  if (serializers !== undefined) {
    const ok =
      Array.isArray(serializers) &&
      serializers.length > 0 &&
      serializers.every((s) => {
        const x = s as Record<string, unknown> | null;
        return (
          typeof x === 'object' && x !== null && typeof x['encode'] === 'function' && typeof x['decode'] === 'function'
        );
      });
    if (!ok) invalid('serializers must be a non-empty array of serializers');
  }
  checkCount(options['maxFrameBytes'], 'maxFrameBytes', 1);
  checkDuration(options['connectTimeoutMs'], 'connectTimeoutMs', false);
  checkSignal(options['signal'], 'signal');
}
