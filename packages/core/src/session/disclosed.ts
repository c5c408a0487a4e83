/** The router's claims about who sent an EVENT or INVOCATION, as codecs see them. */
import type { DisclosedIdentity } from '../payload/payload-codec.js';
import type { Dict } from '../protocol/messages.js';

/**
 * What `details` discloses about the `publisher` (EVENT) or `caller` (INVOCATION), or `undefined`
 * when the router disclosed nothing. Types were checked with the message (protocol/router-details).
 */
export function disclosedBy(details: Dict, who: 'publisher' | 'caller'): DisclosedIdentity | undefined {
  const session = details[who] as number | undefined;
  const authid = details[`${who}_authid`] as string | undefined;
  const authrole = details[`${who}_authrole`] as string | undefined;
  return session === undefined && authid === undefined && authrole === undefined
    ? undefined
    : { session, authid, authrole };
}
