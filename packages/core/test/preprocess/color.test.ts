// Tests for grayscale/RGB conversion on known pixels (BT.601 luma) and the gray → RGB → gray round trip.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { grayscaleToRgb, toChannels, toGrayscale } from '../../src/preprocess/index.js';
import { expectNoLeak } from '../helpers/memory.js';
import { expectClose, runNoLeak, thrown, useCpuBackend } from './setup.js';

useCpuBackend();

// Red, green, blue, a mixed pixel: luma by hand 0.299·255, 0.587·255, 0.114·255, 0.299·10 + 0.587·20 + 0.114·30.
const pixels = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [10, 20, 30],
];
const luma = [76.245, 149.685, 29.07, 18.15];

describe('toGrayscale', () => {
  it('weights R, G, B by 0.299, 0.587, 0.114', async () => {
    const rgb = tf.tensor3d([pixels.slice(0, 2), pixels.slice(2)]);
    const gray = await runNoLeak(() => toGrayscale(rgb));
    expect(gray.shape).toEqual([2, 2, 1]);
    expectClose(gray.values, [[[luma[0]], [luma[1]]], [[luma[2]], [luma[3]]]], 1e-3);
    rgb.dispose();
  });

  it('ignores alpha and works on batches', async () => {
    const rgba = tf.tensor4d([pixels.map((p) => [...p, 77])].map((row) => [row]));
    const gray = await runNoLeak(() => toGrayscale(rgba));
    expect(gray.shape).toEqual([1, 1, 4, 1]);
    expectClose(gray.values, [[luma.map((l) => [l])]], 1e-3);
    rgba.dispose();
  });

  it('returns a float copy of a gray image', () => {
    const gray = tf.tensor3d([[[3]]], [1, 1, 1], 'int32');
    const out = toGrayscale(gray);
    expect(out.dtype).toBe('float32');
    expect(out.arraySync()).toEqual([[[3]]]);
    tf.dispose([gray, out]);
  });
});

describe('grayscaleToRgb', () => {
  it('repeats the channel, and converting back gives the gray values again', async () => {
    const gray = tf.tensor3d([[[0], [18.15]], [[128], [255]]]);
    expect((await runNoLeak(() => grayscaleToRgb(gray))).values).toEqual([
      [[0, 0, 0], [18.15, 18.15, 18.15].map(Math.fround)],
      [[128, 128, 128], [255, 255, 255]],
    ]);
    const back = await runNoLeak(() => tf.tidy(() => toGrayscale(grayscaleToRgb(gray))));
    expectClose(back.values, gray.arraySync(), 1e-3);
    gray.dispose();
  });

  it('rejects images that are not gray', () => {
    const rgb = tf.zeros([1, 1, 3]) as tf.Tensor3D;
    const e = thrown(() => grayscaleToRgb(rgb));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/1 channel/);
    rgb.dispose();
  });
});

describe('toChannels', () => {
  it('converts between 1, 3 and 4 channels', async () => {
    const rgba = tf.tensor3d([[[10, 20, 30, 255]]]);
    const gray = tf.tensor3d([[[7]]]);
    await expectNoLeak(() => {
      const rgb = toChannels(rgba, 3);
      expect(rgb.arraySync()).toEqual([[[10, 20, 30]]]);
      const one = toChannels(rgba, 1);
      expectClose(one.arraySync(), [[[18.15]]], 1e-3);
      const three = toChannels(gray, 3);
      expect(three.arraySync()).toEqual([[[7, 7, 7]]]);
      const same = toChannels(gray, 1);
      expect(same).not.toBe(gray);
      tf.dispose([rgb, one, three, same]);
    });
    tf.dispose([rgba, gray]);
  });

  it('rejects 2-channel inputs and targets other than 1 or 3', () => {
    const two = tf.zeros([1, 1, 2]) as tf.Tensor3D;
    const rgb = tf.zeros([1, 1, 3]) as tf.Tensor3D;
    expect(thrown(() => toChannels(two, 3))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => toChannels(rgb, 4 as 3)).argument).toBe('channels');
    tf.dispose([two, rgb]);
  });
});
