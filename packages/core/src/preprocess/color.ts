// Converts between grayscale and RGB so every image matches the channel count a model expects.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import { imageDims, type ImageTensor } from './tensor.js';

/** ITU-R BT.601 luma weights for R, G and B (the weights of most JPEG decoders and of `tf.image.rgb_to_grayscale`). */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

function dropAlpha<T extends ImageTensor>(t: T): T {
  return (t.rank === 3 ? tf.slice(t, [0, 0, 0], [-1, -1, 3]) : tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 3])) as T;
}

/**
 * Converts an RGB (or RGBA, alpha ignored) image or batch to one luma channel: 0.299 R + 0.587 G + 0.114 B.
 * A one-channel input is returned as a float32 copy. The input is not disposed.
 *
 * @throws InvalidArgumentError unless the last axis has 1, 3 or 4 channels.
 */
export function toGrayscale<T extends ImageTensor>(t: T): T {
  const { channels } = imageDims(t, 'tensor');
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InvalidArgumentError('tensor', `expected 1, 3 or 4 channels, got ${channels}`);
  }
  return tf.tidy(() => {
    const float = tf.cast(t, 'float32') as T;
    if (channels === 1) return float;
    // A weighted add of the three channel slices: a reduction over a 3-wide axis is very slow on WebGPU.
    const [r, g, b] = tf.split(float, channels, -1) as [T, T, T];
    return tf.add(tf.add(tf.mul(r, LUMA_WEIGHTS[0]), tf.mul(g, LUMA_WEIGHTS[1])), tf.mul(b, LUMA_WEIGHTS[2])) as T;
  });
}

/**
 * Repeats the single channel of a grayscale image or batch three times, giving RGB. The input is not disposed.
 *
 * @throws InvalidArgumentError unless the input has exactly 1 channel.
 */
export function grayscaleToRgb<T extends ImageTensor>(t: T): T {
  const { channels } = imageDims(t, 'tensor');
  if (channels !== 1) throw new InvalidArgumentError('tensor', `expected 1 channel, got ${channels}`);
  return tf.tidy(() => {
    const float = tf.cast(t, 'float32');
    // A broadcast multiply gives the same values as tile and is some 10× faster on the WASM backend.
    return tf.mul(float, tf.ones([3])) as T;
  });
}

/**
 * Converts an image or batch with 1, 3 or 4 channels to `channels` (1 = grayscale, 3 = RGB); RGBA loses alpha.
 * Always returns a new float32 tensor; the input is not disposed.
 *
 * @throws InvalidArgumentError for other channel counts or targets.
 */
export function toChannels<T extends ImageTensor>(t: T, channels: 1 | 3): T {
  const from = imageDims(t, 'tensor').channels;
  if (channels !== 1 && channels !== 3) {
    throw new InvalidArgumentError('channels', `expected 1 or 3, got ${String(channels)}`);
  }
  if (from !== 1 && from !== 3 && from !== 4) {
    throw new InvalidArgumentError('tensor', `expected 1, 3 or 4 channels, got ${from}`);
  }
  if (channels === 1) return toGrayscale(t);
  if (from === 1) return grayscaleToRgb(t);
  return tf.tidy(() => {
    const float = tf.cast(t, 'float32') as T;
    return from === 4 ? dropAlpha(float) : float;
  });
}
