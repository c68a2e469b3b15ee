// Winograd paths (3x3 stride-1 convs with >= 8 channels on both sides): forward F(4x4,3x3) with bias and
// activations, input gradient through the same job, filter gradient F(3x3,2x2), against the cpu backend.
// Shapes cover partial edge tiles (sizes not multiples of 4 or 2), 'valid'/'same'/explicit padding, batch 1
// and odd batches, odd channel counts. Tolerance: rtol 1e-4 of the output's max |value|.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { compareWithCpu, runKernel, setUpWasm } from './helpers';

type Pad = 'valid' | 'same' | number;
// [batch, height, width, inChannels, outChannels, pad]
const CASES: [number, number, number, number, number, Pad][] = [
  [1, 6, 6, 8, 8, 'valid'],
  [3, 7, 9, 8, 16, 'valid'],
  [1, 31, 31, 32, 64, 'valid'],
  [2, 13, 11, 32, 64, 'same'],
  [5, 10, 7, 9, 13, 'same'],
  [1, 5, 5, 64, 32, 1],
  [2, 9, 14, 17, 11, 'valid'],
  [3, 4, 4, 12, 8, 'same'],
  [1, 3, 3, 8, 9, 'valid'],
  [2, 18, 5, 24, 40, 2],
  // 1×1 outputs (dlib's last block at batch 10) take the direct kernel forward, Winograd for the gradients.
  [10, 1, 1, 16, 24, 'same'],
  // One tile group and many channel panels: the panels are shared out between the threads (even and ragged).
  [2, 4, 4, 64, 64, 'same'],
  [1, 3, 3, 40, 72, 'same'],
];

function dyShape(n: number, h: number, w: number, co: number, pad: Pad): number[] {
  return tf.backend_util.computeConv2DInfo([n, h, w, 1], [3, 3, 1, co], 1, 1, pad).outShape;
}

/** Inputs scaled like real activations (|x| up to ~3, weights ~ 1/sqrt(fan-in)). */
function spec(shape: number[], seed: number, scale: number) {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = (s / 2147483648 - 1) * scale;
  }
  return { shape, values };
}

describe('Winograd convolutions on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  for (const [n, h, w, ci, co, pad] of CASES) {
    const tag = `${n}x${h}x${w}x${ci} -> ${co} pad ${pad}`;
    const ws = 1 / Math.sqrt(9 * ci);
    it(`forward ${tag}`, () => {
      compareWithCpu([spec([n, h, w, ci], 1, 3), spec([3, 3, ci, co], 2, ws)], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad));
    });
    it(`fused forward with bias and relu ${tag}`, () => {
      compareWithCpu([spec([n, h, w, ci], 3, 3), spec([3, 3, ci, co], 4, ws), spec([co], 5, 1)], (x, f, b) =>
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad, activation: 'relu' }),
      );
    });
    it(`input gradient ${tag}`, () => {
      compareWithCpu([spec(dyShape(n, h, w, co, pad), 6, 1), spec([3, 3, ci, co], 7, ws)], (dy, f) =>
        runKernel('Conv2DBackpropInput', { dy: dy!, filter: f! }, { strides: 1, pad, dataFormat: 'NHWC', inputShape: [n, h, w, ci] }),
      );
    });
    it(`filter gradient ${tag}`, () => {
      compareWithCpu([spec([n, h, w, ci], 8, 3), spec(dyShape(n, h, w, co, pad), 9, 1)], (x, dy) =>
        runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { strides: 1, pad, dataFormat: 'NHWC', filterShape: [3, 3, ci, co] }),
      );
    });
  }

  for (const activation of ['linear', 'relu6', 'leakyrelu', 'elu'] as const) {
    it(`fused forward with bias and ${activation}`, () => {
      compareWithCpu([spec([3, 9, 10, 16], 10, 2), spec([3, 3, 16, 12], 11, 0.1), spec([12], 12, 1)], (x, f, b) =>
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation, leakyreluAlpha: 0.1 }),
      );
    });
  }

  it('is bit-identical run to run and leaks no tensors', async () => {
    tf.setBackend('wasm');
    const x = tf.randomNormal([3, 15, 13, 16], 0, 1, 'float32', 3) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 16, 24], 0, 1, 'float32', 4) as tf.Tensor4D;
    const dy = tf.randomNormal([3, 15, 13, 24], 0, 1, 'float32', 5) as tf.Tensor4D;
    const run = () => [
      tf.conv2d(x, f, 1, 'same'),
      runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }),
      runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: f.shape }),
    ];
    const ref = run();
    const refVals = ref.map((t) => Buffer.from(t.dataSync().slice().buffer));
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) {
        const out = run();
        out.forEach((t, j) => expect(Buffer.from(t.dataSync().slice().buffer).equals(refVals[j]!)).toBe(true));
        tf.dispose(out);
      }
    });
    tf.dispose([x, f, dy, ...ref]);
  });
});
