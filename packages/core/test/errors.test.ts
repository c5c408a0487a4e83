import {
  ApplicationError,
  CanceledError,
  InvalidArgumentError,
  JoinRefusedError,
  PAYLOAD_ERROR_URIS,
  PayloadCodecError,
  ProtocolError,
  SerializationError,
  SessionClosedError,
  TimeoutError,
  TransportError,
  WampboxError,
} from '../src/index';

describe('the error family', () => {
  it('gives every class its default code, its name, and the WampboxError base', () => {
    const cases: [WampboxError, string, string][] = [
      [new WampboxError('ERR_BACKPRESSURE', 'm'), 'ERR_BACKPRESSURE', 'WampboxError'],
      [new ApplicationError('com.x.e'), 'ERR_APPLICATION', 'ApplicationError'],
      [new ProtocolError('m'), 'ERR_PROTOCOL_VIOLATION', 'ProtocolError'],
      [new SessionClosedError('wamp.close.normal'), 'ERR_SESSION_CLOSED', 'SessionClosedError'],
      [new TransportError('m'), 'ERR_TRANSPORT', 'TransportError'],
      [new SerializationError('m'), 'ERR_SERIALIZATION', 'SerializationError'],
      [new JoinRefusedError('wamp.error.no_such_realm'), 'ERR_JOIN_REFUSED', 'JoinRefusedError'],
      [new TimeoutError('m'), 'ERR_TIMEOUT', 'TimeoutError'],
      [new CanceledError('m'), 'ERR_CANCELED', 'CanceledError'],
      [new InvalidArgumentError('m'), 'ERR_INVALID_ARGUMENT', 'InvalidArgumentError'],
      [
        new PayloadCodecError('ERR_PAYLOAD_DECRYPT', PAYLOAD_ERROR_URIS.decrypt, 'm'),
        'ERR_PAYLOAD_DECRYPT',
        'PayloadCodecError',
      ],
    ];
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(WampboxError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
    }
  });

  it('lets the classes with several codes take one from the options', () => {
    expect(new SessionClosedError('wamp.close.normal', undefined, { code: 'ERR_CONNECTION_LOST' }).code).toBe(
      'ERR_CONNECTION_LOST',
    );
    expect(new TransportError('m', { code: 'ERR_FRAME_TOO_LARGE' }).code).toBe('ERR_FRAME_TOO_LARGE');
    expect(new TransportError('m', { code: 'ERR_NO_SERIALIZER' }).code).toBe('ERR_NO_SERIALIZER');
    expect(new TransportError('m', { code: 'ERR_BACKPRESSURE' }).code).toBe('ERR_BACKPRESSURE');
    expect(new JoinRefusedError('wamp.error.not_authorized', {}, { code: 'ERR_AUTHENTICATION' }).code).toBe(
      'ERR_AUTHENTICATION',
    );
    expect(new InvalidArgumentError('m', { code: 'ERR_FEATURE_UNSUPPORTED' }).code).toBe('ERR_FEATURE_UNSUPPORTED');
  });

  it('passes cause through, and sets none when none is given', () => {
    const cause = new Error('inner');
    expect(new TransportError('m', { cause }).cause).toBe(cause);
    expect(new ProtocolError('m', { cause }).cause).toBe(cause);
    expect('cause' in new TransportError('m')).toBe(false);
    expect('cause' in new TransportError('m', { cause: undefined, code: 'ERR_NO_SERIALIZER' })).toBe(false);
  });

  it('builds messages from the WAMP fields', () => {
    const app = new ApplicationError('com.x.div_by_zero', ['cannot divide by zero', 1], { a: 1 }, { d: 2 });
    expect(app.message).toBe('com.x.div_by_zero: cannot divide by zero');
    expect(app).toMatchObject({
      uri: 'com.x.div_by_zero',
      args: ['cannot divide by zero', 1],
      kwargs: { a: 1 },
      details: { d: 2 },
    });
    expect(new ApplicationError('com.x.e', [1]).message).toBe('com.x.e');
    expect(new ApplicationError('com.x.e')).toMatchObject({ args: [], kwargs: {}, details: {} });
    const refused = new JoinRefusedError('wamp.error.no_such_realm', { message: 'no realm r' });
    expect(refused.message).toBe('join refused (wamp.error.no_such_realm): no realm r');
    expect(refused).toMatchObject({ reason: 'wamp.error.no_such_realm', details: { message: 'no realm r' } });
    expect(new JoinRefusedError('wamp.error.x').message).toBe('join refused (wamp.error.x)');
    expect(new SessionClosedError('wamp.close.normal')).toMatchObject({
      reason: 'wamp.close.normal',
      message: 'session closed: wamp.close.normal',
    });
    expect(new SessionClosedError('wamp.close.normal', 'gone').message).toBe('gone');
    expect(new PayloadCodecError('ERR_PAYLOAD_NO_KEY', PAYLOAD_ERROR_URIS.noKey, 'no key').uri).toBe(
      'wamp.error.encryption.no_key',
    );
  });
});

describe('the error codes and their documentation', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const root = path.resolve(__dirname, '../../..');

  /** The codes of the `ErrorCode` union in errors.ts. */
  function codesInSource(): string[] {
    const src = fs.readFileSync(path.join(root, 'packages/core/src/errors.ts'), 'utf8');
    const union = /export type ErrorCode =([^;]+);/.exec(src)![1]!;
    return [...union.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]!).sort();
  }

  /** The `## ERR_…` headings of docs/errors.md. */
  function codesInDocs(): string[] {
    const doc = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    return [...doc.matchAll(/^## (ERR_[A-Z_]+)\s*$/gm)].map((m) => m[1]!).sort();
  }

  it('documents every code, and documents no code that does not exist', () => {
    expect(codesInSource().length).toBeGreaterThan(15);
    expect(codesInDocs()).toEqual(codesInSource());
  });

  /** Every `.ts` file under the packages' `src/` folders, except the test tools in `testing/`. */
  function sourceFiles(dir = root): string[] {
    const out: string[] = [];
    for (const pkg of fs.readdirSync(path.join(dir, 'packages'))) {
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory() && e.name !== 'testing') walk(p);
          else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
        }
      };
      walk(path.join(dir, 'packages', pkg, 'src'));
    }
    return out;
  }

  it('throws only typed errors: no bare WampboxError, Error or TypeError in the sources', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(40);
    const offenders: string[] = [];
    for (const f of files) {
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/new (WampboxError|Error|TypeError|RangeError)\(/.test(line) && !/^\s*(\*|\/\/)/.test(line)) {
            offenders.push(`${path.relative(root, f)}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });
});
