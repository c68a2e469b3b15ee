// Heat maps over an aligned face: the cell grid, its normalisation, upsampling, a colour map and blending over the face.
import { InvalidArgumentError } from '../errors/index.js';
import type { RawImage } from '../image/types.js';

/**
 * A map of how much each region of an aligned face counted, on a grid of `rows × cols` equal cells over the
 * face crop (row-major, top-left first).
 */
export interface HeatMap {
  readonly rows: number;
  readonly cols: number;
  /** 0..1 per cell: the positive part of `raw` divided by its largest value (all 0 when nothing is positive). */
  readonly values: Float32Array;
  /**
   * Per cell, in the method's unit: `'integrated-gradients'` the cell's share of the fall in similarity from the
   * face to the all-grey face (the cells add up to about that fall); `'gradient-x-input'` the first-order estimate
   * of the fall in similarity when the cell alone is greyed; `'gradcam'` the Grad-CAM value before its ReLU (with {@link HeatMap.exact}, the cell's
   * share of the similarity); `'occlusion'` with greedy rounds (the default) the cell's place in the order the
   * rounds greyed the cells (1 first, down to 1 / cells), with `rounds: 1` the fall in similarity when a grey patch
   * covers the cell.
   */
  readonly raw: Float32Array;
  /** True when `raw` adds up to the similarity score (an exact decomposition: pooling + a linear head). */
  readonly exact: boolean;
}

/** A heat map from per-cell raw values: `values` is their positive part scaled to a maximum of 1. */
export function heatMapOf(raw: Float32Array, rows: number, cols: number, exact: boolean): HeatMap {
  if (raw.length !== rows * cols) throw new InvalidArgumentError('raw', `has ${raw.length} values for ${rows}×${cols} cells`);
  let max = 0;
  for (const v of raw) if (v > max) max = v;
  const values = new Float32Array(raw.length);
  if (max > 0) for (let i = 0; i < raw.length; i++) values[i] = Math.max(0, raw[i]!) / max;
  return { rows, cols, values, raw, exact };
}

/**
 * The map's values at `width × height` pixels over the same face (bilinear between cell centres, edges
 * held), row-major.
 */
export function upsampleHeatMap(map: Pick<HeatMap, 'rows' | 'cols' | 'values'>, width: number, height: number): Float32Array {
  const { rows, cols, values } = map;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(rows - 1, Math.max(0, ((y + 0.5) / height) * rows - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(rows - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(cols - 1, Math.max(0, ((x + 0.5) / width) * cols - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(cols - 1, x0 + 1), tx = fx - x0;
      const top = values[y0 * cols + x0]! * (1 - tx) + values[y0 * cols + x1]! * tx;
      const bottom = values[y1 * cols + x0]! * (1 - tx) + values[y1 * cols + x1]! * tx;
      out[y * width + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** Stops of the colour map, dark blue (0) → cyan → yellow → red (1): perceptually ordered, readable on faces. */
const STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [48, 18, 59], [40, 120, 240], [30, 210, 200], [140, 250, 80], [250, 200, 40], [240, 90, 20], [180, 20, 10],
];

/** The colour of a value in 0..1 (clamped) as [r, g, b] in 0..255. */
export function heatColour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(v));
  const t = v - i;
  const a = STOPS[i]!, b = STOPS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/**
 * The map as RGBA pixels of `width × height` (for a canvas' ImageData): the colour of each value, more opaque
 * where the value is higher (alpha `opacity × (0.25 + 0.75 × value)`), so low regions keep the face visible.
 */
export function heatMapRgba(map: Pick<HeatMap, 'rows' | 'cols' | 'values'>, width: number, height: number, opacity = 0.6): Uint8ClampedArray {
  checkOpacity(opacity);
  const up = upsampleHeatMap(map, width, height);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < up.length; p++) {
    const [r, g, b] = heatColour(up[p]!);
    out[p * 4] = r; out[p * 4 + 1] = g; out[p * 4 + 2] = b;
    out[p * 4 + 3] = Math.round(255 * opacity * (0.25 + 0.75 * up[p]!));
  }
  return out;
}

/** An 8-bit RGB copy of `face` with `map` blended over it (see {@link heatMapRgba} for the opacity). */
export function overlayHeatMap(face: RawImage, map: Pick<HeatMap, 'rows' | 'cols' | 'values'>, opacity = 0.6): RawImage {
  const { width, height, channels, data } = face;
  const rgba = heatMapRgba(map, width, height, opacity);
  const out = new Uint8ClampedArray(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const a = rgba[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) {
      const v = data[p * channels + (channels === 1 ? 0 : c)]!;
      out[p * 3 + c] = v * (1 - a) + rgba[p * 4 + c]! * a;
    }
  }
  return { data: out, width, height, channels: 3 };
}

function checkOpacity(opacity: number): void {
  if (!(opacity >= 0 && opacity <= 1)) throw new InvalidArgumentError('opacity', `must be in [0, 1], got ${opacity}`);
}
