// Tests for illumination normalisation: histogram equalisation and CLAHE on known histograms, Tan–Triggs invariances.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { decodePnm } from '../../src/image/index.js';
import { clahe, equalizeHistogram, normalizeIllumination, tanTriggs, validateIlluminationStep } from '../../src/preprocess/index.js';
import { ORL_DIR } from '../helpers/datasets.js';
import { runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

/** A 4×4 one-channel image holding each of `levels` four times (row by row). */
const fourLevels = (levels: [number, number, number, number]): tf.Tensor3D =>
  tf.tensor3d(levels.flatMap((v) => [v, v, v, v]), [4, 4, 1]);

const flat = (values: unknown): number[] => (values as number[]).flat(Infinity as 1) as number[];

/** An ORL face (92×112 gray) as a float tensor. */
function orlFace(person: number, image: number): tf.Tensor3D {
  const raw = decodePnm(readFileSync(path.join(ORL_DIR, `s${person}`, `${image}.pgm`)));
  return tf.tensor3d(Float32Array.from(raw.data), [raw.height, raw.width, 1]);
}

/** Mean absolute difference of two tensors' values. */
async function meanAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))));
  const value = (await d.data())[0]!;
  d.dispose();
  return value;
}

describe('equalizeHistogram', () => {
  it('maps a known histogram to the equalised levels', async () => {
    const image = fourLevels([0, 50, 100, 200]);
    // cdf = 4, 8, 12, 16; cdf(min) = 4: round(255 · (cdf − 4) / 12).
    const { values, shape } = await runNoLeak(() => equalizeHistogram(image));
    expect(shape).toEqual([4, 4, 1]);
    expect(flat(values)).toEqual([0, 85, 170, 255].flatMap((v) => [v, v, v, v]));
    image.dispose();
  });

  it('stretches a dim two-level image to black and white and leaves a flat image unchanged', async () => {
    const dim = fourLevels([10, 10, 12, 12]);
    expect(new Set(flat((await runNoLeak(() => equalizeHistogram(dim))).values))).toEqual(new Set([0, 255]));
    const constant = tf.fill([3, 5, 1], 77) as tf.Tensor3D;
    expect(flat((await runNoLeak(() => equalizeHistogram(constant))).values).every((v) => v === 77)).toBe(true);
    tf.dispose([dim, constant]);
  });

  it('equalises each image of a batch and each channel on its own histogram', async () => {
    // Image 0, channel 0 has levels 0/50/100/200; channel 1 is flat; image 1 has only two levels.
    const a = tf.concat([fourLevels([0, 50, 100, 200]), tf.fill([4, 4, 1], 9)], 2);
    const b = tf.concat([fourLevels([30, 30, 40, 40]), fourLevels([30, 30, 40, 40])], 2);
    const batch = tf.stack([a, b]) as tf.Tensor4D;
    const { values } = await runNoLeak(() => equalizeHistogram(batch));
    const v = values as number[][][][];
    expect(v[0]![0]![0]).toEqual([0, 9]);
    expect(v[0]![3]![3]).toEqual([255, 9]);
    expect(v[1]![0]![0]).toEqual([0, 0]);
    expect(v[1]![3]![3]).toEqual([255, 255]);
    tf.dispose([a, b, batch]);
  });
});

describe('clahe', () => {
  it('with one tile and no effective clip limit is the plain equalisation table 255 · cdf / N', async () => {
    const image = fourLevels([0, 50, 100, 200]);
    const { values } = await runNoLeak(() => clahe(image, { grid: [1, 1], clipLimit: 1000 }));
    const expected = [63.75, 127.5, 191.25, 255].flatMap((v) => [v, v, v, v]);
    flat(values).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
    image.dispose();
  });

  it('clips each bin at clipLimit × the mean count and spreads the excess over all 256 levels', async () => {
    const image = fourLevels([0, 50, 100, 200]);
    // 16 pixels: the limit is max(1, 16/256) = 1 count per bin, so each 4-count bin keeps 1 and 3 × 4 = 12
    // counts are spread, 12/256 per level. cdf(v) = (bins present ≤ v) + (v + 1) · 12/256.
    const { values } = await runNoLeak(() => clahe(image, { grid: [1, 1], clipLimit: 1 }));
    const table = (present: number, v: number) => ((present + ((v + 1) * 12) / 256) / 16) * 255;
    const expected = [table(1, 0), table(2, 50), table(3, 100), table(4, 200)].flatMap((v) => [v, v, v, v]);
    flat(values).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
    image.dispose();
  });

  it('stretches a low-contrast image less the lower the clip limit', async () => {
    // 32×32 levels 100..115: plain equalisation would spread them over 0..255.
    const image = tf.tensor3d(Float32Array.from({ length: 32 * 32 }, (_, i) => 100 + ((i * 7) % 16)), [32, 32, 1]);
    const spread = async (clipLimit: number) => {
      const { values } = await runNoLeak(() => clahe(image, { grid: [2, 2], clipLimit }));
      const v = flat(values);
      return Math.max(...v) - Math.min(...v);
    };
    const [low, mid, high] = [await spread(1), await spread(4), await spread(100)];
    expect(low).toBeLessThan(mid);
    expect(mid).toBeLessThan(high);
    expect(high).toBeGreaterThan(200);
    expect(low).toBeLessThan(60);
    image.dispose();
  });

  it('equalises each region: a dark half and a bright half both reach a wide range', async () => {
    // Left half dim texture (20..35), right half bright texture (200..215).
    const values = Float32Array.from({ length: 32 * 32 }, (_, i) => ((i % 32) < 16 ? 20 : 200) + ((i * 5) % 16));
    const image = tf.tensor3d(values, [32, 32, 1]);
    const { values: out } = await runNoLeak(() => clahe(image, { grid: [4, 4], clipLimit: 40 }));
    const rows = out as number[][][];
    const range = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const left = rows.flatMap((r) => r.slice(0, 8).map((p) => p[0]!));
    const right = rows.flatMap((r) => r.slice(24).map((p) => p[0]!));
    expect(range(left)).toBeGreaterThan(150);
    expect(range(right)).toBeGreaterThan(150);
    image.dispose();
  });

  it('refuses a bad clip limit or grid', () => {
    const image = tf.zeros([8, 8, 1]) as tf.Tensor3D;
    expect(thrown(() => clahe(image, { clipLimit: 0 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => clahe(image, { grid: [9, 1] })).argument).toBe('grid');
    expect(thrown(() => clahe(image, { grid: [1.5, 2] as unknown as [number, number] })).argument).toBe('grid');
    image.dispose();
  });
});

describe('tanTriggs', () => {
  it('gives nearly the same output for a face and the same face under a smooth illumination field', async () => {
    const face = orlFace(1, 1);
    const other = orlFace(2, 1);
    const [h, w] = face.shape;
    // Light falling off from the right to the left (×1 to ×0.15) and a little from top to bottom.
    const field = tf.tensor3d(
      Float32Array.from({ length: h * w }, (_, i) => (0.15 + 0.85 * ((i % w) / (w - 1))) * (1 - 0.3 * (Math.floor(i / w) / (h - 1)))),
      [h, w, 1],
    );
    const shaded = tf.mul(face, field) as tf.Tensor3D;
    const [a, b, c] = [tanTriggs(face), tanTriggs(shaded), tanTriggs(other)];
    const sameFace = await meanAbsDiff(a, b);
    const otherFace = await meanAbsDiff(a, c);
    // The same comparison on per-image standardised pixels, which only remove global brightness and contrast.
    const standardized = (t: tf.Tensor) => tf.tidy(() => tf.div(tf.sub(t, tf.mean(t)), tf.sqrt(tf.moments(t).variance)));
    const [sa, sb, sc] = [standardized(face), standardized(shaded), standardized(other)];
    const plainSame = await meanAbsDiff(sa, sb);
    const plainOther = await meanAbsDiff(sa, sc);
    // Tan–Triggs: the shaded copy is much closer to the face than another person is; plain pixels: it is not.
    expect(sameFace).toBeLessThan(0.4 * otherFace);
    expect(plainSame).toBeGreaterThan(0.6 * plainOther);
    tf.dispose([face, other, field, shaded, a, b, c, sa, sb, sc]);
  });

  it('ignores a global change of brightness and keeps the input shape', async () => {
    const face = orlFace(3, 2);
    const darker = tf.mul(face, 0.2) as tf.Tensor3D;
    const [a, b] = [tanTriggs(face), tanTriggs(darker)];
    expect(a.shape).toEqual(face.shape);
    expect(await meanAbsDiff(a, b)).toBeLessThan(1e-3);
    tf.dispose([face, darker, a, b]);
  });

  it('turns a constant image into zeros, and a black one too (finite, no NaN)', async () => {
    for (const level of [0, 128]) {
      const constant = tf.fill([16, 12, 1], level) as tf.Tensor3D;
      const values = flat((await runNoLeak(() => tanTriggs(constant))).values);
      expect(values.every((v) => Number.isFinite(v) && Math.abs(v) < 1e-6)).toBe(true);
      constant.dispose();
    }
  });

  it('stays within [−tau, tau], handles a batch and images smaller than the filter', async () => {
    const noise = tf.tensor4d(Float32Array.from({ length: 2 * 5 * 4 * 3 }, (_, i) => (i * 37) % 256), [2, 5, 4, 3]);
    const { values, shape } = await runNoLeak(() => tanTriggs(noise, { tau: 2 }));
    expect(shape).toEqual([2, 5, 4, 3]);
    expect(flat(values).every((v) => Number.isFinite(v) && Math.abs(v) <= 2)).toBe(true);
    noise.dispose();
  });

  it('refuses bad parameters', () => {
    const image = tf.zeros([8, 8, 1]) as tf.Tensor3D;
    expect(thrown(() => tanTriggs(image, { gamma: 0 })).argument).toBe('gamma');
    expect(thrown(() => tanTriggs(image, { sigma0: 2, sigma1: 1 })).argument).toBe('sigma1');
    expect(thrown(() => tanTriggs(image, { tau: -1 })).argument).toBe('tau');
    image.dispose();
  });
});

describe('normalizeIllumination', () => {
  it('runs the named method and refuses an unknown one', async () => {
    const image = fourLevels([0, 50, 100, 200]);
    const { values } = await runNoLeak(() => normalizeIllumination(image, 'equalize'));
    expect(flat(values)[15]).toBe(255);
    expect(thrown(() => normalizeIllumination(image, 'retinex' as 'clahe')).argument).toBe('illumination');
    image.dispose();
  });

  it('runs a step with parameters exactly as the function with those options, a bare name with the defaults', async () => {
    const face = orlFace(1, 1);
    const { values: stepped } = await runNoLeak(() => normalizeIllumination(face, { method: 'tan-triggs', sigma1: 4 }));
    const { values: direct } = await runNoLeak(() => tanTriggs(face, { sigma1: 4 }));
    const { values: published } = await runNoLeak(() => normalizeIllumination(face, 'tan-triggs'));
    const { values: defaults } = await runNoLeak(() => tanTriggs(face));
    expect(stepped).toEqual(direct);
    expect(published).toEqual(defaults);
    expect(stepped).not.toEqual(published);
    const { values: tiles } = await runNoLeak(() => normalizeIllumination(face, { method: 'clahe', grid: [2, 2], clipLimit: 3 }));
    const { values: tilesDirect } = await runNoLeak(() => clahe(face, { grid: [2, 2], clipLimit: 3 }));
    expect(tiles).toEqual(tilesDirect);
    face.dispose();
  });
});

describe('validateIlluminationStep', () => {
  it('returns a fresh copy of a method name or a step with parameters', () => {
    expect(validateIlluminationStep('clahe', 'x')).toBe('clahe');
    const step = { method: 'tan-triggs', sigma1: 4, gamma: 0.2 };
    const copy = validateIlluminationStep(JSON.parse(JSON.stringify(step)), 'x');
    expect(copy).toEqual(step);
    expect(validateIlluminationStep({ method: 'clahe', grid: [2, 3] }, 'x')).toEqual({ method: 'clahe', grid: [2, 3] });
    expect(validateIlluminationStep({ method: 'equalize' }, 'x')).toEqual({ method: 'equalize' });
  });

  it('names the bad field: method, a parameter out of range, one the method does not have', () => {
    expect(thrown(() => validateIlluminationStep('retinex', 'r.illumination')).argument).toBe('r.illumination');
    expect(thrown(() => validateIlluminationStep({ method: 'retinex' }, 'r.illumination')).argument).toBe('r.illumination.method');
    expect(thrown(() => validateIlluminationStep({ method: 'tan-triggs', sigma1: 0.5 }, 'r.illumination')).argument).toBe('r.illumination.sigma1');
    expect(thrown(() => validateIlluminationStep({ method: 'tan-triggs', gamma: 2 }, 'r.illumination')).argument).toBe('r.illumination.gamma');
    expect(thrown(() => validateIlluminationStep({ method: 'tan-triggs', clipLimit: 2 }, 'r.illumination')).argument).toBe('r.illumination.clipLimit');
    expect(thrown(() => validateIlluminationStep({ method: 'clahe', grid: [0, 2] }, 'r.illumination')).argument).toBe('r.illumination.grid');
    expect(thrown(() => validateIlluminationStep({ method: 'equalize', sigma1: 2 }, 'r.illumination')).argument).toBe('r.illumination.sigma1');
    expect(thrown(() => validateIlluminationStep(7, 'r.illumination')).argument).toBe('r.illumination');
  });
});
