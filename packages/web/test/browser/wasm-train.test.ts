// Training on WASM in the page with facerec's kernels: selected for training, gradients equal to cpu's, losses fall.
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, initBackend, trainRecognizer } from '@facerec/web';
import { describe, expect, test } from 'vitest';
import { orlDataset } from './helpers/faces.js';

/** Deterministic values in [-1, 1) (a linear congruential generator), the same on every backend. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

// A small CNN, big enough that its convolutions are split over the kernel threads (>= 2^15 multiply-adds).
const X = values(8 * 24 * 24, 1), W1 = values(3 * 3 * 1 * 8, 2), W2 = values(3 * 3 * 8 * 16, 3), WD = values(10 * 10 * 16 * 5, 4);
const LABELS = [0, 1, 2, 3, 4, 0, 1, 2];

/** Loss and its gradients with respect to the three weights, on the active backend, as plain arrays. */
function lossAndGradients(): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const x = tf.tensor4d(X, [8, 24, 24, 1]);
    const y = tf.oneHot(tf.tensor1d(LABELS, 'int32'), 5);
    const weights = [tf.tensor4d(W1, [3, 3, 1, 8]), tf.tensor4d(W2, [3, 3, 8, 16]), tf.mul(tf.tensor2d(WD, [1600, 5]), 0.05)];
    const f = (w1: tf.Tensor, w2: tf.Tensor, wd: tf.Tensor): tf.Scalar => {
      const h1 = tf.maxPool(tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
      const h2 = tf.relu(tf.conv2d(h1, w2 as tf.Tensor4D, 1, 'valid'));
      return tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.reshape(h2, [8, 1600]), wd as tf.Tensor2D));
    };
    const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => f(ws[0]!, ws[1]!, ws[2]!))(weights);
    return { loss: value.dataSync()[0]!, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('training on WASM with facerec kernels', () => {
  test("initBackend('wasm', { task: 'training' }) runs facerec's kernels, threaded in this isolated page", async () => {
    const selection = await initBackend('wasm', { task: 'training' });
    expect(selection.backend).toBe('wasm');
    expect(selection.details).toMatchObject({ training: true, threadedBuild: true });
    expect(Number(selection.details.fastKernels)).toBeGreaterThan(10);
    expect(Number(selection.details.kernelThreads)).toBe(Math.min(8, navigator.hardwareConcurrency));
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  test('the gradients of a small CNN match the cpu backend', async () => {
    await initBackend('cpu');
    const cpu = lossAndGradients();
    await initBackend('wasm', { task: 'training' });
    const wasm = lossAndGradients();
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss));
    for (let i = 0; i < cpu.grads.length; i++) {
      const c = cpu.grads[i]!, w = wasm.grads[i]!;
      expect(w.length).toBe(c.length);
      const scale = maxAbs(c);
      expect(scale).toBeGreaterThan(0);
      let worst = 0;
      for (let j = 0; j < c.length; j++) worst = Math.max(worst, Math.abs(w[j]! - c[j]!));
      expect(worst, `gradient ${i}`).toBeLessThan(1e-4 * scale);
    }
  });

  test('a recognizer trains on WASM: its losses fall and equal the cpu backend', async () => {
    const dataset = await orlDataset([1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const fit = { epochs: 4, batchSize: 16, augmentation: null, seed: 3 } as const;
    const losses: Record<string, number[]> = {};
    for (const backend of ['wasm', 'cpu'] as const) {
      expect((await initBackend(backend, { task: 'training' })).backend).toBe(backend);
      const recognizer = new FaceRecognizer({ inputSize: [16, 16], seed: 3 });
      const before = tf.memory().numTensors;
      losses[backend] = (await trainRecognizer(recognizer, dataset, fit)).history.loss;
      recognizer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(losses.wasm!.at(-1)!).toBeLessThan(losses.wasm![0]!);
    for (let i = 0; i < losses.cpu!.length; i++) expect(Math.abs(losses.wasm![i]! - losses.cpu![i]!)).toBeLessThan(1e-3 * losses.cpu![i]!);
  });
});
