// After tsup: copy tfjs-backend-wasm's .wasm files into dist/ (the default wasm path) and report the bundle size.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const dist = join(pkg, 'dist');
const require = createRequire(join(pkg, 'package.json'));

const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist';
mkdirSync(dist, { recursive: true });
const wasmFiles = readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'));
for (const f of wasmFiles) copyFileSync(join(wasmDist, f), join(dist, f));

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

async function measure(contents, external) {
  const result = await build({
    stdin: { contents, resolveDir: pkg, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    splitting: false,
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { code: new TextDecoder().decode(code), bytes: code.length, gzip: gzipSync(code).length };
}

const tfjs = ['@tensorflow/*'];
const web = await measure(`export * from './dist/index.js';`, [...tfjs, '@facerec/core']);
const withCore = await measure(`export * from './dist/index.js';`, tfjs);
// sideEffects: false — a page that only reads pixels keeps none of the backends, storage or video code.
const slice = await measure(`export { browserImageToTensor } from './dist/index.js';`, tfjs);
const backendImports = (slice.code.match(/tfjs-backend-(webgpu|wasm|cpu)/g) ?? []).length;

console.log(`@facerec/web: copied ${wasmFiles.length} .wasm files to dist/ (${wasmFiles.join(', ')})`);
console.log(`@facerec/web bundle (minified, tfjs excluded): ${kb(web.bytes)} (${kb(web.gzip)} gzip) without @facerec/core, ${kb(withCore.bytes)} (${kb(withCore.gzip)} gzip) with it`);
console.log(`@facerec/web tree-shaking: importing only browserImageToTensor bundles ${kb(slice.bytes)} with core, ${backendImports === 0 ? 'no backend package' : `${backendImports} backend import(s)!`}`);
if (backendImports !== 0) process.exitCode = 1;
