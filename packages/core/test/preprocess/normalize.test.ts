// Tests for normalize: unit scaling and per-image standardisation against hand-computed mean and std.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { normalize } from '../../src/preprocess/index.js';
import { expectClose, runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

// [1, 2, 3, 4]: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25, std √1.25 = 1.118034.
const z = [-1.5, -0.5, 0.5, 1.5].map((d) => d / Math.sqrt(1.25));
// [0, 0, 0, 1]: mean 0.25, std √0.1875 = 0.433 < 1/√4 = 0.5, so the floor 0.5 divides.
const floored = [-0.5, -0.5, -0.5, 1.5];

describe('normalize', () => {
  it("'unit' divides by 255", async () => {
    const image = tf.tensor3d([[[0], [51], [255]]], [1, 3, 1], 'int32');
    const out = await runNoLeak(() => normalize(image, 'unit'));
    expect(out.dtype).toBe('float32');
    expectClose(out.values, [[[0], [0.2], [1]]], 1e-6);
    image.dispose();
  });

  it("'standardize' subtracts the mean and divides by the std", async () => {
    const image = tf.tensor3d([[[1], [2]], [[3], [4]]]);
    expectClose((await runNoLeak(() => normalize(image, 'standardize'))).values, [[[z[0]], [z[1]]], [[z[2]], [z[3]]]], 1e-5);
    image.dispose();
  });

  it("'standardize' uses 1/√N when the std is smaller", async () => {
    // Also over channels: one pixel with 4 channels has N = 4 samples.
    const image = tf.tensor3d([[[0, 0, 0, 1]]]);
    expectClose((await runNoLeak(() => normalize(image, 'standardize'))).values, [[floored]], 1e-5);
    image.dispose();
  });

  it("'standardize' uses each image's own statistics in a batch", async () => {
    const batch = tf.tensor4d([[[[1], [2]], [[3], [4]]], [[[10], [20]], [[30], [40]]], [[[0], [0]], [[0], [1]]]]);
    const out = await runNoLeak(() => normalize(batch, 'standardize'));
    expect(out.shape).toEqual([3, 2, 2, 1]);
    const image = (v: number[]) => [[[v[0]], [v[1]]], [[v[2]], [v[3]]]];
    expectClose(out.values, [image(z), image(z), image(floored)], 1e-5);
    batch.dispose();
  });

  it("'none' returns a float copy", async () => {
    const image = tf.tensor3d([[[7]]], [1, 1, 1], 'int32');
    const out = await runNoLeak(() => normalize(image, 'none'));
    expect(out).toEqual({ shape: [1, 1, 1], dtype: 'float32', values: [[[7]]] });
    image.dispose();
  });

  it('rejects unknown modes', () => {
    const image = tf.zeros([1, 1, 1]) as tf.Tensor3D;
    const e = thrown(() => normalize(image, 'zscore' as 'unit'));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.argument).toBe('normalization');
    image.dispose();
  });
});
