// FacerecAdamUpdate vs Adam/AdamW written with plain tfjs ops on cpu. Tolerance: rtol 1e-5 (|x| scale).
import * as tf from '@tensorflow/tfjs-core';
import type { FusedAdamAttrs } from '@facerec/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { ADAM_KERNEL_NAME } from '../../src/backends/wasm/index';
import { expectClose, randomValues, setUpWasm } from './helpers';

type Attrs = FusedAdamAttrs;

function reference(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: Attrs): tf.Tensor[] {
  return tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
    const mHat = tf.div(m2, 1 - Math.pow(a.beta1, a.step));
    const vHat = tf.div(v2, 1 - Math.pow(a.beta2, a.step));
    const update = tf.add(tf.div(mHat, tf.add(tf.sqrt(vHat), a.epsilon)), tf.mul(x, a.weightDecay));
    return [tf.sub(x, tf.mul(update, a.learningRate)), m2, v2];
  });
}

function inputs(n: number, seed: number) {
  const v = randomValues(n, seed + 3).map((t) => Math.abs(t) * 0.01);
  return [randomValues(n, seed), randomValues(n, seed + 1), randomValues(n, seed + 2).map((t) => t * 0.1), v];
}

describe('FacerecAdamUpdate on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  it('is registered for the wasm backend', () => {
    expect(tf.getKernel(ADAM_KERNEL_NAME, 'wasm')).toBeDefined();
  });

  const cases: [number, Partial<Attrs>][] = [
    [1, {}],
    [1003, { step: 1 }],
    [4096, { step: 17, weightDecay: 0.01 }],
    [12544 * 128 + 3, { step: 250, learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-8 }],
  ];
  for (const [n, over] of cases) {
    const attrs: Attrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 3, weightDecay: 0, ...over };
    it(`matches the reference for ${n} elements, ${JSON.stringify(over)} (rtol 1e-5)`, () => {
      const data = inputs(n, n);
      tf.setBackend('cpu');
      const ref = tf.tidy(() => {
        const [x, g, m, v] = data.map((d) => tf.tensor(d!, [n]));
        return reference(x!, g!, m!, v!, attrs).map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
      });
      tf.setBackend('wasm');
      const got = tf.tidy(() => {
        const [x, g, m, v] = data.map((d) => tf.tensor(d!, [n]));
        const out = tf.engine().runKernel(ADAM_KERNEL_NAME, { x: x!, g: g!, m: m!, v: v! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        // Inputs are left untouched.
        expect(x!.dataSync()[0]).toBe(data[0]![0]);
        return out.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
      });
      expectClose(got, ref, 1e-5);
    });
  }

  it('returns new tensors, is deterministic and leaks nothing', async () => {
    tf.setBackend('wasm');
    const [x, g, m, v] = inputs(5000, 1).map((d) => tf.tensor(d!, [5000]));
    const attrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 2, weightDecay: 0.1 };
    const run = () => tf.engine().runKernel(ADAM_KERNEL_NAME, { x: x!, g: g!, m: m!, v: v! }, attrs) as tf.Tensor[];
    const first = run();
    const ref = first.map((t) => Buffer.from(t.dataSync().slice().buffer));
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) {
        const out = run();
        out.forEach((t, j) => expect(Buffer.from(t.dataSync().slice().buffer).equals(ref[j]!)).toBe(true));
        tf.dispose(out);
      }
    });
    tf.dispose([x!, g!, m!, v!, ...first]);
  });
});
