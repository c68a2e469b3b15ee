// Batch normalisation in training mode through facerec's fused webgpu kernels vs tfjs-layers' own ops on cpu: output,
// moving averages and the gradients of x, gamma and beta, on random shapes. Tolerance: rtol 2e-4 of each tensor's max
// |cpu value| (sums over a batch in another order).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it } from 'vitest';
import { countWebGpuDispatches, useWebGpuFastKernels } from '../../src/backends/webgpu/index';
import { expectClose, failWithoutRequiredAdapter, probeWebGpu, randomValues, takeGpuErrors, type Output } from './helpers';

const gpu = await probeWebGpu();
const RTOL = 2e-4;

/** y, the moving mean and variance after the step, and d(Σ y·w)/d(x, gamma, beta) of one layer on `backend`. */
async function bnStep(backend: string, shape: number[], momentum: number): Promise<Output[]> {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const channels = shape[shape.length - 1]!;
  const layer = tfl.layers.batchNormalization({ momentum, epsilon: 1e-3 });
  const x = tf.tensor(randomValues(tf.util.sizeFromShape(shape), 1).map((v) => 3 * v + 1), shape);
  const w = tf.tensor(randomValues(tf.util.sizeFromShape(shape), 2), shape);
  layer.build(shape);
  tf.tidy(() => layer.setWeights([
    tf.tensor(randomValues(channels, 3).map((v) => 1 + v), [channels]), tf.tensor(randomValues(channels, 4), [channels]),
    tf.tensor(randomValues(channels, 5), [channels]), tf.tensor(randomValues(channels, 6).map((v) => 1 + Math.abs(v)), [channels]),
  ]));
  const [gamma, beta] = layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val) as [tf.Variable, tf.Variable];
  let y: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    y = tf.keep(out.clone());
    return tf.sum(tf.mul(out, w)) as tf.Scalar;
  }, [gamma, beta]);
  const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx, { training: true }) as tf.Tensor, w)))(x);
  const weights = layer.getWeights();
  const tensors = [y!, weights[2]!, weights[3]!, dx, grads[gamma.name]!, grads[beta.name]!];
  const out = await Promise.all(tensors.map(async (t) => ({ shape: t.shape, values: (await t.data()) as Float32Array })));
  tf.dispose([x, w, value, dx, y!, grads[gamma.name]!, grads[beta.name]!]);
  for (const v of layer.weights) v.dispose();
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return out;
}

failWithoutRequiredAdapter(gpu);

describe.skipIf(!gpu.info)(`fused batch normalisation on webgpu ${gpu.reason}`, () => {
  afterEach(() => {
    useWebGpuFastKernels(true);
    expect(takeGpuErrors(), 'WebGPU errors').toEqual([]);
  });

  for (const [shape, momentum] of [
    [[2, 5, 7, 3], 0.99],
    [[3, 4, 4, 40], 0.9],
    [[37, 17], 0.5],
    [[1, 9, 9, 16], 0.99],
  ] as const) {
    it(`matches tfjs-layers on cpu: x ${shape.join('x')}, momentum ${momentum} (y, moving averages, dx, dgamma, dbeta)`, async () => {
      const want = await bnStep('cpu', [...shape], momentum);
      const got = await bnStep('webgpu', [...shape], momentum);
      expectClose(got, want, RTOL);
    });
  }

  it('takes 4 dispatches for a training forward and backward (tfjs-layers: dozens), inference untouched', async () => {
    tf.setBackend('webgpu');
    const layer = tfl.layers.batchNormalization({});
    const x = tf.randomNormal([2, 6, 6, 32]);
    layer.build(x.shape);
    const [gamma, beta] = layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val) as [tf.Variable, tf.Variable];
    const step = async () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, [gamma, beta]);
      await grads[gamma.name]!.data();
      tf.dispose([value, grads[gamma.name]!, grads[beta.name]!]);
    };
    await step(); // compiles the shaders
    const fused = await countWebGpuDispatches(step);
    const names = fused.byProgram.map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['StatsProgram', 'NormalizeProgram', 'GradStatsProgram', 'InputGradProgram']));
    useWebGpuFastKernels(false);
    const stock = await countWebGpuDispatches(step);
    expect(stock.byProgram.map(([n]) => n)).not.toContain('StatsProgram');
    expect(fused.dispatches).toBeLessThan(stock.dispatches / 3);
    useWebGpuFastKernels(true);
    const inference = await countWebGpuDispatches(async () => {
      const y = layer.apply(x, { training: false }) as tf.Tensor;
      await y.data();
      y.dispose();
    });
    expect(inference.byProgram.map(([n]) => n)).not.toContain('StatsProgram');
    tf.dispose(x);
    for (const v of layer.weights) v.dispose();
  });
});
