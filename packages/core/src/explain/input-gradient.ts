// Gradient × input and integrated gradients for a similarity, from grey: per cell, Σ (x − grey) · ∂s/∂x (averaged along the path).
import * as tf from '@tensorflow/tfjs-core';
import type { EmbeddingNetSplit } from '../faces/embedder.js';
import { cosineToTargets, freeingTapeOnError } from './gradient.js';
import { cellSpan } from './occlusion.js';

/** Per face: the cells' values on a `grid × grid` grid, and the similarity the pass computed (at the face itself only for gradient × input). */
export interface InputGradientResult {
  readonly raw: Float32Array[];
  readonly similarity: Float32Array;
}

/**
 * The points `α` (0 = the all-grey face, 1 = the face) at which integrated gradients with `steps` steps takes
 * the gradient: the midpoints of `steps` equal intervals of 0..1.
 */
export function integrationPoints(steps: number): number[] {
  return Array.from({ length: steps }, (_, j) => (j + 0.5) / steps);
}

/**
 * Per pixel, (x − grey) · ∂s/∂x averaged over the points grey + α·(x − grey), α in `alphas`, summed over each
 * cell of a `grid × grid` grid over the crop; s is the true cosine to the target (its gradient (t − s·u)/‖e‖).
 *
 * - `alphas = [1]`, gradient × input with grey as the reference (Shrikumar et al. 2016; Ancona et al. 2018): a
 *   cell is the first-order (Taylor) estimate of how much s falls when that cell alone is painted grey.
 * - `alphas = integrationPoints(k)`, integrated gradients from grey (Sundararajan et al. 2017, midpoint rule):
 *   the cells share out s(face) − s(all-grey face) (exactly as k grows: completeness). Each gradient is taken on
 *   a face faded part of the way to grey, so a cell's value counts what it adds when much of the rest is already
 *   gone too, which is what the deletion test measures step after step; one point is one more batched pass.
 *
 * @param whole - The network cut at its input (`features` is the identity), so `head` runs all of it differentiably.
 * @param input - `[n, size, size, 3]` crops already scaled for the network.
 * @param grey - The grey level 128 scaled like the crops.
 * @param targets - One unit vector per face, or (with `alphas = [1]` only) none for two faces compared with each other.
 */
export async function inputGradientMaps(whole: EmbeddingNetSplit, input: tf.Tensor4D, grey: number, targets: readonly Float32Array[], grid: number, alphas: readonly number[] = [1]): Promise<InputGradientResult> {
  const n = input.shape[0];
  const [attribution, similarity] = freeingTapeOnError(() => tf.tidy(() => {
    const x = whole.features(input);
    const difference = tf.sub(x, grey);
    // All points in one batch (faces are independent rows, so one backward pass of the summed similarities gives
    // every row's gradient): rows [j·n, (j+1)·n) are the faces at alphas[j].
    const points = alphas.length === 1 && alphas[0] === 1 ? x : tf.concat(alphas.map((a) => tf.add(tf.mul(difference, a), grey)));
    const rowTargets = alphas.flatMap(() => targets);
    const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => cosineToTargets(whole.head(v as tf.Tensor4D), rowTargets, 'cosine'))(points);
    const meanGrad = alphas.length === 1 ? grad : tf.mean(tf.reshape(grad, [alphas.length, ...x.shape]), 0);
    return [tf.sum(tf.mul(meanGrad, difference), 3), tf.slice(value, [(alphas.length - 1) * n], [n])];
  }));
  try {
    const [, height, width] = attribution.shape as [number, number, number];
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
