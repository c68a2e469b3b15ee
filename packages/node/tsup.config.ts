import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    shims: true,
    external: [/^@tensorflow\//, /^@facerec\//, 'jpeg-js', 'pngjs', 'webgpu'],
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    // __filename in ESM: the model locator also looks for the model packages from facerec's own folder.
    shims: true,
    external: [/^@tensorflow\//, /^@facerec\//, 'jpeg-js', 'pngjs', 'webgpu'],
  },
]);
