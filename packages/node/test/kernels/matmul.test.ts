// BatchMatMul / _FusedMatMul on wasm vs cpu, every transpose combination. Tolerance: rtol 1e-4 of max |value|.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { compareWithCpu, setUpWasm } from './helpers';

// [M, K, N] including sizes that are not multiples of the 4x8 tiles and the seed CNN's dense layers. Paths:
// B read in place (M <= 64, B not transposed; ragged last panels), the transposed product C^T = B^T A^T
// (N > M, no bias; K past the 512 block exercises its transposed partial sums), packed B otherwise.
const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 9],
  [32, 300, 128],
  [5, 1030, 3],
  [33, 17, 40],
  [6, 1100, 37],
  [70, 40, 9],
  [70, 40, 90],
  [3, 600, 20],
];

describe('matrix multiply on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  for (const [m, k, n] of SIZES) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`matMul ${m}x${k}x${n} transposeA=${tA} transposeB=${tB} (rtol 1e-4)`, () => {
        compareWithCpu([{ shape: tA ? [k, m] : [m, k] }, { shape: tB ? [n, k] : [k, n] }], (a, b) => tf.matMul(a!, b!, tA, tB));
      });
    }
  }

  it('batched matMul, with and without a broadcast operand (rtol 1e-4)', () => {
    compareWithCpu([{ shape: [3, 6, 10] }, { shape: [3, 10, 5] }], (a, b) => tf.matMul(a!, b!));
    compareWithCpu([{ shape: [3, 6, 10] }, { shape: [10, 5] }], (a, b) => tf.matMul(a!, b!));
    compareWithCpu([{ shape: [6, 10] }, { shape: [4, 5, 10] }], (a, b) => tf.matMul(a!, b!, false, true));
    compareWithCpu([{ shape: [2, 3, 7, 4] }, { shape: [2, 3, 4, 9] }], (a, b) => tf.matMul(a!, b!));
    compareWithCpu([{ shape: [2, 5, 30] }, { shape: [2, 17, 30] }], (a, b) => tf.matMul(a!, b!, false, true));
    compareWithCpu([{ shape: [2, 30, 5] }, { shape: [2, 30, 17] }], (a, b) => tf.matMul(a!, b!, true, false));
    compareWithCpu([{ shape: [3, 5, 30] }, { shape: [17, 30] }], (a, b) => tf.matMul(a!, b!, false, true));
  });

  for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid'] as const) {
    it(`fused matMul with bias and ${activation} (rtol 1e-4)`, () => {
      compareWithCpu([{ shape: [9, 21] }, { shape: [21, 11] }, { shape: [11] }], (a, b, bias) =>
        tf.fused.matMul({ a: a!, b: b!, bias, activation, leakyreluAlpha: 0.3 }),
      );
      compareWithCpu([{ shape: [21, 9] }, { shape: [11, 21] }, { shape: [11] }], (a, b, bias) =>
        tf.fused.matMul({ a: a!, b: b!, transposeA: true, transposeB: true, bias, activation }),
      );
    });
  }

  it('is deterministic and leaks no tensors', async () => {
    tf.setBackend('wasm');
    const a = tf.randomNormal([32, 700], 0, 1, 'float32', 1);
    const b = tf.randomNormal([700, 128], 0, 1, 'float32', 2);
    const ref = tf.matMul(a, b).dataSync().slice();
    await expectNoLeak(() => {
      for (let i = 0; i < 5; i++) {
        const c = tf.matMul(a, b);
        expect(Buffer.from(c.dataSync().buffer).equals(Buffer.from(ref.buffer))).toBe(true);
        c.dispose();
      }
    });
    tf.dispose([a, b]);
  });
});
