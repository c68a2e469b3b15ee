// The same seed gives the same model: FaceRecognizer.fit with its default recipe (lighting augmentation, Tan–Triggs, texture match) on the threaded WASM backend, twice.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceRecognizer, initBackend, loadImageFolder } from '@facerec/node';
import type { FaceImage, LabeledImage, Recognition } from '@facerec/node';
import { memorySink } from '../../../core/test/helpers/memory-sink.js';
import { ORL_DIR } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';

let train: LabeledImage<FaceImage>[] = [];
let test: FaceImage[] = [];

beforeAll(async () => {
  // Threads as a user gets them: the kernels promise results independent of the thread count and timing.
  await initBackend('wasm');
  const keep = new Set(['s1', 's2', 's3', 's4']);
  const all = await loadImageFolder(ORL_DIR, { split: { type: 'first', count: 3 } });
  train = all.train.filter((d) => keep.has(d.label));
  test = all.test.filter((d) => keep.has(d.label)).map((d) => d.image);
});
expectNoLeakPerTest();

/** A model trained with `seed`: its weight bytes, its saved metadata and its answers on the held-out photos. */
async function trained(seed: number): Promise<{ weights: Uint8Array; metadata: Record<string, unknown>; answers: Recognition[] }> {
  const recognizer = new FaceRecognizer({ inputSize: [32, 32], seed });
  try {
    // Two batches per epoch, so shuffling, augmentation and the optimiser's state all carry over between steps.
    await recognizer.fit(train, { epochs: 3, batchSize: 16 });
    const sink = memorySink();
    await recognizer.save(sink.handler);
    const artifacts = sink.artifacts();
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    // When and how long are the only fields that may differ.
    const { createdAt: _, training, ...metadata } = (artifacts.userDefinedMetadata as { facerec: Record<string, unknown> }).facerec;
    const { seconds: __, ...run } = training as Record<string, unknown>;
    return { weights, metadata: { ...metadata, training: run }, answers: await recognizer.predictBatch(test, { topK: 4 }) };
  } finally {
    recognizer.dispose();
  }
}

describe('FaceRecognizer.fit with a seed', () => {
  it('trains the same weights, saves the same textures and answers the same, twice; another seed trains others', async () => {
    const first = await trained(3);
    const second = await trained(3);
    expect(first.weights.length).toBeGreaterThan(0);
    expect(Buffer.from(second.weights).equals(Buffer.from(first.weights))).toBe(true);
    expect(second.metadata).toEqual(first.metadata);
    expect(second.answers).toEqual(first.answers);
    expect((first.metadata as { texture?: unknown }).texture).toBeDefined();

    const other = await trained(4);
    expect(Buffer.from(other.weights).equals(Buffer.from(first.weights))).toBe(false);
  }, 30_000);
});
