// Scores in the CLI: printed as a probability in percent or a cosine similarity with three decimals; --threshold on the model's scale.
import type { ScoreKind } from '@facerec/core';
import { UsageError } from './args.js';

/** `score` as text: `93.1%` for a probability, `0.934` for a cosine similarity. */
export function formatScore(score: number, kind: ScoreKind): string {
  return kind === 'cosine' ? score.toFixed(3) : `${(score * 100).toFixed(1)}%`;
}

/** `--threshold` must be on the model's scale: a probability is in [0, 1] (the flag accepts [-1, 1] for cosine). */
export function checkThresholdFlag(threshold: number | undefined, kind: ScoreKind): void {
  if (threshold !== undefined && kind === 'probability' && threshold < 0) {
    throw new UsageError(`--threshold must be in [0, 1] for this model, whose scores are probabilities; got ${threshold}`);
  }
}
