/**
 * How the Node entry chooses its binding: sodium-native by default, the WebAssembly build when it
 * is missing or WAMPBOX_SODIUM_BACKEND=wasm asks for it, a refusal when =native cannot be met, and
 * what sodiumBackend() reports in each case.
 */
import type * as NodeBinding from '../../src/internal/node-binding';
import type * as Sodium from '../../src/sodium';

const ENV = 'WAMPBOX_SODIUM_BACKEND';
const saved = process.env[ENV];

/** A fresh copy of the package's modules (own sodium.ts state), optionally without sodium-native. */
function fresh(options: { withoutAddon?: boolean } = {}): { sodium: typeof Sodium; node: typeof NodeBinding } {
  let mods: { sodium: typeof Sodium; node: typeof NodeBinding } | undefined;
  jest.resetModules();
  jest.isolateModules(() => {
    if (options.withoutAddon) {
      jest.doMock('sodium-native', () => {
        throw Object.assign(new Error("Cannot find module 'sodium-native' from 'native-binding.ts'"), {
          code: 'MODULE_NOT_FOUND',
        });
      });
    }
    mods = {
      sodium: require('../../src/sodium') as typeof Sodium,
      node: require('../../src/internal/node-binding') as typeof NodeBinding,
    };
  });
  return mods!;
}

/** sodiumBackend() of a fresh copy whose binding the Node entry chooses, with `env` as the variable. */
async function chosen(env: string | undefined, options: { withoutAddon?: boolean } = {}): Promise<unknown> {
  if (env === undefined) delete process.env[ENV];
  else process.env[ENV] = env;
  const { sodium, node } = fresh(options);
  node.useNodeBinding();
  return sodium.sodiumBackend();
}

afterEach(() => {
  jest.dontMock('sodium-native');
  if (saved === undefined) delete process.env[ENV];
  else process.env[ENV] = saved;
});

const featureUnsupported = (message: RegExp) =>
  expect.objectContaining({ code: 'ERR_FEATURE_UNSUPPORTED', message: expect.stringMatching(message) });

describe('the Node entry chooses', () => {
  it.each([undefined, '', 'auto', 'native'])('sodium-native when it is installed (%p)', async (env) => {
    await expect(chosen(env)).resolves.toEqual({ binding: 'native', library: 'sodium-native' });
  });

  it('WebAssembly when WAMPBOX_SODIUM_BACKEND=wasm, saying so', async () => {
    await expect(chosen('wasm')).resolves.toEqual({
      binding: 'wasm',
      library: expect.stringMatching(/^libsodium \d/),
      fallbackReason: 'WAMPBOX_SODIUM_BACKEND=wasm',
    });
  });

  it('WebAssembly when sodium-native is not installed, saying so', async () => {
    await expect(chosen(undefined, { withoutAddon: true })).resolves.toEqual({
      binding: 'wasm',
      library: expect.stringMatching(/^libsodium \d/),
      fallbackReason: 'sodium-native is not installed',
    });
  });

  it('nothing when WAMPBOX_SODIUM_BACKEND=native and sodium-native is not installed', async () => {
    await expect(chosen('native', { withoutAddon: true })).rejects.toEqual(
      featureUnsupported(/^WAMPBOX_SODIUM_BACKEND=native, but sodium-native is not installed$/),
    );
  });

  it('nothing when WAMPBOX_SODIUM_BACKEND has another value', async () => {
    await expect(chosen('Native!')).rejects.toEqual(
      expect.objectContaining({
        code: 'ERR_INVALID_ARGUMENT',
        message: 'WAMPBOX_SODIUM_BACKEND must be "native", "wasm" or "auto", not "Native!"',
      }),
    );
  });

  it('once: a starter installed after initialization began changes nothing', async () => {
    delete process.env[ENV];
    const { sodium, node } = fresh();
    const ready = sodium.sodiumReady(); // the default (WebAssembly) starter
    node.useNodeBinding();
    await ready;
    await expect(sodium.sodiumBackend()).resolves.toEqual({ binding: 'wasm', library: expect.any(String) });
  });
});

describe('the entries', () => {
  it('the Node entry (node.ts) installs the Node choice and exports what index.ts exports', async () => {
    delete process.env[ENV];
    jest.resetModules();
    let entry: Record<string, unknown> = {};
    let index: Record<string, unknown> = {};
    jest.isolateModules(() => {
      entry = require('../../src/node') as Record<string, unknown>;
      index = require('../../src/index') as Record<string, unknown>;
    });
    expect(Object.keys(entry).sort()).toEqual(Object.keys(index).sort());
    await expect((entry['sodiumBackend'] as typeof Sodium.sodiumBackend)()).resolves.toMatchObject({
      binding: 'native',
    });
  });

  it('the default entry (index.ts) stays on WebAssembly, with no reason to give', async () => {
    process.env[ENV] = 'native'; // ignored: only the Node entry reads it
    jest.resetModules();
    let index: { sodiumBackend?: typeof Sodium.sodiumBackend } = {};
    jest.isolateModules(() => {
      index = require('../../src/index') as typeof index;
    });
    await expect(index.sodiumBackend!()).resolves.toEqual({ binding: 'wasm', library: expect.any(String) });
  });
});
