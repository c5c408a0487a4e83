// Compiled (not run) by scripts/pack-check.mjs against the published declarations of
// @wampbox/contracts: its types resolve under nodenext with skipLibCheck off, and types flow from a
// Standard Schema (written by hand here: the packaging project installs no schema library).
import { defineProcedure, typed, withValidation } from '@wampbox/contracts';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Session } from '@wampbox/wamp-client';

const pair: StandardSchemaV1<[number, number]> = {
  '~standard': {
    version: 1,
    vendor: 'pack-check',
    validate: (v) =>
      Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number')
        ? { value: v as [number, number] }
        : { issues: [{ message: 'two numbers' }] },
  },
};

export const add = defineProcedure('com.example.add', { call: { args: pair } });
export const codec = withValidation(undefined, [add]);

export async function use(session: Session): Promise<number> {
  const api = typed(session);
  await api.register(add, ({ args: [a, b] }) => ({ args: [a + b] }));
  const result = await api.call(add, { args: [2, 3] });
  return result.args.length;
}
