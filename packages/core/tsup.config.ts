import { defineConfig } from 'tsup';

export default defineConfig({
  // internal: plumbing for @facerec/node and @facerec/web (the "./internal" export, not public API).
  entry: ['src/index.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  // Both entries share their modules as chunks (CJS too), so a class is one class whichever entry it came through.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: [/^@tensorflow\//],
});
