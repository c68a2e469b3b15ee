// facerec's WGSL kernels on webgpu vs the cpu backend, on random inputs of several shapes, strides and paddings.
// Tolerance: rtol 1e-4 of the cpu output's max |value| (float32 sums in another order).
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { useWebGpuFastKernels } from '../../src/backends/webgpu/index';
import { runKernel } from '../kernels/helpers';
import { compareWithCpu, failWithoutRequiredAdapter, probeWebGpu, runOn, takeGpuErrors } from './helpers';

const gpu = await probeWebGpu();

type Pad = 'valid' | 'same' | number;
// [batch, height, width, inChannels, outChannels, kernel, stride, pad]
const CASES: [number, number, number, number, number, number, number, Pad][] = [
  [1, 7, 7, 1, 1, 3, 1, 'valid'],
  [3, 11, 9, 3, 8, 3, 2, 'same'],
  [2, 13, 13, 32, 64, 3, 1, 'valid'],
  [5, 8, 8, 16, 5, 3, 1, 'same'],
  [3, 9, 9, 7, 13, 5, 1, 2],
  [1, 10, 10, 24, 10, 3, 2, 'same'],
  [2, 6, 7, 4, 9, 1, 1, 'valid'],
  // Many K splits (a seed-CNN first layer) and several M × N tiles with a ragged edge.
  [8, 34, 34, 3, 32, 3, 1, 'valid'],
  [2, 16, 16, 40, 72, 3, 1, 'same'],
  [4, 15, 15, 64, 128, 3, 2, 'same'],
];

function dyShape(n: number, h: number, w: number, ci: number, co: number, k: number, s: number, pad: Pad): number[] {
  return tf.backend_util.computeConv2DInfo([n, h, w, ci], [k, k, ci, co], s, 1, pad).outShape;
}

failWithoutRequiredAdapter(gpu);

describe.skipIf(!gpu.info)(`facerec's webgpu kernels vs cpu ${gpu.reason}`, () => {
  afterEach(() => {
    expect(takeGpuErrors(), 'WebGPU errors').toEqual([]);
  });

  for (const [n, h, w, ci, co, k, s, pad] of CASES) {
    it(`filter gradient ${n}x${h}x${w}x${ci} -> ${co}, ${k}x${k} stride ${s} pad ${pad}`, async () => {
      const attrs = { strides: s, pad, dataFormat: 'NHWC', filterShape: [k, k, ci, co] };
      const worst = await compareWithCpu([{ shape: [n, h, w, ci] }, { shape: dyShape(n, h, w, ci, co, k, s, pad) }], (x, dy) =>
        runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, attrs),
      );
      if (process.env['FACEREC_PRINT_TOLERANCE']) console.log(`filter gradient ${n}x${h}x${w}x${ci}->${co}: worst relative error ${worst}`);
    });
  }

  it('replaces the stock filter gradient and can put it back', async () => {
    const inputs = [{ shape: [2, 9, 9, 3] }, { shape: [2, 7, 7, 4] }];
    const fn = (x?: tf.Tensor, dy?: tf.Tensor) =>
      runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] });
    expect(useWebGpuFastKernels(false)).toEqual([]);
    const stock = await runOn('webgpu', inputs, fn);
    expect(useWebGpuFastKernels(true)).toContain('Conv2DBackpropFilter');
    const ours = await runOn('webgpu', inputs, fn);
    const d = stock[0]!.values.reduce((m, v, i) => Math.max(m, Math.abs(v - ours[0]!.values[i]!)), 0);
    expect(d).toBeLessThan(1e-4);
  });

  it('leaks no tensors', async () => {
    tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([8, 20, 20, 3]);
    const dy = tf.randomNormal([8, 18, 18, 16]);
    const dw = runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 16] });
    expect(dw.shape).toEqual([3, 3, 3, 16]);
    await dw.data();
    tf.dispose([x, dy, dw]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
