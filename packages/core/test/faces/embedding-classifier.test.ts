// Tests for the few-shot classifier on embeddings: nearest class mean by hand, the softmax head, unknowns, saved state.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FacePipeline } from '../../src/faces/index.js';
import { InvalidArgumentError, NumericError } from '../../src/errors/index.js';
import { EmbeddingClassifier } from '../../src/recognizer/embedding-classifier.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Only the embedder's description is read when working on embeddings.
const pipeline = { embedder: { spec: { name: 'test', dimensions: 2, threshold: 0.5 } } } as unknown as FacePipeline;
const v = (x: number, y: number) => { const n = Math.hypot(x, y); return Float32Array.of(x / n, y / n); };

describe('EmbeddingClassifier', () => {
  it('picks the nearest normalised class mean by cosine, with unknown below the threshold', () => {
    const c = new EmbeddingClassifier(pipeline);
    // ann's mean direction is (1, 1)/√2 after normalising (1,0)+(0,1); bob is (−1, 0).
    c.fitEmbeddings([v(1, 0), v(0, 1), v(-1, 0)], ['ann', 'ann', 'bob']);
    expect(c.labels).toEqual(['ann', 'bob']);
    const p = c.predictEmbedding(v(1, 1));
    expect(p).toMatchObject({ label: 'ann', unknown: false });
    expect(p.candidates[0]!.label).toBe('ann');
    expect(p.score).toBeCloseTo(1, 6);
    expect(p.candidates[1]).toEqual({ label: 'bob', score: expect.closeTo(-Math.SQRT1_2, 6) });
    // (0, −1) is at cosine 0 from bob and −0.707 from ann: below 0.5 → unknown, best match bob.
    const stranger = c.predictEmbedding(v(0, -1));
    expect(stranger).toMatchObject({ label: 'unknown', unknown: true });
    expect(stranger.candidates[0]!.label).toBe('bob');
  });

  it('trains a softmax head (started from the means) that fits its training set, without leaking tensors', () => {
    const embeddings = [v(1, 0.05), v(0.9, -0.1), v(0.8, 0.6), v(0.6, -0.8), v(0.5, -0.85)];
    const labels = ['ann', 'ann', 'ann', 'bob', 'bob'];
    const before = tf.memory().numTensors;
    const head = new EmbeddingClassifier(pipeline, { method: 'softmax', epochs: 200, learningRate: 0.05 });
    head.fitEmbeddings(embeddings, labels);
    expect(tf.memory().numTensors).toBe(before);
    embeddings.forEach((e, i) => expect(head.predictEmbedding(e).candidates[0]!.label).toBe(labels[i]));
    const p = head.predictEmbedding(v(1, 0));
    expect(p.candidates.reduce((s, c) => s + c.score, 0)).toBeCloseTo(1, 5);
  });

  it('round-trips its state and refuses another embedder\'s', () => {
    const c = new EmbeddingClassifier(pipeline);
    expect(() => c.exportState()).toThrow(/fit/);
    c.fitEmbeddings([v(1, 0), v(0, 1)], ['a', 'b']);
    const state = c.exportState();
    const back = EmbeddingClassifier.fromState(pipeline, state);
    expect(back.predictEmbedding(v(0.1, 1)).label).toBe('b');
    expect(() => EmbeddingClassifier.fromState(pipeline, { ...state, embedder: 'other' })).toThrow(/other/);
    expect(() => c.fitEmbeddings([v(1, 0)], ['a'])).not.toThrow();
  });

  it('never names a NaN embedding and refuses NaN training data, bad topK and reserved labels', () => {
    const c = new EmbeddingClassifier(pipeline);
    c.fitEmbeddings([v(1, 0), v(0, 1)], ['ann', 'bob']);
    const nan = Float32Array.of(Number.NaN, 0);
    expect(() => c.predictEmbedding(nan)).toThrow(/Invalid embedding: holds NaN or infinite values/);
    expect(() => c.predictEmbedding(Float32Array.of(1, 0, 0))).toThrow(/Invalid embedding: must be a Float32Array of 2 values/);
    for (const topK of [Number.NaN, 0, 1.5]) expect(() => c.predictEmbedding(v(1, 0), { topK }), String(topK)).toThrow(/Invalid topK/);
    expect(() => c.predictEmbedding(v(1, 0), { threshold: Number.NaN })).toThrow(/Invalid threshold/);
    expect(() => c.fitEmbeddings([v(1, 0), nan], ['ann', 'bob'])).toThrow(/entry 1 holds NaN/);
    expect(() => c.fitEmbeddings([v(1, 0), v(0, 1)], ['ann', 'unknown'])).toThrow(/Invalid labels\[1\]: "unknown" is reserved/);
    expect(() => c.fitEmbeddings([v(1, 0), v(0, 1)], ['ann', 3 as unknown as string])).toThrow(InvalidArgumentError);
    // A state whose weights hold NaN (a corrupt saved model) is refused when restored.
    const state = c.exportState();
    expect(() => EmbeddingClassifier.fromState(pipeline, { ...state, weights: [Number.NaN, 0, 0, 1] })).toThrow(/NaN or infinite weights/);
  });

  it('reports a NaN score as a NumericError, not a name', () => {
    const c = new EmbeddingClassifier(pipeline);
    c.fitEmbeddings([v(1, 0), v(0, 1)], ['ann', 'bob']);
    // Weights overflowing to infinity give ∞ − ∞ = NaN in the head's softmax: such a classifier must not answer.
    const state = { ...c.exportState(), method: 'softmax' as const, weights: [3e38, 3e38, -3e38, -3e38] };
    const broken = EmbeddingClassifier.fromState(pipeline, state);
    expect(() => broken.predictEmbedding(v(1, 1))).toThrow(NumericError);
  });
});

