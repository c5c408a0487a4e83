/**
 * The built-in WAMP serializers.
 */
import type { Serializer } from '../serializer.js';
import { cbor } from './cbor.js';
import { json } from './json.js';
import { msgpack } from './msgpack.js';

export { cbor } from './cbor.js';
export { json } from './json.js';
export { msgpack } from './msgpack.js';

/**
 * The built-in serializers in order of preference: CBOR, MessagePack, JSON. A transport offers
 * them in this order and uses the one the router picks.
 *
 * @example
 * ```ts
 * const serializers = defaultSerializers();
 * serializers.map((s) => s.protocol); // ['wamp.2.cbor', 'wamp.2.msgpack', 'wamp.2.json']
 * ```
 */
export function defaultSerializers(): Serializer[] {
  return [cbor(), msgpack(), json()];
}
