// Conv2D / FusedConv2D on wasm (facerec kernels) vs the cpu backend. Tolerance: rtol 1e-4 of the output's max |value|.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { compareWithCpu, setUpWasm } from './helpers';

type Pad = 'valid' | 'same' | number;
// [batch, height, width, inChannels, outChannels, kernel, stride, pad]
const CASES: [number, number, number, number, number, number, number, Pad][] = [
  [1, 7, 7, 1, 1, 3, 1, 'valid'],
  [2, 9, 11, 3, 32, 3, 1, 'valid'],
  [3, 10, 9, 3, 8, 3, 2, 'same'],
  [1, 13, 13, 32, 64, 3, 1, 'valid'],
  [5, 8, 8, 16, 5, 3, 1, 'same'],
  [2, 12, 10, 5, 11, 3, 2, 'valid'],
  [3, 9, 9, 7, 13, 5, 1, 2],
  [2, 6, 7, 4, 9, 1, 1, 'valid'],
  [1, 15, 8, 2, 3, 4, 3, 'same'],
  // One or two pixel tiles and many channel panels: the panels are shared out between the threads.
  [2, 4, 4, 32, 72, 3, 2, 'valid'],
  [1, 2, 2, 16, 40, 1, 1, 'valid'],
];

describe('Conv2D on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  for (const [n, h, w, ci, co, k, s, pad] of CASES) {
    it(`conv2d ${n}x${h}x${w}x${ci} -> ${co}, ${k}x${k} stride ${s} pad ${pad} (rtol 1e-4)`, () => {
      compareWithCpu([{ shape: [n, h, w, ci] }, { shape: [k, k, ci, co] }], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad));
    });
  }

  for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid'] as const) {
    it(`fused conv2d with bias and ${activation} (rtol 1e-4)`, () => {
      compareWithCpu([{ shape: [3, 9, 10, 6] }, { shape: [3, 3, 6, 10] }, { shape: [10] }], (x, f, b) =>
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation, leakyreluAlpha: 0.1 }),
      );
    });
  }

  it('fused conv2d with prelu (rtol 1e-4)', () => {
    compareWithCpu([{ shape: [2, 8, 8, 4] }, { shape: [3, 3, 4, 6] }, { shape: [6] }, { shape: [6] }], (x, f, b, a) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'valid', activation: 'prelu', preluActivationWeights: a }),
    );
  });

  it('falls back to the stock kernel for dilated convs (rtol 1e-4)', () => {
    compareWithCpu([{ shape: [2, 11, 11, 3] }, { shape: [3, 3, 3, 4] }], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid', 'NHWC', 2));
  });

  it('is deterministic and leaks no tensors', async () => {
    tf.setBackend('wasm');
    const x = tf.randomNormal([4, 17, 17, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', 4) as tf.Tensor4D;
    const first = tf.conv2d(x, f, 1, 'same');
    const a = first.dataSync().slice();
    await expectNoLeak(() => {
      for (let i = 0; i < 5; i++) {
        const y = tf.conv2d(x, f, 1, 'same');
        expect(Buffer.from(y.dataSync().buffer).equals(Buffer.from(a.buffer))).toBe(true);
        y.dispose();
      }
    });
    tf.dispose([x, f, first]);
  });
});
