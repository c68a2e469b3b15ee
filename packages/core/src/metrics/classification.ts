// Classification metrics on plain numbers (class indices and score arrays), so they need no tensors or backend.
import { InvalidArgumentError } from '../errors/index.js';

/** Precision, recall and F1 of one class; `support` is how many samples truly belong to it. */
export interface PerClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Averages of precision, recall and F1 over classes. */
export interface AveragedMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Everything {@link classificationReport} measures; plain JSON. */
export interface ClassificationReport {
  /** Fraction of samples whose predicted class is the true one. */
  readonly accuracy: number;
  /** Top-k accuracy for each k measured (only when scores were given), keyed by k. */
  readonly topK?: Record<number, number>;
  /** Unweighted mean over all classes (classes absent from `yTrue` count, with recall 0). */
  readonly macro: AveragedMetrics;
  /** Mean over classes weighted by support. */
  readonly weighted: AveragedMetrics;
  /** Metrics of each class, keyed by label. */
  readonly perClass: Record<string, PerClassMetrics>;
  /** `confusion[true][predicted]` counts, in `labels` order. */
  readonly confusion: number[][];
  /** Class names; index i names class i. */
  readonly labels: string[];
  /** Number of samples. */
  readonly count: number;
}

/** Input of {@link classificationReport}. */
export interface ClassificationReportInput {
  /** True class index of each sample. */
  readonly yTrue: ArrayLike<number>;
  /** Predicted class index of each sample. */
  readonly yPred: ArrayLike<number>;
  /** Class names; their count is the number of classes. Must be unique. */
  readonly labels: readonly string[];
  /** Optional `N × labels.length` row-major class scores (probabilities or logits), for top-k accuracy. */
  readonly scores?: Float32Array;
  /** Which k to report in the result's `topK` when `scores` is given; default 1, 3 and 5 (those not above the number of classes). */
  readonly topK?: readonly number[];
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

function checkCount(n: unknown, argument: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(argument, `expected a positive integer, got ${String(n)}`);
  }
  return n;
}

// numClasses undefined: any non-negative integer is a class index.
function checkClasses(values: ArrayLike<number>, numClasses: number | undefined, argument: string): void {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new InvalidArgumentError(argument, 'expected an array of class indices');
  }
  const limit = numClasses ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      const range = numClasses === undefined ? 'a non-negative integer' : `in 0..${numClasses - 1}`;
      throw new InvalidArgumentError(`${argument}[${i}]`, `expected a class index ${range}, got ${String(v)}`);
    }
  }
}

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number | undefined): void {
  checkClasses(yTrue, numClasses, 'yTrue');
  checkClasses(yPred, numClasses, 'yPred');
  if (yTrue.length !== yPred.length) {
    throw new InvalidArgumentError('yPred', `has ${yPred.length} entries but yTrue has ${yTrue.length}`);
  }
  if (yTrue.length === 0) throw new InvalidArgumentError('yTrue', 'must not be empty');
}

/**
 * Fraction of positions where `yPred` equals `yTrue`.
 *
 * @throws InvalidArgumentError for empty or different-length inputs, or entries that are not non-negative integers.
 */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, undefined);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/**
 * Fraction of samples whose true class is among the `k` highest scores. As TensorFlow's `in_top_k`, classes that
 * tie with the k-th score all count as in the top k; a NaN score is an error.
 *
 * @param yTrue - True class index of each of the N samples.
 * @param scores - `N × numClasses` scores, row-major.
 * @param numClasses - Number of classes (the row length).
 * @param k - How many top classes count, 1..numClasses.
 * @throws InvalidArgumentError for inconsistent sizes, a bad `k`, out-of-range classes or NaN scores.
 */
export function topKAccuracy(yTrue: ArrayLike<number>, scores: Float32Array, numClasses: number, k: number): number {
  checkCount(numClasses, 'numClasses');
  checkClasses(yTrue, numClasses, 'yTrue');
  if (yTrue.length === 0) throw new InvalidArgumentError('yTrue', 'must not be empty');
  if (!(scores instanceof Float32Array) || scores.length !== yTrue.length * numClasses) {
    throw new InvalidArgumentError(
      'scores',
      `expected a Float32Array of ${yTrue.length} × ${numClasses} = ${yTrue.length * numClasses} values, got ${scores?.length ?? String(scores)}`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k > numClasses) {
    throw new InvalidArgumentError('k', `expected an integer in 1..${numClasses}, got ${String(k)}`);
  }
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const row = i * numClasses;
    const target = scores[row + yTrue[i]!]!;
    // Rank = classes scoring strictly higher; cheaper than sorting and gives in_top_k's tie rule.
    let higher = 0;
    for (let c = 0; c < numClasses; c++) {
      const s = scores[row + c]!;
      if (Number.isNaN(s)) throw new InvalidArgumentError(`scores[${row + c}]`, 'is NaN');
      if (s > target) higher++;
    }
    if (higher < k) hits++;
  }
  return hits / yTrue.length;
}

/**
 * Counts `confusion[true][predicted]`: row i holds the samples of class i, column j those predicted as j.
 *
 * @throws InvalidArgumentError for empty or different-length inputs or indices outside 0..numClasses−1.
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  checkCount(numClasses, 'numClasses');
  checkPair(yTrue, yPred, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]!]![yPred[i]!]!++;
  return matrix;
}

function checkConfusion(confusion: readonly (readonly number[])[], size: number): void {
  if (!Array.isArray(confusion) || confusion.length !== size) {
    throw new InvalidArgumentError('confusion', `expected ${size} rows (one per label), got ${Array.isArray(confusion) ? confusion.length : typeof confusion}`);
  }
  confusion.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== size) {
      throw new InvalidArgumentError(`confusion[${i}]`, `expected ${size} counts`);
    }
    row.forEach((v, j) => {
      if (!Number.isInteger(v) || v < 0) {
        throw new InvalidArgumentError(`confusion[${i}][${j}]`, `expected a count (non-negative integer), got ${String(v)}`);
      }
    });
  });
}

/**
 * Precision (`tp / predicted`), recall (`tp / support`) and F1 (their harmonic mean) of each class from a
 * confusion matrix with true classes as rows. Each is 0 when its denominator is 0.
 *
 * @param confusion - Square matrix of counts, as from {@link confusionMatrix}.
 * @param labels - Name of each class, in row order.
 * @throws InvalidArgumentError when the matrix is not `labels.length` square or holds non-counts.
 */
export function perClassMetrics(confusion: readonly (readonly number[])[], labels: readonly string[]): PerClassMetrics[] {
  if (!Array.isArray(labels) || labels.length === 0) throw new InvalidArgumentError('labels', 'expected a non-empty array');
  checkConfusion(confusion, labels.length);
  return labels.map((label, c) => {
    const tp = confusion[c]![c]!;
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < labels.length; j++) {
      support += confusion[c]![j]!;
      predicted += confusion[j]![c]!;
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
}

/**
 * Measures a classifier on a labelled set: accuracy, optional top-k accuracy, per-class precision/recall/F1, their
 * macro and support-weighted averages, and the confusion matrix. Plain JSON, ready to save or print.
 *
 * @throws InvalidArgumentError for inconsistent inputs (see the other metric functions) or duplicate labels.
 */
export function classificationReport(input: ClassificationReportInput): ClassificationReport {
  const { yTrue, yPred, labels, scores } = input;
  if (!Array.isArray(labels) || labels.length === 0) throw new InvalidArgumentError('labels', 'expected a non-empty array');
  if (new Set(labels).size !== labels.length) throw new InvalidArgumentError('labels', 'must be unique');
  const numClasses = labels.length;
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const classes = perClassMetrics(confusion, labels);
  const count = yTrue.length;

  const average = (weight: (m: PerClassMetrics) => number): AveragedMetrics => {
    const total = classes.reduce((sum, m) => sum + weight(m), 0);
    const mean = (key: 'precision' | 'recall' | 'f1'): number =>
      ratio(classes.reduce((sum, m) => sum + weight(m) * m[key], 0), total);
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
  };

  let hits = 0;
  for (let c = 0; c < numClasses; c++) hits += confusion[c]![c]!;
  const report: ClassificationReport = {
    accuracy: hits / count,
    macro: average(() => 1),
    weighted: average((m) => m.support),
    perClass: Object.fromEntries(classes.map((m) => [m.label, m])),
    confusion,
    labels: [...labels],
    count,
  };
  if (scores === undefined) return report;
  const ks = input.topK ?? [1, 3, 5].filter((k) => k <= numClasses);
  const topK: Record<number, number> = {};
  for (const k of ks) topK[k] = topKAccuracy(yTrue, scores, numClasses, k);
  return { ...report, topK };
}
