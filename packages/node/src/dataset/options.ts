// Checks loader options up front, so a typo fails before minutes of decoding.
import { InvalidArgumentError } from '@facerec/core';
import type { ImageFolderSplit } from './types.js';

/** Returns a positive integer option or its default; throws InvalidArgumentError otherwise. */
export function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(name, `must be an integer >= 1, got ${value}`);
  return value;
}

/** Validates a split; throws InvalidArgumentError naming the bad field. */
export function checkSplit(split: ImageFolderSplit): ImageFolderSplit {
  switch (split.type) {
    case 'none':
      return split;
    case 'first':
      positiveInt('split.count', split.count, 1);
      return split;
    case 'fraction':
      if (!(split.test > 0 && split.test < 1)) {
        throw new InvalidArgumentError('split.test', `must be a fraction between 0 and 1 (exclusive), got ${split.test}`);
      }
      if (split.seed !== undefined && !Number.isFinite(split.seed)) {
        throw new InvalidArgumentError('split.seed', `must be a finite number, got ${split.seed}`);
      }
      return split;
    default:
      throw new InvalidArgumentError('split.type', `unknown split ${JSON.stringify((split as { type: unknown }).type)}`);
  }
}

/** Validates `onCorrupt`. */
export function checkOnCorrupt(value: string | undefined): 'error' | 'skip' {
  if (value === undefined || value === 'error' || value === 'skip') return value ?? 'error';
  throw new InvalidArgumentError('onCorrupt', `must be 'error' or 'skip', got ${JSON.stringify(value)}`);
}
