// Tests for centerCrop and cropBox: windows, odd margins, clipping, rounding and empty-box errors.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { centerCrop, cropBox } from '../../src/preprocess/index.js';
import { runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

// A 4×6 image whose pixel at row r, column c holds 10 r + c.
const grid = () =>
  tf.tensor3d(Array.from({ length: 4 }, (_, r) => Array.from({ length: 6 }, (_, c) => [10 * r + c])));

describe('centerCrop', () => {
  it('keeps a fraction of each side around the centre', async () => {
    const image = grid();
    // 0.5 → 2×3; top = (4 − 2)/2 = 1, left = floor((6 − 3)/2) = 1.
    const out = await runNoLeak(() => centerCrop(image, { fraction: 0.5 }));
    expect(out.shape).toEqual([2, 3, 1]);
    expect(out.values).toEqual([[[11], [12], [13]], [[21], [22], [23]]]);
    image.dispose();
  });

  it('keeps an exact size, on every image of a batch', async () => {
    const batch = tf.tidy(() => tf.stack([grid(), tf.add(grid(), 100)])) as tf.Tensor4D;
    const out = await runNoLeak(() => centerCrop(batch, { size: [2, 2] }));
    expect(out.shape).toEqual([2, 2, 2, 1]);
    expect(out.values).toEqual([
      [[[12], [13]], [[22], [23]]],
      [[[112], [113]], [[122], [123]]],
    ]);
    batch.dispose();
  });

  it('fraction 1 returns the whole image', async () => {
    const image = grid();
    expect((await runNoLeak(() => centerCrop(image, { fraction: 1 }))).values).toEqual(image.arraySync());
    image.dispose();
  });

  it('rejects fractions outside (0, 1] and sizes larger than the image', () => {
    const image = grid();
    expect(thrown(() => centerCrop(image, { fraction: 0 })).argument).toBe('fraction');
    expect(thrown(() => centerCrop(image, { fraction: 1.5 })).argument).toBe('fraction');
    const big = thrown(() => centerCrop(image, { size: [5, 2] }));
    expect(big).toBeInstanceOf(InvalidArgumentError);
    expect(big.message).toMatch(/larger/);
    image.dispose();
  });
});

describe('cropBox', () => {
  it('cuts a box inside the image', async () => {
    const image = grid();
    const out = await runNoLeak(() => cropBox(image, { x: 1, y: 2, width: 3, height: 2 }));
    expect(out.values).toEqual([[[21], [22], [23]], [[31], [32], [33]]]);
    image.dispose();
  });

  it('clips a box running off the bottom-right and top-left edges', async () => {
    const image = grid();
    expect((await runNoLeak(() => cropBox(image, { x: 4, y: 2, width: 5, height: 5 }))).values).toEqual([
      [[24], [25]],
      [[34], [35]],
    ]);
    expect((await runNoLeak(() => cropBox(image, { x: -2, y: -1, width: 4, height: 3 }))).values).toEqual([
      [[0], [1]],
      [[10], [11]],
    ]);
    image.dispose();
  });

  it('rounds fractional edges to the nearest pixel', async () => {
    const image = grid();
    // Columns round(0.6) = 1 .. round(2.4) = 2, rows round(0.4) = 0 .. round(1.6) = 2.
    const out = await runNoLeak(() => cropBox(image, { x: 0.6, y: 0.4, width: 1.8, height: 1.2 }));
    expect(out.values).toEqual([[[1]], [[11]]]);
    image.dispose();
  });

  it('throws for a box outside the image, an empty box or non-finite fields', () => {
    const image = grid();
    const outside = thrown(() => cropBox(image, { x: 10, y: 0, width: 3, height: 2 }));
    expect(outside).toBeInstanceOf(InvalidArgumentError);
    expect(outside.argument).toBe('box');
    expect(outside.message).toMatch(/no pixel/);
    expect(thrown(() => cropBox(image, { x: 1, y: 1, width: 0, height: 2 })).argument).toBe('box');
    expect(thrown(() => cropBox(image, { x: 1, y: 1, width: -3, height: 2 })).argument).toBe('box');
    expect(thrown(() => cropBox(image, { x: Number.NaN, y: 1, width: 3, height: 2 })).argument).toBe('box.x');
    image.dispose();
  });
});
