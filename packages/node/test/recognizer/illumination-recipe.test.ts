// Tests for the recipe's illumination step: recorded with the model, applied by predict, old recipes unchanged, the
// default recipe's inputs matching Yale faces lit from the side and ORL faces under a harsh point light, and the CLI flag.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ILLUMINATION, FaceRecognizer, initBackend, loadImageFolder, preprocessBatch, readImage } from '@facerec/node';
import type { LabeledImage, PreprocessingConfig, RawImage } from '@facerec/node';
import { patternImages } from '../../../core/test/helpers/synthetic.js';
import { memorySink } from '../../../core/test/helpers/memory-sink.js';
import { ORL_DIR, YALE_CONDITIONS, YALE_SUBJECTS, yaleImage } from '../../../core/test/helpers/datasets.js';
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
    // Every parameter is recorded, so a later change of the defaults cannot change what this model runs.
    expect(recognizer.preprocessing?.illumination).toEqual({ method: 'tan-triggs', gamma: 0.2, sigma0: 1, sigma1: 4, alpha: 0.1, tau: 10 });
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
    // A model saved before parameters were recorded ('tan-triggs': the published σ 1/2) predicts with those.
    const old = await FaceRecognizer.load(tf.io.fromMemory(await savedWith(recognizer, (p) => (p.illumination = 'tan-triggs'))));
    expect(old.preprocessing?.illumination).toBe('tan-triggs');
    const published = { ...recognizer.preprocessing!, illumination: { method: 'tan-triggs', sigma1: 2 } } as PreprocessingConfig;
    const oldInputs = tf.tidy(() => tf.max(tf.abs(tf.sub(preprocessBatch(test, old.preprocessing!), preprocessBatch(test, published)))));
    expect((await oldInputs.data())[0]).toBe(0);
    oldInputs.dispose();
    const d = await old.predictBatch(test);
    expect(d.some((p, i) => Math.abs(p.score - a[i]!.score) > 1e-3)).toBe(true);
    for (const r of [recognizer, loaded, stripped, old]) r.dispose();
  });

  it("records a bare 'tan-triggs' as the default's parameters, and other steps as given", async () => {
    const train = labelled(1, 6);
    const bare = new FaceRecognizer({ inputSize: [24, 24], seed: 1, illumination: 'tan-triggs' });
    await bare.fit(train, { epochs: 1 });
    expect(bare.preprocessing?.illumination).toEqual(DEFAULT_ILLUMINATION);
    const custom = new FaceRecognizer({ inputSize: [24, 24], seed: 1, illumination: { method: 'clahe', clipLimit: 3 } });
    await custom.fit(train, { epochs: 1 });
    expect(custom.preprocessing?.illumination).toEqual({ method: 'clahe', clipLimit: 3 });
    await expect(new FaceRecognizer({ illumination: { method: 'tan-triggs', sigma1: 0.5 } }).fit(train)).rejects.toMatchObject({ argument: 'illumination.sigma1' });
    bare.dispose();
    custom.dispose();
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
    expect(recipe.illumination).toEqual(DEFAULT_ILLUMINATION);
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

/**
 * `image` lit by a lamp `degrees` off the camera axis from the left or right: Lambertian light on a half-cylinder
 * across the face, 3% ambient in the attached shadow, 8-bit rounding (a harsh subset of Extended Yale B, made here).
 */
function sideLit(image: RawImage, fromRight: boolean, degrees: number): RawImage {
  const polar = (degrees * Math.PI) / 180;
  const [lx, lz] = [(fromRight ? 1 : -1) * Math.sin(polar), Math.cos(polar)];
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const u = Math.max(-0.97, Math.min(0.97, ((2 * x) / (image.width - 1) - 1) * 1.1));
      const light = 0.03 + 0.97 * Math.max(0, u * lx + Math.sqrt(1 - u * u) * lz);
      for (let c = 0; c < image.channels; c++) {
        const i = (y * image.width + x) * image.channels + c;
        data[i] = Math.round(image.data[i]! * light);
      }
    }
  }
  return { width: image.width, height: image.height, channels: image.channels, data };
}

describe('the default recipe under a harsh point light (ORL fixtures)', () => {
  it('keeps faces lit 70° from the side closer to their person than the published Tan–Triggs parameters do', async () => {
    const orl = await loadImageFolder(ORL_DIR, { split: { type: 'first', count: 5 } });
    const test = orl.test.map((d, i) => ({ ...d, image: sideLit(d.image as RawImage, i % 2 === 0, 70) }));
    const labels = orl.labels;
    // Nearest class mean (cosine) on the preprocessed pixels: what the network starts from.
    const accuracy = async (illumination: PreprocessingConfig['illumination']) => {
      const config: PreprocessingConfig = { inputSize: [64, 64], channels: 1, normalization: 'standardize', illumination };
      const best = tf.tidy(() => {
        const features = (set: LabeledImage[]) => {
          const x = tf.reshape(preprocessBatch(set.map((d) => d.image), config), [set.length, -1]);
          return tf.div(x, tf.norm(x, 2, 1, true));
        };
        const f = features(orl.train);
        const means = tf.stack(labels.map((l) => tf.mean(tf.gather(f, orl.train.flatMap((d, i) => (d.label === l ? [i] : []))), 0)));
        return tf.argMax(tf.matMul(features(test), means, false, true), 1);
      });
      const predicted = await best.data();
      best.dispose();
      return test.filter((d, i) => labels[predicted[i]!] === d.label).length / test.length;
    };
    const [withDefault, withPublished] = [await accuracy(DEFAULT_ILLUMINATION), await accuracy('tan-triggs')];
    console.log(`harsh side light, class means on pixels: default ${withDefault}, published ${withPublished}`);
    expect(withDefault).toBeGreaterThanOrEqual(withPublished + 0.04);
  }, 60_000);
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
