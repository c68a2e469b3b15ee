// The fused Adam/AdamW update of many variables on webgpu vs tfjs ops on cpu, and the dispatch counter that measures it.
// Tolerance: each variable's total change agrees within rtol 1e-4 of its largest |change| on cpu (float32 division and
// square root are not correctly rounded on every GPU).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOptimizer, type OptimizerConfig } from '@facerec/core';
import { FUSED_ADAM_ALL_KERNEL } from '@facerec/core/internal';
import { countWebGpuDispatches, useWebGpuFastKernels } from '../../src/backends/webgpu/index';
import { expectClose, failWithoutRequiredAdapter, probeWebGpu, randomValues, takeGpuErrors, type Output } from './helpers';

const gpu = await probeWebGpu();
const RTOL = 1e-4;

/** Random variable shapes: scalars, vectors, matrices and 4-d filters, some of odd sizes. */
function randomShapes(seed: number, count: number): number[][] {
  const r = randomValues(4 * count, seed);
  const dim = (k: number) => 1 + (Math.floor(Math.abs(r[k]!) * 1000) % 17);
  return Array.from({ length: count }, (_, i) => [dim(4 * i), dim(4 * i + 1), dim(4 * i + 2), dim(4 * i + 3)].slice(0, i % 5));
}

/** How far `steps` optimizer steps on `backend` move each weight (the same gradients at every step, scaled by the step). */
async function train(backend: string, shapes: number[][], config: OptimizerConfig, steps: number): Promise<Output[]> {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const params = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(randomValues(tf.util.sizeFromShape(s), 100 + i), s))));
  const optimizer = createOptimizer(config);
  for (let t = 1; t <= steps; t++) {
    const grads = shapes.map((s, i) => tf.tidy(() => tf.mul(tf.tensor(randomValues(tf.util.sizeFromShape(s), 200 + i), s), 1 / t)));
    optimizer.step(params, grads, 0.01 * t);
    tf.dispose(grads);
  }
  const out = await Promise.all(
    params.map(async (p, i) => {
      const start = randomValues(p.size, 100 + i);
      return { shape: p.shape, values: ((await p.data()) as Float32Array).map((v, k) => v - start[k]!) };
    }),
  );
  optimizer.dispose();
  tf.dispose(params);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return out;
}

failWithoutRequiredAdapter(gpu);

describe.skipIf(!gpu.info)(`fused Adam on webgpu ${gpu.reason}`, () => {
  afterEach(() => {
    useWebGpuFastKernels(true);
    expect(takeGpuErrors(), 'WebGPU errors').toEqual([]);
  });

  for (const [seed, count, config] of [
    [1, 6, { type: 'adam' }],
    [2, 11, { type: 'adam', weightDecay: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 }],
    [3, 3, { type: 'adam', weightDecay: 0.01 }],
  ] as const) {
    it(`matches tfjs ops on cpu: ${count} variables of random shapes, 3 steps, ${JSON.stringify(config)}`, async () => {
      const shapes = randomShapes(seed, count);
      const want = await train('cpu', shapes, config, 3);
      const got = await train('webgpu', shapes, config, 3);
      expectClose(got, want, RTOL, 'change of weight');
      // The weights moved: a kernel that wrote nothing back would leave them as they started (and cpu's moved).
      for (const change of got) expect(change.values.every((v) => Math.abs(v) > 1e-3)).toBe(true);
    });
  }

  it('updates all variables in one dispatch (tfjs ops: 14 a variable)', async () => {
    tf.setBackend('webgpu');
    const shapes = [[3, 3, 2, 4], [4], [10, 5], [5]];
    const params = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(randomValues(tf.util.sizeFromShape(s), i + 1), s))));
    const grads = params.map((p) => tf.onesLike(p));
    const stepCount = async (fast: boolean) => {
      useWebGpuFastKernels(fast);
      const optimizer = createOptimizer({ type: 'adam' });
      optimizer.step(params, grads, 1e-3); // the first step makes the moments
      await params[0]!.data();
      const count = await countWebGpuDispatches(async () => {
        optimizer.step(params, grads, 1e-3);
        await params[0]!.data();
      });
      optimizer.dispose();
      return count;
    };
    const fused = await stepCount(true);
    const stock = await stepCount(false);
    expect(fused.dispatches).toBe(1);
    expect(fused.byProgram).toEqual([['AdamAllProgram', 1]]);
    expect(stock.dispatches).toBeGreaterThanOrEqual(10 * shapes.length);
    expect(fused.submits).toBeGreaterThanOrEqual(1);
    tf.dispose([...params, ...grads]);
  });

  it('rejects gradients that do not match their variable', () => {
    tf.setBackend('webgpu');
    const x = tf.zeros([2, 2]), g = tf.zeros([4]);
    const attrs = { count: 1, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 1, weightDecay: 0 };
    expect(() => tf.engine().runKernel(FUSED_ADAM_ALL_KERNEL, { x0: x, g0: g }, attrs)).toThrow(/x0 and g0 must be float32 tensors of one shape/);
    tf.dispose([x, g]);
  });

  it('counts dispatches only on webgpu, and restores the backend after', async () => {
    tf.setBackend('webgpu');
    // Large enough that tfjs does not hand the add to the cpu backend.
    const a = tf.ones([4096]);
    const c = await countWebGpuDispatches(async () => {
      const b = tf.add(a, a);
      await b.data();
      b.dispose();
    });
    expect(c.dispatches).toBe(1);
    expect(c.byProgram[0]![1]).toBe(1);
    expect(Object.getOwnPropertyNames(tf.backend())).not.toContain('recordAndSubmit');
    a.dispose();
    tf.setBackend('cpu');
    await expect(countWebGpuDispatches(() => undefined)).rejects.toThrow(/needs the 'webgpu' backend/);
  });
});
