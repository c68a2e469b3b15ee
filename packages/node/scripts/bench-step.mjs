// Benchmarks one training step of the seed CNN (batch 32, 64x64x3) on the multi-threaded wasm backend.
// Usage: node packages/node/scripts/bench-step.mjs [--steps=20] [--threads=N] [--stock-kernels]
//        [--optimizer=fused|stock] [--backend=wasm|cpu] [--no-profile]
import { unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgRequire = createRequire(join(here, '..', 'package.json'));
const tf = pkgRequire('@tensorflow/tfjs-core');
pkgRequire('@tensorflow/tfjs-backend-cpu');
const tfl = pkgRequire('@tensorflow/tfjs-layers');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const STEPS = Number(args.steps ?? 20);
const WARMUP = Number(args.warmup ?? 3);
const BATCH = 32;

/** initWasmBackend from the built package when it exports it, else from a throw-away bundle of the sources. */
async function loadInit() {
  try {
    const dist = await import(join(here, '..', 'dist', 'index.js'));
    if (typeof dist.initWasmBackend === 'function') return dist.initWasmBackend;
  } catch {
    // not built yet
  }
  const esbuild = createRequire(pkgRequire.resolve('tsup'))('esbuild');
  const out = join(here, `.bench-${process.pid}.mjs`);
  const res = await esbuild.build({
    entryPoints: [join(here, '..', 'src', 'backends', 'wasm', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@tensorflow/*'],
    write: false,
    logLevel: 'warning',
  });
  writeFileSync(out, res.outputFiles[0].contents);
  try {
    return (await import(out)).initWasmBackend;
  } finally {
    unlinkSync(out);
  }
}

/** Adam through the fused FacerecAdamUpdate kernel, as the core trainer uses it when registered. */
class FusedAdam extends tf.Optimizer {
  static className = 'FusedAdam';
  constructor(learningRate) {
    super();
    this.learningRate = learningRate;
    this.t = 0;
    this.slots = new Map();
  }
  applyGradients(grads) {
    this.t++;
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    for (const name of names) {
      const g = Array.isArray(grads) ? grads.find((e) => e.name === name).tensor : grads[name];
      const x = tf.engine().registeredVariables[name];
      let s = this.slots.get(name);
      if (!s) {
        s = { m: tf.variable(tf.zerosLike(x), false), v: tf.variable(tf.zerosLike(x), false) };
        this.slots.set(name, s);
      }
      const attrs = { learningRate: this.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: this.t, weightDecay: 0 };
      const [x2, m2, v2] = tf.engine().runKernel('FacerecAdamUpdate', { x, g, m: s.m, v: s.v }, attrs);
      x.assign(x2);
      s.m.assign(m2);
      s.v.assign(v2);
      tf.dispose([x2, m2, v2]);
    }
  }
  getConfig() {
    return { learningRate: this.learningRate };
  }
}

function seedModel() {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [64, 64, 3], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
      tfl.layers.dense({ units: 40, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const backendName = args.backend ?? 'wasm';
let info = null;
if (backendName === 'wasm') {
  const initWasmBackend = await loadInit();
  info = await initWasmBackend({ threads: args.threads ? Number(args.threads) : undefined, fastKernels: !args['stock-kernels'] });
} else {
  await tf.setBackend(backendName);
}
const useFused = (args.optimizer ?? 'fused') === 'fused' && tf.getKernel('FacerecAdamUpdate', tf.getBackend()) !== undefined;
console.log(`backend=${tf.getBackend()} threads=${info?.threads ?? 1} threaded=${info?.threaded ?? false} optimizer=${useFused ? 'fused FacerecAdamUpdate' : 'tf.train.adam'}`);
if (info?.fallbackReason) console.log(`fallback: ${info.fallbackReason}`);

const model = seedModel();
const optimizer = useFused ? new FusedAdam(1e-3) : tf.train.adam(1e-3);
const x = tf.randomNormal([BATCH, 64, 64, 3], 0, 1, 'float32', 11);
const y = tf.oneHot(tf.randomUniform([BATCH], 0, 40, 'int32', 12), 40);
const step = () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);

for (let i = 0; i < WARMUP; i++) {
  const l = step();
  await l.data();
  l.dispose();
}
const times = [];
let loss = 0;
for (let i = 0; i < STEPS; i++) {
  const t0 = performance.now();
  const l = step();
  loss = (await l.data())[0];
  l.dispose();
  times.push(performance.now() - t0);
}
const ms = median(times);
if (args.verbose) console.log(times.map((t) => t.toFixed(0)).join(" "));
console.log(
  `seed CNN step (batch ${BATCH}): median ${ms.toFixed(1)} ms/step, ${((BATCH * 1000) / ms).toFixed(1)} img/s ` +
    `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${STEPS} steps, last loss ${loss.toFixed(4)})`,
);

if (args.profile !== 'false' && !args['no-profile']) {
  const prof = await tf.profile(() => step());
  const agg = new Map();
  for (const k of prof.kernels) {
    const e = agg.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs;
    e.n++;
    agg.set(k.name, e);
  }
  const total = [...agg.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`profile of one step (sum of kernel times ${total.toFixed(1)} ms):`);
  for (const [name, e] of [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(2).padStart(8)} ms  x${e.n}`);
  }
  tf.dispose(prof.result);
}
process.exit(0);
