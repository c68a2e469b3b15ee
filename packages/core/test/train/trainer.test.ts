import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortError, InvalidArgumentError, Trainer, TrainingError } from '@facerec/core';
import type { EpochLog } from '@facerec/core';
import { patternTensors, tinyModel } from '../helpers/synthetic.js';

let data: { images: tf.Tensor4D; labels: Int32Array };

beforeAll(async () => {
  await tf.setBackend('cpu');
  data = patternTensors(3, 24, 16, 1);
});
afterAll(() => data.images.dispose());

const newModel = (seed = 1) => tinyModel(16, 3, seed);

describe('Trainer', () => {
  it('learns a small separable set (loss falls, validation accuracy high) without leaking tensors', async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    const epochs: EpochLog[] = [];
    let batches = 0;
    const result = await new Trainer(model, {
      numClasses: 3, epochs: 12, batchSize: 16, learningRate: 3e-3, validationSplit: 0.25, seed: 3,
      onEpochEnd: (log) => { epochs.push(log); },
      onBatchEnd: () => { batches += 1; },
    }).fit(data);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.epochsRun).toBe(12);
    expect(epochs).toHaveLength(12);
    expect(batches).toBe(12 * Math.ceil(54 / 16)); // 72 images, 18 held out
    expect(epochs[11]!.loss).toBeLessThan(epochs[0]!.loss * 0.5);
    expect(Math.max(...result.history.valAccuracy)).toBeGreaterThanOrEqual(0.94);
    expect(result.history.valLoss.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('passes every training batch (after augmentation) and the validation images through inputTransform', async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    // Negated inputs: the model learns them as well, but only if the transform really reaches both paths.
    const inputTransform = (x: tf.Tensor4D) => {
      seen.push(x.shape[0]);
      return tf.neg(x);
    };
    const result = await new Trainer(model, {
      numClasses: 3, epochs: 2, batchSize: 16, learningRate: 3e-3, validationSplit: 0.25, seed: 3,
      augmentation: { flip: true }, inputTransform,
    }).fit(data);
    expect(tf.memory().numTensors).toBe(before);
    // Per epoch: 54 training images in batches of 16 (16, 16, 16, 6), then 18 validation images in one batch.
    expect(seen).toEqual([16, 16, 16, 6, 16, 2, 16, 16, 16, 6, 16, 2]);
    expect(result.history.valLoss.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('is deterministic for a seed (same weights after two runs) and differs for another seed', async () => {
    const train = async (seed: number) => {
      const model = newModel(1);
      await new Trainer(model, { numClasses: 3, epochs: 2, batchSize: 16, seed, augmentation: { flip: true, shift: 0.1 } }).fit(data);
      const w = Array.from(model.getWeights()[0]!.dataSync());
      model.dispose();
      return w;
    };
    const a = await train(4);
    expect(await train(4)).toEqual(a);
    expect(await train(5)).not.toEqual(a);
  });

  it('stops early and restores the best epoch when the monitored loss stalls', async () => {
    const model = newModel();
    const result = await new Trainer(model, {
      numClasses: 3, epochs: 20, learningRate: 1e-12, validationSplit: 0.25,
      earlyStopping: { patience: 2, minDelta: 1e-3 },
    }).fit(data);
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsRun).toBe(3);
    expect(result.bestEpoch).toBe(1);
    model.dispose();
  });

  it('restores the weights of the epoch with the lowest validation loss', async () => {
    const model = newModel();
    const snapshots: number[][] = [];
    // Validation labels rotated against the training ones: the better the model fits, the worse the
    // validation loss, so the best epoch is the first and restoring must undo the later epochs.
    const validationData = { images: data.images, labels: data.labels.map((l) => (l + 1) % 3) };
    const result = await new Trainer(model, {
      numClasses: 3, epochs: 4, learningRate: 1e-2, validationData, restoreBestWeights: true, seed: 2,
      onEpochEnd: () => { snapshots.push(Array.from(model.getWeights()[2]!.dataSync())); },
    }).fit(data);
    const valLoss = result.history.valLoss;
    const best = valLoss.indexOf(Math.min(...valLoss)) + 1;
    expect(result.bestEpoch).toBe(best);
    expect(best).toBeLessThan(4);
    expect(Array.from(model.getWeights()[2]!.dataSync())).toEqual(snapshots[best - 1]);
    model.dispose();
  });

  it("lowers the learning rate on a plateau ('plateau' schedule)", async () => {
    const model = newModel();
    // A learning rate too small to change the loss: every epoch after the first is a plateau.
    const result = await new Trainer(model, {
      numClasses: 3, epochs: 4, learningRate: 1e-12, schedule: { type: 'plateau', patience: 1, factor: 0.5 },
    }).fit(data);
    const ratios = result.history.learningRate.map((lr) => lr / 1e-12);
    expect(ratios.map((r) => Number(r.toFixed(6)))).toEqual([1, 1, 0.5, 0.25]);
    model.dispose();
  });

  it('fails with TrainingError when the loss becomes NaN', async () => {
    const model = newModel();
    const bad = { images: tf.fill([8, 16, 16, 1], Number.NaN) as tf.Tensor4D, labels: new Int32Array(8) };
    const before = tf.memory().numTensors;
    await expect(new Trainer(model, { numClasses: 3, epochs: 1, batchSize: 4 }).fit(bad)).rejects.toThrow(TrainingError);
    expect(tf.memory().numTensors).toBe(before);
    bad.images.dispose();
    model.dispose();
  });

  it('reads the device once per epoch without a per-batch callback, with the same epoch figures as per-batch reads', async () => {
    // The engine's reads are what Tensor.data()/dataSync() do (cpu kernels read their inputs from the backend directly).
    const engine = tf.engine();
    const read = vi.spyOn(engine, 'read');
    const readSync = vi.spyOn(engine, 'readSync');
    const run = async (perBatch: boolean) => {
      const model = newModel();
      read.mockClear();
      readSync.mockClear();
      const before = tf.memory().numTensors;
      // 72 images in batches of 8: 9 steps per epoch, 27 in all.
      const result = await new Trainer(model, {
        numClasses: 3, epochs: 3, batchSize: 8, seed: 3, ...(perBatch ? { onBatchEnd: () => {} } : {}),
      }).fit(data);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      return { result, reads: read.mock.calls.length + readSync.mock.calls.length };
    };
    try {
      const quiet = await run(false);
      const perBatch = await run(true);
      // One read per epoch instead of two per step.
      expect(quiet.reads).toBeLessThanOrEqual(3);
      expect(perBatch.reads).toBeGreaterThanOrEqual(27);
      for (const key of ['loss', 'accuracy'] as const) {
        quiet.result.history[key].forEach((v, i) => expect(v).toBeCloseTo(perBatch.result.history[key][i]!, 6));
      }
    } finally {
      read.mockRestore();
      readSync.mockRestore();
    }
  });

  it('names the epoch and batch whose loss became NaN, read at the end of the epoch', async () => {
    const model = newModel();
    // The second batch of 4 (shuffle off) holds NaN pixels: batch 1 is finite, batch 2 is not.
    const images = tf.tidy(() => tf.concat([tf.zeros([4, 16, 16, 1]), tf.fill([4, 16, 16, 1], Number.NaN)]) as tf.Tensor4D);
    const before = tf.memory().numTensors;
    await expect(new Trainer(model, { numClasses: 3, epochs: 1, batchSize: 4, shuffle: false }).fit({ images, labels: new Int32Array(8) }))
      .rejects.toThrow(/epoch 1, batch 2/);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    model.dispose();
  });

  it('can be cancelled with an AbortSignal', async () => {
    const model = newModel();
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const run = new Trainer(model, {
      numClasses: 3, epochs: 5, batchSize: 8, signal: controller.signal,
      onBatchEnd: (log) => { if (log.batch === 2) controller.abort(); },
    }).fit(data);
    await expect(run).rejects.toThrow(AbortError);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('validates its options and data', async () => {
    const model = newModel();
    expect(() => new Trainer(model, { numClasses: 3, epochs: 0 })).toThrow(/epochs/);
    expect(() => new Trainer(model, { numClasses: 3, learningRate: -1 })).toThrow(InvalidArgumentError);
    await expect(new Trainer(model, { numClasses: 2 }).fit(data)).rejects.toThrow(/label 2 outside/);
    await expect(new Trainer(model, { numClasses: 3, earlyStopping: { patience: 1, monitor: 'valLoss' } }).fit(data)).rejects.toThrow(/valLoss/);
    model.dispose();
  });

  it('adds the layers\' L2 penalties to the loss it minimises, from the first step', async () => {
    const firstLoss = async (l2: number) => {
      const model = tinyModel(16, 3, 5, l2);
      const kernel = model.layers[3]!.getWeights()[0]!;
      const penalty = l2 * (await tf.tidy(() => tf.sum(tf.square(kernel))).data())[0]!;
      let loss = Number.NaN;
      await new Trainer(model, {
        numClasses: 3, epochs: 1, batchSize: 72, learningRate: 1e-6, shuffle: false, seed: 2,
        onBatchEnd: (log) => { loss = log.loss; },
      }).fit(data);
      model.dispose();
      return { loss, penalty };
    };
    const plain = await firstLoss(0);
    const regularised = await firstLoss(0.5);
    expect(regularised.penalty).toBeGreaterThan(0.01);
    expect(regularised.loss - plain.loss).toBeCloseTo(regularised.penalty, 4);
  });
});
