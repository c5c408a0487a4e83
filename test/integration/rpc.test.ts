import { ApplicationError, Result } from '@wampbox/wamp-client';
import type { Session } from '@wampbox/wamp-client';
import { closeAll, open, routes, sleep, uniqueUri, waitFor } from './helpers';

afterAll(closeAll);

describe.each(routes().map((r) => [r.name, r] as const))('RPC over %s', (_name, route) => {
  let callee: Session;
  let caller: Session;
  beforeAll(async () => {
    callee = await open(route);
    caller = await open(route);
  });

  it('calls with args and kwargs and binary values, both ways', async () => {
    const uri = uniqueUri('com.test.rpc.echo');
    await callee.register(uri, (inv) => new Result([...inv.args, 'extra'], { ...inv.kwargs, seen: true }));
    const bin = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const res = await caller.call(uri, [1, 'two', bin, { nested: [bin] }], { k: bin, s: 'x' });
    expect(res.args).toEqual([1, 'two', bin, { nested: [bin] }, 'extra']);
    expect(res.args[2]).toBeInstanceOf(Uint8Array);
    expect(res.kwargs).toEqual({ k: bin, s: 'x', seen: true });
  });

  it('returns plain values as args[0] and supports empty payloads', async () => {
    const uri = uniqueUri('com.test.rpc.add');
    await callee.register(uri, (inv) => (inv.args[0] as number) + (inv.args[1] as number));
    expect((await caller.call(uri, [2, 3])).args).toEqual([5]);
    const none = uniqueUri('com.test.rpc.none');
    await callee.register(none, () => undefined);
    const r = await caller.call(none);
    expect(r.args).toEqual([]);
    expect(r.kwargs).toEqual({});
  });

  it('delivers application errors with uri, args and kwargs; other throws become runtime_error', async () => {
    const uri = uniqueUri('com.test.rpc.fail');
    await callee.register(uri, (inv) => {
      if (inv.args[0] === 'app') throw new ApplicationError('com.test.error.custom', ['custom', 1], { why: 'testing' });
      throw new TypeError('secret internals');
    });
    const e1 = await caller.call(uri, ['app']).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApplicationError);
    expect(e1).toMatchObject({ uri: 'com.test.error.custom', args: ['custom', 1], kwargs: { why: 'testing' } });
    const e2 = (await caller.call(uri, ['other']).catch((e: unknown) => e)) as ApplicationError;
    expect(e2.uri).toBe('wamp.error.runtime_error');
    expect(JSON.stringify(e2.args)).not.toContain('at ');
  });

  it('reports a missing procedure as wamp.error.no_such_procedure', async () => {
    await expect(caller.call(uniqueUri('com.test.rpc.missing'))).rejects.toMatchObject({
      uri: 'wamp.error.no_such_procedure',
    });
  });

  it('streams progressive results', async () => {
    const uri = uniqueUri('com.test.rpc.progress');
    await callee.register(uri, async (inv) => {
      for (let i = 0; i < 3; i++) inv.progress([i]);
      return 'done';
    });
    const seen: unknown[] = [];
    for await (const r of caller.callProgressive(uri)) seen.push([r.args[0], r.progress]);
    expect(seen).toEqual([
      [0, true],
      [1, true],
      [2, true],
      ['done', false],
    ]);
  });

  it('cancels a call: the caller rejects and the callee sees its signal abort', async () => {
    const uri = uniqueUri('com.test.rpc.cancel');
    let aborted = false;
    let started = false;
    await callee.register(uri, (inv) => {
      started = true;
      return new Promise((_resolve, reject) =>
        inv.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new ApplicationError('wamp.error.canceled'));
        }),
      );
    });
    const ac = new AbortController();
    const p = caller.call(uri, [], {}, { signal: ac.signal, cancelMode: 'kill' });
    await waitFor(() => started, 5000, 'invocation');
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    await waitFor(() => aborted, 5000, 'INTERRUPT at the callee');
    // the session stays usable
    expect(await caller.call(uniqueUri('com.test.rpc.none')).catch((e: { uri: string }) => e.uri)).toBe(
      'wamp.error.no_such_procedure',
    );
  });

  it('times out locally and cancels at the router', async () => {
    const uri = uniqueUri('com.test.rpc.timeout');
    let aborted = false;
    await callee.register(
      uri,
      (inv) =>
        new Promise((resolve) =>
          inv.signal.addEventListener('abort', () => {
            aborted = true;
            resolve(undefined);
          }),
        ),
    );
    await expect(caller.call(uri, [], {}, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    await waitFor(() => aborted, 5000, 'INTERRUPT after timeout');
  });

  it('supports shared registrations (roundrobin)', async () => {
    const uri = uniqueUri('com.test.rpc.shared');
    const other = await open(route);
    await callee.register(uri, () => 'a', { invoke: 'roundrobin' });
    await other.register(uri, () => 'b', { invoke: 'roundrobin' });
    const got = new Set<unknown>();
    for (let i = 0; i < 4; i++) got.add((await caller.call(uri)).args[0]);
    expect([...got].sort()).toEqual(['a', 'b']);
    await expect(callee.register(uri, () => 'c', { invoke: 'single' })).rejects.toMatchObject({
      code: 'ERR_APPLICATION',
    });
  });

  it('supports prefix and wildcard registrations with details.procedure', async () => {
    const prefix = uniqueUri('com.test.rpc.prefix');
    await callee.register(prefix, (inv) => inv.procedure, { match: 'prefix' });
    expect((await caller.call(`${prefix}.deep.name`)).args).toEqual([`${prefix}.deep.name`]);
    const base = uniqueUri('com.test.rpc.wild');
    await callee.register(`${base}..op`, (inv) => inv.procedure, { match: 'wildcard' });
    expect((await caller.call(`${base}.x.op`)).args).toEqual([`${base}.x.op`]);
  });

  it('discloses the caller when asked', async () => {
    const uri = uniqueUri('com.test.rpc.disclose');
    await callee.register(uri, (inv) => inv.details['caller'] ?? null);
    expect((await caller.call(uri, [], {}, { discloseMe: true })).args[0]).toBe(caller.id);
  });

  it('unregisters', async () => {
    const uri = uniqueUri('com.test.rpc.unreg');
    const reg = await callee.register(uri, () => 1);
    await reg.unregister();
    expect(reg.active).toBe(false);
    await sleep(10);
    await expect(caller.call(uri)).rejects.toMatchObject({ uri: 'wamp.error.no_such_procedure' });
  });
});
