// bench:gpu — training and inference img/s of the seed CNN and a ResNet on WebGPU (Dawn), tfjs's stock kernels vs
// facerec's, and the ratio to PyTorch when its numbers are given. One process, so ../shared/gpu/prepare.sh can bundle it.
//
//   node bench/gpu.mjs [--steps N] [--warmup N] [--batch N] [--models seedcnn,resnet] [--variants stock,ours]
//                      [--pytorch seedcnn_train=28186,seedcnn_infer=191592,resnet_train=9990,resnet_infer=33142]
//                      [--profile] [--dispatches-only] [--faces] [--out DIR]
// --dispatches-only: counts the GPU dispatches and queue submits of one training step of each model (batch 2), stock
// vs facerec, on any adapter (minutes on lavapipe), and merges the counts into bench-results/gpu.json.
// --faces (default in a full run): ms per face of the dlib ResNet-34 embedder and ms per image of BlazeFace, on the
// GPU and on WASM in the same process (dlib_ms_per_face, dlib_ms_per_face_wasm, blazeface_ms_per_image[_wasm]).
// Environment: FACEREC_PYTORCH (same format as --pytorch); $OUT (the GPU machine's result folder) as --out.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { forwardLogits } from '@facerec/core/internal';
import {
  countWebGpuDispatches, createModel, createOptimizer, initBackend, loadFacePipeline, readImage, softmaxCrossEntropy, useWebGpuFastKernels,
} from '@facerec/node';
import { machine, printTable, repoRoot, writeResult } from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string' }, warmup: { type: 'string' }, batch: { type: 'string' }, models: { type: 'string' },
    variants: { type: 'string' }, pytorch: { type: 'string' }, profile: { type: 'boolean' }, out: { type: 'string' },
    'dispatches-only': { type: 'boolean' }, faces: { type: 'boolean' },
  },
});

const CLASSES = 40;
const selection = await initBackend('gpu');
const { adapter, software } = selection.details;
// lavapipe takes ~10 s for a seed-CNN step and a minute for a ResNet step of 8: one step, and a ResNet batch of 4.
const steps = Number(args.steps ?? (software ? 1 : 20));
const warmup = Number(args.warmup ?? (software ? 1 : 3));
const dispatchesOnly = args['dispatches-only'] === true;
// Dispatch counts do not depend on the batch: the smallest batch that still has a batch dimension to reduce.
const batchFor = (model) => Number(args.batch ?? (dispatchesOnly ? 2 : software && model === 'resnet' ? 4 : 64));
const models = (args.models ?? 'seedcnn,resnet').split(',');
const variants = (args.variants ?? 'stock,ours').split(',');
const pytorch = Object.fromEntries(
  (args.pytorch ?? process.env.FACEREC_PYTORCH ?? '').split(',').filter(Boolean).map((kv) => {
    const [k, v] = kv.split('=');
    return [k.trim(), Number(v)];
  }),
);

console.log(`bench:gpu on ${adapter}${software ? ' (software adapter: small runs)' : ''}; ${machine()}`);
console.log(`steps ${steps} after ${warmup} warm-up, float32, random data, Adam; stock = tfjs-backend-webgpu 4.22 kernels\n`);

/** 'resnet112': 7×7/2 stem, 3×3/2 max pool, 4 stages of 2 basic residual blocks (64, 128, 256, 512), global pool. */
function resnet112() {
  const conv = (x, filters, size, stride) =>
    tfl.layers.conv2d({ filters, kernelSize: size, strides: stride, padding: 'same', useBias: false }).apply(x);
  const bn = (x) => tfl.layers.batchNormalization({}).apply(x);
  const relu = (x) => tfl.layers.activation({ activation: 'relu' }).apply(x);
  const block = (x, filters, stride) => {
    let y = relu(bn(conv(x, filters, 3, stride)));
    y = bn(conv(y, filters, 3, 1));
    const shortcut = stride === 1 && x.shape[3] === filters ? x : bn(conv(x, filters, 1, stride));
    return relu(tfl.layers.add().apply([y, shortcut]));
  };
  const input = tfl.input({ shape: [112, 112, 3] });
  let x = relu(bn(conv(input, 64, 7, 2)));
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x);
  for (const [i, filters] of [64, 128, 256, 512].entries()) {
    x = block(x, filters, i === 0 ? 1 : 2);
    x = block(x, filters, 1);
  }
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: CLASSES }).apply(x) });
}

const build = {
  seedcnn: () => ({ model: createModel('seed-cnn', { inputShape: [64, 64, 3], numClasses: CLASSES, seed: 1 }), shape: [64, 64, 3] }),
  resnet: () => ({ model: resnet112(), shape: [112, 112, 3] }),
};

/** Runs `step` warm-up + timed times; a single `await data()` at the end waits for the GPU (no sync inside). */
async function timeSteps(step, batch) {
  let last = null;
  for (let i = 0; i < warmup; i++) {
    tf.dispose(last);
    last = step();
  }
  if (last) await last.data();
  tf.dispose(last);
  last = null;
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    tf.dispose(last);
    last = step();
  }
  await last.data();
  const seconds = (performance.now() - start) / 1000;
  tf.dispose(last);
  return (steps * batch) / seconds;
}

/** One step's dispatches and submits, after a first step (which also makes the optimizer's moments and compiles shaders). */
async function countStep(step) {
  const first = step();
  await first.data();
  first.dispose();
  return countWebGpuDispatches(async () => {
    const loss = step();
    await loss.data();
    loss.dispose();
  });
}

async function measure(name) {
  const batch = batchFor(name);
  const { model, shape } = build[name]();
  const x = tf.randomNormal([batch, ...shape], 0, 1, 'float32', 1);
  const y = tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % CLASSES), 'int32');
  const params = model.trainableWeights.map((w) => w.val);
  // A new optimizer per variant: it picks the fused update (or tfjs's ops) at its first step.
  let optimizer = null;
  // One training step as facerec's Trainer takes it: logits, cross-entropy, gradients, optimizer update.
  const trainStep = () => {
    const grads = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => softmaxCrossEntropy(y, forwardLogits(model, x, true)), params);
      return [value, ...params.map((p) => g[p.name])];
    });
    const [loss, ...g] = grads;
    optimizer.step(params, g, 1e-3);
    tf.dispose(g);
    return loss;
  };
  const inferStep = () => tf.tidy(() => model.predict(x, { batchSize: batch }));
  const result = {};
  for (const variant of variants) {
    useWebGpuFastKernels(variant === 'ours');
    optimizer?.dispose();
    optimizer = createOptimizer({ type: 'adam' });
    const started = performance.now();
    const count = await countStep(trainStep);
    const top = count.byProgram.slice(0, 6).map(([p, k]) => `${p} ${k}`).join(', ');
    console.log(`  ${name} ${variant}: ${count.dispatches} dispatches, ${count.submits} submits per step (${((performance.now() - started) / 1000).toFixed(1)} s for 2 steps); ${top}`);
    if (dispatchesOnly) {
      result[variant] = { dispatches: count.dispatches, submits: count.submits, byProgram: Object.fromEntries(count.byProgram) };
      if (args.profile) result[variant].profile = await profile(trainStep, `${name} ${variant}`);
      continue;
    }
    const train = await timeSteps(trainStep, batch);
    const infer = await timeSteps(inferStep, batch);
    result[variant] = { train, infer, dispatches: count.dispatches, submits: count.submits };
    console.log(`  ${name} ${variant}: train ${train.toFixed(1)} img/s, inference ${infer.toFixed(1)} img/s`);
    if (args.profile) result[variant].profile = await profile(trainStep, `${name} ${variant}`);
  }
  optimizer?.dispose();
  tf.dispose([x, y]);
  model.dispose();
  return { batch, ...result };
}

/** The kernels of one training step by time (needs timestamp queries for GPU times). */
async function profile(step, label) {
  const info = await tf.profile(async () => {
    const loss = step();
    await loss.data();
    loss.dispose();
  });
  const byName = new Map();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    byName.set(k.name, { ms: e.ms + ms, n: e.n + 1 });
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0) || 1;
  const top = [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  const shares = top.map(([n, e]) => `${n} ${((100 * e.ms) / total).toFixed(1)}% (${e.ms.toFixed(1)} ms ×${e.n})`).join(', ');
  console.log(`  profile ${label}: ${info.kernels.length} kernels/step, ${total.toFixed(1)} kernel ms; ${shares}`);
  return { kernels: info.kernels.length, kernelMs: total, top: Object.fromEntries(top.map(([n, e]) => [n, { share: e.ms / total, ms: e.ms, calls: e.n }])) };
}

/** dlib's ms per face (a batch of the same aligned face) and BlazeFace's ms per image, on 'webgpu' then 'wasm'. */
async function measureFaces() {
  const batch = software ? 2 : 16;
  const reps = software ? 1 : 5;
  const raw = await readImage(path.join(repoRoot, 'examples/data/orl/s1/1.pgm'));
  const out = {};
  for (const backend of ['webgpu', 'wasm']) {
    if (backend === 'wasm') await initBackend('wasm');
    else await tf.setBackend('webgpu');
    // Loaded on each backend: moving weights off the GPU would need a synchronous read, which Node's WebGPU lacks.
    const pipeline = await loadFacePipeline({ preset: 'fast' });
    const image = tf.tidy(() => tf.tensor3d(new Float32Array(raw.data), [raw.height, raw.width, raw.channels]));
    const { face } = await pipeline.mainFaceOrCentre(image);
    const faces = Array.from({ length: batch }, () => ({ image, landmarks: face.landmarks }));
    await pipeline.embedder.embedBatch(faces); // compiles shaders, moves the weights
    let start = performance.now();
    for (let r = 0; r < reps; r++) await pipeline.embedder.embedBatch(faces);
    const embedMs = (performance.now() - start) / (reps * batch);
    await pipeline.detect(image);
    start = performance.now();
    for (let r = 0; r < reps; r++) await pipeline.detect(image);
    const detectMs = (performance.now() - start) / reps;
    image.dispose();
    pipeline.dispose();
    out[backend] = { embedMs, detectMs };
    console.log(`  faces on ${backend}: dlib ${embedMs.toFixed(1)} ms/face (batch ${batch}), BlazeFace ${detectMs.toFixed(1)} ms/image`);
  }
  await tf.setBackend('webgpu');
  return {
    dlib_ms_per_face: out.webgpu.embedMs, dlib_ms_per_face_wasm: out.wasm.embedMs,
    blazeface_ms_per_image: out.webgpu.detectMs, blazeface_ms_per_image_wasm: out.wasm.detectMs, faces_batch: batch,
  };
}

const results = {};
for (const name of models) {
  if (!build[name]) throw new Error(`unknown model "${name}" (use seedcnn, resnet)`);
  console.log(`${name}, batch ${batchFor(name)}`);
  results[name] = await measure(name);
}
useWebGpuFastKernels(true);
const doFaces = args.faces ?? !dispatchesOnly;
const faceKeys = doFaces ? await measureFaces() : {};

const dispatchKeys = (r) => ({
  seedcnn_dispatches_per_step: r.seedcnn?.ours?.dispatches ?? null,
  resnet_dispatches_per_step: r.resnet?.ours?.dispatches ?? null,
  seedcnn_dispatches_per_step_stock: r.seedcnn?.stock?.dispatches ?? null,
  resnet_dispatches_per_step_stock: r.resnet?.stock?.dispatches ?? null,
  seedcnn_submits_per_step: r.seedcnn?.ours?.submits ?? null,
  resnet_submits_per_step: r.resnet?.ours?.submits ?? null,
});

if (dispatchesOnly) {
  console.log('');
  printTable(
    ['model', 'stock dispatches', 'facerec dispatches', 'stock submits', 'facerec submits'],
    Object.entries(results).map(([n, r]) => [n, r.stock?.dispatches ?? 'n/a', r.ours?.dispatches ?? 'n/a', r.stock?.submits ?? 'n/a', r.ours?.submits ?? 'n/a']),
  );
  // Merged into the last full run's file, so its img/s keys stay.
  const previousFile = path.join(repoRoot, 'bench-results', 'gpu.json');
  const previous = existsSync(previousFile) ? JSON.parse(readFileSync(previousFile, 'utf8')) : {};
  const dispatches = { adapter, batch: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.batch])), byProgram: results, date: new Date().toISOString() };
  const imgSMeasured = previous.img_s_measured ?? previous.date ?? null;
  // Keys this run did not measure (a model left out) keep the previous run's values.
  const measured = Object.fromEntries(Object.entries({ ...dispatchKeys(results), ...faceKeys }).filter(([, v]) => v !== null));
  const byProgram = { ...previous.dispatches?.byProgram, ...results };
  const file = writeResult('gpu', { ...previous, ...measured, dispatches: { ...dispatches, byProgram }, img_s_measured: imgSMeasured });
  console.log(`\nwritten ${file}`);
  process.exit(0);
}

const fmt = (v) => (v === undefined ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');
const rows = [];
for (const name of Object.keys(results)) {
  for (const task of ['train', 'infer']) {
    const r = results[name];
    const torch = pytorch[`${name}_${task}`];
    rows.push([`${name} ${task}`, r.batch, fmt(r.stock?.[task]), fmt(r.ours?.[task]), ratio(r.ours?.[task], r.stock?.[task]), fmt(torch), torch ? `${(torch / r.ours?.[task]).toFixed(1)}× slower` : 'n/a']);
  }
}
console.log('');
printTable(['model', 'batch', 'stock img/s', 'facerec img/s', 'facerec/stock', 'PyTorch img/s', 'facerec vs PyTorch'], rows);

const value = (name, task) => results[name]?.ours?.[task] ?? results[name]?.stock?.[task] ?? null;
const summary = {
  adapter,
  software_adapter: software,
  seedcnn_train_img_s: value('seedcnn', 'train'),
  seedcnn_infer_img_s: value('seedcnn', 'infer'),
  resnet_train_img_s: value('resnet', 'train'),
  resnet_infer_img_s: value('resnet', 'infer'),
  ...dispatchKeys(results),
  ...faceKeys,
  stock: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.stock ?? null])),
  batch: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.batch])),
  steps,
  warmup,
  pytorch: Object.keys(pytorch).length ? pytorch : null,
  resnet: 'resnet112: 7x7/2 stem, max pool, 4 stages x 2 basic blocks (64..512), global average pool, dense 40',
};
const file = writeResult('gpu', summary);
console.log(`\nwritten ${file}`);
const outDir = args.out ?? process.env.OUT;
if (outDir) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'gpu.json'), `${JSON.stringify({ ...summary, machine: machine(), date: new Date().toISOString() }, null, 2)}\n`);
  console.log(`written ${path.join(outDir, 'gpu.json')}`);
}
// Dawn keeps the event loop alive on some drivers.
process.exit(0);
