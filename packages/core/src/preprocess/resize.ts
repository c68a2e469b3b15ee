// Resizes one image or a batch to the network's input size.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import { checkSize, imageDims, sliceWindow, type ImageTensor } from './tensor.js';

/** Options of {@link resize}. */
export interface ResizeOptions {
  /** `'bilinear'` (default) for photos; `'nearest'` keeps exact sample values (masks, tests). */
  readonly method?: 'bilinear' | 'nearest';
  /**
   * When true, the corner pixels of input and output line up exactly (TF1 behaviour). Default false:
   * half-pixel centres, as TF2's `tf.image.resize`, which keeps the image centred and does not shift it.
   */
  readonly alignCorners?: boolean;
  /**
   * Bilinear without `alignCorners` only. When shrinking by 2× or more along an axis, first average blocks of ⌊factor⌋ pixels along it
   * (a box filter; a remainder of rows/columns is trimmed evenly from both sides), then interpolate the rest of
   * the way. Plain bilinear reads only the 4 nearest pixels, so a large shrink drops most of the image and
   * aliases. Default false, like `tf.image.resize`; {@link preprocessImage} turns it on.
   */
  readonly antialias?: boolean;
}

/**
 * Resizes a `[h, w, c]` image or `[n, h, w, c]` batch to `[height, width]`.
 *
 * Without `antialias`, bilinear shrinking by more than 2× aliases. The input is not disposed; the result is a
 * new float32 tensor (a copy when the size already matches).
 *
 * @param t - Image or batch.
 * @param size - Target `[height, width]`, positive integers.
 * @param options - Interpolation method, corner alignment and antialiasing.
 * @throws InvalidArgumentError for a bad tensor, size or method.
 */
export function resize<T extends ImageTensor>(t: T, size: readonly [number, number], options: ResizeOptions = {}): T {
  const dims = imageDims(t, 'tensor');
  const [height, width] = checkSize(size, 'size');
  const method = options.method ?? 'bilinear';
  if (method !== 'bilinear' && method !== 'nearest') {
    throw new InvalidArgumentError('method', `expected 'bilinear' or 'nearest', got ${JSON.stringify(method)}`);
  }
  const alignCorners = options.alignCorners ?? false;
  return tf.tidy(() => {
    let float = tf.cast(t, 'float32') as T;
    if (options.antialias && method === 'bilinear' && !alignCorners) float = boxShrink(float, dims.height, dims.width, height, width);
    const [h, w] = float.shape.slice(-3) as [number, number];
    if (height === h && width === w) return float;
    // tfjs forbids alignCorners together with halfPixelCenters; each mode picks one convention.
    return method === 'bilinear'
      ? tf.image.resizeBilinear(float, [height, width], alignCorners, !alignCorners)
      : tf.image.resizeNearestNeighbor(float, [height, width], alignCorners, !alignCorners);
  });
}

// Averages ⌊in/out⌋-pixel blocks along each axis shrunk 2× or more, after trimming the remainder evenly.
function boxShrink<T extends ImageTensor>(t: T, inH: number, inW: number, outH: number, outW: number): T {
  const fy = Math.max(1, Math.floor(inH / outH));
  const fx = Math.max(1, Math.floor(inW / outW));
  if (fy === 1 && fx === 1) return t;
  const keepH = fy * Math.floor(inH / fy);
  const keepW = fx * Math.floor(inW / fx);
  const trimmed = sliceWindow(t, Math.floor((inH - keepH) / 2), Math.floor((inW - keepW) / 2), keepH, keepW);
  return tf.avgPool(trimmed, [fy, fx], [fy, fx], 'valid') as T;
}
