/**
 * Three projects: `unit` (no network), `integration` (a real Crossbar.io router) and `browser`
 * (the CDN bundles in headless Chromium against that router; see docs/testing.md).
 */
const transform = {
  '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
};
const moduleNameMapper = {
  '^(\\.{1,2}/.*)\\.js$': '$1',
  '^@wampbox/core$': '<rootDir>/packages/core/src/index.ts',
  '^@wampbox/core/internal$': '<rootDir>/packages/core/src/internal.ts',
  '^@wampbox/core/testing$': '<rootDir>/packages/core/src/testing/index.ts',
  '^@wampbox/core/meta$': '<rootDir>/packages/core/src/meta.ts',
  '^@wampbox/cryptobox/internal$': '<rootDir>/packages/cryptobox/src/internal.ts',
  '^@wampbox/cryptobox/e2ev2$': '<rootDir>/packages/cryptobox/src/e2ev2.ts',
  // the Node entry, as Node resolves the package (sodium-native when installed; see docs/cryptobox.md)
  '^@wampbox/cryptobox$': '<rootDir>/packages/cryptobox/src/node.ts',
  '^@wampbox/contracts$': '<rootDir>/packages/contracts/src/index.ts',
  '^@wampbox/wamp-client$': '<rootDir>/packages/client/src/index.ts',
  '^@wampbox/wamp-client/e2ev2$': '<rootDir>/packages/client/src/e2ev2.ts',
  '^@wampbox/wamp-client/meta$': '<rootDir>/packages/client/src/meta.ts',
};

module.exports = {
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/browser/global-setup.ts',
      globalTeardown: '<rootDir>/test/browser/global-teardown.ts',
    },
  ],
};
