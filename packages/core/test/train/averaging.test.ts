import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Trainer } from '@facerec/core';
import { WeightAverager } from '../../src/train/averaging.js';
import { patternTensors, tinyModel } from '../helpers/synthetic.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('WeightAverager', () => {
  it('folds each step in with the warmed-up decay min(decay, (1+t)/(10+t)) and applies the average', async () => {
    const v = tf.variable(tf.tensor1d([0, 10]));
    const before = tf.memory().numTensors;
    const averager = new WeightAverager([v], 0.5);
    let expected = [0, 10];
    const values = [[2, 4], [6, 0], [1, 1]];
    values.forEach((value, t) => {
      tf.tidy(() => v.assign(tf.tensor1d(value)));
      averager.update();
      const d = Math.min(0.5, (2 + t) / (11 + t));
      expected = expected.map((e, i) => d * e + (1 - d) * value[i]!);
    });
    averager.apply();
    const got = Array.from(await v.data());
    expect(got[0]).toBeCloseTo(expected[0]!, 5);
    expect(got[1]).toBeCloseTo(expected[1]!, 5);
    averager.dispose();
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
  });

  it('ends training with the averaged weights, deterministically, and rejects a decay outside (0, 1)', async () => {
    const data = patternTensors(3, 16, 16, 1);
    const train = async (averaging: boolean) => {
      const model = tinyModel(16, 3, 2);
      const before = tf.memory().numTensors;
      await new Trainer(model, {
        numClasses: 3, epochs: 3, batchSize: 16, learningRate: 3e-3, seed: 4,
        ...(averaging ? { weightAveraging: { decay: 0.9 } } : {}),
      }).fit(data);
      expect(tf.memory().numTensors).toBe(before);
      const w = await model.getWeights()[0]!.data();
      model.dispose();
      return Array.from(w);
    };
    const plain = await train(false);
    const averaged = await train(true);
    const again = await train(true);
    expect(averaged).toEqual(again);
    expect(averaged).not.toEqual(plain);
    const model = tinyModel(16, 3, 2);
    expect(() => new Trainer(model, { numClasses: 3, weightAveraging: { decay: 1 } })).toThrow(InvalidArgumentError);
    model.dispose();
    data.images.dispose();
  });
});
