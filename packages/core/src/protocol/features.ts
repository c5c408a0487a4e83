/** What the client announces in HELLO: exactly the roles and features implemented. */
import type { Dict } from './messages.js';
import { VERSION } from './version.js';
import { STREAMING } from '../session/streaming.js';

export { VERSION };

/** The HELLO `agent` string. */
export const AGENT = `wampbox-js/${VERSION}`;

const PAYLOAD = { payload_transparency: true, payload_passthru_mode: true } as const;
/** Progressive call invocations, where the build has them (see session/streaming.ts). */
const PCI = STREAMING ? { progressive_call_invocations: true } : {};

/** Roles and features announced in HELLO. */
export const CLIENT_ROLES: Readonly<Dict> = Object.freeze({
  caller: {
    features: {
      call_canceling: true,
      caller_identification: true,
      ...PCI,
      progressive_call_results: true,
      ...PAYLOAD,
    },
  },
  callee: {
    features: {
      call_canceling: true,
      caller_identification: true,
      pattern_based_registration: true,
      ...PCI,
      progressive_call_results: true,
      registration_revocation: true,
      shared_registration: true,
      ...PAYLOAD,
    },
  },
  publisher: {
    features: {
      publisher_exclusion: true,
      publisher_identification: true,
      subscriber_blackwhite_listing: true,
      ...PAYLOAD,
    },
  },
  subscriber: {
    features: {
      pattern_based_subscription: true,
      publisher_identification: true,
      subscription_revocation: true,
      ...PAYLOAD,
    },
  },
});

/** Build HELLO details from join options. */
export function helloDetails(o: {
  authmethods?: string[] | undefined;
  authid?: string | undefined;
  authrole?: string | undefined;
  authextra?: Dict | undefined;
}): Dict {
  const d: Dict = { agent: AGENT, roles: CLIENT_ROLES };
  if (o.authmethods && o.authmethods.length > 0) d['authmethods'] = o.authmethods;
  for (const k of ['authid', 'authrole', 'authextra'] as const) if (o[k] !== undefined) d[k] = o[k];
  return d;
}
