// Lighting augmentation: per-image gamma, directional shading and a soft cast shadow, drawn from a seeded source.
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../random/index.js';

/** The lighting fields of an augmentation config (see AugmentationConfig). */
export interface LightingConfig {
  readonly gamma?: number;
  readonly shading?: number;
  readonly shadow?: number;
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
}

/** True when a config asks for any lighting change. */
export const hasLighting = (config: LightingConfig): boolean =>
  (config.gamma ?? 0) > 0 || (config.shading ?? 0) > 0 || (config.shadow ?? 0) > 0;

/**
 * Draws one image's lighting: always 6 draws in a fixed order, so changing one magnitude leaves the others of a
 * seeded run unchanged. Gamma is log-uniform in [1/(1+g), 1+g]; shading and shadow strengths uniform in [0, max].
 */
export function drawLighting(config: LightingConfig, random: Random): LightingDraw {
  const [g, s, sa, d, da, dOffset] = [random.uniform(-1, 1), random.next(), random.next(), random.next(), random.next(), random.uniform(-1, 1)];
  return {
    gamma: Math.exp(g! * Math.log(1 + (config.gamma ?? 0))),
    shading: s! * (config.shading ?? 0),
    shadingAngle: sa! * 2 * Math.PI,
    shadow: d! * (config.shadow ?? 0),
    shadowAngle: da! * 2 * Math.PI,
    shadowOffset: dOffset! * 0.6,
  };
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
 * each image's maximum (so the range is kept), then the light field on every channel. Returns a new float32 tensor.
 */
export function applyLighting(batch: tf.Tensor4D, draws: readonly LightingDraw[]): tf.Tensor4D {
  const [n, height, width] = batch.shape;
  const fields = new Float32Array(n * height * width);
  draws.forEach((d, i) => fields.set(lightField(d, height, width), i * height * width));
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.relu(tf.cast(batch, 'float32'));
    if (draws.some((d) => d.gamma !== 1)) {
      const peak = tf.maximum(tf.max(x, [1, 2, 3], true), 1e-6);
      const gamma = tf.tensor4d(draws.map((d) => d.gamma), [n, 1, 1, 1]);
      x = tf.mul(tf.pow(tf.div(x, peak), gamma), peak);
    }
    return tf.mul(x, tf.tensor4d(fields, [n, height, width, 1]));
  });
}
