// The one answer to "who is this?" that every recognizer gives (FaceRecognizer, Gallery), and its unknown label.
import type { Box } from '../image/types.js';
import type { FiveLandmarks } from '../faces/landmarks.js';

/** The label of a face that matches nobody closely enough. No person may be called this. */
export const UNKNOWN = 'unknown';

/** What a score means: a softmax probability (0..1) or a cosine similarity (−1..1). */
export type ScoreKind = 'probability' | 'cosine';

/** One person a face may be, with the recognizer's score for them (see {@link ScoreKind}). */
export interface Candidate {
  readonly label: string;
  readonly score: number;
}

/** The answer to "who is this?" from any recognizer (`FaceRecognizer`, `Gallery`). */
export interface Recognition {
  /** The best candidate's label, or {@link UNKNOWN} when `unknown`. */
  readonly label: string;
  /**
   * The best candidate's score: the number compared with the threshold (its scale: the recognizer's
   * `scoreKind`). When nobody is known it is the lowest score of the scale (−1 for cosine, 0 for probability).
   */
  readonly score: number;
  /** True when the score is below the threshold or nobody is known; `label` is then {@link UNKNOWN} and `candidates[0]`, if any, is the best match. */
  readonly unknown: boolean;
  /** Up to `topK` candidates, best first. */
  readonly candidates: readonly Candidate[];
}

/** A face found in a photo and who it is. */
export interface RecognizedFace extends Recognition {
  /** Where the face is, in image pixels. */
  readonly box: Box;
  /** Its five landmarks, in image pixels. */
  readonly landmarks: FiveLandmarks;
  /** Detector confidence, 0..1. */
  readonly detectionScore: number;
}

/** The lowest score of a scale: what a recognition scores when nobody is known. */
export function lowestScore(kind: ScoreKind): number {
  return kind === 'cosine' ? -1 : 0;
}

/**
 * The recognition for candidates sorted best first: the best one's label, or {@link UNKNOWN} when its score is
 * below `threshold` or there is no candidate at all.
 */
export function recognitionOf(candidates: readonly Candidate[], threshold: number, kind: ScoreKind): Recognition {
  const best = candidates[0];
  if (best === undefined) return { label: UNKNOWN, score: lowestScore(kind), unknown: true, candidates: [] };
  const unknown = !(best.score >= threshold);
  return { label: unknown ? UNKNOWN : best.label, score: best.score, unknown, candidates };
}
