// Tests for lighting augmentation (gamma, directional shading, cast shadows, point light, camera noise): exact values, seeding, old streams kept.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { augmentBatch, augmentationPresets, validateAugmentationConfig } from '../../src/preprocess/index.js';
import { pointLightField } from '../../src/preprocess/augment-lighting.js';
import { createRandom, type Random } from '../../src/random/index.js';
import { runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

/** A Random whose `next()` is always `value` and whose `uniform(min, max)` is always max. */
function fixedRandom(value: number): Random {
  const random: Random = {
    next: () => value,
    uniform: (_min, max) => max,
    int: () => 0,
    normal: () => 0,
    shuffle: (items) => items,
    fork: () => random,
  };
  return random;
}

/** n images of h×w×1 pixels in 0..255 with different content. */
function pixels(n: number, h: number, w: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: n * h * w }, (_, i) => (i * 97) % 256), [n, h, w, 1]);
}

const column = (values: unknown, x: number): number[] => (values as number[][][][])[0]!.map((row) => row[x]![0]!);

describe('lighting augmentation', () => {
  it('gamma raises pixels to the drawn power relative to the image maximum', async () => {
    const batch = tf.tensor4d([0, 64, 128, 255], [1, 2, 2, 1]);
    // uniform → max: gamma = exp(ln(1 + 1)) = 2.
    const { values } = await runNoLeak(() => augmentBatch(batch, { gamma: 1 }, fixedRandom(0.5)));
    const out = (values as number[][][][])[0]!.flat(2);
    [0, 64, 128, 255].forEach((v, i) => expect(out[i]).toBeCloseTo(255 * (v / 255) ** 2, 2));
    batch.dispose();
  });

  it('shading darkens the side away from the light linearly, down to 1 − strength', async () => {
    const batch = tf.fill([1, 3, 5, 1], 100) as tf.Tensor4D;
    // next() = 0.5: strength 0.5 × 0.8 = 0.4, light from angle π (the left).
    const { values } = await runNoLeak(() => augmentBatch(batch, { shading: 0.8 }, fixedRandom(0.5)));
    const rows = values as number[][][][];
    expect(column(values, 0).every((v) => Math.abs(v - 100) < 1e-3)).toBe(true);
    expect(column(values, 2).every((v) => Math.abs(v - 80) < 1e-3)).toBe(true);
    expect(column(values, 4).every((v) => Math.abs(v - 60) < 1e-3)).toBe(true);
    expect(rows[0]!.length).toBe(3);
    batch.dispose();
  });

  it('a cast shadow takes up to its depth of the light on one side, with a soft edge', async () => {
    const batch = tf.fill([1, 4, 21, 1], 100) as tf.Tensor4D;
    // Depth 0.5 × 0.6 = 0.3, edge normal towards the left, edge at u = −0.6 (uniform → its max 0.6).
    const { values } = await runNoLeak(() => augmentBatch(batch, { shadow: 0.6 }, fixedRandom(0.5)));
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    expect(column(values, 0)[0]).toBeCloseTo(100 * (1 - 0.3 * sigmoid((1 - 0.6) / 0.1)), 3);
    expect(column(values, 20)[0]).toBeCloseTo(100, 3);
    // Monotone from the shadowed left to the lit right.
    const row = (values as number[][][][])[0]![0]!.map((p) => p[0]!);
    row.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(row[i]! - 1e-4));
    batch.dispose();
  });

  it('keeps the default preset free of the point lamp, which only the opt-in harsh-light preset adds', () => {
    // A lamp and noise in the default broke short, tiny trainings (the web demo's 16×16 CNN, ORL after 20 epochs).
    expect(augmentationPresets.lighting.lightAngle).toBeUndefined();
    expect(augmentationPresets.lighting.noise).toBeUndefined();
    const harsh = augmentationPresets['harsh-light'];
    expect(validateAugmentationConfig(harsh, 'harsh-light')).toEqual({ ...augmentationPresets.lighting, lightAngle: 70, noise: 2 });
    expect(Object.isFrozen(harsh)).toBe(true);
  });

  it.each(['lighting', 'harsh-light'] as const)('is seeded with the %s preset: the same seed gives the same batch, another seed another; values stay in 0..max', async (preset) => {
    const batch = pixels(4, 16, 16);
    const config = augmentationPresets[preset];
    const a = await runNoLeak(() => augmentBatch(batch, config, createRandom(3)));
    const b = await runNoLeak(() => augmentBatch(batch, config, createRandom(3)));
    const c = await runNoLeak(() => augmentBatch(batch, config, createRandom(4)));
    expect(a.values).toEqual(b.values);
    expect(a.values).not.toEqual(c.values);
    // The preset's contrast may stretch past 255 a little; lighting itself never adds light.
    const lightOnly = await runNoLeak(() => augmentBatch(batch, { gamma: 0.5, shading: 0.9, shadow: 0.9 }, createRandom(5)));
    const flat = (lightOnly.values as number[][][][]).flat(3);
    expect(Math.min(...flat)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...flat)).toBeLessThanOrEqual(255 + 1e-3);
    batch.dispose();
  });

  it('leaves configs without lighting drawing exactly what they drew before (same batch, same stream)', async () => {
    const batch = pixels(3, 8, 8);
    const r1 = createRandom(9);
    const r2 = createRandom(9);
    const plain = await runNoLeak(() => augmentBatch(batch, { rotate: 10, contrast: 0.2 }, r1));
    const zero = await runNoLeak(() => augmentBatch(batch, { rotate: 10, contrast: 0.2, gamma: 0, shading: 0, shadow: 0 }, r2));
    expect(zero.values).toEqual(plain.values);
    expect(r1.next()).toBe(r2.next());
    // With lighting: 6 more draws per image.
    const r3 = createRandom(9);
    const r4 = createRandom(9);
    await runNoLeak(() => augmentBatch(batch, { rotate: 10, shadow: 0.5 }, r3));
    for (let i = 0; i < 3 * 14; i++) r4.next();
    expect(r3.next()).toBe(r4.next());
    batch.dispose();
  });

  it('a point light far to the side leaves the far half of the face in shadow; one on the camera axis changes nothing', () => {
    // From the right (azimuth 0), 90° off the camera axis, 5% ambient, on a 9×9 face (column 4 is the middle).
    const side = pointLightField({ polar: Math.PI / 2, azimuth: 0, ambient: 0.05 }, 9, 9);
    for (let y = 2; y < 7; y++) {
      // Inside the face (|u| ≤ 0.75) the far half keeps about the ambient share of its front light.
      for (let x = 1; x < 4; x++) expect(side[y * 9 + x]!).toBeLessThan(0.12);
      for (let x = 5; x < 9; x++) expect(side[y * 9 + x]!).toBeGreaterThanOrEqual(side[y * 9 + x - 1]!);
      expect(side[y * 9 + 8]).toBeCloseTo(1, 6);
    }
    // A ratio to the front light the photo already has: from the front, every factor is 1.
    const front = pointLightField({ polar: 0, azimuth: 0, ambient: 0.05 }, 9, 9);
    front.forEach((v) => expect(v).toBeCloseTo(1, 6));
    // Never adds light.
    const low = pointLightField({ polar: Math.PI / 3, azimuth: 2, ambient: 0.02 }, 9, 9);
    low.forEach((v) => expect(v).toBeLessThanOrEqual(1));
  });

  it('lightAngle draws point lights all round, up to the given angle, and keeps every value within 0..max', async () => {
    const batch = pixels(8, 16, 16);
    const { values } = await runNoLeak(() => augmentBatch(batch, { lightAngle: 90 }, createRandom(2)));
    const images = values as number[][][][];
    const flat = images.flat(3);
    expect(Math.min(...flat)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...flat)).toBeLessThanOrEqual(255 + 1e-3);
    // Each image lost light; the left/right balance differs between images (lights from different sides).
    const balance = images.map((img) => {
      const half = (from: number) => img.reduce((a, row) => a + row.slice(from, from + 8).reduce((b, p) => b + p[0]!, 0), 0);
      return half(8) / Math.max(half(0), 1e-6);
    });
    expect(Math.max(...balance) / Math.min(...balance)).toBeGreaterThan(1.5);
    batch.dispose();
  });

  it('noise adds seeded camera noise and rounds to 256 levels of the image range, as a photo has', async () => {
    const batch = tf.fill([2, 8, 8, 1], 100.3) as tf.Tensor4D;
    const a = await runNoLeak(() => augmentBatch(batch, { noise: 4 }, createRandom(1)));
    const b = await runNoLeak(() => augmentBatch(batch, { noise: 4 }, createRandom(1)));
    expect(a.values).toEqual(b.values);
    const flat = (a.values as number[][][][]).flat(3);
    // Levels of 0..255 relative to the maximum (100.3): v · 255 / 100.3 is an integer.
    flat.forEach((v) => expect(Math.abs((v * 255) / 100.3 - Math.round((v * 255) / 100.3))).toBeLessThan(1e-3));
    expect(new Set(flat).size).toBeGreaterThan(3);
    batch.dispose();
  });

  it('draws 4 more numbers per image with lightAngle or noise, none more without them', async () => {
    const batch = pixels(3, 8, 8);
    const r1 = createRandom(9);
    const r2 = createRandom(9);
    await runNoLeak(() => augmentBatch(batch, { rotate: 10, shadow: 0.5, lightAngle: 60 }, r1));
    for (let i = 0; i < 3 * 18; i++) r2.next();
    expect(r1.next()).toBe(r2.next());
    batch.dispose();
  });

  it('refuses out-of-range lighting fields', () => {
    expect(thrown(() => validateAugmentationConfig({ lightAngle: 91 }, 'aug')).argument).toBe('aug.lightAngle');
    expect(thrown(() => validateAugmentationConfig({ noise: Number.POSITIVE_INFINITY }, 'aug')).argument).toBe('aug.noise');
    expect(thrown(() => validateAugmentationConfig({ shading: 1 }, 'aug')).argument).toBe('aug.shading');
    expect(thrown(() => validateAugmentationConfig({ shadow: -0.1 }, 'aug')).argument).toBe('aug.shadow');
    expect(thrown(() => validateAugmentationConfig({ gamma: Number.NaN }, 'aug')).argument).toBe('aug.gamma');
    expect(validateAugmentationConfig({ gamma: 0.5, shading: 0.5, shadow: 0.5 }, 'aug')).toEqual({ gamma: 0.5, shading: 0.5, shadow: 0.5 });
  });
});
