import { cbor, connect, json, msgpack } from '@wampbox/wamp-client';
import type { ConnectOptions, Serializer, Session } from '@wampbox/wamp-client';
import { routerInfo } from './router';
import type { RouterInfo } from './router';

/** One way of reaching the router: a transport URL and a serializer. */
export interface Route {
  readonly name: string;
  readonly url: string;
  readonly serializer: () => Serializer;
  /** The realm to join (default: the shared router's). */
  readonly realm?: string;
}

const SERIALIZERS: [string, () => Serializer][] = [
  ['json', json],
  ['msgpack', msgpack],
  ['cbor', cbor],
];

/** Every transport × serializer combination a router offers (default: the shared Crossbar router). */
export function routes(info: Pick<RouterInfo, 'wsUrl' | 'rsUrl' | 'rsUnixPath' | 'realm'> = routerInfo()): Route[] {
  const { realm } = info;
  const out: Route[] = [];
  for (const [sname, s] of SERIALIZERS) {
    out.push({ name: `websocket/${sname}`, url: info.wsUrl, serializer: s, realm });
    out.push({ name: `rawsocket-tcp/${sname}`, url: info.rsUrl, serializer: s, realm });
  }
  if (info.rsUnixPath)
    out.push({ name: 'rawsocket-unix/cbor', url: `unix://${info.rsUnixPath}`, serializer: cbor, realm });
  return out;
}

/** Open a session on a route, closing it when the test file ends. */
const opened: Session[] = [];
export async function open(route: Route, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const realm = route.realm ?? routerInfo().realm;
  const s = await connect({ url: route.url, realm, serializers: [route.serializer()], ...extra });
  opened.push(s);
  return s;
}

/** Close every session opened through {@link open}. */
export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

let counter = 0;
/** A URI no other test uses. */
export function uniqueUri(prefix: string): string {
  counter++;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}`;
}

/** Wait until `predicate` holds, failing after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
