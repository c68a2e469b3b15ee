// tf.grads of a small convnet's loss on wasm (facerec kernels) vs cpu, and a few seeded training steps.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../../../core/test/helpers/memory';
import { expectClose, randomValues, setUpWasm } from './helpers';

// conv(3->8, relu) -> maxpool 2 -> conv(8->16, relu, stride 2, same) -> maxpool 2 -> dense(10) -> softmax CE
const SHAPES = { x: [5, 20, 20, 3], w1: [3, 3, 3, 8], b1: [8], w2: [3, 3, 8, 16], b2: [16], w3: [2 * 2 * 16, 10], b3: [10], y: [5, 10] };

function params(backend: string) {
  tf.setBackend(backend);
  return Object.fromEntries(
    Object.entries(SHAPES).map(([k, s], i) => {
      const n = s.reduce((a, b) => a * b, 1);
      const vals = k === 'y' ? randomValues(n, 99).map((v) => (v > 0 ? 1 : 0)) : randomValues(n, i + 10).map((v) => v * 0.5);
      return [k, tf.tensor(vals, s)];
    }),
  ) as Record<keyof typeof SHAPES, tf.Tensor>;
}

function loss(p: Record<keyof typeof SHAPES, tf.Tensor>, w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, b1: tf.Tensor): tf.Scalar {
  let h = tf.relu(tf.add(tf.conv2d(p.x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'valid'), b1));
  h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
  h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 2, 'same'), p.b2));
  h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
  const logits = tf.add(tf.matMul(tf.reshape(h, [5, -1]), w3), p.b3);
  return tf.losses.softmaxCrossEntropy(p.y, logits) as tf.Scalar;
}

function grads(backend: string) {
  const p = params(backend);
  const out = tf.tidy(() => {
    const g = tf.grads((w1, w2, w3, b1) => loss(p, w1!, w2!, w3!, b1!))([p.w1, p.w2, p.w3, p.b1]);
    return g.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  });
  tf.dispose(Object.values(p));
  return out;
}

describe('gradients of a small convnet on wasm', () => {
  beforeAll(async () => {
    await setUpWasm();
  });

  it('match the cpu backend (rtol 1e-4)', () => {
    expectClose(grads('wasm'), grads('cpu'), 1e-4);
  });

  it('are bit-identical run to run and leak no tensors', async () => {
    const first = grads('wasm');
    await expectNoLeak(() => {
      const again = grads('wasm');
      again.forEach((g, i) => expect(Buffer.from(g.values.buffer).equals(Buffer.from(first[i]!.values.buffer))).toBe(true));
    });
  });
});
