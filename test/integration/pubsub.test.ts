import type { EventData, Session } from '@wampbox/wamp-client';
import { closeAll, open, routes, sleep, uniqueUri, waitFor } from './helpers';

afterAll(closeAll);

describe.each(routes().map((r) => [r.name, r] as const))('PubSub over %s', (_name, route) => {
  let pub: Session;
  let sub: Session;
  beforeAll(async () => {
    pub = await open(route);
    sub = await open(route);
  });

  it('delivers args, kwargs and binary; acknowledges with a publication id', async () => {
    const topic = uniqueUri('com.test.ps.basic');
    const seen: EventData[] = [];
    await sub.subscribe(topic, (ev) => void seen.push(ev));
    const bin = new Uint8Array([0, 255, 7]);
    const pubId = await pub.publish(topic, [1, bin], { k: { b: bin } }, { acknowledge: true });
    expect(typeof pubId).toBe('number');
    await waitFor(() => seen.length === 1, 5000, 'event');
    expect(seen[0]!.args).toEqual([1, bin]);
    expect(seen[0]!.kwargs).toEqual({ k: { b: bin } });
    expect(seen[0]!.publication).toBe(pubId);
    expect(seen[0]!.topic).toBe(topic);
  });

  it('excludes the publisher by default and includes it with excludeMe: false', async () => {
    const topic = uniqueUri('com.test.ps.excl');
    const mine: unknown[] = [];
    await pub.subscribe(topic, (ev) => void mine.push(ev.args[0]));
    await pub.publish(topic, ['excluded'], {}, { acknowledge: true });
    await pub.publish(topic, ['included'], {}, { acknowledge: true, excludeMe: false });
    await waitFor(() => mine.length >= 1, 5000, 'own event');
    await sleep(50);
    expect(mine).toEqual(['included']);
  });

  it('honours exclude and eligible session lists', async () => {
    const topic = uniqueUri('com.test.ps.lists');
    const third = await open(route);
    const a: unknown[] = [];
    const b: unknown[] = [];
    await sub.subscribe(topic, (ev) => void a.push(ev.args[0]));
    await third.subscribe(topic, (ev) => void b.push(ev.args[0]));
    await pub.publish(topic, ['to-third'], {}, { acknowledge: true, exclude: [sub.id] });
    await pub.publish(topic, ['to-sub'], {}, { acknowledge: true, eligible: [sub.id] });
    await waitFor(() => a.length === 1 && b.length === 1, 5000, 'filtered events');
    await sleep(50);
    expect(a).toEqual(['to-sub']);
    expect(b).toEqual(['to-third']);
  });

  it('matches prefix and wildcard subscriptions and reports the concrete topic', async () => {
    const prefix = uniqueUri('com.test.ps.prefix');
    const seen: string[] = [];
    await sub.subscribe(prefix, (ev) => void seen.push(ev.topic), { match: 'prefix' });
    await pub.publish(`${prefix}.a.b`, [], {}, { acknowledge: true });
    const base = uniqueUri('com.test.ps.wild');
    await sub.subscribe(`${base}..end`, (ev) => void seen.push(ev.topic), { match: 'wildcard' });
    await pub.publish(`${base}.mid.end`, [], {}, { acknowledge: true });
    await pub.publish(`${base}.mid.other`, [], {}, { acknowledge: true });
    await waitFor(() => seen.length === 2, 5000, 'pattern events');
    await sleep(50);
    expect(seen).toEqual([`${prefix}.a.b`, `${base}.mid.end`]);
  });

  it('delivers the retained event to a late subscriber', async () => {
    const topic = uniqueUri('com.test.ps.retain');
    await pub.publish(topic, ['kept'], {}, { acknowledge: true, retain: true });
    const seen: EventData[] = [];
    await sub.subscribe(topic, (ev) => void seen.push(ev), { getRetained: true });
    await waitFor(() => seen.length === 1, 5000, 'retained event');
    expect(seen[0]!.args).toEqual(['kept']);
    expect(seen[0]!.details['retained']).toBe(true);
  });

  it('reads events as an async iterator and ends it on unsubscribe', async () => {
    const topic = uniqueUri('com.test.ps.iter');
    const s = await sub.subscribe(topic);
    for (let i = 0; i < 3; i++) await pub.publish(topic, [i], {}, { acknowledge: true });
    const got: unknown[] = [];
    for await (const ev of s) {
      got.push(ev.args[0]);
      if (got.length === 3) break;
    }
    expect(got).toEqual([0, 1, 2]);
    expect(s.active).toBe(false);
  });

  it('discloses the publisher when asked', async () => {
    const topic = uniqueUri('com.test.ps.disclose');
    const seen: EventData[] = [];
    await sub.subscribe(topic, (ev) => void seen.push(ev));
    await pub.publish(topic, [], {}, { acknowledge: true, discloseMe: true });
    await waitFor(() => seen.length === 1, 5000, 'event');
    expect(seen[0]!.details['publisher']).toBe(pub.id);
  });
});
