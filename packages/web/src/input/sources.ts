// The browser image sources facerec reads, and the checks that reject ones with no pixels yet.
import { InvalidImageError } from '@facerec/core';

/**
 * Anything a browser can hold a picture in: an `<img>`, a canvas (on or off screen), an `ImageBitmap`,
 * `ImageData`, or a `<video>` (its current frame).
 */
export type BrowserImageSource =
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | ImageData
  | HTMLVideoElement;

/** Width and height in pixels. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

// Each global may be missing (workers have no HTMLImageElement, old browsers no OffscreenCanvas).
const isInstance = <T>(value: unknown, ctor: (new (...args: never[]) => T) | undefined): value is T =>
  typeof ctor === 'function' && value instanceof ctor;

const global = globalThis as unknown as {
  HTMLImageElement?: new () => HTMLImageElement;
  HTMLVideoElement?: new () => HTMLVideoElement;
  HTMLCanvasElement?: new () => HTMLCanvasElement;
  OffscreenCanvas?: new (w: number, h: number) => OffscreenCanvas;
  ImageBitmap?: new () => ImageBitmap;
  ImageData?: new (w: number, h: number) => ImageData;
};

/** True for an `ImageData`, whose pixels are read directly rather than drawn. */
export function isImageData(source: unknown): source is ImageData {
  return isInstance(source, global.ImageData);
}

function checkedSize(width: number, height: number, source: string, what: string): ImageSize {
  if (!(width > 0 && height > 0)) throw new InvalidImageError(source, `the ${what} is empty (${width}×${height} pixels)`);
  return { width, height };
}

/**
 * The pixel size of `image`, after checking that it has pixels to read: an `<img>` must have loaded, a
 * `<video>` must have a current frame of non-zero size, a canvas or bitmap must not be empty (a closed
 * `ImageBitmap` has size 0).
 *
 * @param image - The source to measure.
 * @param source - Names it in error messages (the argument or file). Default `'image'`.
 * @throws InvalidImageError naming `source` when the image is unloaded, empty or of an unsupported type.
 */
export function sourceSize(image: BrowserImageSource, source = 'image'): ImageSize {
  if (isInstance(image, global.HTMLImageElement)) {
    if (!image.complete) throw new InvalidImageError(source, 'the <img> has not finished loading: await img.decode() first');
    if (image.naturalWidth === 0) throw new InvalidImageError(source, `the <img> failed to load or has no pixels (src ${JSON.stringify(image.currentSrc || image.src)})`);
    return { width: image.naturalWidth, height: image.naturalHeight };
  }
  if (isInstance(image, global.HTMLVideoElement)) {
    // HAVE_CURRENT_DATA (2): a frame is there to draw.
    if (image.readyState < 2) throw new InvalidImageError(source, `the <video> has no frame yet (readyState ${image.readyState}): wait for its "loadeddata" event`);
    return checkedSize(image.videoWidth, image.videoHeight, source, '<video> frame (zero-size video)');
  }
  if (isInstance(image, global.HTMLCanvasElement)) return checkedSize(image.width, image.height, source, 'canvas');
  if (isInstance(image, global.OffscreenCanvas)) return checkedSize(image.width, image.height, source, 'OffscreenCanvas');
  if (isInstance(image, global.ImageBitmap)) return checkedSize(image.width, image.height, source, 'ImageBitmap (closed or empty)');
  if (isImageData(image)) return checkedSize(image.width, image.height, source, 'ImageData');
  const kind = image === null ? 'null' : typeof image === 'object' ? (Object.getPrototypeOf(image)?.constructor?.name ?? 'object') : typeof image;
  throw new InvalidImageError(
    source,
    `unsupported source ${kind}; pass an HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap, ImageData or HTMLVideoElement`,
  );
}
