// Area (box-filter) downscaling of pixels in main memory: a bounded-size copy of a big photo without aliasing or tensors.
import { InvalidArgumentError } from '../errors/index.js';
import type { PixelArray } from './types.js';

/** A rectangle of whole pixels: columns x..x+width-1, rows y..y+height-1. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * For each of `outSize` outputs, the source pixels [start, start + count) of `from..from+size` it covers and
 * their coverage weights (summing to 1): the separable 1-D box filter.
 */
function areaTaps(from: number, size: number, outSize: number): { start: Int32Array; count: Int32Array; weight: Float64Array } {
  const k = size / outSize;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const lo = o * k, hi = (o + 1) * k;
    const first = Math.floor(lo), last = Math.min(size, Math.ceil(hi));
    start[o] = from + first;
    count[o] = last - first;
    for (let i = first; i < last; i++) weights.push((Math.min(hi, i + 1) - Math.max(lo, i)) / k);
  }
  return { start, count, weight: Float64Array.from(weights) };
}

/**
 * The pixels of `rect` (default the whole image) resampled to `outWidth × outHeight` by averaging the source
 * area each output pixel covers (no aliasing, unlike bilinear sampling at large factors). Meant for shrinking;
 * an output as large as the rect is an exact copy. Samples are 0..255 (as in a RawImage). Costs one read of
 * the rect's samples.
 *
 * @returns `outHeight × outWidth × channels` float samples.
 * @throws InvalidArgumentError when the rect leaves the image or the output size is not 1..rect size.
 */
export function downscalePixels(src: PixelArray, outWidth: number, outHeight: number, rect: PixelRect = { x: 0, y: 0, width: src.width, height: src.height }): Float32Array {
  const { data, width: W, channels: C } = src;
  const ok = (n: number) => Number.isInteger(n) && n >= 0;
  if (!ok(rect.x) || !ok(rect.y) || !(rect.width >= 1 && rect.height >= 1) || !ok(rect.width) || !ok(rect.height) || rect.x + rect.width > W || rect.y + rect.height > src.height) {
    throw new InvalidArgumentError('rect', `must be whole pixels inside the ${W}×${src.height} image, got ${rect.width}×${rect.height} at (${rect.x}, ${rect.y})`);
  }
  if (!(Number.isInteger(outWidth) && Number.isInteger(outHeight) && outWidth >= 1 && outHeight >= 1 && outWidth <= rect.width && outHeight <= rect.height)) {
    throw new InvalidArgumentError('size', `must be 1..${rect.width} × 1..${rect.height}, got ${outWidth} × ${outHeight}`);
  }
  const cols = areaTaps(rect.x, rect.width, outWidth);
  const rows = areaTaps(rect.y, rect.height, outHeight);
  // Vertical pass first, as contiguous weighted row sums (the rect's samples are read once, in order), then
  // the horizontal pass over the much smaller result.
  const span = rect.width * C;
  const acc = new Float32Array(span);
  const out = new Float32Array(outHeight * outWidth * C);
  for (let o = 0, w = 0; o < outHeight; o++) {
    acc.fill(0);
    for (let i = 0; i < rows.count[o]!; i++, w++) {
      const wt = rows.weight[w]!;
      const base = (rows.start[o]! + i) * W * C + rect.x * C;
      for (let j = 0; j < span; j++) acc[j] += wt * data[base + j]!;
    }
    let t = o * outWidth * C;
    for (let x = 0, v = 0; x < outWidth; x++) {
      const n = cols.count[x]!;
      const s0 = (cols.start[x]! - rect.x) * C;
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += cols.weight[v + i]! * acc[s0 + i * C + c]!;
        out[t++] = sum > 255 ? 255 : sum; // weights sum to 1 up to rounding: keep 255 from becoming 255.00002
      }
      v += n;
    }
  }
  return out;
}
