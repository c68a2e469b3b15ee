// Conv2DBackpropFilter / Conv2DBackpropInput on wasm vs cpu. Tolerance: rtol 1e-4 of the output's max |value|.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { compareWithCpu, runKernel, setUpWasm } from './helpers';

type Pad = 'valid' | 'same' | number;
// [batch, height, width, inChannels, outChannels, kernel, stride, pad]
const CASES: [number, number, number, number, number, number, number, Pad][] = [
  [1, 7, 7, 1, 1, 3, 1, 'valid'],
  [2, 12, 11, 3, 32, 3, 1, 'valid'],
  [3, 11, 9, 3, 8, 3, 2, 'same'],
  [2, 13, 13, 32, 64, 3, 1, 'valid'],
  [5, 8, 8, 16, 5, 3, 1, 'same'],
  [2, 12, 10, 5, 11, 3, 2, 'valid'],
  [3, 9, 9, 7, 13, 5, 1, 2],
  [1, 10, 10, 24, 10, 3, 2, 'same'],
  [2, 6, 7, 4, 9, 1, 1, 'valid'],
];

function outShape(n: number, h: number, w: number, co: number, k: number, s: number, pad: Pad): number[] {
  const info = tf.backend_util.computeConv2DInfo([n, h, w, 1], [k, k, 1, co], s, 1, pad);
  return info.outShape;
}

describe('convolution gradients on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  for (const [n, h, w, ci, co, k, s, pad] of CASES) {
    const dyShape = outShape(n, h, w, co, k, s, pad);
    it(`filter gradient ${n}x${h}x${w}x${ci} -> ${co}, ${k}x${k} stride ${s} pad ${pad} (rtol 1e-4)`, () => {
      compareWithCpu([{ shape: [n, h, w, ci] }, { shape: dyShape }], (x, dy) =>
        runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, { strides: s, pad, dataFormat: 'NHWC', filterShape: [k, k, ci, co] }),
      );
    });
    it(`input gradient ${n}x${h}x${w}x${ci} -> ${co}, ${k}x${k} stride ${s} pad ${pad} (rtol 1e-4)`, () => {
      compareWithCpu([{ shape: dyShape }, { shape: [k, k, ci, co] }], (dy, f) =>
        runKernel('Conv2DBackpropInput', { dy: dy!, filter: f! }, { strides: s, pad, dataFormat: 'NHWC', inputShape: [n, h, w, ci] }),
      );
    });
  }

  it('gradients are deterministic and leak no tensors', async () => {
    tf.setBackend('wasm');
    const x = tf.randomNormal([3, 14, 14, 32], 0, 1, 'float32', 5);
    const dy = tf.randomNormal([3, 12, 12, 16], 0, 1, 'float32', 6);
    const f = tf.randomNormal([3, 3, 32, 16], 0, 1, 'float32', 7);
    const run = () => [
      runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 32, 16] }),
      runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [3, 14, 14, 32] }),
    ];
    const ref = run();
    const refVals = ref.map((t) => Buffer.from(t.dataSync().slice().buffer));
    await expectNoLeak(() => {
      for (let i = 0; i < 4; i++) {
        const out = run();
        out.forEach((t, j) => expect(Buffer.from(t.dataSync().slice().buffer).equals(refVals[j]!)).toBe(true));
        tf.dispose(out);
      }
    });
    tf.dispose([x, dy, f, ...ref]);
  });
});
