import { InvalidArgumentError, ticket } from '../../src/index';

describe('ticket()', () => {
  it('answers with a fixed ticket and announces the authid', async () => {
    const a = ticket('ticket-secret', { authid: 'ticket-user' });
    expect(a.method).toBe('ticket');
    expect(a.authid).toBe('ticket-user');
    expect(a.authextra).toBeUndefined();
    await expect(Promise.resolve(a.challenge({}))).resolves.toBe('ticket-secret');
  });

  it('has no authid unless given', () => {
    expect(ticket('t').authid).toBeUndefined();
  });

  it('calls the callback afresh on every challenge', async () => {
    let n = 0;
    const a = ticket(() => `token-${++n}`);
    expect(n).toBe(0);
    await expect(Promise.resolve(a.challenge({}))).resolves.toBe('token-1');
    await expect(Promise.resolve(a.challenge({}))).resolves.toBe('token-2');
    expect(n).toBe(2);
  });

  it('awaits an asynchronous callback', async () => {
    const a = ticket(async () => 'fetched');
    await expect(a.challenge({})).resolves.toBe('fetched');
  });

  it('fails the challenge when the callback fails or returns a non-string', async () => {
    await expect(ticket(async () => Promise.reject(new Error('offline'))).challenge({})).rejects.toThrow('offline');
    await expect(ticket((async () => 42) as unknown as () => Promise<string>).challenge({})).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(Promise.resolve(ticket((() => null) as unknown as () => string).challenge({}))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('refuses invalid arguments', () => {
    expect(() => ticket(42 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => ticket('t', { authid: {} as unknown as string })).toThrow(InvalidArgumentError);
  });
});
