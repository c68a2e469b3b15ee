// Tests for the classification metrics against a 3-class example worked out by hand.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  perClassMetrics,
  topKAccuracy,
} from '../../src/metrics/index.js';

const labels = ['ann', 'bob', 'cat'];
const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
// Row argmax = yPred. Misses: #2 and #6 and #9 have the true class second, #3 has it third.
const scores = new Float32Array([
  0.7, 0.2, 0.1,
  0.6, 0.3, 0.1,
  0.3, 0.6, 0.1,
  0.1, 0.3, 0.6,
  0.2, 0.7, 0.1,
  0.1, 0.8, 0.1,
  0.5, 0.4, 0.1,
  0.1, 0.1, 0.8,
  0.2, 0.2, 0.6,
  0.1, 0.5, 0.4,
]);
// By hand: confusion rows (true) ann [2,1,1], bob [1,2,0], cat [0,1,2]; column sums 3, 4, 3.
const confusion = [
  [2, 1, 1],
  [1, 2, 0],
  [0, 1, 2],
];
// precision = tp / column sum, recall = tp / row sum, f1 = 2pr / (p + r).
const expected = {
  ann: { label: 'ann', precision: 2 / 3, recall: 2 / 4, f1: 4 / 7, support: 4 },
  bob: { label: 'bob', precision: 2 / 4, recall: 2 / 3, f1: 4 / 7, support: 3 },
  cat: { label: 'cat', precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
};

function argumentOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as InvalidArgumentError).argument;
  }
  throw new Error('expected an InvalidArgumentError');
}

function expectMetrics(actual: object, wanted: Record<string, number | string>): void {
  for (const [key, value] of Object.entries(wanted)) {
    const got = (actual as Record<string, unknown>)[key];
    if (typeof value === 'number') expect(got, key).toBeCloseTo(value, 10);
    else expect(got, key).toBe(value);
  }
}

describe('accuracy', () => {
  it('counts matching positions', () => {
    expect(accuracy(yTrue, yPred)).toBeCloseTo(0.6, 12);
    expect(accuracy(Int32Array.from([1, 2]), [1, 2])).toBe(1);
  });

  it('rejects mismatched, empty or non-integer input', () => {
    expect(argumentOf(() => accuracy([0, 1], [0]))).toBe('yPred');
    expect(argumentOf(() => accuracy([], []))).toBe('yTrue');
    expect(argumentOf(() => accuracy([0, 1.5], [0, 1]))).toBe('yTrue[1]');
    expect(argumentOf(() => accuracy([0, 1], [0, -1]))).toBe('yPred[1]');
  });
});

describe('topKAccuracy', () => {
  it('matches the hand-worked top-1, top-2 and top-3', () => {
    expect(topKAccuracy(yTrue, scores, 3, 1)).toBeCloseTo(0.6, 12);
    expect(topKAccuracy(yTrue, scores, 3, 2)).toBeCloseTo(0.9, 12);
    expect(topKAccuracy(yTrue, scores, 3, 3)).toBe(1);
  });

  it('counts ties at the k-th score as hits, like in_top_k', () => {
    expect(topKAccuracy([1], new Float32Array([0.5, 0.5, 0]), 3, 1)).toBe(1);
    expect(topKAccuracy([2], new Float32Array([0.5, 0.5, 0]), 3, 2)).toBe(0);
  });

  it('rejects bad sizes, k and scores', () => {
    expect(argumentOf(() => topKAccuracy(yTrue, scores.subarray(1), 3, 1))).toBe('scores');
    expect(argumentOf(() => topKAccuracy(yTrue, scores, 3, 0))).toBe('k');
    expect(argumentOf(() => topKAccuracy(yTrue, scores, 3, 4))).toBe('k');
    expect(argumentOf(() => topKAccuracy([3], new Float32Array(3), 3, 1))).toBe('yTrue[0]');
    expect(argumentOf(() => topKAccuracy([0], new Float32Array([0, Number.NaN, 0]), 3, 1))).toBe('scores[1]');
  });
});

describe('confusionMatrix', () => {
  it('puts true classes in rows and predictions in columns', () => {
    expect(confusionMatrix(yTrue, yPred, 3)).toEqual(confusion);
  });

  it('rejects indices outside the classes', () => {
    expect(argumentOf(() => confusionMatrix([0, 3], [0, 1], 3))).toBe('yTrue[1]');
    expect(argumentOf(() => confusionMatrix([0], [0], 0))).toBe('numClasses');
  });
});

describe('perClassMetrics', () => {
  it('matches the hand-worked precision, recall and F1', () => {
    const metrics = perClassMetrics(confusion, labels);
    expect(metrics).toHaveLength(3);
    metrics.forEach((m, i) => expectMetrics(m, expected[labels[i] as keyof typeof expected]));
  });

  it('defines metrics with a zero denominator as 0', () => {
    // Class 1 is never predicted (precision 0/0) and class 2 never occurs (recall 0/0).
    const [a, b, c] = perClassMetrics(confusionMatrix([0, 1], [0, 0], 3), ['a', 'b', 'c']);
    expectMetrics(a!, { precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expectMetrics(b!, { precision: 0, recall: 0, f1: 0, support: 1 });
    expectMetrics(c!, { precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('rejects a matrix that does not match the labels', () => {
    expect(argumentOf(() => perClassMetrics(confusion, ['a', 'b']))).toBe('confusion');
    expect(argumentOf(() => perClassMetrics([[1, 0], [0]], ['a', 'b']))).toBe('confusion[1]');
    expect(argumentOf(() => perClassMetrics([[1, 0], [0, -1]], ['a', 'b']))).toBe('confusion[1][1]');
  });
});

describe('classificationReport', () => {
  it('gathers everything for the hand-worked example', () => {
    const report = classificationReport({ yTrue, yPred, labels, scores, topK: [1, 2] });
    expect(report.count).toBe(10);
    expect(report.accuracy).toBeCloseTo(0.6, 12);
    expect(report.labels).toEqual(labels);
    expect(report.confusion).toEqual(confusion);
    expect(report.topK?.[1]).toBeCloseTo(0.6, 12);
    expect(report.topK?.[2]).toBeCloseTo(0.9, 12);
    expect(Object.keys(report.topK ?? {})).toEqual(['1', '2']);
    for (const label of labels) expectMetrics(report.perClass[label]!, expected[label as keyof typeof expected]);
    // Macro: plain means. Weighted by support 4, 3, 3 (weighted recall always equals accuracy).
    expectMetrics(report.macro, { precision: 11 / 18, recall: 11 / 18, f1: 38 / 63 });
    expectMetrics(report.weighted, { precision: 37 / 60, recall: 0.6, f1: 0.6 });
    // Plain JSON.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('reports top-1, 3 and 5 that fit by default, and no topK without scores', () => {
    expect(Object.keys(classificationReport({ yTrue, yPred, labels, scores }).topK ?? {})).toEqual(['1', '3']);
    expect(classificationReport({ yTrue, yPred, labels }).topK).toBeUndefined();
  });

  it('rejects duplicate labels and inconsistent inputs', () => {
    expect(argumentOf(() => classificationReport({ yTrue, yPred, labels: ['a', 'a', 'b'] }))).toBe('labels');
    expect(argumentOf(() => classificationReport({ yTrue, yPred, labels: ['a', 'b'] }))).toBe('yTrue[7]');
    expect(argumentOf(() => classificationReport({ yTrue, yPred, labels, scores: new Float32Array(3) }))).toBe('scores');
  });
});
