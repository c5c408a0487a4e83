import { TransportError } from '@wampbox/core';

import { buildHandshake, lengthExponent, parseHandshakeReply } from '../../src/rawsocket/handshake';
import { MiB } from './helpers';

describe('buildHandshake', () => {
  test.each([
    [100, 0],
    [512, 0],
    [1000, 0],
    [1024, 1],
    [MiB - 1, 10],
    [MiB, 11],
    [16 * MiB, 15],
    [64 * MiB, 15],
  ])('maxFrameBytes %i announces 2^(9+%i)', (max, exp) => {
    expect(lengthExponent(max)).toBe(exp);
    expect([...buildHandshake(max, 3)]).toEqual([0x7f, (exp << 4) | 3, 0, 0]);
  });

  test.each([0, 16, 1.5, -1])('serializer id %p is refused', (id) => {
    expect(() => buildHandshake(MiB, id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('parseHandshakeReply', () => {
  test.each([
    [0x01, 512],
    [0xa2, MiB / 2],
    [0xf3, 16 * MiB],
  ])('an accepting reply 0x7F, 0x%s reads as the router limit', (second, max) => {
    const serializerId = second & 0x0f;
    expect(parseHandshakeReply(Uint8Array.of(0x7f, second, 0, 0), { serializerId })).toEqual({
      ok: true,
      maxFrameBytes: max,
      serializerId,
    });
  });

  test('"serializer unsupported" (error 1) is ERR_NO_SERIALIZER: another serializer may work', () => {
    const reply = parseHandshakeReply(Uint8Array.of(0x7f, 0x10, 0, 0), { serializerId: 3, peer: 'rs://h:1' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error).toBeInstanceOf(TransportError);
    expect(reply.error.code).toBe('ERR_NO_SERIALIZER');
    expect(reply.error.message).toBe(
      'RawSocket router at rs://h:1 refused the handshake: serializer unsupported (error 1)',
    );
  });

  test.each([
    [0, 'illegal error code 0'],
    [2, 'maximum message length unacceptable'],
    [3, 'use of reserved bits (unsupported feature)'],
    [4, 'maximum connection count reached'],
    [9, 'unknown error'],
  ])('router error %i is ERR_TRANSPORT naming the error', (code, text) => {
    const reply = parseHandshakeReply(Uint8Array.of(0x7f, code << 4, 0, 0), { serializerId: 1 });
    expect(reply).toMatchObject({ ok: false, error: { name: 'TransportError', code: 'ERR_TRANSPORT' } });
    if (!reply.ok) {
      expect(reply.error.message).toBe(`RawSocket router at the router refused the handshake: ${text} (error ${code})`);
    }
  });

  test.each([
    ['without the magic octet', [0x48, 0xf1, 0, 0], /^rs:\/\/h:1 is not a RawSocket router: .* starts with 0x48$/],
    ['with another serializer', [0x7f, 0xf2, 0, 0], /answered with serializer 2, not the requested 1/],
    ['with reserved bits', [0x7f, 0xf1, 0, 1], /reserved bits/],
    ['with reserved bits in the third octet', [0x7f, 0xf1, 0x80, 0], /reserved bits/],
  ])('a reply %s is ERR_TRANSPORT', (_name, bytes, message) => {
    const reply = parseHandshakeReply(Uint8Array.from(bytes), { serializerId: 1, peer: 'rs://h:1' });
    const error = { code: 'ERR_TRANSPORT', message: expect.stringMatching(message) };
    expect(reply).toMatchObject({ ok: false, error });
  });

  test.each([3, 5])('a reply of %i bytes is refused as an argument', (length) => {
    expect(() => parseHandshakeReply(new Uint8Array(length), { serializerId: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
