// Local binary and ternary pattern histograms of a grey face and their chi-square distances: texture codes that ignore any monotonic change of grey levels (Ahonen et al. 2006; Tan & Triggs 2010).
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
  return patternHistograms(pixels, width, height, grid, undefined);
}

/**
 * Uniform local ternary pattern histograms (Tan & Triggs 2010) of a one-channel image, per cell of a `grid`: a
 * neighbour at least `threshold` above the centre sets a bit of the upper code, one at least `threshold` below it a
 * bit of the lower code, and one within ±threshold neither. Flat and noisy regions then code as flat instead of as
 * whatever pattern the noise draws, which is what LBP's `≥` does. Each cell holds its upper code's `LBP_BINS`
 * histogram then its lower code's, each summing to 1: `rows · columns · 2 · LBP_BINS` values, row by row.
 *
 * @param pixels - `width · height` grey values, row by row.
 * @param threshold - in the pixels' units, > 0.
 * @throws InvalidArgumentError as {@link lbpHistograms}, or for a threshold that is not a positive number.
 */
export function ltpHistograms(pixels: ArrayLike<number>, width: number, height: number, grid: readonly [number, number], threshold: number): Float32Array {
  if (!(threshold > 0 && Number.isFinite(threshold))) throw new InvalidArgumentError('threshold', `expected a positive number, got ${String(threshold)}`);
  return patternHistograms(pixels, width, height, grid, threshold);
}

/** Checks an image's size and a grid against it. */
function checkGrid(pixels: ArrayLike<number>, width: number, height: number, grid: readonly [number, number]): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 3 && height >= 3) || pixels.length !== width * height) {
    throw new InvalidArgumentError('pixels', `expected width · height values of an image at least 3×3, got ${pixels.length} for ${width}×${height}`);
  }
  const [rows, cols] = grid;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1 && rows <= height && cols <= width)) {
    throw new InvalidArgumentError('grid', `expected [rows, columns] of positive integers within ${height}×${width}, got ${JSON.stringify(grid)}`);
  }
}

/** The cell of pixel (x, y) in a `rows × cols` grid over a `width × height` image. */
function cellOf(x: number, y: number, width: number, height: number, rows: number, cols: number): number {
  return Math.min(rows - 1, Math.floor((y * rows) / height)) * cols + Math.min(cols - 1, Math.floor((x * cols) / width));
}

/** LBP histograms (`threshold` undefined) or LTP histograms (upper then lower code per cell), each normalised to 1. */
function patternHistograms(pixels: ArrayLike<number>, width: number, height: number, grid: readonly [number, number], threshold: number | undefined): Float32Array {
  checkGrid(pixels, width, height, grid);
  const [rows, cols] = grid;
  const planes = threshold === undefined ? 1 : 2;
  const plane = width * height;
  const codes = pixelCodes(pixels, width, height, threshold);
  const out = new Float32Array(rows * cols * planes * LBP_BINS);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const base = cellOf(x, y, width, height, rows, cols) * planes * LBP_BINS;
      for (let p = 0; p < planes; p++) out[base + p * LBP_BINS + codes[p * plane + y * width + x]!]! += 1;
    }
  }
  for (let h = 0; h < rows * cols * planes; h++) {
    let sum = 0;
    for (let b = 0; b < LBP_BINS; b++) sum += out[h * LBP_BINS + b]!;
    if (sum > 0) for (let b = 0; b < LBP_BINS; b++) out[h * LBP_BINS + b]! /= sum;
  }
  return out;
}

/** A pixel without an LTP code in {@link ltpCodes}: on the border, or in shadow. */
export const NO_CODE = 255;

/**
 * Each pixel's uniform bins, one plane of `width · height` for LBP (`threshold` undefined: `≥` sets a bit) or two
 * for LTP (upper codes, then lower); {@link NO_CODE} on the border and where `visible` misses any pixel of the 3 × 3
 * neighbourhood.
 */
function pixelCodes(pixels: ArrayLike<number>, width: number, height: number, threshold: number | undefined, visible?: ArrayLike<number>): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array((threshold === undefined ? 1 : 2) * plane).fill(NO_CODE);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (visible && !(visible[i] && NEIGHBOURS.every(([dx, dy]) => visible[i + dy * width + dx]))) continue;
      const centre = pixels[i]!;
      let upper = 0;
      let lower = 0;
      for (let b = 0; b < 8; b++) {
        const [dx, dy] = NEIGHBOURS[b]!;
        const v = pixels[i + dy * width + dx]!;
        if (threshold === undefined) {
          if (v >= centre) upper |= 1 << b;
        } else if (v >= centre + threshold) upper |= 1 << b;
        else if (v <= centre - threshold) lower |= 1 << b;
      }
      out[i] = UNIFORM_BIN[upper]!;
      if (threshold !== undefined) out[plane + i] = UNIFORM_BIN[lower]!;
    }
  }
  return out;
}

/**
 * Each pixel's uniform LTP codes (see {@link ltpHistograms}) as bins 0..58: the upper codes of all `width · height`
 * pixels, then the lower codes. A border pixel, and a pixel with any of its 3 × 3 neighbourhood not `visible`, gets
 * {@link NO_CODE}: the pattern of camera noise in a shadow says nothing about the face.
 *
 * @param pixels - `width · height` values, row by row (e.g. Tan–Triggs-normalised).
 * @param visible - optional, `width · height` flags (non-zero: the pixel shows the face).
 * @throws InvalidArgumentError as {@link ltpHistograms}.
 */
export function ltpCodes(pixels: ArrayLike<number>, width: number, height: number, threshold: number, visible?: ArrayLike<number>): Uint8Array {
  if (!(threshold > 0 && Number.isFinite(threshold))) throw new InvalidArgumentError('threshold', `expected a positive number, got ${String(threshold)}`);
  checkGrid(pixels, width, height, [1, 1]);
  if (visible && visible.length !== pixels.length) throw new InvalidArgumentError('visible', `expected ${pixels.length} flags, got ${visible.length}`);
  return pixelCodes(pixels, width, height, threshold, visible);
}

/** The offsets within a radius, nearest first: `dx`, `dy` and their length `Math.hypot(dx, dy)`, per radius. */
interface Window {
  readonly dx: Int32Array;
  readonly dy: Int32Array;
  readonly length: Float64Array;
}
const WINDOWS = new Map<number, Window>();
function windowWithin(radius: number): Window {
  let window = WINDOWS.get(radius);
  if (!window) {
    const offsets: Array<[number, number, number]> = [];
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        const length = Math.hypot(dx, dy);
        if (length <= radius) offsets.push([dx, dy, length]);
      }
    }
    offsets.sort((p, q) => p[2] - q[2]);
    window = { dx: Int32Array.from(offsets, (o) => o[0]), dy: Int32Array.from(offsets, (o) => o[1]), length: Float64Array.from(offsets, (o) => o[2]) };
    WINDOWS.set(radius, window);
  }
  return window;
}

/** `codes` as bytes, checked: each a bin 0..254 or {@link NO_CODE} (a `Uint8Array` holds nothing else). */
function codeMap(codes: ArrayLike<number>, name: string): Uint8Array {
  if (codes instanceof Uint8Array) return codes;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (!(Number.isInteger(code) && code >= 0 && code <= NO_CODE)) throw new InvalidArgumentError(name, `expected codes 0..${NO_CODE} at every pixel, got ${String(code)} at ${i}`);
  }
  return Uint8Array.from(codes);
}

/**
 * How far `a`'s codes lie from the same codes in `b` (both from {@link ltpCodes} of one size): for each coded pixel
 * of `a`, the distance to the nearest pixel of `b` with the same code, `radius + 1` when none is within `radius`,
 * averaged (Tan & Triggs' distance-transform similarity, truncated). Unlike histograms it needs no cell to be
 * mostly visible, so it reads the lit rim of a face lit from behind. Infinity when `a` has no coded pixel.
 *
 * With `bound`, it may stop as soon as the distance is sure to exceed `bound` and answer Infinity: a nearest
 * neighbour search needs no more than that.
 * @throws InvalidArgumentError when the lengths do not match the size, for a radius that is not a positive integer,
 *   or for a code that is neither a bin 0..254 nor {@link NO_CODE} (naming `a` or `b`).
 */
export function codeDistance(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number, radius: number, bound = Number.POSITIVE_INFINITY): number {
  if (a.length !== 2 * width * height || b.length !== a.length) throw new InvalidArgumentError('b', `expected two code maps of 2 × ${width} × ${height}, got ${a.length} and ${b.length}`);
  if (!(Number.isInteger(radius) && radius >= 1)) throw new InvalidArgumentError('radius', `expected a positive integer, got ${String(radius)}`);
  const codesA = codeMap(a, 'a');
  const codesB = codeMap(b, 'b');
  let coded = 0;
  for (let i = 0; i < codesA.length; i++) if (codesA[i] !== NO_CODE) coded++;
  if (coded === 0) return Number.POSITIVE_INFINITY;
  const { dx, dy, length } = windowWithin(radius);
  const offsets = dx.length;
  // The window's offsets in the flat map, for pixels whose whole window lies inside it.
  const steps = Int32Array.from(dx, (x, k) => dy[k]! * width + x);
  const plane = width * height;
  const far = radius + 1;
  // Every pixel adds at least 0, so once the sum passes this the mean exceeds `bound`.
  const most = bound * coded;
  let sum = 0;
  for (let p = 0; p < 2 * plane; p += plane) {
    for (let y = 0; y < height; y++) {
      if (sum > most) return Number.POSITIVE_INFINITY;
      const inRows = y >= radius && y < height - radius;
      for (let x = 0; x < width; x++) {
        const i = p + y * width + x;
        const code = codesA[i]!;
        if (code === NO_CODE) continue;
        // Offsets nearest first: the first of `b`'s pixels with the same code is the nearest.
        let nearest = far;
        if (inRows && x >= radius && x < width - radius) {
          for (let k = 0; k < offsets; k++) {
            if (codesB[i + steps[k]!] === code) {
              nearest = length[k]!;
              break;
            }
          }
        } else {
          for (let k = 0; k < offsets; k++) {
            const xx = x + dx[k]!;
            const yy = y + dy[k]!;
            if (xx >= 0 && xx < width && yy >= 0 && yy < height && codesB[p + yy * width + xx] === code) {
              nearest = length[k]!;
              break;
            }
          }
        }
        sum += nearest;
      }
    }
  }
  return sum / coded;
}

/**
 * How much of each cell of a `grid` holds a visible face: the mean over its pixels of `(level − dark) / (bright −
 * dark)` clipped to [0, 1], on grey `levels` 0..255 as photographed (before any illumination normalisation). A cell
 * in deep shadow holds camera noise only, which any illumination normalisation stretches into texture; its
 * visibility near 0 lets a distance leave it out ({@link cellChiSquareDistance}).
 *
 * @param levels - `width · height` grey levels, row by row.
 * @param range - `[dark, bright]` grey levels, 0 ≤ dark < bright ≤ 255.
 * @param inside - optional, `width · height` flags (non-zero: a pixel of the photo; zero: past its edge, e.g. an
 *   aligned crop reaching beyond it): a cell's mean is over its pixels of the photo, and a cell without any is 0.
 * @throws InvalidArgumentError as {@link lbpHistograms}, or for a bad range or mask.
 */
export function cellVisibility(levels: ArrayLike<number>, width: number, height: number, grid: readonly [number, number], range: readonly [number, number], inside?: ArrayLike<number>): Float32Array {
  checkGrid(levels, width, height, grid);
  if (inside && inside.length !== levels.length) throw new InvalidArgumentError('inside', `expected ${levels.length} flags, got ${inside.length}`);
  const [dark, bright] = range;
  if (!(dark >= 0 && bright > dark && bright <= 255)) throw new InvalidArgumentError('range', `expected [dark, bright] with 0 ≤ dark < bright ≤ 255, got ${JSON.stringify(range)}`);
  const [rows, cols] = grid;
  const sum = new Float32Array(rows * cols);
  const count = new Float32Array(rows * cols);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (inside && !inside[y * width + x]) continue;
      const cell = cellOf(x, y, width, height, rows, cols);
      sum[cell]! += Math.min(1, Math.max(0, (levels[y * width + x]! - dark) / (bright - dark)));
      count[cell]! += 1;
    }
  }
  return sum.map((s, i) => (count[i]! > 0 ? s / count[i]! : 0));
}

/**
 * Chi-square distance of two cell histograms (`cells · cellLength` values each) with each cell weighted by the
 * product of its two weights, divided by the weights' sum: cells either face leaves in shadow count for little.
 * Infinity when no cell has weight.
 * @throws InvalidArgumentError when the lengths do not match.
 */
export function cellChiSquareDistance(a: ArrayLike<number>, b: ArrayLike<number>, cellLength: number, weightsA: ArrayLike<number>, weightsB: ArrayLike<number>): number {
  const cells = weightsA.length;
  if (a.length !== cells * cellLength || b.length !== a.length || weightsB.length !== cells) {
    throw new InvalidArgumentError('b', `expected two histograms of ${cells} cells × ${cellLength} bins and ${cells} weights each, got ${a.length}, ${b.length}, ${weightsB.length}`);
  }
  let sum = 0;
  let weights = 0;
  for (let c = 0; c < cells; c++) {
    const w = weightsA[c]! * weightsB[c]!;
    if (!(w > 0)) continue;
    let d = 0;
    for (let i = c * cellLength; i < (c + 1) * cellLength; i++) {
      const s = a[i]! + b[i]!;
      if (s > 0) d += (a[i]! - b[i]!) ** 2 / s;
    }
    sum += w * d;
    weights += w;
  }
  return weights > 0 ? sum / weights : Number.POSITIVE_INFINITY;
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
