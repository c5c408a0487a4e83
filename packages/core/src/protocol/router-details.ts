/**
 * The types of the Details attributes that the WAMP spec defines for the router messages a client
 * acts on (internal; `validateRouterMessage` in `messages.ts` runs it). An attribute that is
 * absent is fine; one that is present with the wrong type makes the message malformed, as the
 * wamp-proto conformance vectors (`test/fixtures/wamp-proto-testsuite/`) require of a receiver:
 *
 * - EVENT: `publisher` (an id), `publisher_authid`, `publisher_authrole` (strings), `topic`
 *   (a URI), `retained` (a boolean); and, as the vectors also require, `transaction_hash`
 *   (a string), `x_acknowledged_delivery` (a boolean) and `forward_for` (a list);
 * - INVOCATION: `caller` (an id), `caller_authid`, `caller_authrole` (strings), `procedure`
 *   (a URI), `receive_progress` and `progress` (booleans);
 * - RESULT: `progress` (a boolean);
 * - EVENT, INVOCATION, RESULT and ERROR: `enc_algo` (payload transparency) names `cryptobox`,
 *   `mqtt`, `xbr` or a custom `x_...` scheme, as Autobahn and Crossbar.io require.
 *
 * Unknown attributes are left alone: routers add their own.
 */

/** How an attribute is checked: `i` an id, `s` a string, `u` a URI, `b` a boolean, `l` a list, `e` an `enc_algo`. */
type Kind = 'i' | 's' | 'u' | 'b' | 'l' | 'e';

/** How errors name each kind. */
const EXPECTED: Readonly<Record<Kind, string>> = {
  i: 'an id',
  s: 'a string',
  u: 'a URI',
  b: 'a boolean',
  l: 'a list',
  e: '"cryptobox", "mqtt", "xbr" or a custom "x_..." name',
};

/** The attributes checked, as `name:kind` separated by spaces, by message type code. */
const ATTRIBUTES: Readonly<Record<number, string>> = {
  8: 'enc_algo:e', // ERROR
  // EVENT
  36:
    'publisher:i publisher_authid:s publisher_authrole:s topic:u retained:b transaction_hash:s ' +
    'x_acknowledged_delivery:b forward_for:l enc_algo:e',
  50: 'progress:b enc_algo:e', // RESULT
  68: 'caller:i caller_authid:s caller_authrole:s procedure:u receive_progress:b progress:b enc_algo:e', // INVOCATION
};

/** Where the Details dictionary is in each message type that has checked attributes. */
const DETAILS_AT: Readonly<Record<number, number>> = { 8: 3, 36: 3, 50: 2, 68: 3 };

/** {@link ATTRIBUTES} parsed once: the kind of each checked attribute, by name (no prototype). */
const KINDS: Readonly<Record<number, Readonly<Record<string, Kind>>>> = /* @__PURE__ */ Object.fromEntries(
  Object.entries(ATTRIBUTES).map(([type, list]) => {
    const kinds = Object.create(null) as Record<string, Kind>;
    for (const attribute of list.split(' ')) kinds[attribute.split(':')[0]!] = attribute.split(':')[1] as Kind;
    return [type, kinds];
  }),
);

/** A custom payload transparency name, as Autobahn accepts it (tried only after the three standard names). */
const CUSTOM_ENC_ALGO = /^x_(?:[a-z][0-9a-z_]+)?$/;

/**
 * What makes a string other than a loose URI (the WAMP spec: non-empty components without
 * whitespace or `#`, separated by `.`): one scan for the bad characters and empty components,
 * which measured about twice as fast as matching the URI grammar or a loop over the characters.
 */
const NOT_LOOSE_URI = /[\s#]|\.\.|^\.|\.$/;

function ok(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'i':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 53;
    case 's':
      return typeof v === 'string';
    case 'b':
      return typeof v === 'boolean';
    case 'l':
      return Array.isArray(v);
    case 'u':
      return typeof v === 'string' && v.length > 0 && !NOT_LOOSE_URI.test(v);
    default:
      return v === 'cryptobox' || v === 'mqtt' || v === 'xbr' || (typeof v === 'string' && CUSTOM_ENC_ALGO.test(v));
  }
}

/**
 * What is wrong with the Details attributes of a router message whose elements have the right
 * kinds already (the Details element is a dictionary), or `undefined` when nothing is.
 * Only ERROR, EVENT, RESULT and INVOCATION have checked attributes; other types return at once.
 */
export function detailsProblem(type: number, msg: readonly unknown[]): string | undefined {
  const kinds = KINDS[type];
  if (kinds === undefined) return undefined;
  const details = msg[DETAILS_AT[type] as number] as Record<string, unknown>;
  // Details are usually empty or hold a few attributes: walking them is cheaper than looking up
  // every checked name
  for (const name in details) {
    const kind = kinds[name];
    if (kind !== undefined && details[name] !== undefined && !ok(kind, details[name])) {
      return `Details.${name} must be ${EXPECTED[kind]}`;
    }
  }
  return undefined;
}
