// Tests for the internal few-shot head on embeddings: nearest class mean by hand (through the Gallery's matching), the softmax head, unknowns, its one-layer model.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelFormatError, NumericError } from '../../src/errors/index.js';
import { EmbeddingClassifier } from '../../src/recognizer/embedding-classifier.js';
import type { BackboneInfo } from '../../src/recognizer/metadata.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

const backbone: BackboneInfo = { embedder: 'test', dimensions: 2, landmarks: 'detector' };
const v = (x: number, y: number) => { const n = Math.hypot(x, y); return Float32Array.of(x / n, y / n); };
const all = { topK: 3, threshold: 0.5 };

describe('EmbeddingClassifier', () => {
  it('class means: the nearest normalised mean by cosine, unknown below the threshold, a kernel without bias', async () => {
    const c = await EmbeddingClassifier.fit([v(1, 0), v(0, 1), v(-1, 0)], ['ann', 'ann', 'bob'], 'class-mean', backbone);
    expect(c.labels).toEqual(['ann', 'bob']);
    expect(c.scoreKind).toBe('cosine');
    // ann's mean direction is (1, 1)/√2 after normalising (1,0)+(0,1); bob is (−1, 0).
    const [p, stranger] = await c.recognize([v(1, 1), v(0, -1)], all);
    expect(p).toMatchObject({ label: 'ann', unknown: false });
    expect(p!.score).toBeCloseTo(1, 6);
    expect(p!.candidates[1]).toEqual({ label: 'bob', score: expect.closeTo(-Math.SQRT1_2, 6) });
    // (0, −1) is at cosine 0 from bob and −0.707 from ann: below 0.5 → unknown, best match bob.
    expect(stranger).toMatchObject({ label: 'unknown', unknown: true });
    expect(stranger!.candidates[0]!.label).toBe('bob');
    const weights = c.model.getWeights();
    expect(weights).toHaveLength(1);
    expect(weights[0]!.shape).toEqual([2, 2]);
    expect(Array.from(await weights[0]!.data())).toEqual([expect.closeTo(Math.SQRT1_2, 6), -1, expect.closeTo(Math.SQRT1_2, 6), expect.closeTo(0, 6)]);
    c.dispose();
  });

  it('softmax: trained from the means, fits its training set, scores are probabilities', async () => {
    const embeddings = [v(1, 0.05), v(0.9, -0.1), v(0.8, 0.6), v(0.6, -0.8), v(0.5, -0.85)];
    const labels = ['ann', 'ann', 'ann', 'bob', 'bob'];
    const head = await EmbeddingClassifier.fit(embeddings, labels, 'softmax', backbone, { epochs: 200, learningRate: 0.05 });
    expect(head.scoreKind).toBe('probability');
    const answers = await head.recognize(embeddings, all);
    answers.forEach((a, i) => expect(a.candidates[0]!.label).toBe(labels[i]));
    expect(answers[0]!.candidates.reduce((s, c) => s + c.score, 0)).toBeCloseTo(1, 5);
    expect(head.model.getWeights().map((w) => w.shape)).toEqual([[2, 2], [2]]);
    head.dispose();
  });

  it('comes back from its model with the same answers, and refuses a model that is not such a head', async () => {
    for (const kind of ['class-mean', 'softmax'] as const) {
      const c = await EmbeddingClassifier.fit([v(1, 0), v(0.9, 0.2), v(0, 1), v(0.1, 0.9)], ['a', 'a', 'b', 'b'], kind, backbone);
      const copy = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2, useBias: kind === 'softmax', activation: kind === 'softmax' ? 'softmax' : 'linear' })] });
      copy.setWeights(c.model.getWeights());
      const back = await EmbeddingClassifier.fromModel(copy, kind, ['a', 'b'], backbone, 'm');
      const probes = [v(0.3, 1), v(1, 0.1)];
      const [want, got] = [await c.recognize(probes, all), await back.recognize(probes, all)];
      got.forEach((g, i) => {
        expect(g.label, kind).toBe(want[i]!.label);
        expect(g.score).toBeCloseTo(want[i]!.score, 5);
      });
      back.dispose();
      // The other kind's layer, another embedding size, another number of people: ModelFormatError naming the model.
      const wrong = [
        [kind === 'softmax' ? 'class-mean' : 'softmax', ['a', 'b'], backbone, /Dense layer|weight tensors/],
        [kind, ['a', 'b'], { ...backbone, dimensions: 3 }, /3-d embeddings/],
        [kind, ['a', 'b', 'c'], backbone, /outputs 2 scores but metadata lists 3/],
      ] as const;
      for (const [k, labels, b, message] of wrong) {
        const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2, useBias: kind === 'softmax', activation: kind === 'softmax' ? 'softmax' : 'linear' })] });
        const error = await EmbeddingClassifier.fromModel(model, k, labels, b, 'models/m').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ModelFormatError);
        expect((error as Error).message).toMatch(message);
        model.dispose();
      }
      c.dispose();
    }
  });

  it('never names a NaN embedding and refuses NaN training data, bad topK and reserved labels', async () => {
    const c = await EmbeddingClassifier.fit([v(1, 0), v(0, 1)], ['ann', 'bob'], 'class-mean', backbone);
    const nan = Float32Array.of(Number.NaN, 0);
    await expect(c.recognize([nan], all)).rejects.toThrow(/Invalid embeddings\[0\]: holds NaN or infinite values/);
    await expect(c.recognize([Float32Array.of(1, 0, 0)], all)).rejects.toThrow(/Invalid embeddings\[0\]: has 3 values/);
    for (const topK of [Number.NaN, 0, 1.5]) await expect(c.recognize([v(1, 0)], { topK, threshold: 0.5 }), String(topK)).rejects.toThrow(/Invalid topK/);
    await expect(c.recognize([v(1, 0)], { topK: 1, threshold: Number.NaN })).rejects.toThrow(/Invalid threshold/);
    c.dispose();
    await expect(EmbeddingClassifier.fit([v(1, 0), nan], ['ann', 'bob'], 'class-mean', backbone)).rejects.toThrow(/entry 1 holds NaN/);
    await expect(EmbeddingClassifier.fit([v(1, 0), v(0, 1)], ['ann', 'unknown'], 'softmax', backbone)).rejects.toThrow(/Invalid labels\[1\]: "unknown" is reserved/);
    await expect(EmbeddingClassifier.fit([v(1, 0), v(0, 1)], ['ann', 3 as unknown as string], 'class-mean', backbone)).rejects.toThrow(InvalidArgumentError);
  });

  it('reports a NaN probability of the softmax head as a NumericError, not a name', async () => {
    const c = await EmbeddingClassifier.fit([v(1, 0), v(0, 1)], ['ann', 'bob'], 'softmax', backbone);
    // Weights overflowing to infinity give ∞ − ∞ = NaN in the softmax: such a head must not answer.
    const broken = [tf.tensor2d([3e38, -3e38, 3e38, -3e38], [2, 2]), tf.tensor1d([0, 0])];
    c.model.setWeights(broken);
    tf.dispose(broken);
    await expect(c.recognize([v(1, 1)], all)).rejects.toThrow(NumericError);
    c.dispose();
  });
});
