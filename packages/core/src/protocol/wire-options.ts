/** How the API's camelCase options become WAMP's snake_case Options dictionaries. */
import type { Dict } from './messages.js';

/**
 * The WAMP options of a request: a copy of the pass-through `wampOptions`, plus each option in
 * `names` that is set, under its snake_case wire name (`excludeMe` → `exclude_me`).
 */
export function wireOptions(o: { wampOptions?: Dict | undefined }, names?: readonly string[]): Dict {
  const wire: Dict = o.wampOptions ? { ...o.wampOptions } : {};
  if (names) {
    for (const k of names) {
      const v = (o as Dict)[k];
      if (v !== undefined) wire[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
    }
  }
  return wire;
}

/** The publish options that map to PUBLISH.Options one to one. */
export const PUBLISH_OPTIONS: readonly string[] =
  'excludeMe exclude eligible excludeAuthid excludeAuthrole eligibleAuthid eligibleAuthrole discloseMe retain'.split(
    ' ',
  );
