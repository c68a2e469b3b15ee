// Tests for ROC, AUC, EER, TAR@FAR, the best threshold and the k-fold protocol against cases worked out by hand.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import {
  bestThreshold, equalErrorRate, kFoldVerification, lfwImagePath, parseLfwPairs, rocAuc, rocCurve, tarAtFar, verificationAccuracy,
} from '../../src/verification/index.js';

// Same-person pairs score 0.9, 0.8, 0.6; different-person pairs 0.7, 0.5, 0.4.
const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
const same = [true, true, false, true, false, false];

describe('rocCurve', () => {
  it('steps through every distinct score from (0,0) to (1,1)', () => {
    const roc = rocCurve(scores, same);
    expect(roc.map((p) => [p.threshold, p.tpr, p.fpr])).toEqual([
      [Infinity, 0, 0], [0.9, 1 / 3, 0], [0.8, 2 / 3, 0], [0.7, 2 / 3, 1 / 3], [0.6, 1, 1 / 3], [0.5, 1, 2 / 3], [0.4, 1, 1],
    ]);
  });
  it('moves tied scores together', () => {
    expect(rocCurve([0.5, 0.5], [true, false]).map((p) => [p.tpr, p.fpr])).toEqual([[0, 0], [1, 1]]);
  });
  it('rejects a single class or mismatched lengths', () => {
    expect(() => rocCurve([0.1, 0.2], [true, true])).toThrow(InvalidArgumentError);
    expect(() => rocCurve([0.1], [true, false])).toThrow(/scores/);
    expect(() => rocCurve([NaN, 0.2], [true, false])).toThrow(/finite/);
  });
});

describe('rocAuc', () => {
  it('equals the fraction of (same, different) pairs ordered correctly: 8/9', () => {
    // 0.9 and 0.8 beat all three negatives, 0.6 beats 0.5 and 0.4: 8 of 9.
    expect(rocAuc(scores, same)).toBeCloseTo(8 / 9, 12);
  });
  it('counts ties as one half', () => {
    expect(rocAuc([0.5, 0.5], [true, false])).toBeCloseTo(0.5, 12);
    expect(rocAuc([1, 0], [true, false])).toBe(1);
  });
});

describe('equalErrorRate', () => {
  it('finds FAR = FRR = 1/3 at threshold 0.7', () => {
    const { eer, threshold } = equalErrorRate(scores, same);
    expect(eer).toBeCloseTo(1 / 3, 12);
    expect(threshold).toBeCloseTo(0.7, 12);
  });
  it('interpolates between ROC points', () => {
    // Points (fpr, fnr): (0, 1) → (0, 0.5) → (0.5, 0.5)? Use 2 positives 2 negatives interleaved: 0.9 T, 0.8 F, 0.7 T, 0.6 F.
    // At 0.8: fpr 0.5, fnr 0.5 → EER 0.5 exactly.
    expect(equalErrorRate([0.9, 0.8, 0.7, 0.6], [true, false, true, false]).eer).toBeCloseTo(0.5, 12);
    expect(equalErrorRate([1, 0], [true, false]).eer).toBe(0);
  });
});

describe('tarAtFar', () => {
  it('gives the best TPR whose FPR does not exceed the target', () => {
    expect(tarAtFar(scores, same, 0)).toEqual({ tar: 2 / 3, threshold: 0.8 });
    expect(tarAtFar(scores, same, 0.34)).toEqual({ tar: 1, threshold: 0.6 });
    expect(tarAtFar(scores, same, 1e-3).tar).toBeCloseTo(2 / 3, 12);
  });
});

describe('bestThreshold and verificationAccuracy', () => {
  it('picks the strictest best threshold, halfway between scores', () => {
    const best = bestThreshold(scores, same);
    expect(best.threshold).toBeCloseTo(0.75, 12);
    expect(best.accuracy).toBeCloseTo(5 / 6, 12);
    expect(verificationAccuracy(scores, same, best.threshold)).toBeCloseTo(5 / 6, 12);
  });
});

describe('kFoldVerification', () => {
  it('scores each fold with the threshold of the other folds', () => {
    // Fold 1: 0.9 same, 0.1 different. Fold 2: 0.8 same, 0.7 different.
    // Fold 1 uses fold 2's threshold 0.75 → both right (1.0). Fold 2 uses fold 1's 0.5 → 0.7 accepted wrongly (0.5).
    const r = kFoldVerification([0.9, 0.1, 0.8, 0.7], [true, false, true, false], [1, 1, 2, 2]);
    expect(r.folds.map((f) => f.accuracy)).toEqual([1, 0.5]);
    expect(r.folds[0]!.threshold).toBeCloseTo(0.75, 12);
    expect(r.folds[1]!.threshold).toBeCloseTo(0.5, 12);
    expect(r.accuracyMean).toBeCloseTo(0.75, 12);
    expect(r.accuracyStd).toBeCloseTo(Math.sqrt(0.125), 12); // n − 1 = 1: 0.25² + 0.25²
    expect(r.accuracyStandardError).toBeCloseTo(Math.sqrt(0.125) / Math.sqrt(2), 12);
    expect(r.pairs).toBe(4);
    expect(r.auc).toBeCloseTo(1, 12);
  });
  it('needs two folds', () => {
    expect(() => kFoldVerification([0.9, 0.1], [true, false], [1, 1])).toThrow(/2 distinct folds/);
  });
});

describe('parseLfwPairs', () => {
  it('reads folds of same then different pairs', () => {
    const text = '2\t1\nAnn\t1\t2\nAnn\t1\tBob\t3\nCy\t2\t4\nDee\t1\tEd\t1\n';
    const pairs = parseLfwPairs(text);
    expect(pairs).toEqual([
      { fold: 1, same: true, a: { name: 'Ann', index: 1 }, b: { name: 'Ann', index: 2 } },
      { fold: 1, same: false, a: { name: 'Ann', index: 1 }, b: { name: 'Bob', index: 3 } },
      { fold: 2, same: true, a: { name: 'Cy', index: 2 }, b: { name: 'Cy', index: 4 } },
      { fold: 2, same: false, a: { name: 'Dee', index: 1 }, b: { name: 'Ed', index: 1 } },
    ]);
    expect(lfwImagePath('Ann', 2)).toBe('Ann/Ann_0002.jpg');
  });
  it('names the bad line', () => {
    expect(() => parseLfwPairs('1\t1\nAnn\t1\nBob\t1\tCy\t2\n', 'p.txt')).toThrow(/p\.txt.*line 2/);
    expect(() => parseLfwPairs('1\t2\nAnn\t1\t2\n', 'p.txt')).toThrow(/promises 4 pairs/);
  });
});
