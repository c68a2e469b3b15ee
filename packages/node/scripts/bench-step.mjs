// Benchmarks one training step of the seed CNN (batch 32, 64x64xC) on the multi-threaded wasm backend.
// Usage: node packages/node/scripts/bench-step.mjs [--steps=20] [--threads=N] [--stock-kernels]
//        [--optimizer=fused|stock] [--backend=wasm|cpu] [--no-profile | --profile=shapes] [--channels=3|1]
//        [--forward-only] [--src]
// --channels=1 is the grayscale network ORL training uses; --forward-only times inference (predict) instead of
// a training step; --src bundles src/ even when a built dist/ exists (use it while editing the kernels).
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
const CHANNELS = Number(args.channels ?? 3);
const FORWARD_ONLY = Boolean(args['forward-only']);

/** initWasmBackend from the built package when it exports it, else from a throw-away bundle of the sources. */
async function loadInit() {
  if (!args.src) try {
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
      tfl.layers.conv2d({ inputShape: [64, 64, CHANNELS], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
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
const x = tf.randomNormal([BATCH, 64, 64, CHANNELS], 0, 1, 'float32', 11);
const y = tf.oneHot(tf.randomUniform([BATCH], 0, 40, 'int32', 12), 40);
const step = FORWARD_ONLY
  ? () => tf.tidy(() => tf.sum(model.predict(x)))
  : () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);

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
  `seed CNN ${FORWARD_ONLY ? 'forward' : 'step'} (batch ${BATCH}, 64x64x${CHANNELS}): median ${ms.toFixed(1)} ms/step, ${((BATCH * 1000) / ms).toFixed(1)} img/s ` +
    `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${STEPS} steps, last ${FORWARD_ONLY ? 'output sum' : 'loss'} ${loss.toFixed(4)})`,
);

if (args.profile !== 'false' && !args['no-profile']) {
  // Kernel times summed over --profile-steps steps (default 5) and divided by it: single steps are noisy.
  const PSTEPS = Number(args['profile-steps'] ?? 5);
  const agg = new Map();
  for (let ps = 0; ps < PSTEPS; ps++) {
    const prof = await tf.profile(() => step());
    for (const k of prof.kernels) {
      // --profile=shapes splits each kernel's time by its output shapes.
      const key = args.profile === 'shapes' ? `${k.name} ${k.outputShapes.map((s) => `[${s}]`).join('')}` : k.name;
      const e = agg.get(key) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs / PSTEPS;
      e.n += 1 / PSTEPS;
      agg.set(key, e);
    }
    tf.dispose(prof.result);
  }
  const total = [...agg.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`profile of one step, mean of ${PSTEPS} (sum of kernel times ${total.toFixed(1)} ms):`);
  for (const [name, e] of [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${name.padEnd(args.profile === 'shapes' ? 48 : 24)} ${e.ms.toFixed(2).padStart(8)} ms  x${Math.round(e.n)}`);
  }
}
process.exit(0);
