// The platform-free image types: decoded pixels, what recognizers accept, boxes and labelled images.
import type * as tf from '@tensorflow/tfjs-core';

/** Number of channels of a decoded image: gray, RGB or RGBA. */
export type ChannelCount = 1 | 3 | 4;

/**
 * A decoded image in row-major, interleaved (HWC) layout with 8-bit or float samples in 0..255.
 * Node decoders and browser canvases both produce this shape.
 */
export interface RawImage {
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: ChannelCount;
}

/**
 * An image facerec's recognizers and face pipeline accept: decoded pixels, or a `[height, width, channels]`
 * tensor with values 0..255 (never disposed by facerec).
 */
export type FaceImage = RawImage | tf.Tensor3D;

/**
 * Interleaved (HWC) samples in main memory with any channel count: a {@link RawImage}, or a tensor's values
 * read once. What the JavaScript image kernels (area downscaling, in-memory warps) work on.
 */
export interface PixelArray {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** An axis-aligned box in pixels; `x`, `y` is its top-left corner (x to the right, y down). */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One image with the name of the person in it. `source` (a file path, URL...) is used in messages. */
export interface LabeledImage<I = RawImage> {
  readonly image: I;
  readonly label: string;
  readonly source?: string;
}
