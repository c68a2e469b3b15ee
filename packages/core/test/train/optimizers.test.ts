import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, createOptimizer } from '@facerec/core';
import { expectNoLeak } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function run(config: Parameters<typeof createOptimizer>[0], steps: number, lr: number): number[] {
  const x = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3])));
  const opt = createOptimizer(config);
  for (let i = 0; i < steps; i++) {
    const g = tf.tensor1d([0.5 * (i + 1), -1, 0.25]);
    opt.step([x], [g], lr);
    g.dispose();
  }
  const out = Array.from(x.dataSync());
  opt.dispose();
  x.dispose();
  return out;
}

describe('createOptimizer', () => {
  it('Adam matches tfjs tf.train.adam step for step', () => {
    const ours = run({ type: 'adam', epsilon: 1e-7 }, 3, 0.1);
    const x = tf.variable(tf.tensor1d([1, -2, 3]));
    const reference = tf.train.adam(0.1, 0.9, 0.999, 1e-7);
    for (let i = 0; i < 3; i++) {
      const g = tf.tensor1d([0.5 * (i + 1), -1, 0.25]);
      reference.applyGradients([{ name: x.name, tensor: g }]);
      g.dispose();
    }
    Array.from(x.dataSync()).forEach((v, i) => expect(ours[i]).toBeCloseTo(v, 5));
    reference.dispose();
    x.dispose();
  });

  it('AdamW decays the weights by lr·wd on top of the Adam step', () => {
    const plain = run({ type: 'adam' }, 1, 0.1);
    const decayed = run({ type: 'adam', weightDecay: 0.5 }, 1, 0.1);
    // first step: x' = x − lr·(sign(g) + wd·x)
    [1, -2, 3].forEach((x0, i) => expect(decayed[i]).toBeCloseTo(plain[i]! - 0.1 * 0.5 * x0, 5));
  });

  it('SGD with momentum matches the hand-computed updates', () => {
    // v1 = g1, x1 = x0 − lr·v1; v2 = 0.9·v1 + g2, x2 = x1 − lr·v2
    const out = run({ type: 'sgd', momentum: 0.9 }, 2, 0.1);
    const g1 = [0.5, -1, 0.25];
    const g2 = [1, -1, 0.25];
    [1, -2, 3].forEach((x0, i) => {
      const v1 = g1[i]!;
      const v2 = 0.9 * v1 + g2[i]!;
      expect(out[i]).toBeCloseTo(x0 - 0.1 * v1 - 0.1 * v2, 5);
    });
  });

  it('keeps the tensor count flat over many steps', async () => {
    await expectNoLeak(() => run({ type: 'adam' }, 20, 0.01));
    await expectNoLeak(() => run({ type: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01 }, 20, 0.01));
  });

  it('rejects out-of-range settings, naming them', () => {
    expect(() => createOptimizer({ type: 'adam', beta1: 1 })).toThrow(/optimizer.beta1/);
    expect(() => createOptimizer({ type: 'sgd', momentum: -0.1 })).toThrow(InvalidArgumentError);
    expect(() => createOptimizer({ type: 'rmsprop' } as never)).toThrow(/optimizer.type/);
  });
});
