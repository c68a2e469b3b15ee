// Lighting augmentation: per-image gamma, directional shading, a soft cast shadow, a point light with attached shadows and camera noise, drawn from a seeded source.
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../random/index.js';

/** The lighting fields of an augmentation config (see AugmentationConfig). */
export interface LightingConfig {
  readonly gamma?: number;
  readonly shading?: number;
  readonly shadow?: number;
  readonly lightAngle?: number;
  readonly noise?: number;
}

/** A point light drawn for one image (see {@link pointLightField}). */
export interface PointLightDraw {
  /** Angle of the light from the camera axis, in radians. */
  readonly polar: number;
  /** Direction the light comes from in the image plane, in radians (0 = from the right). */
  readonly azimuth: number;
  /** Share of the light that still reaches the faces' parts turned away from the lamp, in [0.01, 0.15]. */
  readonly ambient: number;
}

/** Lighting drawn for one image. */
export interface LightingDraw {
  /** Exponent applied to pixels relative to the image's maximum (1 = unchanged). */
  readonly gamma: number;
  /** How much darker the far side of the shading ramp gets, in [0, 1). */
  readonly shading: number;
  /** Direction the light comes from, in radians (0 = from the right). */
  readonly shadingAngle: number;
  /** How much light the shadow removes, in [0, 1). */
  readonly shadow: number;
  /** Direction of the shadow's edge normal, in radians. */
  readonly shadowAngle: number;
  /** Signed distance of the shadow edge from the image centre, in half-image units. */
  readonly shadowOffset: number;
  /** The point light, when the config has a `lightAngle`. */
  readonly point?: PointLightDraw;
  /** Standard deviation of the camera noise in grey levels of the image's 0..max range (0 = none, no rounding). */
  readonly noise: number;
  /** Seed of this image's noise pattern. */
  readonly noiseSeed: number;
}

/** True when a config asks for any lighting change. */
export const hasLighting = (config: LightingConfig): boolean =>
  (config.gamma ?? 0) > 0 || (config.shading ?? 0) > 0 || (config.shadow ?? 0) > 0 || (config.lightAngle ?? 0) > 0 || (config.noise ?? 0) > 0;

/**
 * Draws one image's lighting: 6 draws in a fixed order, so changing one magnitude leaves the others of a seeded
 * run unchanged, then 4 more only when the config has a `lightAngle` or `noise` (configs without them draw what
 * they drew before these existed). Gamma is log-uniform in [1/(1+g), 1+g]; shading and shadow strengths uniform
 * in [0, max]; the point light's angle from the camera axis uniform in [0, lightAngle]° from any direction, with
 * an ambient share log-uniform in [0.01, 0.15]; the noise's standard deviation uniform in [0, noise].
 */
export function drawLighting(config: LightingConfig, random: Random): LightingDraw {
  const [g, s, sa, d, da, dOffset] = [random.uniform(-1, 1), random.next(), random.next(), random.next(), random.next(), random.uniform(-1, 1)];
  const base = {
    gamma: Math.exp(g! * Math.log(1 + (config.gamma ?? 0))),
    shading: s! * (config.shading ?? 0),
    shadingAngle: sa! * 2 * Math.PI,
    shadow: d! * (config.shadow ?? 0),
    shadowAngle: da! * 2 * Math.PI,
    shadowOffset: dOffset! * 0.6,
    noise: 0,
    noiseSeed: 0,
  };
  if (!((config.lightAngle ?? 0) > 0 || (config.noise ?? 0) > 0)) return base;
  const [p, a, amb, n] = [random.next(), random.next(), random.next(), random.next()];
  const angle = config.lightAngle ?? 0;
  return {
    ...base,
    ...(angle > 0 ? { point: { polar: (p! * angle * Math.PI) / 180, azimuth: a! * 2 * Math.PI, ambient: 0.01 * 15 ** amb! } } : {}),
    noise: n! * (config.noise ?? 0),
    noiseSeed: Math.floor(p! * 4294967296) ^ Math.floor(a! * 65536),
  };
}

/**
 * How a point lamp at `draw`'s angle relights a face photographed in front light, `height × width` factors in
 * (0, 1]: the face is taken as an ellipsoid filling the image (a rounded surface, not a mesh); each pixel's light
 * `ambient + (1 − ambient) · max(0, n · l)` for its surface normal n and the lamp's direction l is divided by the
 * light the same point had from the camera's direction (the photo already holds that shading: a quotient image),
 * and capped at 1 (light is only taken away). A lamp on the camera axis changes nothing; one far to the side leaves
 * the far half of the face near the ambient level (an attached shadow, with the sharp terminator real ones have),
 * which a linear ramp cannot draw.
 */
export function pointLightField(draw: PointLightDraw, height: number, width: number): Float32Array {
  const field = new Float32Array(height * width);
  const l = [Math.sin(draw.polar) * Math.cos(draw.azimuth), Math.sin(draw.polar) * Math.sin(draw.azimuth), Math.cos(draw.polar)] as const;
  for (let y = 0; y < height; y++) {
    const v = height > 1 ? (2 * y) / (height - 1) - 1 : 0;
    for (let x = 0; x < width; x++) {
      const u = width > 1 ? (2 * x) / (width - 1) - 1 : 0;
      // Ellipsoid x²/0.95² + y²/1.3² + z² = 1 seen from the front: the normal is (x/a², y/b², z) normalised.
      const [a, b] = [0.95, 1.3];
      const z = Math.sqrt(Math.max(0.02, 1 - (u / a) ** 2 - (v / b) ** 2));
      const [nx, ny] = [u / (a * a), v / (b * b)];
      const norm = Math.hypot(nx, ny, z);
      const lit = draw.ambient + (1 - draw.ambient) * Math.max(0, (nx * l[0] + ny * l[1] + z * l[2]) / norm);
      const front = draw.ambient + (1 - draw.ambient) * (z / norm);
      field[y * width + x] = Math.min(1, lit / front);
    }
  }
  return field;
}

/** Seeded Gaussian noise, `count` values of standard deviation 1 (a small xorshift + Box–Muller: fast, platform-independent). */
function noisePattern(seed: number, count: number): Float32Array {
  let state = (seed >>> 0) || 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    out[i] = r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/**
 * The multiplicative light field of one image, `height × width` values in (0, 1]: a linear ramp from 1 on the lit
 * side to `1 − shading` on the far side, times a half-plane shadow `1 − shadow` with an edge softened over about
 * a tenth of the image (a hard edge would teach the network a line no real shadow draws).
 */
export function lightField(draw: LightingDraw, height: number, width: number): Float32Array {
  const field = new Float32Array(height * width);
  const [cx, cy] = [Math.cos(draw.shadingAngle), Math.sin(draw.shadingAngle)];
  const [nx, ny] = [Math.cos(draw.shadowAngle), Math.sin(draw.shadowAngle)];
  // The ramp spans the image's extent along the light direction.
  const reach = Math.abs(cx) + Math.abs(cy);
  const softness = 0.1;
  for (let y = 0; y < height; y++) {
    const v = height > 1 ? (2 * y) / (height - 1) - 1 : 0;
    for (let x = 0; x < width; x++) {
      const u = width > 1 ? (2 * x) / (width - 1) - 1 : 0;
      const along = (u * cx + v * cy) / reach; // −1 far side … +1 lit side
      const shading = 1 - draw.shading * (1 - along) * 0.5;
      const inside = 1 / (1 + Math.exp(-(u * nx + v * ny - draw.shadowOffset) / softness));
      field[y * width + x] = shading * (1 - draw.shadow * inside);
    }
  }
  return field;
}

/**
 * Applies drawn lighting to a batch `[n, h, w, c]` of non-negative pixels (0..255, or 0..1): gamma relative to
 * each image's maximum (so the range is kept), then the light field (shading × shadow × point light) on every
 * channel; with noise, Gaussian camera noise is added and the result rounded to 256 grey levels of the image's
 * 0..max range, as a camera does (deep shadows keep only a few levels). Returns a new float32 tensor.
 */
export function applyLighting(batch: tf.Tensor4D, draws: readonly LightingDraw[]): tf.Tensor4D {
  const [n, height, width, channels] = batch.shape;
  const area = height * width;
  const fields = new Float32Array(n * area);
  draws.forEach((d, i) => {
    const field = lightField(d, height, width);
    if (d.point) {
      const point = pointLightField(d.point, height, width);
      for (let p = 0; p < area; p++) field[p]! *= point[p]!;
    }
    fields.set(field, i * area);
  });
  const noisy = draws.some((d) => d.noise > 0);
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.relu(tf.cast(batch, 'float32'));
    const peak = tf.maximum(tf.max(x, [1, 2, 3], true), 1e-6);
    if (draws.some((d) => d.gamma !== 1)) {
      const gamma = tf.tensor4d(draws.map((d) => d.gamma), [n, 1, 1, 1]);
      x = tf.mul(tf.pow(tf.div(x, peak), gamma), peak);
    }
    x = tf.mul(x, tf.tensor4d(fields, [n, height, width, 1]));
    if (!noisy) return x;
    const size = area * channels;
    const noise = new Float32Array(n * size);
    draws.forEach((d, i) => {
      if (d.noise > 0) noise.set(noisePattern(d.noiseSeed, size).map((v) => v * d.noise), i * size);
    });
    // In grey levels of 0..255 relative to the image's maximum, then rounded and kept within 0..max.
    const levels = tf.add(tf.mul(tf.div(x, peak), 255), tf.tensor4d(noise, [n, height, width, channels]));
    return tf.mul(tf.div(tf.clipByValue(tf.round(levels), 0, 255), 255), peak);
  });
}
