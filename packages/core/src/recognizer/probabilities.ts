// Rows of class probabilities to recognitions: how a trained CNN and a softmax head answer.
import { firstNonFinite, requireFinite } from '../errors/finite.js';
import { recognitionOf, type Candidate, type Recognition } from './result.js';

/** Where a block of probability rows sits among all the images of a call, for error messages. */
export interface RowsPosition {
  /** Index of the block's first image among all images of the call. */
  readonly offset: number;
  /** Number of images of the call. */
  readonly total: number;
}

/**
 * One recognition per row of `values` (`rows × labels.length` probabilities, row-major): the `topK` best labels and
 * UNKNOWN below `threshold`.
 * @throws NumericError naming `source` and the image when a probability is NaN or infinite: NaN < threshold is
 *   false, so it would otherwise be answered with a name.
 */
export function recognitionsFromProbabilities(
  values: Float32Array,
  labels: readonly string[],
  topK: number,
  threshold: number,
  source: string,
  position: RowsPosition = { offset: 0, total: values.length / labels.length },
): Recognition[] {
  const k = labels.length;
  const bad = firstNonFinite(values);
  if (bad >= 0) {
    const image = position.offset + Math.floor(bad / k);
    requireFinite(values, source, `class probabilities of image ${image}${position.total > 1 ? ` (of ${position.total})` : ''}`);
  }
  const out: Recognition[] = [];
  for (let row = 0; row < values.length / k; row++) {
    const candidates: Candidate[] = Array.from(values.subarray(row * k, (row + 1) * k), (score, c) => ({ label: labels[c]!, score }));
    candidates.sort((a, b) => b.score - a.score);
    out.push(recognitionOf(candidates.slice(0, Math.min(topK, k)), threshold, 'probability'));
  }
  return out;
}
