// Decodes image bytes of any supported format into a RawImage, picking the decoder by magic bytes.
import { decodePnm, InvalidImageError, type DecodeLimits, type RawImage } from '@facerec/core';
import { decodeBmp } from './bmp.js';
import { detectImageFormat } from './format.js';
import { decodeJpeg } from './jpeg.js';
import { decodePng } from './png.js';

/** Options of `decodeImage` and `readImage`. */
export type DecodeImageOptions = DecodeLimits;

/**
 * Decodes JPEG, PNG, PBM/PGM/PPM or BMP bytes (chosen by content, not by name) to 8-bit pixels with
 * 1 channel for gray images and 3 for colour ones (alpha dropped).
 * @param source file name or URL, used in error messages.
 * @throws InvalidImageError naming `source` for unknown, corrupt, truncated or over-limit data.
 */
export function decodeImage(bytes: Uint8Array, source: string, options: DecodeImageOptions = {}): RawImage {
  if (bytes.length === 0) throw new InvalidImageError(source, 'empty file');
  const format = detectImageFormat(bytes);
  try {
    switch (format) {
      case 'jpeg':
        return decodeJpeg(bytes, source, options);
      case 'png':
        return decodePng(bytes, source, options);
      case 'pnm':
        return decodePnm(bytes, source, options);
      case 'bmp':
        return decodeBmp(bytes, source, options);
      default:
        throw new InvalidImageError(source, 'unknown image format (expected JPEG, PNG, PGM/PPM/PBM or BMP)');
    }
  } catch (error) {
    if (error instanceof InvalidImageError) throw error;
    // A decoder bug or a RangeError on a lying header is still the file's fault, so name it.
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidImageError(source, `corrupt ${format?.toUpperCase() ?? ''} data: ${reason}`, { cause: error });
  }
}
