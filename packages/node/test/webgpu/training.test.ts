// Every kernel a training step uses, on webgpu vs cpu: loss, every gradient and one Adam update of both built-in
// architectures. Tolerance: rtol 2e-4 of each tensor's max |cpu value| (float32 sums over a batch in another order).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, createOptimizer, softmaxCrossEntropy, type ArchitectureName } from '@facerec/core';
import { forwardLogits } from '@facerec/core/internal';
import { expectClose, failWithoutRequiredAdapter, probeWebGpu, randomValues, takeGpuErrors, type Output } from './helpers';

const gpu = await probeWebGpu();
const RTOL = 2e-4;
const BATCH = 6, SIZE = 20, CLASSES = 5;

/** Loss, gradients and the weights after one Adam step of `architecture` on `backend`, from the same weights and batch. */
async function trainStep(backend: string, architecture: ArchitectureName, channels: number, weights: Float32Array[] | null) {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = createModel(architecture, { inputShape: [SIZE, SIZE, channels], numClasses: CLASSES, seed: 3 });
  // Dropout draws its mask from Math.random: switched off so both backends compute the same function.
  for (const layer of model.layers) if (layer.getClassName() === 'Dropout') (layer as unknown as { rate: number }).rate = 0;
  if (weights) tf.tidy(() => model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i]!.shape))));
  const initial = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  const params = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  // As the trainer does: gather the batch from the images, integer labels, the accuracy count. An explicit L2 term
  // stands in for model.calculateLosses(), which tfjs-layers does not fill the same way for every model instance.
  const images = tf.tensor4d(randomValues(2 * BATCH * SIZE * SIZE * channels, 11), [2 * BATCH, SIZE, SIZE, channels]);
  const idx = tf.tensor1d([3, 10, 0, 9, 7, 1], 'int32');
  const x = tf.gather(images, idx);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32');
  let correct: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = forwardLogits(model, x, true) as tf.Tensor2D;
    let loss: tf.Tensor = softmaxCrossEntropy(y, logits);
    loss = tf.add(loss, tf.mul(1e-4, tf.addN(params.map((p) => tf.sum(tf.square(p))))));
    correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')));
    return loss as tf.Scalar;
  }, params);
  const read = async (t: tf.Tensor): Promise<Output> => ({ shape: t.shape, values: (await t.data()) as Float32Array });
  const loss = await read(value);
  const gradList = params.map((p) => grads[p.name]!);
  const gradOut = await Promise.all(gradList.map(read));
  const optimizer = createOptimizer({ type: 'adam' });
  optimizer.step(params, gradList, 1e-3);
  const updated = await Promise.all(params.map(read));
  optimizer.dispose();
  const right = (await correct!.data())[0]!;
  tf.dispose([images, idx, x, y, value, correct!, ...gradList]);
  model.dispose();
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return { initial, loss, grads: gradOut, updated, right };
}

failWithoutRequiredAdapter(gpu);

describe.skipIf(!gpu.info)(`a training step on webgpu matches cpu ${gpu.reason}`, () => {
  afterEach(() => {
    expect(takeGpuErrors().map((e) => e.message.slice(0, 400)), 'WebGPU errors').toEqual([]);
  });

  for (const [architecture, channels] of [['seed-cnn', 1], ['seed-cnn-bn', 3]] as const) {
    it(`${architecture}, ${channels} channel(s): loss, gradients and Adam update (rtol ${RTOL})`, async () => {
      const cpu = await trainStep('cpu', architecture, channels, null);
      const webgpu = await trainStep('webgpu', architecture, channels, cpu.initial);
      const worst = [
        expectClose([webgpu.loss], [cpu.loss], RTOL, 'loss'),
        expectClose(webgpu.grads, cpu.grads, RTOL, 'gradient'),
        expectClose(webgpu.updated, cpu.updated, RTOL, 'updated weight'),
      ];
      if (process.env['FACEREC_PRINT_TOLERANCE']) console.log(`${architecture}: worst relative error loss/grad/update`, worst);
      expect(webgpu.right).toBe(cpu.right);
      // The update moved the weights: a kernel that silently wrote nothing would pass the comparison above.
      expect(webgpu.updated[0]!.values.some((v, i) => v !== cpu.initial[0]![i])).toBe(true);
    });
  }
});
