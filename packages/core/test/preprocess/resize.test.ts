// Tests for resize: bilinear (half-pixel and aligned corners) and nearest values worked out by hand.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { resize } from '../../src/preprocess/index.js';
import { expectClose, runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

// f(x, y) = 10 x + 20 y on a 2×2 grid: bilinear interpolation reproduces a linear function exactly.
const square = () => tf.tensor3d([[[0], [10]], [[20], [30]]]);

describe('resize', () => {
  it('bilinear 2×2 → 4×4 with half-pixel centres', async () => {
    const input = square();
    const out = await runNoLeak(() => resize(input, [4, 4]));
    // Output column c samples x = (c + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25, clamped to 0..1: 0, 0.25, 0.75, 1.
    const v = [0, 2.5, 7.5, 10];
    expect(out.shape).toEqual([4, 4, 1]);
    expect(out.dtype).toBe('float32');
    expectClose(out.values, v.map((y) => v.map((x) => [x + 2 * y])));
    input.dispose();
  });

  it('bilinear 1×4 → 1×2 averages neighbour pairs', async () => {
    const input = tf.tensor3d([[[0], [10], [20], [30]]]);
    // Samples at x = 0.5 and 2.5.
    expectClose((await runNoLeak(() => resize(input, [1, 2]))).values, [[[5], [25]]]);
    input.dispose();
  });

  it('bilinear with aligned corners keeps the corner values', async () => {
    const input = square();
    const out = await runNoLeak(() => resize(input, [3, 3], { alignCorners: true }));
    expectClose(out.values, [[[0], [5], [10]], [[10], [15], [20]], [[20], [25], [30]]]);
    input.dispose();
  });

  it('nearest duplicates pixels when enlarging and picks every other one when shrinking', async () => {
    const input = square();
    const big = await runNoLeak(() => resize(input, [4, 4], { method: 'nearest' }));
    expect(big.values).toEqual([
      [[0], [0], [10], [10]],
      [[0], [0], [10], [10]],
      [[20], [20], [30], [30]],
      [[20], [20], [30], [30]],
    ]);
    const row = tf.tensor3d([[[1], [2], [3], [4]]], [1, 4, 1], 'int32');
    const small = await runNoLeak(() => resize(row, [1, 2], { method: 'nearest' }));
    expect(small.dtype).toBe('float32');
    expect(small.values).toEqual([[[2], [4]]]);
    tf.dispose([input, row]);
  });

  it('antialias averages blocks before shrinking instead of sampling 4 pixels', async () => {
    const spike = tf.tensor3d([[[0], [0], [0], [100], [0], [0], [0], [0]]]);
    // Plain bilinear samples x = 1.5 and 5.5 and misses the spike entirely.
    expectClose((await runNoLeak(() => resize(spike, [1, 2]))).values, [[[0], [0]]]);
    // Box filter over blocks of 4: means 25 and 0.
    expectClose((await runNoLeak(() => resize(spike, [1, 2], { antialias: true }))).values, [[[25], [0]]]);
    // 7 → 2: blocks of 3 after trimming one column (on the right: floor(1/2) = 0 from the left), means 100/3 and 0.
    const seven = tf.tensor4d([[[[0], [0], [100], [0], [0], [0], [5]]]]);
    const out = await runNoLeak(() => resize(seven, [1, 2], { antialias: true }));
    expect(out.shape).toEqual([1, 1, 2, 1]);
    expectClose(out.values, [[[[100 / 3], [0]]]]);
    tf.dispose([spike, seven]);
  });

  it('resizes each image of a batch the same way', async () => {
    const input = tf.tidy(() => tf.stack([square(), tf.mul(square(), 2)])) as tf.Tensor4D;
    const out = await runNoLeak(() => resize(input, [1, 1]));
    expect(out.shape).toEqual([2, 1, 1, 1]);
    // The single output pixel samples the centre (0.5, 0.5): the mean of the four.
    expectClose(out.values, [[[[15]]], [[[30]]]]);
    input.dispose();
  });

  it('returns a copy when the size already matches', () => {
    const input = square();
    const out = resize(input, [2, 2]);
    expect(out).not.toBe(input);
    expect(out.arraySync()).toEqual(input.arraySync());
    out.dispose();
    expect(input.isDisposed).toBe(false);
    input.dispose();
  });

  it('rejects bad sizes and methods', () => {
    const input = square();
    const zero = thrown(() => resize(input, [0, 4]));
    expect(zero).toBeInstanceOf(InvalidArgumentError);
    expect(zero.argument).toBe('size');
    expect(thrown(() => resize(input, [2.5, 4]))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => resize(input, [2, 2], { method: 'cubic' as 'nearest' })).argument).toBe('method');
    const flat = tf.zeros([2, 2]);
    expect(thrown(() => resize(flat as tf.Tensor3D, [2, 2])).argument).toBe('tensor');
    tf.dispose([input, flat]);
  });
});
