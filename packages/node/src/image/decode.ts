// Decodes image bytes of any supported format into a RawImage, picking the decoder by magic bytes (and sharp when installed).
import { decodePnm, DEFAULT_DETECTION_SIZE, InvalidArgumentError, InvalidImageError, type DecodeLimits, type RawImage, type ScalableImage } from '@facerec/core';
import { decodeBmp } from './bmp.js';
import { detectImageFormat } from './format.js';
import { decodeGif } from './gif.js';
import { decodeJpeg } from './jpeg.js';
import { applyOrientation, jpegOrientation } from './orientation.js';
import { decodePng } from './png.js';
import { decodeWithSharp, loadSharp } from './sharp.js';
import { scalableWithSharp } from './scalable.js';

/**
 * Which decoder reads the bytes: `'sharp'` (libvips; an error when sharp is not installed), `'js'` (the
 * bundled pure-JS decoders: JPEG, PNG, GIF, PGM/PPM/PBM, BMP) or `'auto'` (default: sharp when it loads,
 * else JS; the environment variable `FACEREC_DECODER=js` forces JS).
 */
export type ImageDecoder = 'auto' | 'sharp' | 'js';

/** Options of `decodeImage`, `decodeImageAsync` and `readImage`. */
export interface DecodeImageOptions extends DecodeLimits {
  /** Decoder to use (default `'auto'`); the synchronous `decodeImage` only has the JS decoders. */
  readonly decoder?: ImageDecoder;
}

const DECODERS: readonly ImageDecoder[] = ['auto', 'sharp', 'js'];

function checkDecoder(decoder: unknown): ImageDecoder {
  const value = decoder ?? 'auto';
  if (!DECODERS.includes(value as ImageDecoder)) {
    throw new InvalidArgumentError('decoder', `${JSON.stringify(decoder)} (expected 'auto', 'sharp' or 'js')`);
  }
  return value as ImageDecoder;
}

/** Limits alone, so the decoder choice never reaches a decoder's options. */
function limitsOf(options: DecodeImageOptions): DecodeLimits {
  return { maxResolutionInMP: options.maxResolutionInMP, maxMemoryUsageInMB: options.maxMemoryUsageInMB };
}

/**
 * Decodes JPEG, PNG, GIF (first frame), PBM/PGM/PPM or BMP bytes (chosen by content, not by name) with the
 * pure-JS decoders, to 8-bit pixels with 1 channel for gray images and 3 for colour ones (alpha dropped);
 * a JPEG's EXIF orientation is applied. `decodeImageAsync` and `readImage` use sharp when it is installed
 * (faster, and WebP, AVIF and TIFF too).
 * @param source file name or URL, used in error messages.
 * @throws InvalidImageError naming `source` for unknown, corrupt, truncated or over-limit data.
 * @throws InvalidArgumentError for `decoder: 'sharp'` (sharp is asynchronous: use `decodeImageAsync`).
 */
export function decodeImage(bytes: Uint8Array, source: string, options: DecodeImageOptions = {}): RawImage {
  if (checkDecoder(options.decoder) === 'sharp') {
    throw new InvalidArgumentError('decoder', "'sharp' needs decodeImageAsync or readImage (decodeImage is synchronous)");
  }
  return decodeJs(bytes, source, limitsOf(options));
}

/**
 * `decodeImage` with sharp where it is installed (see `ImageDecoder`), EXIF orientation applied on either path.
 * @throws InvalidImageError naming `source` for unknown, corrupt, truncated or over-limit data, and for WebP,
 *   AVIF or TIFF without sharp.
 * @throws InvalidArgumentError for `decoder: 'sharp'` when sharp cannot be loaded.
 */
export async function decodeImageAsync(bytes: Uint8Array, source: string, options: DecodeImageOptions = {}): Promise<RawImage> {
  let decoder = checkDecoder(options.decoder);
  if (decoder === 'auto' && process.env.FACEREC_DECODER === 'js') decoder = 'js';
  const limits = limitsOf(options);
  if (decoder === 'js') return decodeJs(bytes, source, limits);
  const sharp = await loadSharp();
  if (!sharp) {
    if (decoder === 'sharp') throw new InvalidArgumentError('decoder', "'sharp' but the sharp package is not installed or does not load (npm install sharp)");
    return decodeJs(bytes, source, limits);
  }
  if (bytes.length === 0) throw new InvalidImageError(source, 'empty file');
  const format = detectImageFormat(bytes);
  // libvips has no PBM/PGM/PPM loader in sharp's build and BMP is not one of its formats: those stay JS.
  if (format === undefined || format === 'pnm' || format === 'bmp') return decodeJs(bytes, source, limits);
  return decodeWithSharp(sharp, bytes, source, format, limits);
}

/** Options of `openImage` and `openImageBytes`. */
export interface OpenImageOptions extends DecodeImageOptions {
  /**
   * Photos whose longer side is at most this many pixels are decoded whole, as `decodeImageAsync` does;
   * bigger ones are read lazily (default `DEFAULT_DETECTION_SIZE`, 1280: the pipeline's detection size).
   */
  readonly wholeUpTo?: number;
}

/**
 * Reads image bytes for the face pipeline: a photo up to `wholeUpTo` pixels is decoded as `decodeImageAsync`
 * does; a bigger JPEG, PNG, WebP, AVIF or TIFF, when sharp is installed, becomes a {@link ScalableImage} that
 * decodes only what the pipeline asks for (a shrunk copy to detect on, decoded shrunk; a region per face from
 * the full photo), so a 24-megapixel photo costs a fraction of a full decode and its memory. Without sharp
 * (or with `decoder: 'js'`) the photo is decoded whole and the pipeline shrinks it in memory: slower (see
 * BENCHMARKS.md), same faces. Headers are checked against the limits before anything is allocated.
 * @param source file name or URL, used in error messages.
 * @throws InvalidImageError naming `source` for unknown, corrupt, truncated or over-limit data.
 * @throws InvalidArgumentError for a bad `decoder` or `wholeUpTo`, or `decoder: 'sharp'` without sharp.
 */
export async function openImageBytes(bytes: Uint8Array, source: string, options: OpenImageOptions = {}): Promise<RawImage | ScalableImage> {
  const wholeUpTo = options.wholeUpTo ?? DEFAULT_DETECTION_SIZE;
  if (!(typeof wholeUpTo === 'number' && wholeUpTo >= 1)) throw new InvalidArgumentError('wholeUpTo', `must be a number of pixels >= 1, got ${String(wholeUpTo)}`);
  let decoder = checkDecoder(options.decoder);
  if (decoder === 'auto' && process.env.FACEREC_DECODER === 'js') decoder = 'js';
  const format = bytes.length === 0 ? undefined : detectImageFormat(bytes);
  const sharp = decoder === 'js' || !(format === 'jpeg' || format === 'png' || format === 'webp' || format === 'avif' || format === 'tiff') ? undefined : await loadSharp();
  if (!sharp || !format) return decodeImageAsync(bytes, source, { ...limitsOf(options), decoder });
  const image = await scalableWithSharp(sharp, bytes, source, format, limitsOf(options));
  return Math.max(image.width, image.height) > wholeUpTo ? image : decodeWithSharp(sharp, bytes, source, format, limitsOf(options));
}

function decodeJs(bytes: Uint8Array, source: string, limits: DecodeLimits): RawImage {
  if (bytes.length === 0) throw new InvalidImageError(source, 'empty file');
  const format = detectImageFormat(bytes);
  try {
    switch (format) {
      case 'jpeg':
        return applyOrientation(decodeJpeg(bytes, source, limits), jpegOrientation(bytes));
      case 'png':
        return decodePng(bytes, source, limits);
      case 'gif':
        return decodeGif(bytes, source, limits);
      case 'pnm':
        return decodePnm(bytes, source, limits);
      case 'bmp':
        return decodeBmp(bytes, source, limits);
      case 'webp':
      case 'avif':
      case 'tiff':
        throw new InvalidImageError(source, `${format.toUpperCase()} needs sharp: install sharp to read WebP/AVIF/TIFF (the built-in decoders read JPEG, PNG, GIF, PGM/PPM/PBM and BMP)`);
      default:
        throw new InvalidImageError(source, 'unknown image format (expected JPEG, PNG, GIF, WebP, AVIF, TIFF, PGM/PPM/PBM or BMP)');
    }
  } catch (error) {
    if (error instanceof InvalidImageError) throw error;
    // A decoder bug or a RangeError on a lying header is still the file's fault, so name it.
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidImageError(source, `corrupt ${format?.toUpperCase() ?? ''} data: ${reason}`, { cause: error });
  }
}
