import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceRecognizer, InvalidArgumentError, METADATA_KEY, ModelFormatError, NumericError, UNKNOWN, initBackend } from '@facerec/node';
import type { FacePipeline, LabeledImage } from '@facerec/node';
import { patternImages } from '../../../core/test/helpers/synthetic.js';
import { memorySink } from '../../../core/test/helpers/memory-sink.js';

const names = ['alice', 'bob', 'carol'];
let train: LabeledImage[];
let test: LabeledImage[];
let recognizer: FaceRecognizer;

function labelled(seed: number, perClass: number): LabeledImage[] {
  const { images, labels } = patternImages(3, perClass, 24, seed);
  return images.map((image, i) => ({ image, label: names[labels[i]!]!, source: `synthetic-${seed}-${i}` }));
}

beforeAll(async () => {
  await initBackend('wasm');
  train = labelled(1, 20);
  test = labelled(2, 8);
  // The CNN's own probabilities, whose arithmetic (mirror averaging) these tests check; the texture match fused
  // with them by default is tested in cnn-texture.test.ts.
  recognizer = new FaceRecognizer({ inputSize: [24, 24], seed: 1, texture: null });
  await recognizer.fit(train, { epochs: 15, augmentation: null, learningRate: 3e-3 });
});

describe('FaceRecognizer', () => {
  it('learns people from labelled images and names them in new images', async () => {
    expect(recognizer.labels).toEqual(names);
    const report = await recognizer.evaluate(test);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.count).toBe(24);
    expect(report.images[0]!.source).toBe('synthetic-2-0');
    const p = await recognizer.predict(test[0]!.image);
    expect(p.candidates[0]!.label).toBe('alice');
    expect(p.candidates).toHaveLength(3);
    expect(p.candidates[0]!.score).toBeGreaterThanOrEqual(p.candidates[1]!.score);
    expect(p.score).toBe(p.candidates[0]!.score);
    expect(recognizer.scoreKind).toBe('probability');
  });

  it('answers unknown below the threshold, which can be overridden per call', async () => {
    const sure = await recognizer.predict(test[0]!.image, { threshold: 0 });
    expect(sure.unknown).toBe(false);
    const strict = await recognizer.predict(test[0]!.image, { threshold: 1 });
    expect(strict.unknown).toBe(true);
    expect(strict.label).toBe(UNKNOWN);
    expect(strict.candidates[0]!.label).toBe(sure.label);
    expect(strict.score).toBe(sure.score);
    expect(() => (recognizer.threshold = 2)).toThrow(InvalidArgumentError);
  });

  it('averages each image with its mirror image unless flip is false', async () => {
    const { width, height, channels, data } = test[0]!.image;
    const mirrored = new Uint8Array(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) mirrored[(y * width + x) * channels + c] = data[(y * width + width - 1 - x) * channels + c]!;
      }
    }
    const mirror = { ...test[0]!.image, data: mirrored };
    const all = { topK: 3 };
    const [a, b] = await recognizer.predictBatch([test[0]!.image, mirror], all);
    // With flip both see the same pair of images, so they agree to rounding.
    a!.candidates.forEach((c, i) => expect(b!.candidates[i]!.score).toBeCloseTo(c.score, 5));
    const [p, q] = await recognizer.predictBatch([test[0]!.image, mirror], { ...all, flip: false });
    expect(Math.abs(p!.candidates[0]!.score - q!.candidates[0]!.score)).toBeGreaterThan(1e-4);
    const scoreOf = (r: typeof p, label: string) => r!.candidates.find((c) => c.label === label)!.score;
    for (const { label } of a!.candidates) {
      expect((scoreOf(p, label) + scoreOf(q, label)) / 2).toBeCloseTo(scoreOf(a, label), 4);
    }
  });

  it('keeps the tensor count flat over repeated predictions', async () => {
    await recognizer.predict(test[1]!.image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await recognizer.predict(test[i % test.length]!.image);
    await recognizer.predictBatch(test.map((t) => t.image));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves and loads: same predictions, labels, preprocessing and threshold', async () => {
    const sink = memorySink();
    recognizer.threshold = 0.42;
    await recognizer.save(sink.handler);
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(sink.artifacts()));
    expect(loaded.labels).toEqual(names);
    expect(loaded.threshold).toBe(0.42);
    expect(loaded.preprocessing).toEqual(recognizer.preprocessing);
    const a = await recognizer.predictBatch(test.map((t) => t.image));
    const b = await loaded.predictBatch(test.map((t) => t.image));
    b.forEach((p, i) => {
      expect(p.label).toBe(a[i]!.label);
      expect(p.score).toBeCloseTo(a[i]!.score, 6);
    });
    loaded.dispose();
    recognizer.threshold = 0.5;
  });

  it('refuses models without valid facerec metadata, naming the problem', async () => {
    const sink = memorySink();
    await recognizer.save(sink.handler);
    const withMeta = (meta: unknown) => tf.io.fromMemory({ ...sink.artifacts(), userDefinedMetadata: { [METADATA_KEY]: meta } });
    const good = sink.artifacts().userDefinedMetadata![METADATA_KEY] as Record<string, unknown>;
    await expect(FaceRecognizer.load(tf.io.fromMemory({ ...sink.artifacts(), userDefinedMetadata: {} }))).rejects.toThrow(/not a facerec model/);
    await expect(FaceRecognizer.load(withMeta({ ...good, formatVersion: 99 }))).rejects.toThrow(/format version 99/);
    await expect(FaceRecognizer.load(withMeta({ ...good, labels: ['a', 'b'] }))).rejects.toThrow(/outputs 3 classes but metadata lists 2/);
    await expect(FaceRecognizer.load(withMeta({ ...good, preprocessing: { inputSize: [24], channels: 1, normalization: 'unit' } }))).rejects.toThrow(ModelFormatError);
    await expect(FaceRecognizer.load(withMeta({ ...good, threshold: 3 }))).rejects.toThrow(/threshold/);
    await expect(FaceRecognizer.load(withMeta({ ...good, architecture: 'embedding-head', head: 'softmax', backbone: { embedder: 'dlib', dimensions: 128, landmarks: 'eyes' } }))).rejects.toThrow(/metadata\.backbone\.landmarks is "eyes"/);
    // A CNN takes no backbone: passing one is a mistake, not something to ignore.
    const backbone = { embedder: { spec: { name: 'dlib', dimensions: 128, threshold: 0.9 } } } as unknown as FacePipeline;
    await expect(FaceRecognizer.load(tf.io.fromMemory(sink.artifacts()), { source: 'models/cnn', backbone })).rejects.toThrow(/^Invalid backbone: models\/cnn is a CNN trained on face crops \(seed-cnn\); it takes no backbone/);
  });

  it('rejects unusable input with clear errors', async () => {
    const fresh = new FaceRecognizer();
    await expect(fresh.predict(test[0]!.image)).rejects.toThrow(/call fit\(\) or FaceRecognizer.load\(\) first/);
    await expect(fresh.fit([])).rejects.toThrow(/dataset/);
    await expect(fresh.fit(train.filter((t) => t.label === 'alice'))).rejects.toThrow(/at least 2/);
    await expect(recognizer.evaluate([{ ...test[0]!, label: 'dave' }])).rejects.toThrow(/"dave"/);
    await expect(fresh.fit(train, { augmentation: 'wild' as never })).rejects.toThrow(/unknown preset "wild"/);
  });

  it('refuses a person called "unknown" (the reserved answer) and labels that are not names, before training', async () => {
    const fresh = new FaceRecognizer({ inputSize: [24, 24] });
    const renamed = train.map((t) => (t.label === 'bob' ? { ...t, label: UNKNOWN } : t));
    const reserved = await fresh.fit(renamed, { epochs: 1 }).catch((e: unknown) => e);
    expect(reserved).toBeInstanceOf(InvalidArgumentError);
    expect((reserved as InvalidArgumentError).argument).toBe('dataset[20].label');
    expect((reserved as Error).message).toMatch(/"unknown" is reserved for faces that match nobody \(synthetic-1-20\)/);
    const numeric = [...train.slice(0, 5), { ...train[30]!, label: 7 as unknown as string }];
    await expect(fresh.fit(numeric, { epochs: 1 })).rejects.toThrow(/Invalid dataset\[5\]\.label: must be a non-empty string, got number 7/);
    await expect(fresh.fit([...train.slice(0, 5), { ...train[30]!, label: '' }], { epochs: 1 })).rejects.toThrow(InvalidArgumentError);
    expect(fresh.ready).toBe(false);
    // A saved model listing "unknown" as a person is refused at load too.
    const sink = memorySink();
    await recognizer.save(sink.handler);
    const meta = sink.artifacts().userDefinedMetadata![METADATA_KEY] as Record<string, unknown>;
    const artifacts = { ...sink.artifacts(), userDefinedMetadata: { [METADATA_KEY]: { ...meta, labels: ['alice', UNKNOWN, 'carol'] } } };
    await expect(FaceRecognizer.load(tf.io.fromMemory(artifacts))).rejects.toThrow(/metadata\.labels holds "unknown", which is reserved/);
  });

  it('leaks no tensor when fit fails on a bad option', async () => {
    const fresh = new FaceRecognizer({ inputSize: [24, 24] });
    const before = tf.memory().numTensors;
    await expect(fresh.fit(train, { augmentation: 'wild' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(fresh.fit(train, { epochs: Number.NaN })).rejects.toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects topK that is not a positive integer', async () => {
    for (const topK of [Number.NaN, 0, -1, 2.5]) {
      const error = await recognizer.predict(test[0]!.image, { topK }).catch((e: unknown) => e);
      expect(error, String(topK)).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('topK');
    }
    // Larger than the number of people is fine: every person is listed.
    expect((await recognizer.predict(test[0]!.image, { topK: 10 })).candidates).toHaveLength(3);
  });

  it('never answers with a name when the math broke: NaN weights or NaN input are errors', async () => {
    const sink = memorySink();
    await recognizer.save(sink.handler);
    // NaN weights in a saved model: refused at load, naming the model.
    const saved = sink.artifacts();
    const data = new Float32Array((saved.weightData as ArrayBuffer).slice(0));
    data[3] = Number.NaN;
    const error = await FaceRecognizer.load(tf.io.fromMemory({ ...saved, weightData: data.buffer }), { source: 'models/broken' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toMatch(/^Model models\/broken: weight .* holds NaN or infinite values/);
    // Weights that become NaN after loading, and NaN input pixels: a NumericError, never a name.
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(saved), { source: 'models/good' });
    const nanImage = tf.fill([24, 24, 1], Number.NaN) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const fromInput = await loaded.predict(nanImage).catch((e: unknown) => e);
    expect(fromInput).toBeInstanceOf(NumericError);
    expect((fromInput as Error).message).toMatch(/^models\/good: non-finite class probabilities of image 0 \(NaN/);
    expect(tf.memory().numTensors).toBe(before);
    nanImage.dispose();
    const model = loaded.layersModel!;
    const weights = model.getWeights().map((w) => tf.mul(w, Number.NaN));
    model.setWeights(weights);
    tf.dispose(weights);
    await expect(loaded.predict(test[0]!.image)).rejects.toThrow(NumericError);
    await expect(loaded.predictBatch(test.map((t) => t.image))).rejects.toThrow(/image 0 \(of 24\) \(NaN/);
    await expect(loaded.evaluate(test)).rejects.toThrow(NumericError);
    loaded.dispose();
  });
});

