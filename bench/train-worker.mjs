// One measurement for bench:train, run in its own process: `ours`, `tfjs-cpu` or `tfjs-wasm`.
// Prints "RESULT {json}" on its last line.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const [mode, stepsArg] = process.argv.slice(2);
const BATCH = 32;
const CLASSES = 40;
const SHAPE = [64, 64, 3];

function seedModel() {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: SHAPE, filters: 32, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
}

/** tfjs-layers model.fit on a stock backend: images/s over `steps` batches after one warm-up batch. */
async function layersFit(backend) {
  if (backend === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const steps = Number(stepsArg ?? 1);
  const model = seedModel();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([BATCH * steps, ...SHAPE]);
  const y = tf.oneHot(tf.randomUniform([BATCH * steps], 0, CLASSES, 'int32'), CLASSES);
  try {
    await model.fit(tf.slice(x, 0, BATCH), tf.slice(y, 0, BATCH), { batchSize: BATCH, epochs: 1, verbose: 0 });
    const start = performance.now();
    await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false });
    const seconds = (performance.now() - start) / 1000;
    return { ok: true, backend, imagesPerSecond: (BATCH * steps) / seconds, steps };
  } catch (error) {
    return { ok: false, backend, error: error instanceof Error ? error.message : String(error) };
  }
}

/** facerec's Trainer on its default backend ('auto'): images/s over `steps` batches after warm-up. */
async function ours() {
  const { initBackend, createModel, Trainer, describeBackendSelection } = await import('@facerec/node');
  const selection = await initBackend('auto');
  const steps = Number(stepsArg ?? 40);
  const model = createModel('seed-cnn', { inputShape: SHAPE, numClasses: CLASSES, seed: 1 });
  const images = tf.randomUniform([BATCH * steps, ...SHAPE]);
  const labels = Int32Array.from({ length: BATCH * steps }, (_, i) => i % CLASSES);
  const warm = tf.slice(images, 0, BATCH * 3);
  await new Trainer(model, { numClasses: CLASSES, epochs: 1, batchSize: BATCH, seed: 1 }).fit({ images: warm, labels: labels.subarray(0, BATCH * 3) });
  const result = await new Trainer(model, { numClasses: CLASSES, epochs: 1, batchSize: BATCH, seed: 1, shuffle: false }).fit({ images, labels });
  return {
    ok: true,
    backend: selection.backend,
    details: selection.details,
    description: describeBackendSelection(selection),
    imagesPerSecond: (BATCH * steps) / result.seconds,
    steps,
  };
}

const result = mode === 'ours' ? await ours() : await layersFit(mode === 'tfjs-cpu' ? 'cpu' : 'wasm');
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
