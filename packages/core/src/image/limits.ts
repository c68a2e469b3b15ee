// Decode limits shared by every decoder, so a hostile or broken header cannot make us allocate gigabytes.
import { InvalidImageError } from '../errors/index.js';

/**
 * Caps on what one decode may allocate. Both are checked before the pixels are allocated (the size from the
 * header), and data too short for the header's size is refused before allocating too.
 */
export interface DecodeLimits {
  /**
   * Largest image accepted, in megapixels (default 50: the full-resolution modes of 48- and 50-megapixel phone
   * cameras). Decoding takes about 10 to 20 bytes per pixel at its peak (a 50-megapixel PNG: ~0.9 GB in Node),
   * and the face pipeline adds little to the decoded image (it never makes a float tensor of a big photo).
   */
  readonly maxResolutionInMP?: number;
  /**
   * Most memory one JPEG decode may use, in MB (default 512, jpeg-js's own). Only jpeg-js measures this; at the
   * default it decodes JPEGs up to about 44 megapixels (raise it for 48- and 50-megapixel photos: 8000×6000
   * took ~1.8 GB and 15 s of CPU).
   */
  readonly maxMemoryUsageInMB?: number;
}

/** Default largest image, in megapixels. */
export const DEFAULT_MAX_RESOLUTION_MP = 50;
/** Default JPEG decoder memory cap, in MB. */
export const DEFAULT_MAX_MEMORY_MB = 512;

/** Throws InvalidImageError when the size is empty, not an integer, or over `maxResolutionInMP`. */
export function checkDimensions(source: string, width: number, height: number, limits: DecodeLimits = {}): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidImageError(source, `bad size ${width}x${height}`);
  }
  const maxMP = limits.maxResolutionInMP ?? DEFAULT_MAX_RESOLUTION_MP;
  const mp = (width * height) / 1e6;
  if (mp > maxMP) {
    throw new InvalidImageError(
      source,
      `${width}x${height} is ${mp.toFixed(1)} MP, over the maxResolutionInMP limit of ${maxMP}`,
    );
  }
}
