import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, softmaxCrossEntropy } from '@facerec/core';
import { expectNoLeak } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('softmaxCrossEntropy', () => {
  it('matches a hand-computed value', async () => {
    // logits [1, 2, 3] and label 2: softmax = [0.0900, 0.2447, 0.6652]; -log(0.6652) = 0.40761
    // logits [0, 0] and label 0: -log(0.5) = 0.69315 → mean 0.55038 (2 classes need same K, so use K=3 with 0,0,0 → log 3)
    const loss = await expectNoLeak(async () => {
      const l = tf.tidy(() => softmaxCrossEntropy(tf.tensor1d([2, 0], 'int32'), tf.tensor2d([[1, 2, 3], [0, 0, 0]])));
      const v = (await l.data())[0]!;
      l.dispose();
      return v;
    });
    expect(loss).toBeCloseTo((0.407606 + Math.log(3)) / 2, 5);
  });

  it('applies label smoothing to the target', () => {
    // ε = 0.3, K = 3: target for label 2 = [0.1, 0.1, 0.8]; loss = -Σ t·log softmax
    const logits = [1, 2, 3];
    const lse = Math.log(logits.reduce((a, z) => a + Math.exp(z), 0));
    const expected = -[0.1, 0.1, 0.8].reduce((a, t, i) => a + t * (logits[i]! - lse), 0);
    const l = softmaxCrossEntropy(tf.tensor1d([2], 'int32'), tf.tensor2d([logits]), { labelSmoothing: 0.3 });
    expect(l.dataSync()[0]).toBeCloseTo(expected, 5);
    l.dispose();
  });

  it('stays finite for huge logits', () => {
    const l = softmaxCrossEntropy(tf.tensor1d([0], 'int32'), tf.tensor2d([[1000, -1000, 0]]));
    expect(l.dataSync()[0]).toBeCloseTo(0, 5);
    l.dispose();
  });

  it('has the gradient softmax − onehot (divided by the batch size)', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const labels = tf.tensor1d([0], 'int32');
    const g = tf.grad((z: tf.Tensor) => softmaxCrossEntropy(labels, z as tf.Tensor2D))(logits);
    const p = [1, 2, 3].map((z) => Math.exp(z) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    const expected = [p[0]! - 1, p[1]!, p[2]!];
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    tf.dispose([logits, labels, g]);
  });

  it('rejects bad shapes and smoothing', () => {
    const logits = tf.tensor2d([[1, 2]]);
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), logits)).toThrow(InvalidArgumentError);
    expect(() => softmaxCrossEntropy(tf.tensor1d([0], 'int32'), logits, { labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    logits.dispose();
  });
});
