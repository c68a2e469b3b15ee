// Tests for the recipe's illumination step: recorded with the model, applied by predict, old recipes unchanged, the
// default recipe's inputs matching Yale faces lit from the side to evenly lit ones, and the CLI flag.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceRecognizer, initBackend, preprocessBatch, readImage } from '@facerec/node';
import type { LabeledImage, PreprocessingConfig } from '@facerec/node';
import { patternImages } from '../../../core/test/helpers/synthetic.js';
import { memorySink } from '../../../core/test/helpers/memory-sink.js';
import { YALE_CONDITIONS, YALE_SUBJECTS, yaleImage } from '../../../core/test/helpers/datasets.js';
import { expectNoLeakPerTest } from '../../../core/test/helpers/memory.js';
import { runCapture } from '../fixtures/cli.js';

const names = ['alice', 'bob', 'carol'];

function labelled(seed: number, perClass: number): LabeledImage[] {
  const { images, labels } = patternImages(3, perClass, 24, seed);
  return images.map((image, i) => ({ image, label: names[labels[i]!]!, source: `synthetic-${seed}-${i}` }));
}

beforeAll(async () => {
  await initBackend('wasm');
});
expectNoLeakPerTest();

/** The artifacts of `recognizer` with its saved preprocessing changed by `edit`. */
async function savedWith(recognizer: FaceRecognizer, edit: (preprocessing: Record<string, unknown>) => void): Promise<tf.io.ModelArtifacts> {
  const sink = memorySink();
  await recognizer.save(sink.handler);
  const artifacts = sink.artifacts();
  const meta = (artifacts.userDefinedMetadata as { facerec: { preprocessing: Record<string, unknown> } }).facerec;
  edit(meta.preprocessing);
  return artifacts;
}

describe('the illumination step of a recipe', () => {
  it('is Tan–Triggs by default, saved with the model and applied by predict', async () => {
    const train = labelled(1, 12);
    const test = labelled(2, 4).map((t) => t.image);
    const recognizer = new FaceRecognizer({ inputSize: [24, 24], seed: 1 });
    await recognizer.fit(train, { epochs: 6 });
    expect(recognizer.preprocessing?.illumination).toBe('tan-triggs');
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(await savedWith(recognizer, () => undefined)));
    expect(loaded.preprocessing).toEqual(recognizer.preprocessing);
    const a = await recognizer.predictBatch(test);
    const b = await loaded.predictBatch(test);
    b.forEach((p, i) => expect(p.score).toBeCloseTo(a[i]!.score, 5));
    // The same weights without the step see other inputs: predict really runs what the recipe says.
    const stripped = await FaceRecognizer.load(tf.io.fromMemory(await savedWith(recognizer, (p) => delete p.illumination)));
    expect(stripped.preprocessing?.illumination).toBeUndefined();
    const c = await stripped.predictBatch(test);
    expect(c.some((p, i) => Math.abs(p.score - a[i]!.score) > 1e-3)).toBe(true);
    for (const r of [recognizer, loaded, stripped]) r.dispose();
  });

  it('is absent with illumination: null, as in recipes saved before it existed, which load and predict as before', async () => {
    const recognizer = new FaceRecognizer({ inputSize: [24, 24], seed: 1, illumination: null });
    await recognizer.fit(labelled(1, 12), { epochs: 3 });
    expect(recognizer.preprocessing).toEqual({ inputSize: [24, 24], channels: 1, normalization: 'standardize' });
    const loaded = await FaceRecognizer.load(tf.io.fromMemory(await savedWith(recognizer, () => undefined)));
    expect(loaded.preprocessing).toEqual(recognizer.preprocessing);
    const test = labelled(2, 2).map((t) => t.image);
    const [a, b] = [await recognizer.predictBatch(test), await loaded.predictBatch(test)];
    b.forEach((p, i) => expect(p.score).toBeCloseTo(a[i]!.score, 5));
    recognizer.dispose();
    loaded.dispose();
  });
});

describe('the default recipe under side light (Yale fixtures)', () => {
  it('makes faces lit from the left or right match the evenly lit photos of the same person', async () => {
    const evenly = YALE_CONDITIONS.filter((c) => c !== 'leftlight' && c !== 'rightlight');
    const load = async (conditions: readonly (typeof YALE_CONDITIONS)[number][]) =>
      Promise.all(YALE_SUBJECTS.flatMap((s) => conditions.map(async (c) => ({ image: await readImage(yaleImage(s, c)), label: s }))));
    const train = await load(evenly);
    const test = await load(['leftlight', 'rightlight']);
    // The recipe a default fit records (one step is enough to read it).
    const recognizer = new FaceRecognizer();
    await recognizer.fit(train, { epochs: 1 });
    const recipe = recognizer.preprocessing!;
    recognizer.dispose();
    expect(recipe.illumination).toBe('tan-triggs');
    // Nearest class mean (cosine) on the preprocessed pixels: what the network starts from.
    const accuracy = async (config: PreprocessingConfig) => {
      const best = tf.tidy(() => {
        const features = (set: LabeledImage[]) => {
          const x = tf.reshape(preprocessBatch(set.map((d) => d.image), config), [set.length, -1]);
          return tf.div(x, tf.norm(x, 2, 1, true));
        };
        const f = features(train);
        const means = tf.stack(YALE_SUBJECTS.map((s) => tf.mean(tf.gather(f, train.flatMap((d, i) => (d.label === s ? [i] : []))), 0)));
        return tf.argMax(tf.matMul(features(test), means, false, true), 1);
      });
      const predicted = await best.data();
      best.dispose();
      return test.filter((d, i) => YALE_SUBJECTS[predicted[i]!] === d.label).length / test.length;
    };
    const { illumination: _, ...without } = recipe;
    const [withStep, withoutStep] = [await accuracy(recipe), await accuracy(without)];
    expect(withStep).toBeGreaterThanOrEqual(0.8);
    expect(withStep).toBeGreaterThan(withoutStep);
  });
});

describe('facerec train --illumination', () => {
  it('refuses an unknown method and the flag with --backbone, as usage errors naming it', async () => {
    const bad = await runCapture('train', 'faces', '--out', 'model', '--illumination', 'retinex');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--illumination must be one of tan-triggs, equalize, clahe, none, got "retinex"/);
    const withBackbone = await runCapture('train', 'faces', '--out', 'model', '--backbone', 'default', '--illumination', 'clahe');
    expect(withBackbone.code).toBe(2);
    expect(withBackbone.err).toMatch(/--illumination train a CNN/);
  });
});
