// Seeded random augmentation of training batches: one projective warp per image, brightness/contrast jitter, lighting.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import type { Random } from '../random/index.js';
import { applyAugmentationInJs } from './augment-js.js';
import { applyLighting, drawLighting, hasLighting, type LightingDraw } from './augment-lighting.js';
import { applyAugmentationWithOps, isIdentityRow, type AugmentationPlan } from './augment-ops.js';

/**
 * Which random changes {@link augmentBatch} makes, each drawn independently per image and uniformly in
 * `[-max, +max]`. An absent, `false` or `0` field leaves that property unchanged.
 */
export interface AugmentationConfig {
  /** Mirror left-right with probability 1/2 (faces are roughly symmetric). */
  flip?: boolean;
  /** Maximum rotation in degrees, in [0, 180]. */
  rotate?: number;
  /** Maximum horizontal shear angle in degrees, in [0, 45]. */
  shear?: number;
  /** Maximum scale change as a fraction in [0, 1): 0.1 draws a scale in 0.9..1.1 (same for both axes, to keep faces' proportions). */
  zoom?: number;
  /** Maximum translation as a fraction of the image's width/height, in [0, 1]. */
  shift?: number;
  /**
   * Maximum additive brightness change in normalised units: with `'unit'` normalisation 0.1 is 10% of the full range
   * (for `'none'`, scale it by 255). Finite, ≥ 0.
   */
  brightness?: number;
  /**
   * Maximum contrast change as a fraction in [0, 1]: 0.2 scales each image's deviation from its mean (over all
   * pixels and channels, so colours keep their balance) by 0.8..1.2.
   */
  contrast?: number;
  /**
   * Maximum gamma change, finite and ≥ 0: 0.5 draws an exponent log-uniformly in [1/1.5, 1.5], applied to pixels
   * relative to each image's maximum (under- and over-exposure). Needs non-negative pixels (0..255 or `'unit'`).
   */
  gamma?: number;
  /**
   * Maximum directional shading in [0, 1): light falls off linearly across the face from a random side, the far
   * side getting as little as `1 − shading` of the light (a lamp beside the face).
   */
  shading?: number;
  /**
   * Maximum cast-shadow depth in [0, 1): a soft-edged shadow over a random half-plane near the centre takes up to
   * this fraction of the light (the nose's or a wall's shadow over half of the face).
   */
  shadow?: number;
  /**
   * Maximum angle in degrees, in [0, 90], of a point light off the camera axis, drawn from any direction: the face
   * (taken as an ellipsoid) is lit by `n · l`, so beyond ~45° its far side falls into an attached shadow that keeps
   * only 1–15% of the light (a lamp or window to the side, Extended Yale B's harsh subsets).
   */
  lightAngle?: number;
  /**
   * Maximum camera noise, standard deviation in grey levels of 0..255 (relative to each image's maximum), ≥ 0
   * and finite; with it the lit image is also rounded to 256 levels, so shadows keep only a few of them, as in a
   * photo.
   */
  noise?: number;
}

/**
 * Named augmentation presets.
 *
 * `faces` is a mild starting point for frontal face crops (flip, ±10° rotation, ±8° shear, ±10% zoom,
 * ±8% shift, brightness ±0.1, contrast ±20%), not a tuned optimum: strengthen it for small datasets that
 * overfit, weaken it when faces are already poorly aligned.
 *
 * `lighting` is `faces`' geometry with lighting changes instead of the brightness jitter (which means nothing on
 * 0..255 pixels): gamma in [1/1.6, 1.6], shading down to 15% of the light on the far side, shadows taking up to
 * 70%, contrast ±30%. It is {@link FaceRecognizer.fit}'s default for recipes with an illumination step, whose
 * augmentation runs on pixels before the illumination normalisation.
 *
 * `harsh-light` is `lighting` plus a point lamp up to 70° off the camera axis from any side (attached shadows) and
 * camera noise up to σ 2 levels with 8-bit rounding. Opt-in, for full-length trainings: on ORL relit by a harsh
 * lamp it lifts a 60-epoch seed CNN from 49% to 74.5% (BENCHMARKS.md, lighting), but a short or tiny training
 * cannot absorb it (ORL after 20 epochs 83% instead of 93%; the web demo's 16×16 CNN after 25 epochs no longer
 * names an unseen face), so it is not the default.
 */
export const augmentationPresets: {
  readonly faces: Readonly<AugmentationConfig>;
  readonly lighting: Readonly<AugmentationConfig>;
  readonly 'harsh-light': Readonly<AugmentationConfig>;
} = Object.freeze({
  faces: Object.freeze({ flip: true, rotate: 10, shear: 8, zoom: 0.1, shift: 0.08, brightness: 0.1, contrast: 0.2 }),
  lighting: Object.freeze({ flip: true, rotate: 10, shear: 8, zoom: 0.1, shift: 0.08, contrast: 0.3, gamma: 0.6, shading: 0.85, shadow: 0.7 }),
  'harsh-light': Object.freeze({
    flip: true, rotate: 10, shear: 8, zoom: 0.1, shift: 0.08, contrast: 0.3, gamma: 0.6, shading: 0.85, shadow: 0.7, lightAngle: 70, noise: 2,
  }),
});

const LIMITS: Record<Exclude<keyof AugmentationConfig, 'flip'>, { max: number; inclusive: boolean }> = {
  rotate: { max: 180, inclusive: true },
  shear: { max: 45, inclusive: true },
  zoom: { max: 1, inclusive: false }, // a scale of 0 would collapse the image
  shift: { max: 1, inclusive: true },
  brightness: { max: Number.POSITIVE_INFINITY, inclusive: false },
  contrast: { max: 1, inclusive: true },
  gamma: { max: Number.POSITIVE_INFINITY, inclusive: false },
  shading: { max: 1, inclusive: false },
  shadow: { max: 1, inclusive: false },
  lightAngle: { max: 90, inclusive: true },
  noise: { max: Number.POSITIVE_INFINITY, inclusive: false },
};

/**
 * Checks an augmentation config read from JSON or a CLI and returns a fresh copy holding only the known fields.
 *
 * @param value - The parsed value.
 * @param source - Prefix of the field path in error messages.
 * @throws InvalidArgumentError whose `argument` names the bad field (e.g. `source.rotate`).
 */
export function validateAugmentationConfig(value: unknown, source: string): AugmentationConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(source, 'expected an object');
  }
  const record = value as Record<string, unknown>;
  const config: AugmentationConfig = {};
  for (const [key, v] of Object.entries(record)) {
    if (v === undefined) continue;
    if (key === 'flip') {
      if (typeof v !== 'boolean') throw new InvalidArgumentError(`${source}.flip`, `expected true or false, got ${String(v)}`);
      config.flip = v;
      continue;
    }
    const limit = Object.hasOwn(LIMITS, key) ? LIMITS[key as keyof typeof LIMITS] : undefined;
    if (!limit) {
      throw new InvalidArgumentError(`${source}.${key}`, `unknown field (known: flip, ${Object.keys(LIMITS).join(', ')})`);
    }
    const ok = typeof v === 'number' && v >= 0 && (limit.inclusive ? v <= limit.max : v < limit.max);
    if (!ok) {
      const range = Number.isFinite(limit.max) ? `in [0, ${limit.max}${limit.inclusive ? ']' : ')'}` : 'finite and ≥ 0';
      throw new InvalidArgumentError(`${source}.${key}`, `expected a number ${range}, got ${String(v)}`);
    }
    config[key as keyof typeof LIMITS] = v as number;
  }
  return config;
}

/** Parameters drawn for one image. */
interface ImageDraw {
  readonly flip: boolean;
  readonly angle: number; // radians
  readonly shear: number; // radians
  readonly scale: number;
  readonly dx: number; // pixels
  readonly dy: number; // pixels
  readonly contrast: number; // factor
  readonly brightness: number; // additive
}

// Always 8 draws per image in a fixed order, whatever is enabled: changing one magnitude (say, rotate) leaves
// every other parameter of a seeded run unchanged, which keeps ablations comparable.
function draw(config: AugmentationConfig, random: Random, height: number, width: number): ImageDraw {
  const u = (): number => random.uniform(-1, 1);
  const flipDraw = random.next();
  const rad = Math.PI / 180;
  const [r, s, z, sx, sy, b, c] = [u(), u(), u(), u(), u(), u(), u()];
  return {
    flip: config.flip === true && flipDraw < 0.5,
    angle: r! * (config.rotate ?? 0) * rad,
    shear: s! * (config.shear ?? 0) * rad,
    scale: 1 + z! * (config.zoom ?? 0),
    dx: sx! * (config.shift ?? 0) * width,
    dy: sy! * (config.shift ?? 0) * height,
    brightness: b! * (config.brightness ?? 0),
    contrast: 1 + c! * (config.contrast ?? 0),
  };
}

/**
 * The row `tf.image.transform` wants: it maps each OUTPUT pixel back to the input. The forward warp, about the
 * image centre C, is out = C + t + A (in − C) with A = scale · Rotate · Shear · Flip, so in = C + A⁻¹ (out − C − t).
 */
function inverseRow(d: ImageDraw, height: number, width: number): number[] {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(d.angle);
  const sin = Math.sin(d.angle);
  const tan = Math.tan(d.shear);
  const f = d.flip ? -1 : 1;
  // A⁻¹ = (1/scale) · Flip · Shear⁻¹ · Rotate⁻¹, with Shear⁻¹ = [[1, −tan], [0, 1]] and Rotate⁻¹ = Rotateᵀ.
  const k = 1 / d.scale;
  const m00 = k * f * (cos + tan * sin);
  const m01 = k * f * (sin - tan * cos);
  const m10 = k * -sin;
  const m11 = k * cos;
  const ox = cx + d.dx;
  const oy = cy + d.dy;
  // Rounded to float32 now, so both implementations use exactly the coefficients a float32 tensor would hold.
  return [m00, m01, cx - m00 * ox - m01 * oy, m10, m11, cy - m10 * ox - m11 * oy, 0, 0].map(Math.fround);
}

function plan(batch: tf.Tensor4D, config: AugmentationConfig, random: Random): AugmentationPlan & { lighting?: LightingDraw[] } {
  const [n, height, width] = batch.shape;
  // Lighting is drawn after each image's 8 geometric/photometric draws, and only when asked for, so configs
  // without lighting draw exactly what they drew before it existed.
  const lit = hasLighting(config);
  const draws = Array.from({ length: n }, () => ({ base: draw(config, random, height, width), light: lit ? drawLighting(config, random) : undefined }));
  return {
    rows: draws.map((d) => inverseRow(d.base, height, width)),
    contrast: draws.map((d) => d.base.contrast),
    brightness: draws.map((d) => d.base.brightness),
    ...(lit ? { lighting: draws.map((d) => d.light!) } : {}),
  };
}

/** Which implementation {@link augmentBatchUsing} runs. */
export type AugmentationImplementation = 'auto' | 'ops' | 'js';

/**
 * Randomly augments a training batch `[n, h, w, c]` of normalised images. For each image, parameters are drawn
 * from `random` (the same seed gives the same batch), then:
 * 1. flip, rotation, shear, zoom and shift are combined into one projective transform, applied with
 *    `tf.image.transform`, bilinear, with `'nearest'` fill: the few border pixels the warp uncovers repeat the
 *    image's edge. A constant fill would add black wedges (hard edges a network can latch onto), and `'reflect'`
 *    mirrors ears, chin or mouth into the border (duplicate facial features in the wrong place); it is also
 *    wrong on the wasm backend of tfjs 4.22, whose kernel wraps negative coordinates to the opposite edge;
 * 2. contrast (around each image's mean) then brightness are applied as batched element-wise ops with
 *    per-image `[n, 1, 1, 1]` factors;
 * 3. with `gamma`, `shading` or `shadow`: gamma relative to each image's maximum, then a light field (shading
 *    ramp × soft shadow) multiplies every channel. These model light on pixels, so they need non-negative
 *    values: run them before a normalisation that centres the data (as `fit` does for recipes with an
 *    illumination step); negative values are set to 0 first.
 *
 * On the cpu backend the same arithmetic runs as plain loops over the batch's values: tfjs-backend-cpu's
 * Transform kernel handles only the first image of a batch and its broadcasting ops are slow, and the data is
 * in JavaScript memory anyway. The results agree with the tensor ops to float32 precision.
 *
 * Values are not clipped (normalised data has no fixed range): with `'unit'` inputs the output stays within
 * `[−brightness − contrast, 1 + brightness + contrast]`. A config with nothing enabled returns a copy of the
 * input. The input is not disposed. Kernels used on other backends (all present in tfjs-backend-wasm and
 * webgl 4.22): Cast, Transform, Mean, Multiply, Sub, Add.
 *
 * @param batch - Images to augment; other dtypes are cast to float32.
 * @param config - What to vary; see {@link AugmentationConfig} and {@link augmentationPresets}.
 * @param random - Seeded source; each call advances it by 8 draws per image, 14 with lighting, 18 with `lightAngle` or `noise`.
 * @returns A new float32 tensor of the batch's shape.
 * @throws InvalidArgumentError for a batch that is not rank 4 or a bad config.
 */
export function augmentBatch(batch: tf.Tensor4D, config: AugmentationConfig, random: Random): tf.Tensor4D {
  return augmentBatchUsing(batch, config, random, 'auto');
}

/**
 * {@link augmentBatch} with a chosen implementation: `'ops'` (tensor ops, any backend), `'js'` (plain loops;
 * needs the data in JavaScript memory, so only sensible on the cpu backend) or `'auto'`.
 * Not part of the public API: it lets tests check that both implementations agree.
 * @internal
 */
export function augmentBatchUsing(
  batch: tf.Tensor4D,
  config: AugmentationConfig,
  random: Random,
  implementation: AugmentationImplementation,
): tf.Tensor4D {
  if (batch === null || typeof batch !== 'object' || batch.rank !== 4 || batch.isDisposed) {
    throw new InvalidArgumentError('batch', 'expected a live [n, height, width, channels] tensor');
  }
  const valid = validateAugmentationConfig(config, 'augmentation');
  if (random === null || typeof random !== 'object' || typeof random.uniform !== 'function' || typeof random.next !== 'function') {
    throw new InvalidArgumentError('random', 'expected a Random from createRandom(seed)');
  }
  const p = plan(batch, valid, random);
  const unchanged =
    p.rows.every(isIdentityRow) && p.contrast.every((c) => c === 1) && p.brightness.every((b) => b === 0);
  const js = implementation === 'js' || (implementation === 'auto' && tf.getBackend() === 'cpu');
  const base = unchanged ? tf.tidy(() => tf.cast(batch, 'float32')) : js ? applyAugmentationInJs(batch, p) : applyAugmentationWithOps(batch, p);
  if (!p.lighting) return base;
  try {
    return applyLighting(base, p.lighting);
  } finally {
    base.dispose();
  }
}
