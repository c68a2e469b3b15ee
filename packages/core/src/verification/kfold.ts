// The LFW verification protocol: k folds, each scored with the threshold chosen on the other folds.
import { InvalidArgumentError } from '../errors/index.js';
import { bestThreshold, equalErrorRate, rocAuc, tarAtFar } from './roc.js';

/** Result of {@link kFoldVerification}; rates are fractions (0..1). */
export interface VerificationReport {
  /** Mean of the per-fold accuracies. */
  readonly accuracyMean: number;
  /** Sample standard deviation of the per-fold accuracies (n − 1, as LFW's protocol defines it). */
  readonly accuracyStd: number;
  /** Standard error of the mean (std / √k), what LFW's results page lists. */
  readonly accuracyStandardError: number;
  /** Per fold: accuracy on it and the threshold chosen on the other folds. */
  readonly folds: ReadonlyArray<{ readonly accuracy: number; readonly threshold: number; readonly pairs: number }>;
  /** Area under the ROC curve of all pairs pooled. */
  readonly auc: number;
  /** Equal error rate of all pairs pooled. */
  readonly eer: number;
  /** True accept rate at a false accept rate of 1e-3 (all pairs pooled). */
  readonly tarAtFar1e3: number;
  /** Number of pairs. */
  readonly pairs: number;
}

/**
 * Runs the k-fold verification protocol: for each fold, the accuracy-maximising threshold is chosen on the
 * other folds and the fold is scored with it. Pooled AUC, EER and TAR@FAR=1e-3 describe the whole ROC.
 *
 * @param scores - One similarity per pair (higher = more alike; pass −distance for distances).
 * @param same - Whether each pair is the same person.
 * @param folds - Fold number of each pair (any integers; at least 2 distinct).
 */
export function kFoldVerification(scores: ArrayLike<number>, same: ArrayLike<boolean>, folds: ArrayLike<number>): VerificationReport {
  if (folds.length !== scores.length) throw new InvalidArgumentError('folds', `has ${folds.length} values but scores has ${scores.length}`);
  const ids = [...new Set(Array.from(folds))].sort((a, b) => a - b);
  if (ids.length < 2) throw new InvalidArgumentError('folds', 'needs at least 2 distinct folds');
  const perFold = ids.map((id) => {
    const train = { s: [] as number[], y: [] as boolean[] };
    const test = { s: [] as number[], y: [] as boolean[] };
    for (let i = 0; i < scores.length; i++) {
      const part = folds[i] === id ? test : train;
      part.s.push(scores[i]!);
      part.y.push(Boolean(same[i]));
    }
    const { threshold } = bestThreshold(train.s, train.y);
    let correct = 0;
    test.s.forEach((s, i) => { if ((s >= threshold) === test.y[i]) correct++; });
    return { accuracy: correct / test.s.length, threshold, pairs: test.s.length };
  });
  const accs = perFold.map((f) => f.accuracy);
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / (accs.length - 1));
  return {
    accuracyMean: mean,
    accuracyStd: std,
    accuracyStandardError: std / Math.sqrt(accs.length),
    folds: perFold,
    auc: rocAuc(scores, same),
    eer: equalErrorRate(scores, same).eer,
    tarAtFar1e3: tarAtFar(scores, same, 1e-3).tar,
    pairs: scores.length,
  };
}

