// Applies drawn augmentation parameters with plain loops, for the cpu backend whose data already lives in JS.
import * as tf from '@tensorflow/tfjs-core';
import { isIdentityRow, type AugmentationPlan } from './augment-ops.js';

/**
 * Same result as applyAugmentationWithOps (bilinear warp with 'nearest' fill, then contrast around each image's
 * mean and brightness), computed in one pass per image. Returns a new float32 tensor; the input is only read.
 */
export function applyAugmentationInJs(batch: tf.Tensor4D, plan: AugmentationPlan): tf.Tensor4D {
  const [n, height, width, channels] = batch.shape;
  // On the cpu backend this is the tensor's own storage (no copy): it must not be written.
  const src = batch.dataSync();
  const out = new Float32Array(src.length);
  const size = height * width * channels;
  const maxX = width - 1;
  const maxY = height - 1;
  for (let b = 0; b < n; b++) {
    const base = b * size;
    const row = plan.rows[b]!;
    if (isIdentityRow(row)) {
      for (let i = 0; i < size; i++) out[base + i] = src[base + i]!;
    } else {
      const [a0, a1, a2, b0, b1, b2] = row as [number, number, number, number, number, number];
      let o = base;
      for (let y = 0; y < height; y++) {
        const rowX = a1 * y + a2;
        const rowY = b1 * y + b2;
        for (let x = 0; x < width; x++) {
          // 'nearest' fill = clamp the source coordinate into the image, as the Transform kernels do.
          let sx = a0 * x + rowX;
          let sy = b0 * x + rowY;
          sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
          sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const fx = sx - x0;
          const fy = sy - y0;
          // At the last row/column the weight of the next pixel is 0, so reading the pixel itself is safe.
          const x1 = x0 < maxX ? x0 + 1 : x0;
          const y1 = y0 < maxY ? y0 + 1 : y0;
          const i00 = base + (y0 * width + x0) * channels;
          const i01 = base + (y0 * width + x1) * channels;
          const i10 = base + (y1 * width + x0) * channels;
          const i11 = base + (y1 * width + x1) * channels;
          for (let c = 0; c < channels; c++, o++) {
            const top = (1 - fx) * src[i00 + c]! + fx * src[i01 + c]!;
            const bottom = (1 - fx) * src[i10 + c]! + fx * src[i11 + c]!;
            out[o] = (1 - fy) * top + fy * bottom;
          }
        }
      }
    }
    const contrast = plan.contrast[b]!;
    const delta = plan.brightness[b]!;
    if (contrast === 1 && delta === 0) continue;
    let offset = delta;
    if (contrast !== 1) {
      let sum = 0;
      for (let i = base; i < base + size; i++) sum += out[i]!;
      offset += (sum / size) * (1 - contrast);
    }
    for (let i = base; i < base + size; i++) out[i] = out[i]! * contrast + offset;
  }
  return tf.tensor4d(out, [n, height, width, channels], 'float32');
}
