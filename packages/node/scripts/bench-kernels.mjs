// Times the heavy kernels of the seed CNN one by one (batch 32) on the wasm backend, bundled from src/.
// Usage: node packages/node/scripts/bench-kernels.mjs [--reps=15] [--threads=N] [--only=substring] [--channels=3]
import { unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgRequire = createRequire(join(here, '..', 'package.json'));
const tf = pkgRequire('@tensorflow/tfjs-core');
pkgRequire('@tensorflow/tfjs-backend-cpu');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const REPS = Number(args.reps ?? 15);
const C = Number(args.channels ?? 3);

async function loadInit() {
  const esbuild = createRequire(pkgRequire.resolve('tsup'))('esbuild');
  const out = join(here, `.bench-kernels-${process.pid}.mjs`);
  const res = await esbuild.build({
    entryPoints: [join(here, '..', 'src', 'backends', 'wasm', 'index.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['@tensorflow/*'], write: false, logLevel: 'warning',
  });
  writeFileSync(out, res.outputFiles[0].contents);
  try {
    return (await import(out)).initWasmBackend;
  } finally {
    unlinkSync(out);
  }
}

const initWasmBackend = await loadInit();
const info = await initWasmBackend({ threads: args.threads ? Number(args.threads) : undefined });
console.log(`threads=${info.threads} relaxed=${info.relaxedSimd}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rn = (shape, seed) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const N = 32;
const x1 = rn([N, 64, 64, C], 1), w1 = rn([3, 3, C, 32], 2), b1 = rn([32], 3), dy1 = rn([N, 62, 62, 32], 4);
const x2 = rn([N, 31, 31, 32], 5), w2 = rn([3, 3, 32, 64], 6), b2 = rn([64], 7), dy2 = rn([N, 29, 29, 64], 8);
const fl = rn([N, 12544], 9), w3 = rn([12544, 128], 10), b3 = rn([128], 11), dh = rn([N, 128], 12);
const run = (name, inputs, attrs) => tf.engine().runKernel(name, inputs, attrs);
const cases = {
  'conv1 fwd (fused relu)': () => run('FusedConv2D', { x: x1, filter: w1, bias: b1 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'relu' }),
  'conv1 dW': () => run('Conv2DBackpropFilter', { x: x1, dy: dy1 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, C, 32] }),
  'conv2 fwd (fused relu)': () => run('FusedConv2D', { x: x2, filter: w2, bias: b2 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'relu' }),
  'conv2 fwd (plain)': () => run('Conv2D', { x: x2, filter: w2 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 }),
  'conv2 dW': () => run('Conv2DBackpropFilter', { x: x2, dy: dy2 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] }),
  'conv2 dX': () => run('Conv2DBackpropInput', { dy: dy2, filter: w2 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [N, 31, 31, 32] }),
  'dense fwd (fused relu)': () => run('_FusedMatMul', { a: fl, b: w3, bias: b3 }, { transposeA: false, transposeB: false, activation: 'relu' }),
  'dense dA (dy * W^T)': () => run('BatchMatMul', { a: dh, b: w3 }, { transposeA: false, transposeB: true }),
  'dense dW (x^T * dy)': () => run('BatchMatMul', { a: fl, b: dh }, { transposeA: true, transposeB: false }),
};
for (const [name, fn] of Object.entries(cases)) {
  if (args.only && !name.includes(args.only)) continue;
  for (let i = 0; i < 3; i++) tf.dispose(fn());
  const ts = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const out = fn();
    ts.push(performance.now() - t0);
    tf.dispose(out);
  }
  console.log(`${name.padEnd(26)} median ${median(ts).toFixed(2).padStart(7)} ms  min ${Math.min(...ts).toFixed(2).padStart(7)}`);
}
process.exit(0);
