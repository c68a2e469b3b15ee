// Tests for preprocessImage / preprocessBatch: the crop → channels → resize → normalize order, on known pixels.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidImageError } from '../../src/errors/index.js';
import type { RawImage } from '../../src/image/index.js';
import { preprocessBatch, preprocessImage, tanTriggs, type PreprocessingConfig } from '../../src/preprocess/index.js';
import { expectClose, runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

// A 4×4 RGB image, gray in colour (R = G = B = v), v = 10·(4r + c): luma equals v.
const v = (r: number, c: number) => 10 * (4 * r + c);
const rgb: RawImage = {
  data: Uint8Array.from({ length: 48 }, (_, i) => v(Math.floor(i / 12), Math.floor((i % 12) / 3))),
  width: 4,
  height: 4,
  channels: 3,
};

describe('preprocessImage', () => {
  it('crops the centre, converts to gray and scales to 0..1', async () => {
    const config: PreprocessingConfig = { inputSize: [2, 2], channels: 1, normalization: 'unit', crop: { type: 'center', fraction: 0.5 } };
    const out = await runNoLeak(() => preprocessImage(rgb, config, 'a.png'));
    expect(out.shape).toEqual([2, 2, 1]);
    expect(out.dtype).toBe('float32');
    expectClose(out.values, [[[v(1, 1) / 255], [v(1, 2) / 255]], [[v(2, 1) / 255], [v(2, 2) / 255]]], 1e-5);
  });

  it('resizes bilinearly: halving averages 2×2 blocks', async () => {
    const config: PreprocessingConfig = { inputSize: [2, 2], channels: 3, normalization: 'none' };
    const out = await runNoLeak(() => preprocessImage(rgb, config));
    // Blocks {0,10,40,50}, {20,30,60,70}, {80,90,120,130}, {100,110,140,150}.
    expectClose(out.values, [[[25, 25, 25], [45, 45, 45]], [[105, 105, 105], [125, 125, 125]]], 1e-3);
  });

  it('antialiases a 4× shrink: each output pixel is the mean of a 4×4 block', async () => {
    const data = new Uint8Array(64);
    data[1 * 8 + 1] = 160; // one bright pixel in the top-left block
    const config: PreprocessingConfig = { inputSize: [2, 2], channels: 1, normalization: 'none' };
    const out = await runNoLeak(() => preprocessImage({ data, width: 8, height: 8, channels: 1 }, config));
    // Plain bilinear would sample (1.5, 1.5) and give 40.
    expectClose(out.values, [[[10], [0]], [[0], [0]]], 1e-4);
  });

  it('runs the illumination step on the resized pixels, before normalisation', async () => {
    const config: PreprocessingConfig = { inputSize: [4, 4], channels: 1, normalization: 'none', illumination: 'tan-triggs' };
    const out = await runNoLeak(() => preprocessImage(rgb, config));
    const gray = tf.tensor3d(Array.from({ length: 16 }, (_, i) => v(Math.floor(i / 4), i % 4)), [4, 4, 1]);
    const expected = await runNoLeak(() => tanTriggs(gray));
    expectClose(out.values, expected.values, 1e-4);
    // Equalised then scaled to 0..1: the brightest pixel is 1, the darkest 0.
    const equalized = await runNoLeak(() => preprocessImage(rgb, { ...config, illumination: 'equalize', normalization: 'unit' }));
    const flat = (equalized.values as number[][][]).flat(2);
    expect(Math.max(...flat)).toBeCloseTo(1, 6);
    expect(Math.min(...flat)).toBe(0);
    gray.dispose();
  });

  it('names the source of a bad image', () => {
    const e = thrown(() => preprocessImage({ ...rgb, width: 5 }, { inputSize: [2, 2], channels: 1, normalization: 'unit' }, 'b.png'));
    expect(e).toBeInstanceOf(InvalidImageError);
    expect(e.message).toContain('b.png');
  });
});

describe('preprocessBatch', () => {
  it('stacks images of different sizes and kinds into one batch', async () => {
    const tensor = tf.tensor3d([[[0], [255]], [[255], [0]]]);
    const config: PreprocessingConfig = { inputSize: [2, 2], channels: 1, normalization: 'standardize' };
    const out = await runNoLeak(() => preprocessBatch([rgb, tensor], config));
    expect(out.shape).toEqual([2, 2, 2, 1]);
    // Second image: mean 127.5, std 127.5, so ±1.
    expectClose((out.values as number[][][][])[1], [[[-1], [1]], [[1], [-1]]], 1e-5);
    expect(tensor.isDisposed).toBe(false);
    tensor.dispose();
  });

  it('names the bad image by its index, and rejects empty lists and bad configs', () => {
    const config: PreprocessingConfig = { inputSize: [2, 2], channels: 1, normalization: 'unit' };
    const before = tf.memory().numTensors;
    const e = thrown(() => preprocessBatch([rgb, { ...rgb, channels: 1 }], config));
    expect(e).toBeInstanceOf(InvalidImageError);
    expect(e.message).toContain('images[1]');
    expect(tf.memory().numTensors, 'nothing left behind by the failed batch').toBe(before);
    expect(thrown(() => preprocessBatch([], config)).argument).toBe('images');
    expect(thrown(() => preprocessBatch([rgb], { ...config, channels: 2 as 1 }))).toBeInstanceOf(InvalidArgumentError);
  });
});
