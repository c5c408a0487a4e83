import { consoleLogger } from '../src/index';
import { MessageType as T, describeMessage } from '../src/internal';

describe('describeMessage', () => {
  it('names type, id and URI but never payload contents', () => {
    const secret = 'top-secret-payload';
    const call = describeMessage([T.CALL, 7, { disclose_me: true }, 'com.x.proc', [secret], { k: secret }]);
    expect(call).toEqual({ type: 'CALL', id: 7, uri: 'com.x.proc' });
    const err = describeMessage([T.ERROR, T.INVOCATION, 9, {}, 'com.x.error', [secret]]);
    expect(err).toEqual({ type: 'ERROR', id: 9, requestType: 'INVOCATION', uri: 'com.x.error' });
    const ev = describeMessage([
      T.EVENT,
      3,
      4,
      { enc_algo: 'cryptobox', enc_serializer: 'json' },
      new Uint8Array([1, 2]),
    ]);
    expect(ev).toEqual({ type: 'EVENT', id: 3, target: 4, opaque: 'cryptobox' });
    const auth = describeMessage([T.AUTHENTICATE, 'signature-or-ticket', {}]);
    expect(JSON.stringify(auth)).not.toContain('signature-or-ticket');
    for (const f of [call, err, ev]) expect(JSON.stringify(f)).not.toContain(secret);
  });
});

describe('consoleLogger', () => {
  it('writes only at and above its level', () => {
    const spies = (['debug', 'info', 'warn', 'error'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    const log = consoleLogger('warn');
    expect(log.info).toBeUndefined();
    expect(log.debug).toBeUndefined();
    log.warn!('careful', { n: 1 });
    log.error!('broken');
    expect(console.warn).toHaveBeenCalledWith('[wampbox]', 'careful', { n: 1 });
    expect(console.error).toHaveBeenCalledWith('[wampbox]', 'broken');
    spies.forEach((s) => s.mockRestore());
  });
});
