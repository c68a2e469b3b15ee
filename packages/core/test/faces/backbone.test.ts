// Tests for FaceRecognizer with a pretrained backbone (transfer learning): fit learns class means or a softmax head on embeddings; both save and load as a one-layer model.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelFormatError } from '../../src/errors/index.js';
import type { FacePipeline } from '../../src/faces/index.js';
import { centredLandmarks } from '../../src/faces/landmarks.js';
import type { RawImage } from '../../src/image/types.js';
import { FaceRecognizer, METADATA_KEY } from '../../src/recognizer/index.js';
import { expectNoLeakPerTest } from '../helpers/memory.js';
import { memorySink } from '../helpers/memory-sink.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
expectNoLeakPerTest();

/**
 * A stand-in for a pretrained pipeline: finds no face (so the photo is embedded as a face crop) and embeds
 * an image as its normalised mean colour, so a person is a colour direction.
 */
const embedded: number[] = [];
const fakePipeline = {
  embedder: { spec: { name: 'mean-colour', dimensions: 3, threshold: 0.9 } },
  embedMainFaceOrCentre: async (image: RawImage) => {
    embedded.push(image.height);
    const mean = [0, 0, 0];
    for (let p = 0; p < image.width * image.height; p++) for (let c = 0; c < 3; c++) mean[c]! += image.data[p * 3 + c]!;
    const n = Math.hypot(...mean);
    return { embedding: Float32Array.from(mean, (x) => x / n), landmarks: centredLandmarks(image.width, image.height), found: false };
  },
} as unknown as FacePipeline;

let seed = 3;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
/** A 6×6 RGB image whose colour is `rgb` plus noise. */
function photo(rgb: readonly number[]): RawImage {
  const data = new Uint8Array(6 * 6 * 3);
  for (let p = 0; p < 36; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, rgb[c]! + (rand() - 0.5) * 80));
  return { data, width: 6, height: 6, channels: 3 };
}
const people: Record<string, readonly number[]> = { red: [200, 30, 30], green: [30, 200, 30], blue: [30, 30, 200] };
const dataset = (perPerson: number) => Object.entries(people).flatMap(([label, rgb]) => Array.from({ length: perPerson }, () => ({ label, image: photo(rgb) })));

describe('FaceRecognizer with a pretrained backbone', () => {
  it('fits class means from one photo per person, names new photos, answers unknown', async () => {
    const r = new FaceRecognizer({ backbone: fakePipeline });
    expect(r.threshold).toBe(0.9); // the embedder's calibrated threshold
    embedded.length = 0;
    const result = await r.fit(dataset(1));
    // Each training photo embedded once, no CNN training (and looked at once more on its CLAHE copy, a tensor: this
    // stand-in finds no face).
    expect(embedded).toEqual([6, undefined, 6, undefined, 6, undefined]);
    expect(result.epochsRun).toBe(1);
    expect(result.history.accuracy[0]).toBe(1);
    expect(r.ready).toBe(true);
    expect(r.labels).toEqual(['blue', 'green', 'red']);
    const test = dataset(4);
    const report = await r.evaluate(test);
    expect(report.accuracy).toBe(1);
    const grey = await r.predict(photo([120, 120, 120]));
    // Grey is at cosine ≈ 0.6 from every colour: below 0.9.
    expect(grey.unknown).toBe(true);
    expect(grey.label).toBe('unknown');
    expect((await r.predict(photo([120, 120, 120]), { threshold: 0.1 })).unknown).toBe(false);
    expect(r.scoreKind).toBe('cosine');
    expect(r.preprocessing).toBeUndefined();
    r.dispose();
    expect(r.ready).toBe(false);
  });

  it('trains a softmax head whose scores are probabilities', async () => {
    const r = new FaceRecognizer({ backbone: fakePipeline, head: 'softmax' });
    expect(r.threshold).toBe(0.5);
    await r.fit(dataset(2));
    const preds = await r.predictBatch(dataset(3).map((d) => d.image), { topK: 3 });
    const truth = dataset(3).map((d) => d.label);
    preds.forEach((p, i) => {
      expect(p.candidates[0]!.label).toBe(truth[i]);
      expect(p.candidates.reduce((s, c) => s + c.score, 0)).toBeCloseTo(1, 4);
    });
    r.dispose();
  });

  it('rejects an unknown head, and a head without a backbone', () => {
    expect(() => new FaceRecognizer({ backbone: fakePipeline, head: 'knn' as never })).toThrow(/head/);
    expect(() => new FaceRecognizer({ head: 'softmax' })).toThrow(/Invalid head: .*give the backbone too/);
  });

  it.each(['class-mean', 'softmax'] as const)('saves a %s head as a one-layer model and loads it back with its backbone: same answers', async (head) => {
    const r = new FaceRecognizer({ backbone: fakePipeline, head });
    await r.fit(dataset(2));
    r.threshold = 0.3;
    const sink = memorySink();
    await r.save(sink.handler);
    const saved = sink.artifacts();
    const meta = saved.userDefinedMetadata![METADATA_KEY] as Record<string, unknown>;
    expect(meta).toMatchObject({ architecture: 'embedding-head', head, formatVersion: 2, labels: ['blue', 'green', 'red'], threshold: 0.3 });
    expect(meta.backbone).toEqual({ embedder: 'mean-colour', dimensions: 3, landmarks: 'detector' });
    expect(meta).not.toHaveProperty('preprocessing');
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(saved), { backbone: fakePipeline });
    expect(loaded).toMatchObject({ labels: ['blue', 'green', 'red'], threshold: 0.3, scoreKind: r.scoreKind, backbone: fakePipeline });
    const probes = dataset(2).map((d) => d.image);
    const [want, got] = [await r.predictBatch(probes, { topK: 3 }), await loaded.predictBatch(probes, { topK: 3 })];
    got.forEach((g, i) => {
      expect(g.label).toBe(want[i]!.label);
      g.candidates.forEach((c, k) => expect(c.score).toBeCloseTo(want[i]!.candidates[k]!.score, 5));
    });
    r.dispose();
    loaded.dispose();
  });

  it('loads a saved head only with the backbone it was fitted on', async () => {
    const r = new FaceRecognizer({ backbone: fakePipeline });
    await r.fit(dataset(1));
    const sink = memorySink();
    await r.save(sink.handler);
    r.dispose();
    const load = (backbone?: FacePipeline) => FaceRecognizer.load(tf.io.fromMemory(sink.artifacts()), { source: 'models/team', ...(backbone ? { backbone } : {}) }).catch((e: unknown) => e);
    const missing = await load();
    expect(missing).toBeInstanceOf(InvalidArgumentError);
    expect((missing as Error).message).toMatch(/^Invalid backbone: models\/team is a class-mean head on mean-colour \(3-d, detector landmarks\) embeddings/);
    const other = { ...fakePipeline, embedder: { spec: { name: 'other', dimensions: 3, threshold: 0.5 } } } as unknown as FacePipeline;
    expect(((await load(other)) as Error).message).toMatch(/makes other \(3-d, detector landmarks\) embeddings, but models\/team was fitted on mean-colour/);
    const meshed = { ...fakePipeline, refiner: {} } as unknown as FacePipeline;
    expect(((await load(meshed)) as Error).message).toMatch(/mesh landmarks\) embeddings, but/);
    // A corrupt head (NaN weights) is refused like any model.
    const saved = sink.artifacts();
    const weights = new Float32Array((saved.weightData as ArrayBuffer).slice(0));
    weights[1] = Number.NaN;
    const corrupt = await FaceRecognizer.load(tf.io.fromMemory({ ...saved, weightData: weights.buffer }), { backbone: fakePipeline }).catch((e: unknown) => e);
    expect(corrupt).toBeInstanceOf(ModelFormatError);
  });
});
