// LFW verification benchmark on lfw-dev (View 2 folds 1-5): facerec's pipeline (default, fast, mobileface, accurate presets) vs
// @vladmandic/face-api's full pipeline (SSD -> 68 landmarks -> descriptor, Euclidean), same images, same process.
// Writes bench-results/lfw.json after each stage (a quick run with LFW_PAIRS_LIMIT=n writes lfw-limit<n>.json instead). Usage: pnpm bench:lfw   (env: FACEREC_DATASETS, LFW_PAIRS_LIMIT=n,
// LFW_ONLY=ours,ours_fast,ours_mobileface,ours_accurate,ours_faceres,faceapi to choose). ms_per_face / ms_per_image come from a separate timing pass
// (median of 5 repeats over the same 64 photos, after one warm-up); the whole-run means are kept as *_run_mean.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateLfw, initBackend, kFoldVerification, lfwImagePath, loadFacePipeline, parseLfwPairs, readImage } from '@facerec/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const datasets = process.env.FACEREC_DATASETS ?? path.resolve(root, '../shared/datasets');
const lfw = path.join(datasets, 'lfw-dev');
let pairsFile = path.join(lfw, 'pairs.txt');
const images = path.join(lfw, 'images');
const only = (process.env.LFW_ONLY ?? 'ours,ours_fast,ours_mobileface,ours_accurate,faceapi').split(','); // add ours_faceres for the 1024-d faceres embedder (slow)

// A quick run: keep the first n same and n different pairs of every fold.
const limit = Number(process.env.LFW_PAIRS_LIMIT ?? 0);
if (limit > 0) {
  const lines = readFileSync(pairsFile, 'utf8').trim().split('\n');
  const [folds, n] = lines[0].split(/\s+/).map(Number);
  const kept = [`${folds}\t${limit}`];
  for (let f = 0; f < folds; f++) for (const part of [0, 1]) kept.push(...lines.slice(1 + f * 2 * n + part * n, 1 + f * 2 * n + part * n + limit));
  pairsFile = path.join(os.tmpdir(), `facerec-lfw-pairs-${limit}.txt`);
  writeFileSync(pairsFile, `${kept.join('\n')}\n`);
}

const backend = await initBackend('wasm');
console.log(`backend ${backend.backend}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${os.cpus().length} cores`);
const out = path.join(root, 'bench-results', limit > 0 ? `lfw-limit${limit}.json` : 'lfw.json');
// A run of some stages (LFW_ONLY) keeps the other stages' results already in the file.
const kept = process.env.LFW_ONLY && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
const results = {
  ...kept,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, backend: backend.backend, loadavg_at_start: os.loadavg() },
  protocol: `${path.relative(root, pairsFile)}: k folds, threshold chosen on the other folds; accuracy_std is the sample std over folds`,
};
const pct = (x) => `${(x * 100).toFixed(2)}%`;
const show = (name, r) => console.log(`${name.padEnd(9)} acc ${pct(r.accuracy_mean)} ± ${pct(r.accuracy_std)}  AUC ${r.auc.toFixed(4)}  EER ${pct(r.eer)}  TAR@1e-3 ${pct(r['tar_at_far_1e-3'])}  ${r.ms_per_face.toFixed(1)} ms/face  ${r.ms_per_image.toFixed(1)} ms/image  ${r.detection_failures} no-face of ${r.images}`);
const progress = (name) => { let last = 0; return (done, total) => { if (done === total || performance.now() - last > 30000) { last = performance.now(); console.log(`  ${name} ${done}/${total}`); } }; };

// Timing pass: the machine is shared, so whole-run means drift with other load. Each pipeline also runs
// the same 64 photos 5 times; the median of the 5 repeats is reported as ms_per_face / ms_per_image.
const timingFiles = parseLfwPairs(readFileSync(pairsFile, 'utf8')).slice(0, 64).map((p) => lfwImagePath(p.a.name, p.a.index));
const timingImages = await Promise.all(timingFiles.map((f) => readImage(path.join(images, f))));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeOurs(pipeline) {
  const perFace = [], perImage = [];
  for (let rep = 0; rep < 6; rep++) {
    let embedMs = 0, totalMs = 0;
    for (let i = 0; i < timingImages.length; i += 16) {
      const faces = [];
      for (const raw of timingImages.slice(i, i + 16)) {
        const t0 = performance.now();
        const image = tf.tidy(() => tf.tensor3d(new Float32Array(raw.data), [raw.height, raw.width, raw.channels]));
        const { face } = await pipeline.mainFaceOrCentre(image);
        faces.push({ image, landmarks: face.landmarks });
        totalMs += performance.now() - t0;
      }
      const t1 = performance.now();
      await pipeline.embedder.embedBatch(faces);
      const dt = performance.now() - t1;
      embedMs += dt;
      totalMs += dt;
      faces.forEach((f) => f.image.dispose());
    }
    if (rep > 0) { perFace.push(embedMs / timingImages.length); perImage.push(totalMs / timingImages.length); } // rep 0 warms up
  }
  return { ms_per_face: median(perFace), ms_per_image: median(perImage) };
}

/** The evaluation under bench-results' snake_case keys (those of `facerec lfw --json`). */
function lfwJson(r) {
  return {
    accuracy_mean: r.accuracyMean, accuracy_std: r.accuracyStd, auc: r.auc, eer: r.eer, 'tar_at_far_1e-3': r.tarAtFar1e3, pairs: r.pairs,
    ms_per_face: r.msPerFace, ms_per_image: r.msPerImage, detection_failures: r.detectionFailures, images: r.images, folds: r.folds,
    embedder: r.embedder, threshold_protocol: r.thresholdProtocol, 'threshold_at_far_1e-2': r.thresholdAtFar1e2, 'tar_at_far_1e-2': r.tarAtFar1e2,
    threshold_default: r.thresholdDefault, far_at_default_threshold: r.farAtDefaultThreshold, tar_at_default_threshold: r.tarAtDefaultThreshold,
  };
}

mkdirSync(path.join(root, 'bench-results'), { recursive: true });
/** Written after every stage, so a long run that is stopped keeps what it measured. */
function save() {
  writeFileSync(`${out}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${path.relative(root, out)}`);
}

for (const [name, preset] of [['ours', 'default'], ['ours_fast', 'fast'], ['ours_mobileface', 'mobileface'], ['ours_accurate', 'accurate'], ['ours_faceres', 'faceres']]) {
  if (!only.includes(name)) continue;
  const pipeline = await loadFacePipeline({ preset });
  const pairs = parseLfwPairs(readFileSync(pairsFile, 'utf8'), pairsFile);
  const run = lfwJson(await evaluateLfw({ pairs, readImage: (file) => readImage(path.join(images, file)), pipeline, onProgress: progress(name) }));
  const timing = await timeOurs(pipeline);
  pipeline.dispose();
  results[name] = { ...run, ...timing, ms_per_face_run_mean: run.ms_per_face, ms_per_image_run_mean: run.ms_per_image, loadavg_after: os.loadavg()[0] };
  show(name, results[name]);
  save();
}

if (only.includes('faceapi')) {
  results.faceapi = await runFaceApi();
  save();
}

// Side by side with the peer: accuracy difference and speed ratio (face-api time / ours).
if (results.faceapi) {
  const f = results.faceapi;
  console.log('\npipeline         accuracy   vs face-api   ms/face  face-api÷ours   ms/image  face-api÷ours');
  for (const name of ['ours', 'ours_fast', 'ours_mobileface', 'ours_accurate', 'ours_faceres', 'faceapi']) {
    const r = results[name];
    if (!r) continue;
    const diff = ((r.accuracy_mean - f.accuracy_mean) * 100).toFixed(2);
    console.log(`${name.padEnd(16)} ${pct(r.accuracy_mean).padStart(8)}   ${(diff.startsWith('-') ? diff : `+${diff}`).padStart(7)} pt   ${r.ms_per_face.toFixed(1).padStart(7)}  ${(f.ms_per_face / r.ms_per_face).toFixed(2).padStart(10)}×   ${r.ms_per_image.toFixed(1).padStart(8)}  ${(f.ms_per_image / r.ms_per_image).toFixed(2).padStart(10)}×`);
  }
}

/** face-api as its users run it: detectSingleFace (SSD MobileNet v1) -> 68 landmarks -> 128-d descriptor. */
async function runFaceApi() {
  const require = createRequire(import.meta.url);
  // The node-wasm build uses @tensorflow/tfjs and its wasm backend; it shares this process's tfjs engine,
  // so it runs on the same wasm backend (and kernels) as facerec.
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const pairs = parseLfwPairs(readFileSync(pairsFile, 'utf8'));
  const files = [...new Set(pairs.flatMap((p) => [lfwImagePath(p.a.name, p.a.index), lfwImagePath(p.b.name, p.b.index)]))];
  const descriptors = new Map();
  let totalMs = 0, descriptorMs = 0, failures = 0;
  const tick = progress('faceapi');
  for (const [i, file] of files.entries()) {
    const raw = await readImage(path.join(images, file));
    const input = tf.tidy(() => {
      const t = tf.tensor3d(new Float32Array(raw.data), [raw.height, raw.width, raw.channels]);
      return tf.cast(raw.channels === 1 ? tf.tile(t, [1, 1, 3]) : t, 'int32');
    });
    const t0 = performance.now();
    const found = await faceapi.detectSingleFace(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptor();
    let descriptor = found?.descriptor;
    const t1 = performance.now();
    // No face: the anchors' fallback, the descriptor of the central 56% (the face region of an aligned LFW image).
    const side = Math.round(Math.min(raw.width, raw.height) * 0.56);
    const crop = tf.tidy(() => tf.slice(input, [Math.floor((raw.height - side) / 2), Math.floor((raw.width - side) / 2), 0], [side, side, 3]));
    const t2 = performance.now();
    const cropDescriptor = await faceapi.computeFaceDescriptor(crop);
    const t3 = performance.now();
    crop.dispose();
    input.dispose();
    descriptorMs += t3 - t2; // the descriptor net alone, timed on one crop per image
    if (!descriptor) {
      failures++;
      descriptor = cropDescriptor;
      totalMs += t3 - t0 - (t2 - t1);
    } else totalMs += t1 - t0;
    descriptors.set(file, descriptor);
    tick(i + 1, files.length);
  }
  // Timing pass as for ours: the same 64 photos, 5 timed repeats, median.
  const perFace = [], perImage = [];
  for (let rep = 0; rep < 6; rep++) {
    let faceMs = 0, imageMs = 0;
    for (const raw of timingImages) {
      const input = tf.tidy(() => tf.cast(tf.tile(tf.tensor3d(new Float32Array(raw.data), [raw.height, raw.width, raw.channels]), [1, 1, 3 / raw.channels]), 'int32'));
      const t0 = performance.now();
      await faceapi.detectSingleFace(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptor();
      const t1 = performance.now();
      const crop = tf.tidy(() => tf.slice(input, [55, 55, 0], [140, 140, 3]));
      const t2 = performance.now();
      await faceapi.computeFaceDescriptor(crop);
      faceMs += performance.now() - t2;
      imageMs += t1 - t0;
      tf.dispose([input, crop]);
    }
    if (rep > 0) { perFace.push(faceMs / timingImages.length); perImage.push(imageMs / timingImages.length); }
  }
  const scores = pairs.map((p) => -faceapi.euclideanDistance(descriptors.get(lfwImagePath(p.a.name, p.a.index)), descriptors.get(lfwImagePath(p.b.name, p.b.index))));
  const r = kFoldVerification(scores, pairs.map((p) => p.same), pairs.map((p) => p.fold));
  const result = {
    accuracy_mean: r.accuracyMean, accuracy_std: r.accuracyStd, auc: r.auc, eer: r.eer, 'tar_at_far_1e-3': r.tarAtFar1e3, pairs: r.pairs,
    ms_per_face: median(perFace), ms_per_image: median(perImage), ms_per_face_run_mean: descriptorMs / files.length, ms_per_image_run_mean: totalMs / files.length,
    detection_failures: failures, images: files.length, loadavg_after: os.loadavg()[0],
    folds: r.folds.length, embedder: 'face-api faceRecognitionNet (ResNet-34, 128-d), Euclidean',
  };
  show('faceapi', result);
  return result;
}
