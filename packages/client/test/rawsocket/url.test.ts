import { parseRawSocketUrl } from '../../src/rawsocket/url';

describe('parseRawSocketUrl', () => {
  test.each([
    ['rs://127.0.0.1:8080', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    ['tcp://router.example.com:9000', { kind: 'tcp', host: 'router.example.com', port: 9000 }],
    ['rss://router.example.com:8443', { kind: 'tls', host: 'router.example.com', port: 8443 }],
    ['RS://Router.Example.com:1/', { kind: 'tcp', host: 'Router.Example.com', port: 1 }],
    ['rs://[::1]:65535', { kind: 'tcp', host: '::1', port: 65535 }],
    ['unix:///run/router.sock', { kind: 'unix', path: '/run/router.sock' }],
    ['rs+unix:///run/router.sock', { kind: 'unix', path: '/run/router.sock' }],
    ['unix:///tmp/my%20router.sock', { kind: 'unix', path: '/tmp/my router.sock' }],
  ])('%s', (url, target) => {
    expect(parseRawSocketUrl(url)).toEqual(target);
  });

  test.each([
    ['http://x:1', /unsupported RawSocket URL scheme "http:"/],
    ['ws://x:1/ws', /unsupported RawSocket URL scheme "ws:"/],
    ['rs://localhost', /needs a host and a port/],
    ['rs://:80', /invalid RawSocket URL|needs a host and a port/],
    ['rs://h:0', /needs a host and a port/],
    ['rs://h:65536', /invalid RawSocket URL|needs a host and a port/],
    ['rs://h:1/path', /has no path/],
    ['unix://relative/path', /needs an absolute path/],
    ['not a url', /invalid RawSocket URL "not a url"/],
  ])('%s is refused with ERR_INVALID_ARGUMENT', (url, message) => {
    expect(() => parseRawSocketUrl(url)).toThrow(
      expect.objectContaining({
        name: 'InvalidArgumentError',
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringMatching(message),
      }),
    );
  });
});
