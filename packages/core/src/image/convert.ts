// Turns decoded images (or caller-owned tensors) into validated float tensors, and tensors back into 8-bit images.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidImageError } from '../errors/index.js';
import type { ChannelCount, RawImage } from './types.js';

const isChannelCount = (n: unknown): n is ChannelCount => n === 1 || n === 3 || n === 4;
const isPositiveInteger = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;

/**
 * Checks that `image` is a usable {@link RawImage}: positive integer sizes, 1, 3 or 4 channels,
 * exactly `width × height × channels` samples, and (for float data) finite samples in 0..255.
 *
 * @param image - The value to check.
 * @param source - Names the image (file path, argument...) in the error message.
 * @throws InvalidImageError naming `source` when any check fails.
 */
export function validateRawImage(image: RawImage, source = 'image'): void {
  if (image === null || typeof image !== 'object') {
    throw new InvalidImageError(source, 'expected an object with data, width, height and channels');
  }
  const { data, width, height, channels } = image;
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new InvalidImageError(source, `width and height must be positive integers, got ${String(width)}×${String(height)}`);
  }
  if (!isChannelCount(channels)) {
    throw new InvalidImageError(source, `channels must be 1, 3 or 4, got ${String(channels)}`);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    throw new InvalidImageError(source, 'data must be a Uint8Array, Uint8ClampedArray or Float32Array');
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new InvalidImageError(
      source,
      `data has ${data.length} values, expected width × height × channels = ${width} × ${height} × ${channels} = ${expected}`,
    );
  }
  // 8-bit arrays cannot hold bad values; float arrays can (a NaN from a bad decode, or 0..1 data by mistake).
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 255)) {
        const what = Number.isFinite(v) ? 'outside 0..255' : 'not finite';
        throw new InvalidImageError(source, `sample ${i} is ${String(v)} (${what}); float images must hold finite values in 0..255`);
      }
    }
  }
}

/**
 * Checks that `t` can be an image: not disposed, `[height, width, 1 | 3 | 4]`, a numeric dtype. Its values
 * are not read (that would force a GPU sync).
 * @throws InvalidImageError naming `source` when a check fails.
 */
export function validateImageTensor(t: tf.Tensor, source = 'image'): void {
  if (t.isDisposed) throw new InvalidImageError(source, 'the tensor has been disposed');
  if (t.rank !== 3) throw new InvalidImageError(source, `expected a [height, width, channels] tensor, got shape [${t.shape.join(', ')}]`);
  const [height, width, channels] = t.shape as [number, number, number];
  if (height < 1 || width < 1) throw new InvalidImageError(source, `width and height must be positive, got ${width}×${height}`);
  if (!isChannelCount(channels)) throw new InvalidImageError(source, `channels must be 1, 3 or 4, got ${channels}`);
  if (t.dtype === 'string' || t.dtype === 'complex64') throw new InvalidImageError(source, `unsupported dtype ${t.dtype}`);
}

/**
 * Converts an image to a float32 `[height, width, channels]` tensor with values in 0..255.
 * RGBA loses its alpha channel, so the result has 1 or 3 channels.
 *
 * A `RawImage` is validated (see {@link validateRawImage}) and its samples are copied, so later changes to
 * `image.data` do not reach the tensor. A `Tensor3D` is checked for shape and dtype only (reading its values
 * would force a GPU sync) and is not disposed: the caller still owns it, and the result is always a new tensor.
 *
 * @param image - A decoded image or a `[height, width, channels]` tensor.
 * @param source - Names the image in error messages; defaults to `'image'`.
 * @returns A new float32 tensor the caller must dispose.
 * @throws InvalidImageError naming `source` when the image is unusable.
 */
export function imageToTensor(image: RawImage | tf.Tensor3D, source = 'image'): tf.Tensor3D {
  if (image instanceof tf.Tensor) {
    validateImageTensor(image, source);
    return tf.tidy(() => {
      const float = tf.cast(image, 'float32');
      return image.shape[2] === 4 ? tf.slice(float, [0, 0, 0], [-1, -1, 3]) : float;
    });
  }
  validateRawImage(image, source);
  const { data, width, height, channels } = image;
  if (channels !== 4) return tf.tensor3d(new Float32Array(data), [height, width, channels], 'float32');
  // Drop alpha while copying: cheaper than building an RGBA tensor and slicing it.
  const pixels = width * height;
  const rgb = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[p * 3] = data[p * 4]!;
    rgb[p * 3 + 1] = data[p * 4 + 1]!;
    rgb[p * 3 + 2] = data[p * 4 + 2]!;
  }
  return tf.tensor3d(rgb, [height, width, 3], 'float32');
}

/**
 * Reads a `[height, width, channels]` tensor with values in 0..255 into an 8-bit {@link RawImage}, for saving
 * previews. Values are rounded and clamped to 0..255 (NaN becomes 0). The tensor is not disposed.
 *
 * @param t - A tensor with 1, 3 or 4 channels. Scale normalised tensors back to 0..255 first.
 * @returns An image whose `data` is a `Uint8ClampedArray` (what canvas `ImageData` expects).
 * @throws InvalidImageError when the tensor's shape is not an image's.
 */
export async function tensorToRawImage(t: tf.Tensor3D): Promise<RawImage> {
  validateImageTensor(t, 'tensor');
  const [height, width, channels] = t.shape as [number, number, ChannelCount];
  const values = await t.data();
  // The Uint8ClampedArray constructor rounds, clamps and maps NaN to 0 for us.
  return { data: new Uint8ClampedArray(values as ArrayLike<number>), width, height, channels };
}
