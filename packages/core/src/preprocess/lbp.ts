// Local binary pattern histograms of a grey face and their chi-square distance: a texture code that ignores any monotonic change of grey levels (Ahonen et al. 2006; Tan & Triggs 2010).
import { InvalidArgumentError } from '../errors/index.js';

/** Bins of one cell's histogram: the 58 uniform 8-neighbour patterns (at most two 0/1 transitions) and one for all others. */
export const LBP_BINS = 59;

/** Pattern (0..255) → bin: uniform patterns get their own bin in rising order, the rest share the last one. */
const UNIFORM_BIN: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(LBP_BINS - 1);
  let next = 0;
  for (let p = 0; p < 256; p++) {
    let transitions = 0;
    for (let b = 0; b < 8; b++) if (((p >> b) & 1) !== ((p >> ((b + 1) % 8)) & 1)) transitions++;
    if (transitions <= 2) table[p] = next++;
  }
  return table;
})();

/** The 8 neighbours, clockwise from the top left, as (dx, dy). */
const NEIGHBOURS: ReadonlyArray<readonly [number, number]> = [[-1, -1], [0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0]];

/**
 * Uniform LBP histograms of a one-channel image, one per cell of a `grid` (rows × columns), concatenated row by row:
 * `rows · columns · LBP_BINS` values, each cell's summing to 1 (a cell without interior pixels stays 0). A pixel's
 * code compares it with its 8 neighbours (`≥` sets the bit); border pixels have no code.
 *
 * @param pixels - `width · height` grey values, row by row.
 * @throws InvalidArgumentError for sizes that do not match or a grid with more cells than the image has pixels.
 */
export function lbpHistograms(pixels: ArrayLike<number>, width: number, height: number, grid: readonly [number, number] = [8, 8]): Float32Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 3 && height >= 3) || pixels.length !== width * height) {
    throw new InvalidArgumentError('pixels', `expected width · height values of an image at least 3×3, got ${pixels.length} for ${width}×${height}`);
  }
  const [rows, cols] = grid;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1 && rows <= height && cols <= width)) {
    throw new InvalidArgumentError('grid', `expected [rows, columns] of positive integers within ${height}×${width}, got ${JSON.stringify(grid)}`);
  }
  const out = new Float32Array(rows * cols * LBP_BINS);
  for (let y = 1; y < height - 1; y++) {
    const row = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 1; x < width - 1; x++) {
      const centre = pixels[y * width + x]!;
      let code = 0;
      for (let b = 0; b < 8; b++) {
        const [dx, dy] = NEIGHBOURS[b]!;
        if (pixels[(y + dy) * width + x + dx]! >= centre) code |= 1 << b;
      }
      const cell = row * cols + Math.min(cols - 1, Math.floor((x * cols) / width));
      out[cell * LBP_BINS + UNIFORM_BIN[code]!]! += 1;
    }
  }
  for (let cell = 0; cell < rows * cols; cell++) {
    let sum = 0;
    for (let b = 0; b < LBP_BINS; b++) sum += out[cell * LBP_BINS + b]!;
    if (sum > 0) for (let b = 0; b < LBP_BINS; b++) out[cell * LBP_BINS + b]! /= sum;
  }
  return out;
}

/**
 * Chi-square distance `Σ (a − b)² / (a + b)` of two histograms of the same length (bins empty in both count 0): the
 * usual dissimilarity of LBP histograms, which weighs differences in rare patterns more than in common ones.
 * @throws InvalidArgumentError when the lengths differ.
 */
export function chiSquareDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new InvalidArgumentError('b', `has ${b.length} bins, a has ${a.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const s = a[i]! + b[i]!;
    if (s > 0) sum += (a[i]! - b[i]!) ** 2 / s;
  }
  return sum;
}
