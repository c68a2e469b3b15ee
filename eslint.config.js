// Lint rules for facerec's TypeScript: tfjs-free mistakes the compiler lets through (promises nobody awaits,
// relative imports without the `.js` extension that Node's ESM loader needs in the published files).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** A relative import, export or `import()` whose path does not end in .js/.mjs/.cjs/.json. */
const relative = String.raw`/^\.\.?(\/|$)/`;
const withExtension = String.raw`/\.(js|mjs|cjs|json)$/`;
const missingExtension = (node) => `${node}[source.value=${relative}][source.value!=${withExtension}]`;
const extensionMessage = 'Relative imports name the built file: add ".js" (Node ESM resolves no extensions).';

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/**', 'bench-results/**', 'packages/node/wasm/**'] },
  {
    files: ['packages/*/src/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': [
        'error',
        { selector: missingExtension('ImportDeclaration'), message: extensionMessage },
        { selector: missingExtension('ExportNamedDeclaration'), message: extensionMessage },
        { selector: missingExtension('ExportAllDeclaration'), message: extensionMessage },
        { selector: missingExtension('ImportExpression'), message: extensionMessage },
      ],
    },
  },
  {
    // Tests: a promise nobody awaits (an `expect(...).rejects` without `await`) asserts nothing.
    files: ['packages/*/test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.tests.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // tf.setBackend switches synchronously to a backend already initialised (in beforeAll); tests rely on that.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: 'setBackend', package: '@tensorflow/tfjs-core' }] },
      ],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
);
