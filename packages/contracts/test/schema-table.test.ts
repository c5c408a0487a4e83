import { z } from 'zod';
import { defineProcedure, defineTopic } from '../src/index';
import { SchemaTable, schemasOf } from '../src/schema-table';

const s = { kwargs: z.object({}) };

describe('SchemaTable', () => {
  it('finds the exact URI first, then the longest dot-terminated prefix', () => {
    const exact = { event: s };
    const short = { event: s };
    const long = { event: s };
    const table = new SchemaTable({ 'com.a.b': exact, 'com.': short, 'com.a.': long });
    expect(table.find('com.a.b')).toBe(exact);
    expect(table.find('com.a.c')).toBe(long);
    expect(table.find('com.x')).toBe(short);
    expect(table.find('org.x')).toBeUndefined();
    expect(table.find('com.a.bc')).toBe(long); // an exact key is not a prefix
  });

  it('merges a procedure and a topic on one URI, and refuses one kind given twice', () => {
    const p = defineProcedure('com.x', { call: s });
    const t = defineTopic('com.x', s);
    const table = new SchemaTable([p, t]);
    expect(table.select('com.x', 'call')).toBe(s);
    expect(table.select('com.x', 'event')).toBe(s);
    expect(() => new SchemaTable([p, defineProcedure('com.x', { call: s })])).toThrow(/call given twice/);
  });

  it('selects error schemas by error URI, own keys only', () => {
    const p = defineProcedure('com.x', { call_error: { 'com.x.e': s } });
    expect(schemasOf(p.schemas, 'call_error', 'com.x.e')).toBe(s);
    expect(schemasOf(p.schemas, 'call_error', 'constructor')).toBeUndefined();
    expect(schemasOf(p.schemas, 'call_error')).toBeUndefined();
    expect(schemasOf(undefined, 'call')).toBeUndefined();
  });

  it('refuses what is not a Standard Schema, unknown kinds, and payload beside args', () => {
    expect(() => new SchemaTable({ 'com.x': { event: { args: {} as never } } })).toThrow(/not a Standard Schema/);
    expect(() => new SchemaTable({ 'com.x': { events: s } as never })).toThrow(/unknown payload kind "events"/);
    expect(() => new SchemaTable({ 'com.x': { call: { payload: z.object({}), args: z.tuple([]) } as never } })).toThrow(
      /payload goes without args/,
    );
    expect(() => new SchemaTable({ 'com.x': { call_error: { e: { kwargs: 1 as never } } } })).toThrow(
      /call_error\[e\]\.kwargs/,
    );
  });
});
