// Tests for LBP histograms and the chi-square distance on known images: codes, cells, invariance to grey-level changes.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { LBP_BINS, chiSquareDistance, lbpHistograms } from '../../src/preprocess/lbp.js';

/** The bin of the all-ones pattern (every neighbour ≥ the centre): the last of the 58 uniform patterns. */
const ALL_ONES_BIN = 57;

describe('lbpHistograms', () => {
  it('puts every code of a flat image in the all-ones bin, each cell summing to 1', () => {
    const h = lbpHistograms(new Float32Array(10 * 10).fill(7), 10, 10, [2, 2]);
    expect(h.length).toBe(4 * LBP_BINS);
    for (let cell = 0; cell < 4; cell++) {
      const bins = Array.from(h.subarray(cell * LBP_BINS, (cell + 1) * LBP_BINS));
      expect(bins[ALL_ONES_BIN]).toBeCloseTo(1, 6);
      expect(bins.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it('codes a bright peak as pattern 0 and a one-pixel step by its side', () => {
    // 3×3: one interior pixel brighter than all neighbours → no bit set → bin 0.
    expect(Array.from(lbpHistograms([0, 0, 0, 0, 9, 0, 0, 0, 0], 3, 3, [1, 1])).indexOf(1)).toBe(0);
    // A vertical step: the middle and right columns are ≥ the centre (bits 1–5, 0b00111110), a uniform code.
    const step = lbpHistograms([0, 5, 9, 0, 5, 9, 0, 5, 9], 3, 3, [1, 1]);
    expect(step[ALL_ONES_BIN]).toBe(0);
    expect(Array.from(step).filter((v) => v === 1)).toHaveLength(1);
    // A non-uniform code (alternating neighbours) goes to the shared last bin.
    const checker = lbpHistograms([9, 0, 9, 0, 5, 0, 9, 0, 9], 3, 3, [1, 1]);
    expect(checker[LBP_BINS - 1]).toBe(1);
  });

  it('is unchanged by a monotonic change of grey levels (gamma, gain, offset) and changed by another face', () => {
    let s = 3;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const face = Float32Array.from({ length: 32 * 32 }, () => Math.round(rnd() * 255));
    const relit = face.map((v) => 3 + 0.2 * 255 * (v / 255) ** 2.2);
    const a = lbpHistograms(face, 32, 32, [4, 4]);
    expect(Array.from(lbpHistograms(relit, 32, 32, [4, 4]))).toEqual(Array.from(a));
    const other = Float32Array.from({ length: 32 * 32 }, () => Math.round(rnd() * 255));
    expect(chiSquareDistance(a, lbpHistograms(other, 32, 32, [4, 4]))).toBeGreaterThan(0.5);
  });

  it('refuses sizes that do not match and impossible grids', () => {
    expect(() => lbpHistograms(new Float32Array(8), 3, 3)).toThrow(InvalidArgumentError);
    expect(() => lbpHistograms(new Float32Array(2 * 2), 2, 2)).toThrow(InvalidArgumentError);
    expect(() => lbpHistograms(new Float32Array(16), 4, 4, [5, 1])).toThrow(/grid/);
  });
});

describe('chiSquareDistance', () => {
  it('is Σ (a − b)² / (a + b) with empty bins skipped, 0 for equal histograms', () => {
    expect(chiSquareDistance([0.5, 0.5, 0], [0.5, 0.5, 0])).toBe(0);
    // (1 − 0)²/1 + (0 − 1)²/1 = 2, the largest distance of two normalised histograms.
    expect(chiSquareDistance([1, 0, 0], [0, 1, 0])).toBeCloseTo(2, 12);
    expect(chiSquareDistance([0.25, 0.75], [0.75, 0.25])).toBeCloseTo(0.25 + 0.25, 12);
    expect(() => chiSquareDistance([1], [0.5, 0.5])).toThrow(InvalidArgumentError);
  });
});
