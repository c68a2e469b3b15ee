// Sum, Step, Relu, Add, Multiply, Maximum/Minimum, Identity, Cast and the fused relu gradient on wasm vs cpu. Tolerance: exact,
// Sum rtol 1e-5.
// Registers tfjs's gradients (tfjs-core alone does not), before the backend replaces Relu's.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { compareWithCpu, expectClose, randomValues, runOn, setUpWasm } from './helpers';

describe('element-wise kernels and reductions on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  it('sums over leading axes, keepDims or not, any channel count (rtol 1e-5)', () => {
    compareWithCpu([{ shape: [32, 62, 62, 32] }], (x) => tf.sum(x!, [0, 1, 2]), 1e-5);
    compareWithCpu([{ shape: [3, 5, 7, 13] }], (x) => tf.sum(x!, [0, 1, 2], true), 1e-5);
    compareWithCpu([{ shape: [1, 1, 1, 6] }], (x) => tf.sum(x!, [0, 1, 2]), 1e-5);
    compareWithCpu([{ shape: [1000, 5] }], (x) => tf.sum(x!, 0), 1e-5);
    compareWithCpu([{ shape: [4, 6, 3] }], (x) => tf.sum(x!, [0, 1]), 1e-5);
    compareWithCpu([{ shape: [4, 6, 9] }], (x) => tf.sum(x!, [1, 2]), 1e-5);
    compareWithCpu([{ shape: [4, 6, 9] }], (x) => tf.sum(x!), 1e-5);
  });

  it('step keeps NaN and uses alpha below zero (exact)', () => {
    const values = randomValues(1003, 4);
    values[0] = NaN;
    values[1] = 0;
    values[2] = -0;
    compareWithCpu([{ shape: [1003], values }], (x) => tf.step(x!), 0);
    compareWithCpu([{ shape: [17, 59], values: values.slice(0, 1003) }], (x) => tf.step(x!, 0.25), 0);
  });

  it('maximum / minimum with a scalar on either side keep NaN and ±0 as cpu does; other shapes fall back (exact)', () => {
    const values = randomValues(1003, 9).map((v) => v * 10);
    values[0] = NaN;
    values[1] = 0;
    values[2] = -0;
    values[3] = 6;
    const x = { shape: [1003], values };
    compareWithCpu([x], (v) => tf.minimum(tf.maximum(v!, 0), 6), 0); // relu6 as converted graphs write it
    compareWithCpu([x, { shape: [1], values: Float32Array.of(-0.5) }], (v, s) => tf.maximum(s!, v!), 0);
    compareWithCpu([{ shape: [3, 5, 7, 2] }, { shape: [1, 1, 1, 1], values: Float32Array.of(0.25) }], (v, s) => tf.minimum(v!, s!), 0);
    compareWithCpu([{ shape: [4, 3] }, { shape: [3] }], (a, b) => tf.maximum(a!, b!), 0);
    compareWithCpu([{ shape: [3] }, { shape: [1, 1] }], (a, b) => tf.minimum(a!, b!), 0);
  });

  it('relu, same-shape and bias-broadcast add, multiply (exact)', () => {
    compareWithCpu([{ shape: [5, 7, 3] }], (x) => tf.relu(x!), 0);
    compareWithCpu([{ shape: [2, 9, 9, 13] }, { shape: [13] }], (a, b) => tf.add(a!, b!), 0);
    compareWithCpu([{ shape: [4, 3] }, { shape: [1, 3] }], (a, b) => tf.add(a!, b!), 0);
    compareWithCpu([{ shape: [4, 3] }, { shape: [4, 1] }], (a, b) => tf.add(a!, b!), 0);
    compareWithCpu([{ shape: [3] }, { shape: [4, 3] }], (a, b) => tf.add(a!, b!), 0);
    compareWithCpu([{ shape: [5, 11] }, { shape: [5, 11] }], (a, b) => tf.add(a!, b!), 0);
    compareWithCpu([{ shape: [5, 11] }, { shape: [5, 11] }], (a, b) => tf.mul(a!, b!), 0);
    compareWithCpu([{ shape: [5, 11] }, { shape: [11] }], (a, b) => tf.mul(a!, b!), 0);
    compareWithCpu([{ shape: [6], dtype: 'int32', values: new Float32Array([1, 2, 3, -4, 5, 6]) }], (x) => tf.add(x!, x!), 0);
  });

  it('relu gradient in one pass: NaN, zeros, second order (exact)', async () => {
    const values = randomValues(2 * 9 * 7 * 5, 6);
    values[0] = NaN;
    values[1] = 0;
    values[2] = -0;
    const dy = randomValues(values.length, 7);
    dy[3] = NaN;
    const inputs = [{ shape: [2, 9, 7, 5], values }, { shape: [2, 9, 7, 5], values: dy }];
    compareWithCpu(inputs, (x, d) => tf.grad((v: tf.Tensor) => tf.relu(v))(x!, d!), 0);
    // Second order: d/dx sum(relu'(x) dy * x) = dy step(x) (tfjs's own formulation fails to differentiate).
    const second = runOn('wasm', inputs, (x, d) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.relu(u))(v, d!), v)))(x!));
    expectClose(second, runOn('cpu', inputs, (x, d) => tf.mul(d!, tf.step(x!))), 0);
    tf.setBackend('wasm');
    expect(tf.getKernel('FacerecReluGrad', 'wasm')).toBeDefined();
    const x = tf.tensor(values, [2, 9, 7, 5]);
    await expectNoLeak(() => {
      tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x).dispose();
    });
    x.dispose();
  });

  it('identity and same-dtype cast share memory; dtype casts still convert (exact)', async () => {
    tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2.25, 3], [3]);
    await expectNoLeak(() => {
      const y = tf.clone(x);
      const z = tf.cast(x, 'float32');
      const i = tf.cast(x, 'int32');
      expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 3]);
      expect(Array.from(z.dataSync())).toEqual([1.5, -2.25, 3]);
      expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
      tf.dispose([y, z, i]);
    });
    // The shared buffer outlives the original tensor.
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.25, 3]);
    y.dispose();
  });

  it('element-wise loops leak no tensors', async () => {
    tf.setBackend('wasm');
    const a = tf.randomNormal([8, 30, 30, 16]);
    const b = tf.randomNormal([16]);
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) {
        tf.tidy(() => {
          const y = tf.relu(tf.add(a, b));
          tf.sum(tf.mul(y, tf.step(a)), [0, 1, 2]).dataSync();
        });
      }
    });
    tf.dispose([a, b]);
  });
});
