// How the CLI prints a recognition score: a probability in percent, a cosine similarity with three decimals.
import type { ScoreKind } from '@facerec/core';

/** `score` as text: `93.1%` for a probability, `0.934` for a cosine similarity. */
export function formatScore(score: number, kind: ScoreKind): string {
  return kind === 'cosine' ? score.toFixed(3) : `${(score * 100).toFixed(1)}%`;
}
