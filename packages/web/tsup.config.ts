import { defineConfig } from 'tsup';

export default defineConfig({
  // worker: the recognition worker's script (`@facerec/web/worker`), next to index.js, where createRecognitionWorker
  // starts it from: new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }).
  entry: { index: 'src/index.ts', worker: 'src/worker/worker-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'browser',
  // import.meta.url (the default .wasm folder) in the CJS build.
  shims: true,
  external: [/^@tensorflow\//, /^@facerec\//],
  // Ships tfjs's .wasm files in dist/ and prints the minified bundle size.
  onSuccess: 'node scripts/after-build.mjs',
});
