// bench:orl — the seed CNN on ORL (first 5 images per person train, last 5 test, 64×64 grayscale), 3 seeds:
// facerec's recipe vs the seed recipe as written (tfjs-layers model.fit, Adam 1e-3, batch 32, 30 epochs, no
// augmentation) on the same backend, side by side.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FaceRecognizer, createModel, describeBackendSelection, initBackend, loadImageFolder, preprocessBatch } from '@facerec/node';
import { machine, median, printTable, repoRoot, writeResult } from './lib.mjs';

const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
const dataDir = [process.env.FACEREC_DATA, path.join(process.env.FACEREC_DATASETS ?? path.resolve(repoRoot, '../shared/datasets'), 'orl'), path.join(repoRoot, 'examples/data/orl')]
  .filter(Boolean)
  .find((d) => existsSync(d));
if (!dataDir) throw new Error('ORL not found: set FACEREC_DATA to the ORL folder');

const selection = await initBackend('auto');
console.log(`bench:orl on ${machine()}\nbackend: ${describeBackendSelection(selection)}\ndata: ${dataDir}\n`);
const orl = await loadImageFolder(dataDir, { split: { type: 'first', count: 5 } });

/** The seed recipe as written, with tfjs-layers' own model.fit. */
async function seedRecipe(seed) {
  const labels = orl.labels;
  const index = new Map(labels.map((l, i) => [l, i]));
  const config = { inputSize: [64, 64], channels: 1, normalization: 'unit' };
  const model = createModel('seed-cnn', { inputShape: [64, 64, 1], numClasses: labels.length, seed });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = preprocessBatch(orl.train.map((d) => d.image), config);
  const y = tf.oneHot(tf.tensor1d(orl.train.map((d) => index.get(d.label)), 'int32'), labels.length);
  const start = performance.now();
  await model.fit(x, y, { batchSize: 32, epochs: 30, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const xt = preprocessBatch(orl.test.map((d) => d.image), config);
  const pred = tf.tidy(() => tf.argMax(model.predict(xt), 1));
  const predicted = await pred.data();
  const accuracy = orl.test.filter((d, i) => predicted[i] === index.get(d.label)).length / orl.test.length;
  tf.dispose([x, y, xt, pred]);
  model.dispose();
  return { accuracy, seconds };
}

const rows = [];
const ours = [];
const peer = [];
for (const seed of SEEDS) {
  const recognizer = new FaceRecognizer({ architecture: 'seed-cnn', inputSize: [64, 64], channels: 1, seed });
  const result = await recognizer.fit(orl.train);
  const report = await recognizer.evaluate(orl.test);
  recognizer.dispose();
  ours.push({ accuracy: report.accuracy, seconds: result.seconds, imagesPerSecond: result.imagesPerSecond });
  const baseline = await seedRecipe(seed);
  peer.push(baseline);
  rows.push([
    `seed ${seed}`,
    `${(report.accuracy * 100).toFixed(1)}%`, result.seconds.toFixed(1),
    `${(baseline.accuracy * 100).toFixed(1)}%`, baseline.seconds.toFixed(1),
    `${((report.accuracy - baseline.accuracy) * 100).toFixed(1)} pts`,
  ]);
  console.log(`seed ${seed}: facerec ${(report.accuracy * 100).toFixed(1)}% in ${result.seconds.toFixed(1)} s; seed recipe ${(baseline.accuracy * 100).toFixed(1)}% in ${baseline.seconds.toFixed(1)} s`);
}
const med = median(ours.map((r) => r.accuracy));
const medPeer = median(peer.map((r) => r.accuracy));
rows.push(['median', `${(med * 100).toFixed(1)}%`, median(ours.map((r) => r.seconds)).toFixed(1), `${(medPeer * 100).toFixed(1)}%`, median(peer.map((r) => r.seconds)).toFixed(1), `${((med - medPeer) * 100).toFixed(1)} pts`]);
console.log();
printTable(['run', 'facerec acc', 'facerec s', 'seed recipe acc', 'seed recipe s', 'difference'], rows);
console.log('\npublished on this protocol: Eigenfaces 89.5%, SOM+CNN 96.2% (Lawrence et al. 1997); goal: median ≥ 97% in ≤ 60 s');

const file = writeResult('orl', {
  accuracies: ours.map((r) => r.accuracy),
  median_accuracy: med,
  train_seconds: ours.map((r) => r.seconds),
  seeds: SEEDS,
  images_per_second: ours.map((r) => r.imagesPerSecond),
  backend: selection.backend,
  seed_recipe_accuracies: peer.map((r) => r.accuracy),
  seed_recipe_median_accuracy: medPeer,
  seed_recipe_train_seconds: peer.map((r) => r.seconds),
});
console.log(`written ${file}`);
process.exit(0);
