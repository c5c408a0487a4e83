import { PayloadCodecError, WampboxError } from '@wampbox/core';
import { PayloadValidationError } from '../src/index';

describe('PayloadValidationError', () => {
  const issues = [{ message: 'expected number, received "SECRET"', path: [0] }];

  it('is a PayloadCodecError with code ERR_PAYLOAD_INVALID and Crossbar’s URI', () => {
    const e = new PayloadValidationError({
      kind: 'call',
      target: 'com.x',
      paths: ['args[0]'],
      issues,
      direction: 'inbound',
    });
    expect(e).toBeInstanceOf(PayloadCodecError);
    expect(e).toBeInstanceOf(WampboxError);
    expect(e).toMatchObject({ name: 'PayloadValidationError', code: 'ERR_PAYLOAD_INVALID' });
    expect(e.uri).toBe('wamp.error.invalid_argument');
    expect(e.message).toBe('invalid call payload received for com.x at args[0]');
  });

  it('keeps the issues local: not enumerable, not in the message or JSON', () => {
    const e = new PayloadValidationError({
      kind: 'event',
      target: 'com.x',
      paths: ['args[0]'],
      issues,
      direction: 'inbound',
    });
    expect(e.issues).toBe(issues);
    expect(Object.keys(e)).not.toContain('issues');
    expect(JSON.stringify(e)).not.toContain('SECRET');
    expect(e.message).not.toContain('SECRET');
  });

  it('names the error URI of call_error and answers outgoing refusals as runtime errors', () => {
    const e = new PayloadValidationError({
      kind: 'call_error',
      target: 'com.x',
      errorUri: 'com.x.e',
      paths: ['kwargs.a'],
      issues,
      direction: 'outbound',
    });
    expect(e.uri).toBe('wamp.error.runtime_error');
    expect(e.message).toBe('invalid call_error (com.x.e) payload to send for com.x at kwargs.a');
  });
});
