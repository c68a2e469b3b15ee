// Shared checks for the image tensors every preprocessing step accepts (one image or a batch).
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';

/** One image `[height, width, channels]` or a batch of them `[batch, height, width, channels]`. */
export type ImageTensor = tf.Tensor3D | tf.Tensor4D;

/** Height, width and channels of an image tensor, whatever its rank. */
export interface ImageDims {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Throws InvalidArgumentError unless `t` is a live rank-3 or rank-4 tensor with non-empty images. */
export function imageDims(t: tf.Tensor, argument: string): ImageDims {
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape)) {
    throw new InvalidArgumentError(argument, 'expected a tensor');
  }
  if (t.isDisposed) throw new InvalidArgumentError(argument, 'the tensor has been disposed');
  if (t.rank !== 3 && t.rank !== 4) {
    throw new InvalidArgumentError(argument, `expected a [h, w, c] or [n, h, w, c] tensor, got shape [${t.shape.join(', ')}]`);
  }
  const [height, width, channels] = t.shape.slice(-3) as [number, number, number];
  if (height < 1 || width < 1 || channels < 1) {
    throw new InvalidArgumentError(argument, `images must not be empty, got shape [${t.shape.join(', ')}]`);
  }
  return { height, width, channels };
}

/** Throws InvalidArgumentError unless `size` is `[height, width]` of positive integers. */
export function checkSize(size: unknown, argument: string): [number, number] {
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)
  ) {
    throw new InvalidArgumentError(argument, `expected [height, width] of positive integers, got ${JSON.stringify(size)}`);
  }
  return [size[0] as number, size[1] as number];
}

/** Slices the last-three-axes window `[top, left] + [height, width]` out of a rank-3 or rank-4 tensor. */
export function sliceWindow<T extends ImageTensor>(
  t: T,
  top: number,
  left: number,
  height: number,
  width: number,
): T {
  return (t.rank === 3
    ? tf.slice(t, [top, left, 0], [height, width, -1])
    : tf.slice(t, [0, top, left, 0], [-1, height, width, -1])) as T;
}
