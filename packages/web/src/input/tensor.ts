// Browser images → the core's float32 image tensor, built from CPU-side float data (never an int→float cast).
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, LUMA_WEIGHTS } from '@facerec/core';
import type { RawImage } from '@facerec/core';
import { readPixels } from './pixels.js';
import type { ReadPixelsOptions } from './pixels.js';
import type { BrowserImageSource } from './sources.js';

/** Options of {@link browserImageToTensor}. */
export interface ImageToTensorOptions extends ReadPixelsOptions {
  /**
   * 3 (default) for RGB; 1 for gray, converted on the CPU with the core's luma weights (exactly what
   * `toGrayscale` computes). Pass the model's channel count: tfjs-backend-webgpu 4.22 reduces the colour axis
   * very slowly on software adapters (seconds for a 300×300 frame on SwiftShader).
   */
  readonly channels?: 1 | 3;
}

/** Luma of an RGBA image, each product and sum rounded to float32 as the tensor version does. */
function grayFromRgba(image: RawImage): RawImage {
  const { data, width, height } = image;
  const [wr, wg, wb] = LUMA_WEIGHTS.map(Math.fround) as [number, number, number];
  const f = Math.fround;
  const out = new Float32Array(width * height);
  for (let p = 0; p < out.length; p++) {
    out[p] = f(f(f(data[p * 4]! * wr) + f(data[p * 4 + 1]! * wg)) + f(data[p * 4 + 2]! * wb));
  }
  return { data: out, width, height, channels: 1 };
}

/**
 * Turns a browser image (or a box of it) into a float32 `[height, width, 3]` (or `[height, width, 1]`)
 * tensor with values 0..255, the image tensor every facerec function accepts. Alpha is dropped.
 *
 * The pixels are converted to float32 on the CPU and uploaded as float data. `tf.browser.fromPixels` would give
 * an int32 tensor, and tfjs-backend-webgpu 4.22 miscomputes a conv2d fed from an int→float cast of such a tensor
 * (its shader fails to compile, reported only on the console), so facerec never builds one.
 *
 * @returns A new tensor the caller must dispose.
 * @throws InvalidImageError for an unloaded or empty image; InvalidArgumentError for a box outside the image.
 */
export function browserImageToTensor(image: BrowserImageSource, options: ImageToTensorOptions = {}): tf.Tensor3D {
  const source = options.source ?? 'image';
  const pixels = readPixels(image, options);
  return tf.tidy(() => imageToTensor(options.channels === 1 ? grayFromRgba(pixels) : pixels, source));
}
