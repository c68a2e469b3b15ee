// Reads the RGBA pixels of a browser image (or of one box of it) into a RawImage, on the CPU side.
import { InvalidArgumentError } from '@facerec/core';
import type { Box, RawImage } from '@facerec/core';
import { isImageData, sourceSize } from './sources.js';
import type { BrowserImageSource, ImageSize } from './sources.js';

/** Options of {@link readPixels}. */
export interface ReadPixelsOptions {
  /** Only this box of the image (clipped to it), e.g. a face; default the whole image. */
  readonly box?: Box;
  /** Names the image in error messages. Default `'image'`. */
  readonly source?: string;
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

let scratch: Context2D | undefined;

// One reusable canvas kept in CPU memory (willReadFrequently), so reading a frame does not stall on the GPU.
function scratchContext(width: number, height: number): Context2D {
  if (!scratch) {
    const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true }) as Context2D | null;
    if (!context) throw new Error('facerec: this browser gives no 2D canvas context to read pixels with');
    scratch = context;
  }
  const canvas = scratch.canvas;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  } else {
    scratch.clearRect(0, 0, width, height);
  }
  return scratch;
}

/** Rounds `box` to whole pixels and clips it to an image of `size`; throws when nothing of it is inside. */
export function clipBox(box: Box, size: ImageSize): Box {
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    if (typeof box?.[key] !== 'number' || !Number.isFinite(box[key])) {
      throw new InvalidArgumentError(`box.${key}`, `expected a finite number, got ${String(box?.[key])}`);
    }
  }
  const left = Math.max(0, Math.round(box.x));
  const top = Math.max(0, Math.round(box.y));
  const right = Math.min(size.width, Math.round(box.x + box.width));
  const bottom = Math.min(size.height, Math.round(box.y + box.height));
  if (right <= left || bottom <= top) {
    throw new InvalidArgumentError('box', `${JSON.stringify(box)} holds no pixel of the ${size.width}×${size.height} image`);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function cropImageData(image: ImageData, box: { x: number; y: number; width: number; height: number }): Uint8ClampedArray {
  if (box.x === 0 && box.y === 0 && box.width === image.width && box.height === image.height) return image.data.slice();
  const out = new Uint8ClampedArray(box.width * box.height * 4);
  for (let row = 0; row < box.height; row++) {
    const start = ((box.y + row) * image.width + box.x) * 4;
    out.set(image.data.subarray(start, start + box.width * 4), row * box.width * 4);
  }
  return out;
}

/**
 * Copies the pixels of `image` (or of `options.box`) into a new RGBA {@link RawImage} (4 channels, 8-bit).
 * A video gives its current frame. Nothing touches a tensor here: the result can be validated, stored or
 * turned into a float tensor on the CPU side (see {@link browserImageToTensor}).
 *
 * @throws InvalidImageError for an unloaded or empty image; InvalidArgumentError for a box outside the image.
 */
export function readPixels(image: BrowserImageSource, options: ReadPixelsOptions = {}): RawImage {
  const name = options.source ?? 'image';
  const size = sourceSize(image, name);
  const box = clipBox(options.box ?? { x: 0, y: 0, width: size.width, height: size.height }, size);
  if (isImageData(image)) return { data: cropImageData(image, box), width: box.width, height: box.height, channels: 4 };
  const context = scratchContext(box.width, box.height);
  context.drawImage(image as CanvasImageSource, box.x, box.y, box.width, box.height, 0, 0, box.width, box.height);
  const { data } = context.getImageData(0, 0, box.width, box.height);
  return { data, width: box.width, height: box.height, channels: 4 };
}
