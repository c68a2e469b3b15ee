// Decode limits shared by every decoder, so a hostile or broken header cannot make us allocate gigabytes.
import { InvalidImageError } from '../errors/index.js';

/** Caps on what one decode may allocate; the defaults match jpeg-js's own. */
export interface DecodeLimits {
  /** Largest image accepted, in megapixels (default 100). */
  readonly maxResolutionInMP?: number;
  /** Most memory one JPEG decode may use, in MB (default 512). Only jpeg-js can measure this. */
  readonly maxMemoryUsageInMB?: number;
}

/** Default largest image, in megapixels. */
export const DEFAULT_MAX_RESOLUTION_MP = 100;
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
