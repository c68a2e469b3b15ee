// Illumination normalisation (Tan–Triggs, histogram equalisation, CLAHE) with tensor ops, for faces lit from any side.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import { imageDims, type ImageTensor } from './tensor.js';

/**
 * How a recipe evens out lighting before normalisation (see {@link normalizeIllumination}):
 * - `'tan-triggs'`: {@link tanTriggs} with its published parameters; removes shading and most shadows;
 * - `'equalize'`: {@link equalizeHistogram}; spreads the grey levels over 0..255 (global, so shadows stay);
 * - `'clahe'`: {@link clahe} with its defaults; equalises each region with a clip limit.
 */
export type IlluminationMethod = 'tan-triggs' | 'equalize' | 'clahe';

/** The accepted {@link IlluminationMethod} values, for validation and CLI help. */
export const ILLUMINATION_METHODS: readonly IlluminationMethod[] = ['tan-triggs', 'equalize', 'clahe'];

/** Parameters of {@link tanTriggs}; the defaults are Tan & Triggs' (IEEE TIP 19(6), 2010). */
export interface TanTriggsOptions {
  /** Exponent of the gamma correction, in (0, 1]. Default 0.2. */
  readonly gamma?: number;
  /** Standard deviation in pixels of the inner Gaussian of the difference of Gaussians. Default 1. */
  readonly sigma0?: number;
  /** Standard deviation in pixels of the outer Gaussian (> sigma0). Default 2. */
  readonly sigma1?: number;
  /** Exponent of the contrast equalisation, in (0, 1]. Default 0.1. */
  readonly alpha?: number;
  /** Level above which values are compressed, > 0; the output lies in (−tau, tau). Default 10. */
  readonly tau?: number;
}

/** Parameters of {@link clahe}. */
export interface ClaheOptions {
  /**
   * How many times the average bin count a tile's histogram may hold before it is clipped (the excess is spread
   * over all bins): 1 gives a nearly linear mapping, large values plain per-tile equalisation. Default 2, > 0.
   */
  readonly clipLimit?: number;
  /** Tiles per side `[rows, columns]` (each at most the image's size). Default `[4, 4]`, sized for 64×64 faces. */
  readonly grid?: readonly [number, number];
}

/**
 * A recipe's illumination step with its parameters, as a saved recipe records it: `{ method: 'tan-triggs', sigma1: 4 }`
 * and so on; parameters left out take the function's defaults. A bare {@link IlluminationMethod} runs the method with
 * its defaults (recipes saved before parameters existed store that).
 */
export type IlluminationStep =
  | IlluminationMethod
  | ({ readonly method: 'tan-triggs' } & TanTriggsOptions)
  | ({ readonly method: 'clahe' } & ClaheOptions)
  | { readonly method: 'equalize' };

const positive = (name: string, v: unknown, max = Number.POSITIVE_INFINITY): number => {
  if (typeof v !== 'number' || !(v > 0 && v <= max)) {
    throw new InvalidArgumentError(name, `expected a number in (0, ${max}], got ${String(v)}`);
  }
  return v;
};

/** Tan–Triggs' parameters with defaults filled in, checked; errors name `prefix` + the field. */
function tanTriggsParameters(options: TanTriggsOptions, prefix = ''): Required<TanTriggsOptions> {
  const gamma = positive(`${prefix}gamma`, options.gamma ?? 0.2, 1);
  const sigma0 = positive(`${prefix}sigma0`, options.sigma0 ?? 1);
  const sigma1 = positive(`${prefix}sigma1`, options.sigma1 ?? 2);
  if (!(sigma1 > sigma0)) throw new InvalidArgumentError(`${prefix}sigma1`, `must be larger than sigma0 (${sigma0}), got ${sigma1}`);
  const alpha = positive(`${prefix}alpha`, options.alpha ?? 0.1, 1);
  const tau = positive(`${prefix}tau`, options.tau ?? 10);
  return { gamma, sigma0, sigma1, alpha, tau };
}

/** CLAHE's grid, checked; errors name `name`. */
function claheGrid(grid: unknown, name: string): readonly [number, number] {
  if (!Array.isArray(grid) || grid.length !== 2 || !grid.every((g) => Number.isInteger(g) && g >= 1)) {
    throw new InvalidArgumentError(name, `expected [rows, columns] of positive integers, got ${JSON.stringify(grid)}`);
  }
  return [grid[0] as number, grid[1] as number];
}

const STEP_FIELDS: Record<IlluminationMethod, readonly string[]> = {
  'tan-triggs': ['gamma', 'sigma0', 'sigma1', 'alpha', 'tau'],
  clahe: ['clipLimit', 'grid'],
  equalize: [],
};

/**
 * Checks an illumination step read from JSON (a saved recipe, an option) and returns a fresh copy holding only its
 * fields. Unknown fields are refused: a parameter this version does not know would silently change what it runs.
 *
 * @param value - A method name or `{ method, ...parameters }`.
 * @param source - Names the value in error messages, e.g. `'config.illumination'`.
 * @throws InvalidArgumentError whose `argument` is the path of the bad field.
 */
export function validateIlluminationStep(value: unknown, source: string): IlluminationStep {
  const methods = `expected one of ${ILLUMINATION_METHODS.map((m) => `'${m}'`).join(', ')}`;
  if (typeof value === 'string') {
    if (!(ILLUMINATION_METHODS as readonly string[]).includes(value)) throw new InvalidArgumentError(source, `${methods}, got ${JSON.stringify(value)}`);
    return value as IlluminationMethod;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(source, `${methods} or { method, ...parameters }, got ${JSON.stringify(value) ?? String(value)}`);
  }
  const record = value as Record<string, unknown>;
  const method = record.method;
  if (typeof method !== 'string' || !(ILLUMINATION_METHODS as readonly string[]).includes(method)) {
    throw new InvalidArgumentError(`${source}.method`, `${methods}, got ${JSON.stringify(method) ?? String(method)}`);
  }
  const fields = STEP_FIELDS[method as IlluminationMethod];
  for (const key of Object.keys(record)) {
    if (key !== 'method' && !fields.includes(key)) {
      throw new InvalidArgumentError(`${source}.${key}`, `unknown field of '${method}' (known: method${fields.map((f) => `, ${f}`).join('')})`);
    }
  }
  const given = Object.fromEntries(Object.entries(record).filter(([k, v]) => k !== 'method' && v !== undefined));
  if (method === 'tan-triggs') {
    tanTriggsParameters(given, `${source}.`);
    return { method, ...given } as IlluminationStep;
  }
  if (method === 'clahe') {
    if (given.clipLimit !== undefined) positive(`${source}.clipLimit`, given.clipLimit);
    if (given.grid !== undefined) given.grid = claheGrid(given.grid, `${source}.grid`);
    return { method, ...given } as IlluminationStep;
  }
  return { method: 'equalize' };
}

/** `[n, h, w, c]` view of an image or batch, and a function turning a result back into the input's rank. */
function asBatch<T extends ImageTensor>(t: T): { x: tf.Tensor4D; back: (y: tf.Tensor4D) => T } {
  const x = (t.rank === 3 ? tf.expandDims(t, 0) : t) as tf.Tensor4D;
  return { x: tf.cast(x, 'float32'), back: (y) => (t.rank === 3 ? tf.squeeze(y, [0]) : y) as T };
}

/** A normalised 1-D Gaussian of standard deviation `sigma`, 2⌈3σ⌉ + 1 taps. */
function gaussianTaps(sigma: number): number[] {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((v) => v / sum);
}

/** Separable Gaussian blur of each channel, with the border mirrored (no dark rim from zero padding). */
function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  const taps = gaussianTaps(sigma);
  const radius = (taps.length - 1) / 2;
  const channels = x.shape[3];
  // 'symmetric' repeats the edge pixel; it pads at most the side length at once, so tiny images pad in steps.
  let padded = x;
  for (let left = radius; left > 0; ) {
    const step = Math.min(left, padded.shape[1], padded.shape[2]);
    padded = tf.mirrorPad(padded, [[0, 0], [step, step], [step, step], [0, 0]], 'symmetric');
    left -= step;
  }
  const column = tf.tile(tf.reshape(tf.tensor1d(taps), [taps.length, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
  const row = tf.reshape(column, [1, taps.length, channels, 1]) as tf.Tensor4D;
  return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, column, 1, 'valid'), row, 1, 'valid');
}

/**
 * Tan & Triggs' illumination normalisation: gamma correction (compresses the dynamic range, so shadows count
 * like lit skin), a difference of Gaussians (removes the slowly varying shading and the finest noise), two-stage
 * contrast equalisation over the image, then `tau · tanh(x / tau)` to squash the remaining extremes. Each image
 * of a batch and each channel is filtered separately; the contrast statistics are over the whole image.
 *
 * Input pixels are expected in 0..255 (negative values count as 0). The output is centred near 0 within
 * (−tau, tau); a flat image gives 0 everywhere (finite: the equalisation divides by at least 1e-6).
 * Returns a new float32 tensor of the input's shape; the input is not disposed.
 *
 * @throws InvalidArgumentError for a tensor that is not an image or a bad option.
 */
export function tanTriggs<T extends ImageTensor>(t: T, options: TanTriggsOptions = {}): T {
  imageDims(t, 'tensor');
  const { gamma, sigma0, sigma1, alpha, tau } = tanTriggsParameters(options);
  return tf.tidy(() => {
    const { x, back } = asBatch(t);
    const corrected = tf.pow(tf.div(tf.relu(x), 255), gamma) as tf.Tensor4D;
    const dog = tf.sub(gaussianBlur(corrected, sigma0), gaussianBlur(corrected, sigma1)) as tf.Tensor4D;
    // mean(f(x)^α)^(1/α) per image: a robust scale, so a few extreme pixels (specular highlights) do not set it.
    const scale = (v: tf.Tensor): tf.Tensor =>
      tf.maximum(tf.pow(tf.mean(tf.pow(v, alpha), [1, 2, 3], true), 1 / alpha), 1e-6);
    const first = tf.div(dog, scale(tf.abs(dog)));
    const second = tf.div(first, scale(tf.minimum(tf.abs(first), tau)));
    return back(tf.mul(tf.tanh(tf.div(second, tau)), tau) as tf.Tensor4D);
  });
}

/** Pixels as integer grey levels 0..255, one row per (image, channel): `[n·c, h·w]` int32. */
function levelsPerPlane(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h * w]);
  return tf.cast(tf.clipByValue(tf.round(planes), 0, 255), 'int32') as tf.Tensor2D;
}

/** `[n·c, h·w]` planes back to `[n, h, w, c]`. */
function fromPlanes(planes: tf.Tensor, shape: readonly [number, number, number, number]): tf.Tensor4D {
  const [n, h, w, c] = shape;
  return tf.transpose(tf.reshape(planes, [n, c, h, w]), [0, 2, 3, 1]);
}

/** Looks up `table[row, index[row, i]]` for a `[rows, k]` table and `[rows, m]` int32 indices. */
function lookup(table: tf.Tensor2D, index: tf.Tensor2D): tf.Tensor2D {
  const [rows, k] = table.shape;
  const offsets = tf.tensor2d(Int32Array.from({ length: rows }, (_, r) => r * k), [rows, 1], 'int32');
  return tf.reshape(tf.gather(tf.reshape(table, [-1]), tf.add(index, offsets)), index.shape) as tf.Tensor2D;
}

/**
 * Histogram equalisation of each image and channel: grey level v becomes
 * `round(255 · (cdf(v) − cdf(min)) / (N − cdf(min)))`, where cdf counts the pixels at or below a level and N is
 * the number of pixels (OpenCV's `equalizeHist`). A flat image is returned unchanged. Values are rounded to
 * integer levels in 0..255 first. Returns a new float32 tensor in 0..255; the input is not disposed.
 *
 * @throws InvalidArgumentError for a tensor that is not an image.
 */
export function equalizeHistogram<T extends ImageTensor>(t: T): T {
  imageDims(t, 'tensor');
  return tf.tidy(() => {
    const { x, back } = asBatch(t);
    const levels = levelsPerPlane(x);
    const total = levels.shape[1];
    const histogram = tf.denseBincount(levels, [] as number[], 256) as tf.Tensor2D;
    const cdf = tf.cumsum(histogram, 1) as tf.Tensor2D;
    // cdf(min) is the count of the darkest level present: the first non-zero bin, which the minimum of the
    // non-zero cdf entries finds (the cdf is non-decreasing).
    const cdfMin = tf.min(tf.where(tf.greater(cdf, 0), cdf, tf.fill(cdf.shape, total)), 1, true);
    const range = tf.sub(total, cdfMin);
    const table = tf.round(tf.mul(tf.div(tf.sub(cdf, cdfMin), tf.maximum(range, 1)), 255)) as tf.Tensor2D;
    const equalised = lookup(table, levels);
    const flat = tf.equal(range, 0);
    const out = tf.where(tf.broadcastTo(flat, equalised.shape), tf.cast(levels, 'float32'), equalised);
    return back(fromPlanes(out, x.shape));
  });
}

/** For each pixel along one axis: the two nearest tile centres and the weight of the second. */
function tileNeighbours(size: number, tiles: number): { first: Int32Array; second: Int32Array; weight: Float32Array } {
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const weight = new Float32Array(size);
  for (let p = 0; p < size; p++) {
    // Tile t covers [t·size/tiles, (t+1)·size/tiles); its centre sits at (t + 0.5)·size/tiles.
    const position = ((p + 0.5) * tiles) / size - 0.5;
    const t0 = Math.floor(position);
    first[p] = Math.min(Math.max(t0, 0), tiles - 1);
    second[p] = Math.min(Math.max(t0 + 1, 0), tiles - 1);
    weight[p] = first[p] === second[p] ? 0 : position - t0;
  }
  return { first, second, weight };
}

/**
 * Contrast-limited adaptive histogram equalisation (CLAHE, Zuiderveld 1994): each of `grid` tiles gets its own
 * equalisation table from its histogram, clipped at `clipLimit` × the mean bin count with the excess spread
 * evenly over all bins (which bounds how much a tile's contrast is stretched, so flat regions do not turn into
 * noise); each pixel then blends the tables of its four nearest tile centres bilinearly. Tables map a level v to
 * `255 · cdf(v) / pixelsInTile`. Values are rounded to integer levels in 0..255 first; each image and channel is
 * processed separately. Returns a new float32 tensor in 0..255; the input is not disposed.
 *
 * @throws InvalidArgumentError for a tensor that is not an image, a clip limit that is not positive, or a grid
 * that is not two positive integers no larger than the image.
 */
export function clahe<T extends ImageTensor>(t: T, options: ClaheOptions = {}): T {
  const { height, width } = imageDims(t, 'tensor');
  const clipLimit = positive('clipLimit', options.clipLimit ?? 2);
  const [gy, gx] = claheGrid(options.grid ?? [4, 4], 'grid');
  if (gy > height || gx > width) throw new InvalidArgumentError('grid', `[${gy}, ${gx}] has more tiles than the ${height}×${width} image has pixels`);
  // Which tile each pixel counts in (as the tile's first histogram bin), and the bilinear neighbours: fixed by the shape, so computed in JS.
  const tileOf = new Int32Array(height * width);
  const pixelsPerTile = new Float32Array(gy * gx);
  for (let y = 0; y < height; y++) {
    const ty = Math.floor((y * gy) / height);
    for (let x = 0; x < width; x++) {
      const tile = ty * gx + Math.floor((x * gx) / width);
      tileOf[y * width + x] = tile * 256;
      pixelsPerTile[tile]! += 1;
    }
  }
  const rows = tileNeighbours(height, gy);
  const cols = tileNeighbours(width, gx);
  const corner = (r: Int32Array, c: Int32Array): Int32Array =>
    Int32Array.from({ length: height * width }, (_, i) => (r[Math.floor(i / width)]! * gx + c[i % width]!) * 256);
  const wy = Float32Array.from({ length: height * width }, (_, i) => rows.weight[Math.floor(i / width)]!);
  const wx = Float32Array.from({ length: height * width }, (_, i) => cols.weight[i % width]!);
  return tf.tidy(() => {
    const { x, back } = asBatch(t);
    const levels = levelsPerPlane(x);
    const planes = levels.shape[0];
    const tiles = gy * gx;
    // Histogram of every tile at once: bin tile·256 + level.
    const keys = tf.add(levels, tf.tensor1d(tileOf, 'int32')) as tf.Tensor2D;
    const histogram = tf.reshape(tf.denseBincount(keys, [] as number[], tiles * 256), [planes, tiles, 256]);
    const area = tf.tensor3d(pixelsPerTile, [1, tiles, 1]);
    const limit = tf.maximum(tf.mul(area, clipLimit / 256), 1);
    const excess = tf.sum(tf.relu(tf.sub(histogram, limit)), 2, true);
    const clipped = tf.add(tf.minimum(histogram, limit), tf.div(excess, 256));
    const table = tf.reshape(tf.mul(tf.div(tf.cumsum(clipped, 2), area), 255), [planes, tiles * 256]) as tf.Tensor2D;
    const at = (offsets: Int32Array): tf.Tensor2D => lookup(table, tf.add(levels, tf.tensor1d(offsets, 'int32')) as tf.Tensor2D);
    const fy = tf.tensor1d(wy);
    const fx = tf.tensor1d(wx);
    const top = tf.add(tf.mul(at(corner(rows.first, cols.first)), tf.sub(1, fx)), tf.mul(at(corner(rows.first, cols.second)), fx));
    const bottom = tf.add(tf.mul(at(corner(rows.second, cols.first)), tf.sub(1, fx)), tf.mul(at(corner(rows.second, cols.second)), fx));
    const blended = tf.add(tf.mul(top, tf.sub(1, fy)), tf.mul(bottom, fy));
    return back(fromPlanes(tf.clipByValue(blended, 0, 255), x.shape));
  });
}

/**
 * Runs a recipe's illumination step (see {@link IlluminationStep}) on 0..255 pixels: a bare method with its
 * default parameters, `{ method, ...parameters }` with those. Returns a new float32 tensor; the input is not disposed.
 *
 * @throws InvalidArgumentError for an unknown method, a bad parameter or a tensor that is not an image.
 */
export function normalizeIllumination<T extends ImageTensor>(t: T, step: IlluminationStep): T {
  const full = typeof step === 'string' ? ({ method: step } as Exclude<IlluminationStep, string>) : step;
  switch (full.method) {
    case 'tan-triggs':
      return tanTriggs(t, full);
    case 'equalize':
      return equalizeHistogram(t);
    case 'clahe':
      return clahe(t, full);
    default:
      throw new InvalidArgumentError('illumination', `expected one of ${ILLUMINATION_METHODS.join(', ')}, got ${JSON.stringify(step)}`);
  }
}
