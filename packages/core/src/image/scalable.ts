// A photo read at the resolution each step needs: a shrunk copy to scan for faces, small regions for each face.
import { InvalidImageError } from '../errors/index.js';
import { downscalePixels, type PixelRect } from './downscale.js';
import type { FaceImage, PixelArray, RawImage } from './types.js';

/**
 * A photo that is read lazily, at the resolution each step of the face pipeline asks for, instead of being
 * decoded whole: the pipeline scans a copy shrunk to its detection size ({@link ScalableImage.resized}) and
 * cuts each face from the full-resolution photo ({@link ScalableImage.region}). `openImage` in
 * `@facerec/node` returns one for big JPEG, PNG, WebP, AVIF and TIFF files when sharp is installed, so a
 * 24-megapixel photo costs about what a 1280-pixel one does. Coordinates are in the photo's pixels, after
 * any EXIF orientation.
 */
export interface ScalableImage {
  /** Tells a scalable image from a {@link RawImage} or a tensor. */
  readonly kind: 'scalable';
  /** Width of the full-resolution photo. */
  readonly width: number;
  /** Height of the full-resolution photo. */
  readonly height: number;
  /** Channels of every image it returns: 1 (gray) or 3 (colour). */
  readonly channels: 1 | 3;
  /** The whole photo resampled to `width × height` (at most the photo's size; averaging when shrinking). */
  resized(width: number, height: number): Promise<RawImage>;
  /**
   * The pixels of `rect` (whole pixels inside the photo) resampled to `width × height` (at most the rect's
   * size), placed within half an output pixel.
   */
  region(rect: PixelRect, width: number, height: number): Promise<RawImage>;
}

/** True for a {@link ScalableImage} (an object with `kind: 'scalable'`). */
export function isScalableImage(image: unknown): image is ScalableImage {
  return typeof image === 'object' && image !== null && (image as { kind?: unknown }).kind === 'scalable';
}

/**
 * Checks what the pipeline relies on: positive integer sizes, 1 or 3 channels, both methods present.
 * @throws InvalidImageError naming `source` otherwise.
 */
export function validateScalableImage(image: ScalableImage, source = 'image'): void {
  const { width, height, channels } = image;
  const whole = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (!whole(width) || !whole(height)) throw new InvalidImageError(source, `width and height must be positive integers, got ${String(width)}×${String(height)}`);
  if (channels !== 1 && channels !== 3) throw new InvalidImageError(source, `a scalable image has 1 or 3 channels, got ${String(channels)}`);
  if (typeof image.resized !== 'function' || typeof image.region !== 'function') throw new InvalidImageError(source, 'a scalable image needs resized() and region()');
}

/**
 * Pixels already in memory as a {@link ScalableImage}: both methods area-average them (`downscalePixels`).
 * A fourth (alpha) channel is dropped; a 2-channel image keeps its first.
 */
export function scalablePixels(pixels: PixelArray): ScalableImage {
  const channels: 1 | 3 = pixels.channels >= 3 ? 3 : 1;
  const cut = (rect: PixelRect, width: number, height: number): RawImage => {
    const data = downscalePixels(pixels, width, height, rect);
    return { data: pixels.channels === channels ? data : keepChannels(data, pixels.channels, channels), width, height, channels };
  };
  return {
    kind: 'scalable',
    width: pixels.width,
    height: pixels.height,
    channels,
    resized: (width, height) => Promise.resolve(cut({ x: 0, y: 0, width: pixels.width, height: pixels.height }, width, height)),
    region: (rect, width, height) => Promise.resolve(cut(rect, width, height)),
  };
}

/** The first `keep` of every `stride` samples. */
function keepChannels(data: Float32Array, stride: number, keep: number): Float32Array {
  const out = new Float32Array((data.length / stride) * keep);
  for (let i = 0, o = 0; i < data.length; i += stride) for (let c = 0; c < keep; c++) out[o++] = data[i + c]!;
  return out;
}

/** What `FacePipeline` (and a `Gallery` on it) accepts: decoded pixels, a tensor, or a {@link ScalableImage}. */
export type PipelineImage = FaceImage | ScalableImage;
