// MaxPool / MaxPoolGrad on wasm vs cpu: exact (both pick the first maximum of each window), except that
// overlapping windows add several dy into one dx in another order (rtol 1e-6 there).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { compareWithCpu, randomValues, runKernel, setUpWasm } from './helpers';

type Pad = 'valid' | 'same';
// [batch, height, width, channels, window, stride, pad]
const CASES: [number, number, number, number, number, number, Pad][] = [
  [1, 4, 4, 1, 2, 2, 'valid'],
  [2, 62, 62, 32, 2, 2, 'valid'],
  [3, 9, 11, 6, 2, 2, 'valid'],
  [2, 7, 7, 5, 2, 2, 'same'],
  [2, 9, 10, 3, 3, 2, 'same'],
  [1, 8, 8, 4, 3, 1, 'valid'],
  [5, 6, 5, 7, 2, 1, 'same'],
];

describe('max pooling on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  for (const [n, h, w, c, k, s, pad] of CASES) {
    const info = tf.backend_util.computePool2DInfo([n, h, w, c], k, s, 1, pad);
    it(`maxPool ${n}x${h}x${w}x${c} window ${k} stride ${s} ${pad} (exact)`, () => {
      compareWithCpu([{ shape: [n, h, w, c] }], (x) => tf.maxPool(x as tf.Tensor4D, k, s, pad), 0);
    });
    const overlapping = k > s;
    it(`maxPoolGrad ${n}x${h}x${w}x${c} window ${k} stride ${s} ${pad} (${overlapping ? 'rtol 1e-6' : 'exact'})`, () => {
      compareWithCpu([{ shape: [n, h, w, c] }, { shape: info.outShape }], (x, dy) => {
        const y = tf.maxPool(x as tf.Tensor4D, k, s, pad);
        return runKernel('MaxPoolGrad', { dy: dy!, input: x!, output: y }, { filterSize: k, strides: s, pad });
      }, overlapping ? 1e-6 : 0);
    });
  }

  it('gives ties and relu zeros to the first position of the window (exact)', () => {
    // Values on a coarse grid make ties common, as relu outputs (many exact zeros) do in training.
    const values = randomValues(2 * 10 * 10 * 8, 9).map((v) => Math.max(0, Math.round(v * 2)));
    compareWithCpu([{ shape: [2, 10, 10, 8], values }, { shape: [2, 5, 5, 8] }], (x, dy) => {
      const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
      return runKernel('MaxPoolGrad', { dy: dy!, input: x!, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
    }, 0);
  });
});
