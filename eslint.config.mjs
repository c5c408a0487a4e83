// Lint rules for the TypeScript sources and tests (`npm run lint`, part of `npm test`).
// typescript-eslint's strict type-checked rules where they catch real bugs (floating promises,
// unsafe any, misused promises); formatting is prettier's business (`npm run format:check`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // test/packaging is compiled against the packed packages by scripts/pack-check.mjs (strict tsc)
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'scripts/**',
      'examples/**',
      'test/browser/harness/**',
      'test/packaging/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // at most 5 positional parameters (a WAMP message handler takes the message's elements);
      // beyond that an options object
      'max-params': ['error', 5],
      // prettier wraps code at 120; this catches what it cannot wrap (comments), not long strings
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
      // `declare` fields assigned in constructors keep bundles small (see docs/architecture.md)
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-invalid-void-type': 'off',
      // `return handler(...)` in a void dispatch function is how the message handlers read
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unified-signatures': 'off',
    },
  },
  {
    // the browser bundles shorten names ending in `_` (scripts/bundle.mjs, mangleProps): private
    // members of the core and the client end in `_`, and nothing else does
    files: ['packages/core/src/**/*.ts', 'packages/client/src/**/*.ts'],
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'memberLike', modifiers: ['private'], format: null, trailingUnderscore: 'require' },
        { selector: 'memberLike', modifiers: ['public'], format: null, trailingUnderscore: 'forbid' },
        { selector: 'memberLike', modifiers: ['protected'], format: null, trailingUnderscore: 'forbid' },
      ],
    },
  },
  {
    // classes and interfaces only the core itself uses (the session's core, its four roles and the
    // context they share, the request table, the payload pipeline, the serializers' byte writer): their members end in `_` as well, so
    // that the bundles shorten them too
    files: [
      'packages/core/src/session/context.ts',
      'packages/core/src/session/lifecycle.ts',
      'packages/core/src/session/requests.ts',
      'packages/core/src/session/caller.ts',
      'packages/core/src/session/callee.ts',
      'packages/core/src/session/subscriber.ts',
      'packages/core/src/session/publisher.ts',
      'packages/core/src/session/invocation.ts',
      'packages/core/src/payload/pipeline.ts',
      'packages/core/src/wire/serializers/byte-writer.ts',
    ],
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'memberLike', modifiers: ['private'], format: null, trailingUnderscore: 'require' },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      // tests reach into values with `as` and build malformed input on purpose
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/no-deprecated': 'off',
      '@typescript-eslint/no-this-alias': 'off',
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      // the integration setup imports an ES module from CommonJS through new Function
      '@typescript-eslint/no-implied-eval': 'off',
      'max-params': 'off',
    },
  },
);
