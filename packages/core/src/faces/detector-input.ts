// The detector's network input built in one JavaScript pass on CPU-memory backends: windows sampled, made RGB and contrast-stretched.
import type { PixelArray } from '../image/types.js';
import type { Affine } from './geometry.js';
import { warpPixels } from './warp.js';

/** Least value range of a window the stretch divides by (at most 8× gain over 0..255). */
export const STRETCH_MIN_RANGE = 32;

/**
 * The detector's input for `matrices.length` windows of `pixels` (1, 3 or 4 channels; gray is repeated into
 * RGB, alpha dropped): `[n, size, size, 3]` float samples, each window bilinearly sampled as {@link warpPixels}
 * does (fill 0 outside the image) and stretched from its min..max to -1..1 (range at least
 * {@link STRETCH_MIN_RANGE}). The same values as warping, `grayscaleToRgb` and the tensor stretch in float32,
 * without a tensor until the network's input: on WASM those steps were as slow as the network itself. Unrotated
 * windows (all of a live frame's) sample rows and columns from tables computed once per window.
 */
export function windowInputs(pixels: PixelArray, matrices: readonly Affine[], size: number): Float32Array {
  const per = size * size * 3;
  const out = new Float32Array(matrices.length * per);
  matrices.forEach((m, k) => {
    const view = out.subarray(k * per, (k + 1) * per);
    // Mirrored windows (x falling as the column grows) go the general way: the row tables assume a rising x.
    if (m[1] === 0 && m[3] === 0 && m[0] > 0) sampleAxisAligned(pixels, m, size, view);
    else sampleAffine(pixels, m, size, view);
    stretchInPlace(view);
  });
  return out;
}

/**
 * Bilinear samples of an unrotated window: per column and per row, the first tap and its weights, computed
 * once. The arithmetic is {@link warpPixels}'s, term for term, so the samples are the same numbers.
 */
function sampleAxisAligned(src: PixelArray, m: Affine, size: number, out: Float32Array): void {
  const { data, width: W, height: H, channels: C } = src;
  const x0s = new Int32Array(size), y0s = new Int32Array(size);
  const fxs = new Float64Array(size), gxs = new Float64Array(size), fys = new Float64Array(size), gys = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const c = i + 0.5;
    const sx = m[0] * c + m[1] * c + m[2] - 0.5;
    const sy = m[3] * c + m[4] * c + m[5] - 0.5;
    x0s[i] = Math.floor(sx);
    fxs[i] = sx - x0s[i]!;
    gxs[i] = 1 - fxs[i]!;
    y0s[i] = Math.floor(sy);
    fys[i] = sy - y0s[i]!;
    gys[i] = 1 - fys[i]!;
  }
  // Columns whose two taps are both inside the image: a contiguous run, as x0 grows with x.
  let first = 0;
  while (first < size && x0s[first]! < 0) first++;
  let end = size;
  while (end > first && x0s[end - 1]! + 1 >= W) end--;
  const row = W * C;
  const gray = C === 1;
  const tap = (px: number, py: number, c: number) => (px >= 0 && px < W && py >= 0 && py < H ? data[(py * W + px) * C + (gray ? 0 : c)]! : 0);
  for (let y = 0; y < size; y++) {
    const y0 = y0s[y]!, fy = fys[y]!, gy = gys[y]!;
    const rowInside = y0 >= 0 && y0 + 1 < H;
    const from = rowInside ? first : size;
    for (let x = 0; x < size; x++) {
      if (x === from) {
        // The inside run: four taps without bounds checks.
        const base = y0 * row;
        let o = (y * size + x) * 3;
        if (gray) {
          for (; x < end; x++, o += 3) {
            const fx = fxs[x]!, gx = gxs[x]!;
            const i = base + x0s[x]!;
            const v = gx * gy * data[i]! + fx * gy * data[i + 1]! + gx * fy * data[i + row]! + fx * fy * data[i + row + 1]!;
            out[o] = v;
            out[o + 1] = v;
            out[o + 2] = v;
          }
        } else {
          for (; x < end; x++, o += 3) {
            const fx = fxs[x]!, gx = gxs[x]!;
            const w00 = gx * gy, w01 = fx * gy, w10 = gx * fy, w11 = fx * fy;
            const i = base + x0s[x]! * C, j = i + row;
            out[o] = w00 * data[i]! + w01 * data[i + C]! + w10 * data[j]! + w11 * data[j + C]!;
            out[o + 1] = w00 * data[i + 1]! + w01 * data[i + C + 1]! + w10 * data[j + 1]! + w11 * data[j + C + 1]!;
            out[o + 2] = w00 * data[i + 2]! + w01 * data[i + C + 2]! + w10 * data[j + 2]! + w11 * data[j + C + 2]!;
          }
        }
        if (x >= size) break;
      }
      const x0 = x0s[x]!, fx = fxs[x]!, gx = gxs[x]!;
      const w00 = gx * gy, w01 = fx * gy, w10 = gx * fy, w11 = fx * fy;
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = w00 * tap(x0, y0, c) + w01 * tap(x0 + 1, y0, c) + w10 * tap(x0, y0 + 1, c) + w11 * tap(x0 + 1, y0 + 1, c);
    }
  }
}

/** Bilinear samples of any affine window (rotated views): {@link warpPixels}' samples, made RGB. */
function sampleAffine(src: PixelArray, m: Affine, size: number, out: Float32Array): void {
  const C = src.channels;
  const samples = warpPixels(src, [m], size, size, 0);
  for (let p = 0, o = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++, o++) out[o] = samples[p * C + (C === 1 ? 0 : c)]!;
  }
}

/** `(v - min) / max(max - min, 32) * 2 - 1` over one window, each step rounded to float32 as the tensor ops round it. */
function stretchInPlace(v: Float32Array): void {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const range = Math.max(Math.fround(hi - lo), STRETCH_MIN_RANGE);
  const f = Math.fround;
  for (let i = 0; i < v.length; i++) v[i] = f(f(f(v[i]! - lo) / range) * 2) - 1;
}
