// Cuts the face region out of an image: a centred crop, or a pixel box (e.g. from a face detector).
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import type { Box } from '../image/types.js';
import { checkSize, imageDims, sliceWindow, type ImageTensor } from './tensor.js';

/** What {@link centerCrop} keeps: a fraction of each side, or an exact `[height, width]` in pixels. */
export type CenterCropOptions = { readonly fraction: number } | { readonly size: readonly [number, number] };

/**
 * Keeps the centre of an image or batch. With `{ fraction }` (in (0, 1]) each side is scaled by `fraction` and
 * rounded (at least 1 pixel); with `{ size }` the window is exactly `[height, width]`. When the margin is odd,
 * the extra pixel goes to the bottom/right. Returns a new float32 tensor; the input is not disposed.
 *
 * @throws InvalidArgumentError for a fraction outside (0, 1] or a size larger than the image.
 */
export function centerCrop<T extends ImageTensor>(t: T, options: CenterCropOptions): T {
  const dims = imageDims(t, 'tensor');
  let height: number;
  let width: number;
  if (options !== null && typeof options === 'object' && 'fraction' in options) {
    const { fraction } = options;
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
      throw new InvalidArgumentError('fraction', `expected a number in (0, 1], got ${String(fraction)}`);
    }
    height = Math.max(1, Math.round(dims.height * fraction));
    width = Math.max(1, Math.round(dims.width * fraction));
  } else if (options !== null && typeof options === 'object' && 'size' in options) {
    [height, width] = checkSize(options.size, 'size');
    if (height > dims.height || width > dims.width) {
      throw new InvalidArgumentError('size', `[${height}, ${width}] is larger than the ${dims.height}×${dims.width} image`);
    }
  } else {
    throw new InvalidArgumentError('options', 'expected { fraction } or { size: [height, width] }');
  }
  const top = Math.floor((dims.height - height) / 2);
  const left = Math.floor((dims.width - width) / 2);
  return tf.tidy(() => sliceWindow(tf.cast(t, 'float32') as T, top, left, height, width));
}

/**
 * Cuts a pixel box out of an image or batch (the same box from every image of a batch). Fractional edges are
 * rounded to the nearest pixel and the box is clipped to the image, so a detector box that runs off the edge
 * still works. Returns a new float32 tensor; the input is not disposed.
 *
 * @throws InvalidArgumentError when a field is not finite, a side is negative, or nothing of the box lies inside the image.
 */
export function cropBox<T extends ImageTensor>(t: T, box: Box): T {
  const dims = imageDims(t, 'tensor');
  if (box === null || typeof box !== 'object') throw new InvalidArgumentError('box', 'expected { x, y, width, height }');
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    const v = box[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`box.${key}`, `expected a finite number, got ${String(v)}`);
    }
  }
  if (box.width < 0 || box.height < 0) {
    throw new InvalidArgumentError('box', `width and height must not be negative, got ${box.width}×${box.height}`);
  }
  const left = Math.max(0, Math.round(box.x));
  const top = Math.max(0, Math.round(box.y));
  const right = Math.min(dims.width, Math.round(box.x + box.width));
  const bottom = Math.min(dims.height, Math.round(box.y + box.height));
  if (right <= left || bottom <= top) {
    throw new InvalidArgumentError(
      'box',
      `${JSON.stringify(box)} holds no pixel of the ${dims.width}×${dims.height} (width×height) image`,
    );
  }
  return tf.tidy(() => sliceWindow(tf.cast(t, 'float32') as T, top, left, bottom - top, right - left));
}
