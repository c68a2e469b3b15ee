// Tests for imageToTensor / tensorToRawImage: conversion values, alpha handling and validation errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../src/errors/index.js';
import { imageToTensor, tensorToRawImage, type RawImage } from '../../src/image/index.js';
import { expectNoLeak } from '../helpers/memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function errorOf(fn: () => unknown): InvalidImageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidImageError);
    return e as InvalidImageError;
  }
  throw new Error('expected an InvalidImageError');
}

describe('imageToTensor', () => {
  it('converts a gray Uint8 image to float32 [h, w, 1]', async () => {
    const image: RawImage = { data: new Uint8Array([0, 64, 128, 255, 1, 2]), width: 3, height: 2, channels: 1 };
    const t = imageToTensor(image);
    expect(t.shape).toEqual([2, 3, 1]);
    expect(t.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([[[0], [64], [128]], [[255], [1], [2]]]);
    t.dispose();
  });

  it('drops the alpha channel of RGBA', async () => {
    const image: RawImage = { data: new Uint8ClampedArray([1, 2, 3, 99, 4, 5, 6, 0]), width: 2, height: 1, channels: 4 };
    const t = imageToTensor(image);
    expect(t.shape).toEqual([1, 2, 3]);
    expect(t.arraySync()).toEqual([[[1, 2, 3], [4, 5, 6]]]);
    t.dispose();
  });

  it('copies float data so later changes do not reach the tensor', async () => {
    const data = new Float32Array([10.5, 20, 30]);
    const t = imageToTensor({ data, width: 1, height: 1, channels: 3 });
    data[0] = 200;
    expect(Array.from(t.dataSync())).toEqual([10.5, 20, 30]);
    t.dispose();
  });

  it('leaks nothing', async () => {
    await expectNoLeak(() => imageToTensor({ data: new Uint8Array(4 * 4 * 4), width: 4, height: 4, channels: 4 }).dispose());
  });

  it('names the source when the data length is wrong', () => {
    const e = errorOf(() => imageToTensor({ data: new Uint8Array(11), width: 2, height: 2, channels: 3 }, 'faces/ann/1.png'));
    expect(e.source).toBe('faces/ann/1.png');
    expect(e.message).toContain('faces/ann/1.png');
    expect(e.message).toContain('11');
    expect(e.message).toContain('12');
  });

  it('rejects zero and fractional sizes, naming the default source', () => {
    const zero = errorOf(() => imageToTensor({ data: new Uint8Array(0), width: 0, height: 2, channels: 1 }));
    expect(zero.source).toBe('image');
    expect(zero.message).toMatch(/width and height/);
    errorOf(() => imageToTensor({ data: new Uint8Array(3), width: 1.5, height: 2, channels: 1 }));
  });

  it('rejects 5 channels', () => {
    const e = errorOf(() => imageToTensor({ data: new Uint8Array(5), width: 1, height: 1, channels: 5 as 3 }, 'x.png'));
    expect(e.message).toMatch(/channels must be 1, 3 or 4, got 5/);
    expect(e.source).toBe('x.png');
  });

  it('rejects non-finite and out-of-range float samples', () => {
    expect(errorOf(() => imageToTensor({ data: new Float32Array([1, Number.NaN]), width: 2, height: 1, channels: 1 })).message).toMatch(/not finite/);
    expect(errorOf(() => imageToTensor({ data: new Float32Array([1, 256]), width: 2, height: 1, channels: 1 })).message).toMatch(/outside 0..255/);
  });

  it('rejects data that is not a typed array', () => {
    errorOf(() => imageToTensor({ data: [1, 2, 3] as unknown as Uint8Array, width: 1, height: 1, channels: 3 }));
  });

  it('casts a caller-owned tensor without disposing it', async () => {
    const owned = tf.tensor3d([[[1, 2, 3, 4]]], [1, 1, 4], 'int32');
    const out = imageToTensor(owned);
    expect(out).not.toBe(owned);
    expect(out.dtype).toBe('float32');
    expect(out.arraySync()).toEqual([[[1, 2, 3]]]);
    out.dispose();
    expect(owned.isDisposed).toBe(false);
    await expectNoLeak(() => imageToTensor(owned).dispose());
    owned.dispose();
  });

  it('rejects tensors of the wrong rank or channel count', () => {
    const flat = tf.zeros([2, 2]);
    const two = tf.zeros([2, 2, 2]);
    expect(errorOf(() => imageToTensor(flat as unknown as tf.Tensor3D, 'input')).source).toBe('input');
    expect(errorOf(() => imageToTensor(two as tf.Tensor3D)).message).toMatch(/channels/);
    flat.dispose();
    two.dispose();
  });
});

describe('tensorToRawImage', () => {
  it('rounds and clamps to 8 bits and keeps the tensor', async () => {
    const t = tf.tensor3d([-5, 0.4, 127.6, 300, Number.NaN, 254.5], [1, 2, 3]);
    const image = await expectNoLeak(() => tensorToRawImage(t));
    expect(image.width).toBe(2);
    expect(image.height).toBe(1);
    expect(image.channels).toBe(3);
    expect(Array.from(image.data)).toEqual([0, 0, 128, 255, 0, 254]);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('round-trips with imageToTensor', async () => {
    const image: RawImage = { data: new Uint8Array([0, 1, 2, 3, 250, 255]), width: 3, height: 2, channels: 1 };
    const t = imageToTensor(image);
    const back = await tensorToRawImage(t);
    t.dispose();
    expect(Array.from(back.data)).toEqual(Array.from(image.data));
  });

  it('rejects a tensor that is not an image', async () => {
    const t = tf.zeros([2, 2, 2]) as tf.Tensor3D;
    await expect(tensorToRawImage(t)).rejects.toBeInstanceOf(InvalidImageError);
    t.dispose();
  });
});
