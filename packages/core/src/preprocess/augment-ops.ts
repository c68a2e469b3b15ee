// Applies drawn augmentation parameters with tensor ops: one tf.image.transform per batch, then per-image jitter.
import * as tf from '@tensorflow/tfjs-core';

/** Per-image parameters drawn by augmentBatch: transform rows (output → input) and photometric factors. */
export interface AugmentationPlan {
  /** One `tf.image.transform` row `[a0, a1, a2, b0, b1, b2, 0, 0]` per image. */
  readonly rows: readonly (readonly number[])[];
  /** Contrast factor per image (1 = unchanged). */
  readonly contrast: readonly number[];
  /** Additive brightness per image (0 = unchanged). */
  readonly brightness: readonly number[];
}

/** True when a transform row maps every pixel to itself. */
export const isIdentityRow = (row: readonly number[]): boolean =>
  row[0] === 1 && row[1] === 0 && row[2] === 0 && row[3] === 0 && row[4] === 1 && row[5] === 0;

// tfjs-backend-cpu 4.22's Transform kernel returns after the first image of a batch (the `return` sits inside
// its batch loop), leaving the other images filled with 0. There the ops run image by image.
const BACKENDS_WITH_SINGLE_IMAGE_TRANSFORM = new Set(['cpu']);

function warp(x: tf.Tensor4D, rows: readonly (readonly number[])[]): tf.Tensor4D {
  const n = rows.length;
  if (n === 1 || !BACKENDS_WITH_SINGLE_IMAGE_TRANSFORM.has(tf.getBackend())) {
    return tf.image.transform(x, tf.tensor2d(rows.map((r) => [...r]), [n, 8], 'float32'), 'bilinear', 'nearest');
  }
  const images = tf.split(x, n, 0) as tf.Tensor4D[];
  const warped = images.map((image, i) =>
    isIdentityRow(rows[i]!) ? image : tf.image.transform(image, tf.tensor2d([[...rows[i]!]], [1, 8], 'float32'), 'bilinear', 'nearest'),
  );
  return tf.concat(warped, 0);
}

/** Applies `plan` to `batch` with tensor ops (see augmentBatch). Returns a new float32 tensor. */
export function applyAugmentationWithOps(batch: tf.Tensor4D, plan: AugmentationPlan): tf.Tensor4D {
  const n = batch.shape[0];
  const geometric = !plan.rows.every(isIdentityRow);
  const contrast = plan.contrast.some((c) => c !== 1);
  const brightness = plan.brightness.some((b) => b !== 0);
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.cast(batch, 'float32');
    if (geometric) x = warp(x, plan.rows);
    if (!contrast && !brightness) return x;
    const perImage = (values: readonly number[]): tf.Tensor4D => tf.tensor4d([...values], [n, 1, 1, 1], 'float32');
    const delta = perImage(plan.brightness);
    if (!contrast) return tf.add(x, delta);
    // (x − mean)·c + mean + b = x·c + (mean·(1 − c) + b): two full-size ops, the rest is [n, 1, 1, 1].
    const factor = perImage(plan.contrast);
    const mean = tf.mean(x, [1, 2, 3], true);
    return tf.add(tf.mul(x, factor), tf.add(tf.mul(mean, tf.sub(1, factor)), delta));
  });
}
