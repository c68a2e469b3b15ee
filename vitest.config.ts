import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so they need no build and report real line numbers.
    alias: {
      // Before '@facerec/core', which would otherwise match it as a prefix.
      '@facerec/core/internal': fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)),
      '@facerec/core': src('core'),
      '@facerec/node': src('node'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Browser-only tests (real Chromium, some with a fake camera) run from packages/web/vitest.browser.config.ts.
    exclude: ['packages/web/test/browser/**', 'packages/web/test/camera/**', '**/node_modules/**'],
    // Sets XDG_RUNTIME_DIR for Dawn when the shell has none.
    setupFiles: ['vitest.setup.ts'],
    // The usual summary, then every skipped test by name (names carry the reason).
    reporters: ['default', './vitest.reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: the WASM backend uses both threads itself, so test files run one at a time.
    fileParallelism: false,
  },
});
