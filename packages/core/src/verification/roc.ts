// ROC curve, AUC, equal error rate and TAR at a fixed FAR for pair scores (higher score = more likely the same person).
import { InvalidArgumentError } from '../errors/index.js';

/** One operating point: pairs with score ≥ `threshold` are accepted as the same person. */
export interface RocPoint {
  readonly threshold: number;
  /** True accept rate: accepted same-person pairs / same-person pairs. */
  readonly tpr: number;
  /** False accept rate: accepted different-person pairs / different-person pairs. */
  readonly fpr: number;
}

/** Checks scores and labels and counts both classes. @throws InvalidArgumentError */
export function checkPairs(scores: ArrayLike<number>, same: ArrayLike<boolean>): { positives: number; negatives: number } {
  if (scores.length !== same.length) throw new InvalidArgumentError('scores', `has ${scores.length} values but same has ${same.length}`);
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new InvalidArgumentError('scores', `value ${i} is ${String(scores[i])}, expected a finite number`);
    if (same[i]) positives++;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) throw new InvalidArgumentError('same', 'needs at least one same-person and one different-person pair');
  return { positives, negatives };
}

/**
 * The ROC curve: one point per distinct score (tied scores move together), from the strictest threshold
 * (+Infinity: nothing accepted, (0, 0)) to the loosest (everything accepted, (1, 1)).
 */
export function rocCurve(scores: ArrayLike<number>, same: ArrayLike<boolean>): RocPoint[] {
  const { positives, negatives } = checkPairs(scores, same);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const points: RocPoint[] = [{ threshold: Infinity, tpr: 0, fpr: 0 }];
  let tp = 0, fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (same[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) points.push({ threshold: scores[i]!, tpr: tp / positives, fpr: fp / negatives });
  }
  return points;
}

/** Area under the ROC curve (trapezoids; ties count one half), 0..1. */
export function rocAuc(scores: ArrayLike<number>, same: ArrayLike<boolean>): number {
  const roc = rocCurve(scores, same);
  let area = 0;
  for (let k = 1; k < roc.length; k++) area += ((roc[k]!.fpr - roc[k - 1]!.fpr) * (roc[k]!.tpr + roc[k - 1]!.tpr)) / 2;
  return area;
}

/**
 * Equal error rate: where the false accept rate equals the false reject rate (1 − TPR), interpolated
 * linearly between the two ROC points that straddle it. `threshold` is the score at that point.
 */
export function equalErrorRate(scores: ArrayLike<number>, same: ArrayLike<boolean>): { eer: number; threshold: number } {
  const roc = rocCurve(scores, same);
  for (let k = 1; k < roc.length; k++) {
    const a = roc[k - 1]!, b = roc[k]!;
    const da = a.fpr - (1 - a.tpr); // ≤ 0 at the strict end, ≥ 0 at the loose end
    const db = b.fpr - (1 - b.tpr);
    if (da <= 0 && db >= 0) {
      const t = db === da ? 0 : -da / (db - da);
      const threshold = Number.isFinite(a.threshold) ? a.threshold + t * (b.threshold - a.threshold) : b.threshold;
      return { eer: a.fpr + t * (b.fpr - a.fpr), threshold };
    }
  }
  return { eer: 0, threshold: roc[roc.length - 1]!.threshold };
}

/**
 * True accept rate at a false accept rate of at most `far`: the best TPR among thresholds whose FAR does
 * not exceed it. With N different-person pairs, a FAR below 1/N can only be met by accepting none of them.
 */
export function tarAtFar(scores: ArrayLike<number>, same: ArrayLike<boolean>, far: number): { tar: number; threshold: number } {
  if (!(far >= 0 && far <= 1)) throw new InvalidArgumentError('far', `must be in [0, 1], got ${far}`);
  let best: RocPoint = { threshold: Infinity, tpr: 0, fpr: 0 };
  for (const p of rocCurve(scores, same)) if (p.fpr <= far && p.tpr >= best.tpr) best = p;
  return { tar: best.tpr, threshold: best.threshold };
}

/**
 * The threshold with the highest accuracy on these pairs (accept when score ≥ threshold), placed halfway
 * between the two scores it separates so it generalises to unseen pairs.
 */
export function bestThreshold(scores: ArrayLike<number>, same: ArrayLike<boolean>): { threshold: number; accuracy: number } {
  const { positives } = checkPairs(scores, same);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  // Accepting nothing: right on every negative.
  let correct = n - positives;
  let bestCorrect = correct;
  let bestT = scores[order[0]!]! + 1;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    correct += same[i] ? 1 : -1;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    if (correct > bestCorrect) {
      bestCorrect = correct;
      bestT = next === undefined ? scores[i]! - 1 : (scores[i]! + scores[next]!) / 2;
    }
  }
  return { threshold: bestT, accuracy: bestCorrect / n };
}

/** Fraction of pairs classified correctly when accepting scores ≥ `threshold`. */
export function verificationAccuracy(scores: ArrayLike<number>, same: ArrayLike<boolean>, threshold: number): number {
  checkPairs(scores, same);
  let correct = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i]! >= threshold) === Boolean(same[i])) correct++;
  return correct / scores.length;
}
