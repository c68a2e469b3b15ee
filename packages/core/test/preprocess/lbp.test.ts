// Tests for LBP and LTP histograms, cell visibility and the chi-square distances on known images: codes, cells, invariance to grey-level changes, cells in shadow left out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors/index.js';
import { LBP_BINS, NO_CODE, cellChiSquareDistance, cellVisibility, chiSquareDistance, codeDistance, lbpHistograms, ltpCodes, ltpHistograms } from '../../src/preprocess/lbp.js';

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

describe('ltpHistograms', () => {
  it('codes a step by both codes: neighbours above the threshold in the upper, below it in the lower', () => {
    // Centre 5: the right column (9) is ≥ 5 + 1 → upper bits 2, 3, 4 (0b00011100); the left column (0) ≤ 5 − 1 → lower
    // bits 0, 6, 7 (0b11000001); the middle column's 5s set neither. Both are uniform codes.
    const h = ltpHistograms([0, 5, 9, 0, 5, 9, 0, 5, 9], 3, 3, [1, 1], 1);
    expect(h.length).toBe(2 * LBP_BINS);
    const upper = Array.from(h.subarray(0, LBP_BINS));
    const lower = Array.from(h.subarray(LBP_BINS));
    expect(upper.filter((v) => v === 1)).toHaveLength(1);
    expect(lower.filter((v) => v === 1)).toHaveLength(1);
    // Different patterns → different bins, and neither is pattern 0 (bin 0).
    expect(upper.indexOf(1)).not.toBe(lower.indexOf(1));
    expect(upper[0]).toBe(0);
    expect(lower[0]).toBe(0);
  });

  it('codes noise within ±threshold as flat (pattern 0 in both codes), where LBP draws the noise as patterns', () => {
    let s = 11;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const noise = Float32Array.from({ length: 16 * 16 }, () => 0.4 * (rnd() - 0.5));
    const h = ltpHistograms(noise, 16, 16, [2, 2], 0.5);
    for (let half = 0; half < 8; half++) expect(h[half * LBP_BINS]).toBeCloseTo(1, 6);
    const lbp = lbpHistograms(noise, 16, 16, [2, 2]);
    for (let cell = 0; cell < 4; cell++) expect(lbp[cell * LBP_BINS]).toBeLessThan(0.2);
  });

  it('refuses a threshold that is not a positive number, and bad sizes as LBP does', () => {
    expect(() => ltpHistograms(new Float32Array(9), 3, 3, [1, 1], 0)).toThrow(/threshold/);
    expect(() => ltpHistograms(new Float32Array(9), 3, 3, [1, 1], Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => ltpHistograms(new Float32Array(8), 3, 3, [1, 1], 1)).toThrow(/pixels/);
  });
});

describe('cellVisibility', () => {
  it('is the mean of (level − dark) / (bright − dark) clipped to [0, 1] per cell', () => {
    // 4×3 image, 1×2 grid: left cell all at or below dark (0), right cell half bright (1) and half midway (0.5).
    const v = cellVisibility([0, 2, 30, 11, 1, 2, 20, 11, 0, 0, 40, 11], 4, 3, [1, 2], [2, 20]);
    expect(Array.from(v)).toEqual([0, 0.75].map((x) => expect.closeTo(x, 6) as unknown as number));
  });

  it('averages over the pixels of the photo only when told which they are; a cell without any is 0', () => {
    // Left cell: half its pixels past the photo's edge (0) and half bright: 1 over the photo's pixels.
    const levels = [0, 40, 30, 30, 0, 40, 30, 30, 0, 40, 30, 30];
    const inside = [0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1];
    expect(Array.from(cellVisibility(levels, 4, 3, [1, 2], [2, 20], inside))).toEqual([1, 1]);
    expect(cellVisibility(levels, 4, 3, [1, 2], [2, 20])[0]).toBeCloseTo(0.5, 6);
    expect(Array.from(cellVisibility(levels, 4, 3, [1, 2], [2, 20], [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]))).toEqual([0, 1]);
    expect(() => cellVisibility(levels, 4, 3, [1, 2], [2, 20], [1])).toThrow(/inside/);
  });

  it('refuses a range that is not dark < bright within 0..255', () => {
    expect(() => cellVisibility(new Float32Array(9), 3, 3, [1, 1], [20, 3])).toThrow(/range/);
    expect(() => cellVisibility(new Float32Array(9), 3, 3, [1, 1], [0, 300])).toThrow(InvalidArgumentError);
  });
});

describe('cellChiSquareDistance', () => {
  it('weighs each cell by the product of its weights, divided by their sum; Infinity with no weight', () => {
    const a = [1, 0, 0.5, 0.5];
    const b = [0, 1, 0.5, 0.5];
    // Cell 0 differs (χ² 2), cell 1 is equal (0).
    expect(cellChiSquareDistance(a, b, 2, [1, 1], [1, 1])).toBeCloseTo(1, 12);
    expect(cellChiSquareDistance(a, b, 2, [0, 1], [1, 1])).toBe(0);
    expect(cellChiSquareDistance(a, b, 2, [1, 1], [0.5, 1])).toBeCloseTo((0.5 * 2) / 1.5, 12);
    expect(cellChiSquareDistance(a, b, 2, [0, 1], [1, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(() => cellChiSquareDistance(a, b, 2, [1], [1])).toThrow(InvalidArgumentError);
  });
});

/** A `size`² image of smooth random texture (seeded), values 0..9. */
function texture(size: number, seed: number): Float32Array {
  let s = seed;
  const next = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return Float32Array.from({ length: size * size }, () => Math.floor(next() * 10));
}

/** `image` (`size`²) moved `dx` pixels to the right, the uncovered column repeated. */
function shifted(image: Float32Array, size: number, dx: number): Float32Array {
  return Float32Array.from(image, (_, i) => image[Math.floor(i / size) * size + Math.max(0, (i % size) - dx)]!);
}

describe('ltpCodes', () => {
  it("gives each interior pixel the bins of ltpHistograms' codes, upper then lower, and the border NO_CODE", () => {
    const image = texture(6, 3);
    const codes = ltpCodes(image, 6, 6, 1);
    expect(codes.length).toBe(72);
    // Every interior pixel's code, counted, is the histogram of one cell over the whole image.
    const counts = new Float32Array(2 * LBP_BINS);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const border = x === 0 || y === 0 || x === 5 || y === 5;
        expect(codes[y * 6 + x] === NO_CODE).toBe(border);
        if (!border) {
          counts[codes[y * 6 + x]!]! += 1 / 16;
          counts[LBP_BINS + codes[36 + y * 6 + x]!]! += 1 / 16;
        }
      }
    }
    expect(Array.from(counts).map((v) => v.toFixed(5))).toEqual(Array.from(ltpHistograms(image, 6, 6, [1, 1], 1)).map((v) => v.toFixed(5)));
  });

  it('leaves a pixel uncoded when any pixel of its 3 × 3 neighbourhood is not visible', () => {
    const visible = new Uint8Array(36).fill(1);
    visible[2 * 6 + 2] = 0;
    const codes = ltpCodes(texture(6, 3), 6, 6, 1, visible);
    const uncoded = Array.from({ length: 36 }, (_, i) => i).filter((i) => codes[i] === NO_CODE && i % 6 > 0 && i % 6 < 5 && i >= 6 && i < 30);
    // The interior pixels within one step of (2, 2): (1..3, 1..3).
    expect(uncoded).toEqual([7, 8, 9, 13, 14, 15, 19, 20, 21]);
    expect(Array.from(codes.subarray(36)).filter((c) => c === NO_CODE).length).toBe(Array.from(codes.subarray(0, 36)).filter((c) => c === NO_CODE).length);
  });

  it('refuses a bad threshold or mask', () => {
    expect(() => ltpCodes(texture(6, 1), 6, 6, 0)).toThrow(InvalidArgumentError);
    expect(() => ltpCodes(texture(6, 1), 6, 6, 1, new Uint8Array(5))).toThrow(/visible/);
  });
});

describe('codeDistance', () => {
  it('is 0 for the same codes, grows with a shift up to the radius, and is radius + 1 for codes found nowhere near', () => {
    const size = 32;
    const image = texture(size, 7);
    const codes = ltpCodes(image, size, size, 1);
    expect(codeDistance(codes, codes, size, size, 3)).toBe(0);
    const one = codeDistance(ltpCodes(shifted(image, size, 1), size, size, 1), codes, size, size, 3);
    const two = codeDistance(ltpCodes(shifted(image, size, 2), size, size, 1), codes, size, size, 3);
    // Most codes reappear one (two) pixels away; a few meet the same code nearer by chance.
    expect(one).toBeGreaterThan(0.5);
    expect(one).toBeLessThanOrEqual(1.2);
    expect(two).toBeGreaterThan(one);
    const other = codeDistance(ltpCodes(texture(size, 99), size, size, 1), codes, size, size, 3);
    expect(other).toBeGreaterThan(two);
    // A map whose every code is absent from the other: radius + 1 everywhere.
    const absent = new Uint8Array(codes.length).fill(40);
    expect(codeDistance(codes.map((c) => (c === NO_CODE ? c : 41)), absent, size, size, 3)).toBe(4);
  });

  it('stops early with a bound: Infinity once sure to exceed it, the exact distance otherwise', () => {
    const size = 32;
    const codes = ltpCodes(texture(size, 7), size, size, 1);
    const other = ltpCodes(texture(size, 99), size, size, 1);
    const exact = codeDistance(other, codes, size, size, 3);
    expect(codeDistance(other, codes, size, size, 3, exact + 0.01)).toBe(exact);
    expect(codeDistance(other, codes, size, size, 3, exact / 4)).toBe(Number.POSITIVE_INFINITY);
    expect(codeDistance(codes, codes, size, size, 3, 0)).toBe(0);
  });

  it('equals a brute-force search of every pixel within the radius, on any size, radius and bound', () => {
    /** The definition, pixel by pixel: the nearest same code of `b` within `radius`, else radius + 1, averaged. */
    const reference = (a: Uint8Array, b: Uint8Array, w: number, h: number, radius: number): number => {
      let sum = 0;
      let coded = 0;
      for (let p = 0; p < 2; p++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const code = a[p * w * h + y * w + x]!;
            if (code === NO_CODE) continue;
            let nearest = radius + 1;
            for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) {
              const length = Math.hypot(xx - x, yy - y);
              if (length <= radius && length < nearest && b[p * w * h + yy * w + xx] === code) nearest = length;
            }
            sum += nearest;
            coded++;
          }
        }
      }
      return coded > 0 ? sum / coded : Number.POSITIVE_INFINITY;
    };
    // Few codes, so that matches lie at every distance; widths across 32-bit words; radii past a word.
    const maps = fc.record({ w: fc.integer({ min: 1, max: 70 }), h: fc.integer({ min: 1, max: 6 }), radius: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 30, max: 40 })) })
      .chain(({ w, h, radius }) => {
        const map = fc.uint8Array({ minLength: 2 * w * h, maxLength: 2 * w * h, min: 0, max: 5 }).map((m) => m.map((c) => (c === 5 ? NO_CODE : c)));
        return fc.record({ w: fc.constant(w), h: fc.constant(h), radius: fc.constant(radius), a: map, b: map, bound: fc.option(fc.double({ min: 0, max: 5, noNaN: true }), { nil: undefined }) });
      });
    fc.assert(fc.property(maps, ({ w, h, radius, a, b, bound }) => {
      const expected = reference(a, b, w, h, radius);
      const got = codeDistance(a, b, w, h, radius, bound);
      if (bound === undefined || expected <= bound) expect(got).toBeCloseTo(expected, 12);
      else expect(got === Number.POSITIVE_INFINITY || Math.abs(got - expected) < 1e-12).toBe(true);
    }), { numRuns: 400 });
  });

  it("counts only the first map's coded pixels: Infinity when it has none", () => {
    const codes = ltpCodes(texture(8, 2), 8, 8, 1);
    expect(codeDistance(new Uint8Array(codes.length).fill(NO_CODE), codes, 8, 8, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(() => codeDistance(codes, codes.subarray(1), 8, 8, 2)).toThrow(InvalidArgumentError);
    expect(() => codeDistance(codes, codes, 8, 8, 0)).toThrow(/radius/);
    // Codes are bins 0..254 (NO_CODE aside): anything else is refused, naming the map.
    expect(() => codeDistance(Float32Array.from(codes, (c, i) => (i === 20 ? 1.5 : c)), codes, 8, 8, 2)).toThrow(/Invalid a:/);
    expect(() => codeDistance(codes, Float32Array.from(codes, (c, i) => (i === 20 ? -1 : c)), 8, 8, 2)).toThrow(/Invalid b:/);
  });
});
