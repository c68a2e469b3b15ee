// The main demo: train the seed CNN on the ORL faces (first 5 images of each person train, last 5 test),
// then print the test accuracy and a few predictions. Run with `pnpm demo` from the repository root.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceRecognizer, describeBackendSelection, initBackend, loadImageFolder } from '@facerec/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidates = [
  process.env.FACEREC_DATA,
  path.resolve(here, '../../../shared/datasets/orl'),
  path.resolve(here, '../data/orl'),
].filter(Boolean);
const dataDir = candidates.find((dir) => existsSync(dir));
if (!dataDir) {
  console.error(`ORL faces not found; looked in:\n  ${candidates.join('\n  ')}\nSet FACEREC_DATA to the ORL folder.`);
  process.exit(1);
}

const selection = await initBackend('auto');
console.log(`backend: ${describeBackendSelection(selection)}`);
const orl = await loadImageFolder(dataDir, { split: { type: 'first', count: 5 } });
console.log(`ORL from ${dataDir}: ${orl.labels.length} people, ${orl.train.length} training and ${orl.test.length} test images`);

const recognizer = new FaceRecognizer({ architecture: 'seed-cnn', inputSize: [64, 64], channels: 1, seed: 1 });
const result = await recognizer.fit(orl.train, {
  onEpochEnd: (log) => {
    if (log.epoch % 10 === 0 || log.epoch === log.epochs) {
      console.log(`epoch ${log.epoch}/${log.epochs}  loss ${log.loss.toFixed(3)}  train acc ${(log.accuracy * 100).toFixed(1)}%  ${Math.round(log.imagesPerSecond)} img/s`);
    }
  },
});
console.log(`trained in ${result.seconds.toFixed(1)} s (${Math.round(result.imagesPerSecond)} images/s)`);

const report = await recognizer.evaluate(orl.test);
console.log(`\ntest accuracy: ${(report.accuracy * 100).toFixed(2)}% on ${report.count} images of ${report.labels.length} people`);
console.log('(published on this protocol: Eigenfaces 89.5%, SOM+CNN 96.2% — Lawrence et al. 1997)\n');

console.log('a few predictions:');
for (const sample of orl.test.filter((_, i) => i % 40 === 3)) {
  const p = await recognizer.predict(sample.image);
  const best = p.candidates[0]?.label;
  const mark = best === sample.label ? '✓' : '✗';
  // Below the threshold the answer is "unknown": say who scored highest too, which is what ✓/✗ marks.
  const nearest = p.label === best ? '' : `; nearest ${best}`;
  console.log(`  ${mark} ${path.relative(dataDir, sample.source ?? '')}: ${p.label} (${(p.score * 100).toFixed(1)}%${nearest})`);
}
recognizer.dispose();
