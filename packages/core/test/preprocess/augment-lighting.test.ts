// Tests for lighting augmentation (gamma, directional shading, cast shadows): exact values, seeding, old streams kept.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { augmentBatch, augmentationPresets, validateAugmentationConfig } from '../../src/preprocess/index.js';
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

  it('is seeded: the same seed gives the same batch, another seed another; values stay in 0..max', async () => {
    const batch = pixels(4, 16, 16);
    const config = augmentationPresets.lighting;
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

  it('refuses out-of-range lighting fields', () => {
    expect(thrown(() => validateAugmentationConfig({ shading: 1 }, 'aug')).argument).toBe('aug.shading');
    expect(thrown(() => validateAugmentationConfig({ shadow: -0.1 }, 'aug')).argument).toBe('aug.shadow');
    expect(thrown(() => validateAugmentationConfig({ gamma: Number.NaN }, 'aug')).argument).toBe('aug.gamma');
    expect(validateAugmentationConfig({ gamma: 0.5, shading: 0.5, shadow: 0.5 }, 'aug')).toEqual({ gamma: 0.5, shading: 0.5, shadow: 0.5 });
  });
});
