// Gradient × input for a similarity: one forward and one backward pass of the whole network; per cell, Σ ∂s/∂x · (x − grey).
import * as tf from '@tensorflow/tfjs-core';
import type { EmbeddingNetSplit } from '../faces/embedder.js';
import { cosineToTargets, freeingTapeOnError } from './gradient.js';
import { cellSpan } from './occlusion.js';

/** Per face: the cells' values on a `grid × grid` grid, and the similarity the pass computed. */
export interface InputGradientResult {
  readonly raw: Float32Array[];
  readonly similarity: Float32Array;
}

/**
 * Gradient × input with grey as the reference (Shrikumar et al. 2016; Ancona et al. 2018): per pixel,
 * ∂s/∂x · (x − grey), summed over each cell of a `grid × grid` grid over the crop. A cell's value is the
 * first-order (Taylor) estimate of how much the similarity s falls when the cell is painted grey:
 * s(x) − s(x with the cell grey) ≈ Σ_cell ∂s/∂x · (x − grey), so the cells add up to the same estimate for
 * the whole face. It is not exact: the network is not linear, and regions greyed together interact.
 * s is the true cosine to the target (its gradient (t − s·u)/‖e‖), since it is the cosine that falls.
 *
 * @param whole - The network cut at its input (`features` is the identity), so `head` runs all of it differentiably.
 * @param input - `[n, size, size, 3]` crops already scaled for the network.
 * @param grey - The grey level 128 scaled like the crops.
 * @param targets - One unit vector per face, or none for two faces compared with each other.
 */
export async function inputGradientMaps(whole: EmbeddingNetSplit, input: tf.Tensor4D, grey: number, targets: readonly Float32Array[], grid: number): Promise<InputGradientResult> {
  const [attribution, similarity] = freeingTapeOnError(() => tf.tidy(() => {
    const x = whole.features(input);
    // Faces are independent rows, so one backward pass of the summed similarities gives each face's gradient.
    const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => cosineToTargets(whole.head(v as tf.Tensor4D), targets, 'cosine'))(x);
    return [tf.sum(tf.mul(grad, tf.sub(x, grey)), 3), value];
  }));
  try {
    const [n, height, width] = attribution.shape as [number, number, number];
    const pixels = (await attribution.data()) as Float32Array;
    const raw = Array.from({ length: n }, (_, f) => poolCells(pixels.subarray(f * height * width, (f + 1) * height * width), width, height, grid));
    return { raw, similarity: (await similarity.data()) as Float32Array };
  } finally {
    attribution.dispose();
    similarity.dispose();
  }
}

/** Sums a `width × height` map over `grid × grid` cells (the same cell edges the occlusion patches use). */
function poolCells(pixels: Float32Array, width: number, height: number, grid: number): Float32Array {
  const cells = new Float32Array(grid * grid);
  for (let gy = 0; gy < grid; gy++) {
    const [y0, y1] = cellSpan(gy, grid, height);
    for (let gx = 0; gx < grid; gx++) {
      const [x0, x1] = cellSpan(gx, grid, width);
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += pixels[y * width + x]!;
      cells[gy * grid + gx] = s;
    }
  }
  return cells;
}
