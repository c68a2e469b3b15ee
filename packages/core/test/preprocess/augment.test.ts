// Tests for augmentBatch: seeded reproducibility, exact geometric cases (flip, 90° turn, shift) and photometric jitter.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { augmentBatchUsing, type AugmentationImplementation } from '../../src/preprocess/augment.js';
import { augmentBatch, augmentationPresets, validateAugmentationConfig } from '../../src/preprocess/index.js';
import { createRandom, type Random } from '../../src/random/index.js';
import { expectClose, runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

/** n images of h×w×c in 0..1 with different, non-symmetric content. */
function makeBatch(n: number, h: number, w: number, c = 1): tf.Tensor4D {
  const values = new Float32Array(n * h * w * c);
  for (let i = 0; i < values.length; i++) {
    const s = Math.sin(i * 12.9898) * 43758.5453; // a cheap hash: fractional parts look random
    values[i] = s - Math.floor(s);
  }
  return tf.tensor4d(values, [n, h, w, c]);
}

/** A Random whose every draw is fixed: `next()` = `flipDraw`, `uniform(min, max)` = max (so each range's maximum). */
function fixedRandom(flipDraw: number): Random {
  const random: Random = {
    next: () => flipDraw,
    uniform: (_min, max) => max,
    int: () => 0,
    normal: () => 0,
    shuffle: (items) => items,
    fork: () => random,
  };
  return random;
}

type Config = Parameters<typeof augmentBatch>[1];
const augment = (batch: tf.Tensor4D, config: Config, random: Random, implementation: AugmentationImplementation = 'auto') =>
  runNoLeak(() => augmentBatchUsing(batch, config, random, implementation));

describe('augmentBatch', () => {
  it('gives identical batches for the same seed and different ones for another seed', async () => {
    const batch = makeBatch(4, 16, 16);
    const a = await augment(batch, augmentationPresets.faces, createRandom(7));
    const b = await augment(batch, augmentationPresets.faces, createRandom(7));
    const c = await augment(batch, augmentationPresets.faces, createRandom(8));
    expect(a.values).toEqual(b.values);
    expect(a.values).not.toEqual(c.values);
    batch.dispose();
  });

  it('keeps shape, makes float32 and keeps unit-range values within the documented bound', async () => {
    const batch = tf.tidy(() => tf.cast(tf.mul(makeBatch(3, 12, 10, 3), 255), 'int32')) as tf.Tensor4D;
    const out = await augment(batch, { flip: true, rotate: 20 }, createRandom(1));
    expect(out.shape).toEqual([3, 12, 10, 3]);
    expect(out.dtype).toBe('float32');
    const unit = makeBatch(8, 16, 16);
    const { values } = await augment(unit, augmentationPresets.faces, createRandom(3));
    const flat = (values as number[][][][]).flat(3);
    // |Δ| ≤ brightness + contrast·|x − mean| ≤ 0.1 + 0.2 for 0..1 data.
    expect(Math.min(...flat)).toBeGreaterThanOrEqual(-0.3);
    expect(Math.max(...flat)).toBeLessThanOrEqual(1.3);
    expect(flat.every(Number.isFinite)).toBe(true);
    tf.dispose([batch, unit]);
  });

  it('returns the input unchanged when nothing is enabled', async () => {
    const batch = makeBatch(3, 8, 8);
    const expected = batch.arraySync();
    const zero = { flip: false, rotate: 0, shear: 0, zoom: 0, shift: 0, brightness: 0, contrast: 0 };
    expect((await augment(batch, {}, createRandom(1))).values).toEqual(expected);
    expect((await augment(batch, zero, createRandom(1))).values).toEqual(expected);
    expect(batch.isDisposed).toBe(false);
    batch.dispose();
  });

  it('draws the same geometry whatever photometric jitter is enabled', async () => {
    const batch = makeBatch(4, 8, 8);
    const plain = await augment(batch, { rotate: 10, flip: true }, createRandom(5));
    const jittered = await augment(batch, { rotate: 10, flip: true, brightness: 0.1 }, createRandom(5));
    const a = plain.values as number[][][][];
    const b = jittered.values as number[][][][];
    a.forEach((image, i) => {
      const diffs = image.flat(2).map((x, j) => b[i]!.flat(2)[j]! - x);
      expect(Math.max(...diffs) - Math.min(...diffs)).toBeLessThan(1e-5);
    });
    batch.dispose();
  });

  it('validates its arguments', () => {
    const batch = makeBatch(1, 4, 4);
    const image = tf.zeros([4, 4, 1]);
    expect(thrown(() => augmentBatch(image as unknown as tf.Tensor4D, {}, createRandom(1))).argument).toBe('batch');
    expect(thrown(() => augmentBatch(batch, { rotate: -1 }, createRandom(1))).argument).toBe('augmentation.rotate');
    expect(thrown(() => augmentBatch(batch, { zoom: 1 }, createRandom(1))).argument).toBe('augmentation.zoom');
    expect(thrown(() => augmentBatch(batch, { blur: 1 } as never, createRandom(1))).argument).toBe('augmentation.blur');
    expect(thrown(() => augmentBatch(batch, {}, undefined as unknown as Random))).toBeInstanceOf(InvalidArgumentError);
    tf.dispose([batch, image]);
  });
});

describe('augmentation config', () => {
  it('the faces preset is valid and frozen', () => {
    expect(validateAugmentationConfig(augmentationPresets.faces, 'faces')).toEqual({
      flip: true, rotate: 10, shear: 8, zoom: 0.1, shift: 0.08, brightness: 0.1, contrast: 0.2,
    });
    expect(Object.isFrozen(augmentationPresets.faces)).toBe(true);
  });

  it('names bad fields', () => {
    expect(thrown(() => validateAugmentationConfig({ flip: 'yes' }, 'aug')).argument).toBe('aug.flip');
    expect(thrown(() => validateAugmentationConfig({ shear: 60 }, 'aug')).argument).toBe('aug.shear');
    expect(thrown(() => validateAugmentationConfig({ brightness: Number.POSITIVE_INFINITY }, 'aug')).argument).toBe('aug.brightness');
    expect(thrown(() => validateAugmentationConfig(null, 'aug')).argument).toBe('aug');
  });
});

// The cpu backend normally runs the plain-JS implementation; both are checked here against the same hand-worked cases.
describe.each<AugmentationImplementation>(['js', 'ops'])('augmentBatch exact cases (%s implementation)', (implementation) => {
  it('flip alone mirrors some images exactly and leaves the others untouched', async () => {
    const batch = makeBatch(8, 5, 7, 2);
    const original = batch.arraySync();
    const mirrored = tf.tidy(() => tf.reverse(batch, 2).arraySync());
    const { values } = await augment(batch, { flip: true }, createRandom(11), implementation);
    const out = values as number[][][][];
    const flipped = out.map((image, i) => {
      if (JSON.stringify(image) === JSON.stringify(mirrored[i])) return true;
      expect(image).toEqual(original[i]);
      return false;
    });
    expect(flipped).toContain(true);
    expect(flipped).toContain(false);
    // With flipDraw < 0.5 every image is flipped.
    expect((await augment(batch, { flip: true }, fixedRandom(0.25), implementation)).values).toEqual(mirrored);
    batch.dispose();
  });

  it('rotate 90 turns every image of a batch a quarter clockwise (all images, not just the first)', async () => {
    const batch = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19], [2, 3, 3, 1]);
    const out = await augment(batch, { rotate: 90 }, fixedRandom(0.75), implementation);
    const turn = (o: number) => [[7, 4, 1], [8, 5, 2], [9, 6, 3]].map((row) => row.map((x) => [x + o]));
    expectClose(out.values, [turn(0), turn(10)], 1e-4);
    batch.dispose();
  });

  it('shift moves the content and repeats the edge pixels into the uncovered border', async () => {
    const batch = tf.tensor4d([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4], [1, 4, 4, 1]);
    // 0.5 of 4 pixels = 2 pixels right and down; 'nearest' fill repeats column 0 (reflect would give 2, 1).
    const out = await augment(batch, { shift: 0.5 }, fixedRandom(0.75), implementation);
    expectClose(out.values, [Array.from({ length: 4 }, () => [[1], [1], [1], [2]])], 1e-5);
    batch.dispose();
  });

  it('brightness adds and contrast scales around each image mean', async () => {
    const batch = tf.tensor4d([0.2, 0.4, 0.6, 0.8, 0, 0, 0, 1], [2, 2, 2, 1]);
    const bright = await augment(batch, { brightness: 0.1 }, fixedRandom(0.75), implementation);
    expectClose(bright.values, [[[[0.3], [0.5]], [[0.7], [0.9]]], [[[0.1], [0.1]], [[0.1], [1.1]]]], 1e-6);
    const contrast = await augment(batch, { contrast: 0.5 }, fixedRandom(0.75), implementation);
    // Factor 1.5 around means 0.5 and 0.25.
    expectClose(contrast.values, [[[[0.05], [0.35]], [[0.65], [0.95]]], [[[-0.125], [-0.125]], [[-0.125], [1.375]]]], 1e-6);
    batch.dispose();
  });
});

describe('augmentBatch implementations', () => {
  it('plain JS and tensor ops agree on a random RGB batch', async () => {
    const batch = makeBatch(6, 20, 16, 3);
    const js = await augment(batch, augmentationPresets.faces, createRandom(21), 'js');
    const ops = await augment(batch, augmentationPresets.faces, createRandom(21), 'ops');
    expectClose(js.values, ops.values, 1e-4);
    batch.dispose();
  });

  it('auto picks the plain-JS implementation on the cpu backend', async () => {
    const batch = makeBatch(2, 8, 8);
    const auto = await runNoLeak(() => augmentBatch(batch, augmentationPresets.faces, createRandom(4)));
    expect(auto.values).toEqual((await augment(batch, augmentationPresets.faces, createRandom(4), 'js')).values);
    batch.dispose();
  });
});
