// Internal: refusing NaN and infinity where they would otherwise become an answer (a name, "different", a score).
import { NumericError } from './index.js';

/** Index of the first NaN or infinite value in `values`, or -1 when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/**
 * Throws NumericError naming `source` when `values` hold NaN or infinity; `what` says which result
 * (e.g. "class probabilities").
 */
export function requireFinite(values: ArrayLike<number>, source: string, what: string): void {
  const at = firstNonFinite(values);
  if (at >= 0) {
    throw new NumericError(source, `non-finite ${what} (${String(values[at])} at index ${at}); the model's weights or the input contain NaN or infinite numbers`);
  }
}
