// Gradient × input and integrated gradients of a similarity from grey, at the pixels or an inner layer: per cell, Σ (a − a_grey) · ∂s/∂a (averaged along the path).
import * as tf from '@tensorflow/tfjs-core';
import type { EmbeddingNetSplit } from '../faces/embedder.js';
import { cosineGradient, cosineToTargets, freeingTapeOnError } from './gradient.js';
import { cellSpan } from './occlusion.js';

/**
 * Per face: the cells' values on a `grid × grid` grid, and the similarity the pass computed: the faces' own when
 * they were in it (no targets, or α = 1 among the points), else at the last point.
 */
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
 * Where a layer's positions lie over the crop, the same along both axes: position p is centred on pixel
 * `offset + stride · p` and stands for the `stride` pixels around it (its receptive field's centre and step).
 */
export interface LayerGeometry {
  readonly stride: number;
  readonly offset: number;
}

/** The pixels themselves: pixel p covers [p, p + 1). */
export const PIXEL_GEOMETRY: LayerGeometry = { stride: 1, offset: 0.5 };

/**
 * Per position of the layer `split` is cut at, (a − a₀) · ∂s/∂a averaged over the points a₀ + α·(a − a₀), α in
 * `alphas`, where a is the layer's activations for the face and a₀ for the all-grey face (cut at `'input'`: the
 * pixels and grey itself), summed over the channels and then over each cell of a `grid × grid` grid over the crop
 * (a position counts in the cells its `geometry` box overlaps, in proportion); s is the true cosine to the target
 * (its gradient (t − s·u)/‖e‖).
 *
 * - `alphas = [1]`, gradient × input with grey as the reference (Shrikumar et al. 2016; Ancona et al. 2018): a
 *   cell is the first-order (Taylor) estimate of how much s falls when that cell alone is painted grey.
 * - `alphas = integrationPoints(k)`, integrated gradients from grey (Sundararajan et al. 2017, midpoint rule):
 *   the cells share out s(face) − s(all-grey face) (exactly as k grows: completeness, also at an inner layer, whose
 *   path runs from the grey face's activations to the face's). Each gradient is taken on a face faded part of the
 *   way to grey, so a cell's value counts what it adds when much of the rest is already gone too, which is what
 *   the deletion test measures step after step. All points run in one batched pass.
 *
 * @param split - The network cut at a layer: `features` runs without a gradient, `head` differentiably.
 * @param input - `[n, size, size, 3]` crops already scaled for the network.
 * @param grey - The grey level 128 scaled like the crops.
 * @param targets - One unit vector per face; or none for two faces compared with each other (each face's
 *   embedding, computed in the same pass, is the other's target, and `similarity` is their cosine).
 */
export async function inputGradientMaps(split: EmbeddingNetSplit, input: tf.Tensor4D, grey: number, targets: readonly Float32Array[], grid: number, alphas: readonly number[] = [1], geometry: LayerGeometry = PIXEL_GEOMETRY): Promise<InputGradientResult> {
  const [n, height, width, channels] = input.shape;
  const own = targets.length === 0;
  // The faces' own rows join the differentiated batch only when α = 1 is a point; else, when they are each other's
  // targets, a forward pass without a gradient gives their embeddings (the backward pass is the costly part).
  const rowAlphas = alphas.includes(1) ? [...alphas.filter((a) => a !== 1), 1] : [...alphas];
  const facesInBatch = own && alphas.includes(1);
  const [grad, difference, similarity] = freeingTapeOnError(() => tf.tidy(() => {
    // The grey face's activations are the same for every call: networks that keep them give them.
    const kept = split.baseline?.(grey);
    const features = split.features(kept ? input : tf.concat([input, tf.fill([1, height, width, channels], grey)]));
    const x = kept ? features : tf.slice(features, 0, n);
    const base = kept ?? tf.slice(features, n, 1);
    const difference = tf.sub(x, base);
    const points = rowAlphas.length === 1 && rowAlphas[0] === 1 ? x : tf.concat(rowAlphas.map((a) => (a === 1 ? x : tf.add(base, tf.mul(difference, a)))));
    let rowTargets: readonly Float32Array[] | tf.Tensor2D = own ? [] : rowAlphas.flatMap(() => targets);
    let faceSimilarity: tf.Tensor1D | undefined;
    if (split.headGradient && !facesInBatch) {
      // One forward pass over the points and (when they are each other's targets) the faces, a backward pass over the points.
      const count = points.shape[0];
      // Per point row: its unit embedding u, its target t, their cosine s (`[count, 1]`) and its norm.
      const cosines = (embeddings: tf.Tensor2D) => {
        const norm = tf.maximum(tf.norm(embeddings, 2, 1, true), 1e-12);
        const unit = tf.div(embeddings, norm);
        const faces = own ? tf.slice(unit, count, n) : undefined;
        const t = faces ? tf.tile(tf.reverse(faces, 0), [rowAlphas.length, 1]) : tf.tensor2d((rowTargets as Float32Array[]).map((v) => Array.from(v)));
        const u = tf.slice(unit, 0, count);
        return { u, t, s: tf.sum(tf.mul(u, t), 1, true), norm: tf.slice(norm, 0, count), faces };
      };
      const { embeddings, grad } = split.headGradient((own ? tf.concat([points, x]) : points) as tf.Tensor4D, count, (e) => {
        const { u, t, s, norm } = cosines(e);
        return cosineGradient(t, s, u, norm, 'cosine') as tf.Tensor2D;
      });
      const { s, faces } = cosines(embeddings);
      const similarity = faces ? tf.sum(tf.mul(faces, tf.reverse(faces, 0)), 1) : tf.reshape(tf.slice(s, (rowAlphas.length - 1) * n, n), [n]);
      return [grad, difference, similarity as tf.Tensor1D];
    }
    if (own && !facesInBatch) {
      const embeddings = (split.forward ?? split.head)(x);
      const unit = tf.div(embeddings, tf.maximum(tf.norm(embeddings, 2, 1, true), 1e-12));
      const other = tf.reverse(unit, 0);
      faceSimilarity = tf.sum(tf.mul(unit, other), 1) as tf.Tensor1D;
      rowTargets = tf.tile(other, [rowAlphas.length, 1]) as tf.Tensor2D;
    }
    const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => cosineToTargets(split.head(v as tf.Tensor4D), rowTargets, 'cosine', facesInBatch ? n : undefined))(points);
    return [grad, difference, faceSimilarity ?? tf.slice(value, [(rowAlphas.length - 1) * n], [n])];
  }));
  try {
    const [, h, w, c] = difference.shape;
    const g = (await grad.data()) as Float32Array, d = (await difference.data()) as Float32Array;
    const size = h * w * c;
    const raw = Array.from({ length: n }, (_, f) => {
      // Σ over the points and channels of ∂s/∂a · (a − a₀), averaged over the points.
      const attribution = new Float32Array(h * w);
      for (const r of rowAlphas.keys()) {
        const gOff = (r * n + f) * size, dOff = f * size;
        for (let p = 0; p < h * w; p++) {
          let s = 0;
          for (let k = p * c; k < (p + 1) * c; k++) s += g[gOff + k]! * d[dOff + k]!;
          attribution[p] += s / alphas.length;
        }
      }
      return poolPositions(attribution, w, h, width, height, grid, geometry);
    });
    return { raw, similarity: (await similarity.data()) as Float32Array };
  } finally {
    grad.dispose();
    difference.dispose();
    similarity.dispose();
  }
}

/**
 * Sums a `w × h` map of a layer's positions over `grid × grid` cells of a `width × height` crop (the same cell
 * edges the occlusion patches use): each position in proportion to how much of its `geometry` box a cell covers.
 */
function poolPositions(values: Float32Array, w: number, h: number, width: number, height: number, grid: number, geometry: LayerGeometry): Float32Array {
  const cols = shares(w, width, grid, geometry), rows = shares(h, height, grid, geometry);
  const cells = new Float32Array(grid * grid);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = values[y * w + x]!;
      for (const [gy, wy] of rows[y]!) for (const [gx, wx] of cols[x]!) cells[gy * grid + gx] += v * wy * wx;
    }
  }
  return cells;
}

/** Per position along one axis, the cells its box overlaps and the share of the box in each. */
function shares(positions: number, size: number, grid: number, { stride, offset }: LayerGeometry): Array<Array<[number, number]>> {
  return Array.from({ length: positions }, (_, p) => {
    const lo = offset + stride * p - stride / 2, hi = lo + stride;
    const out: Array<[number, number]> = [];
    for (let g = 0; g < grid; g++) {
      const [a, b] = cellSpan(g, grid, size);
      const overlap = Math.min(hi, b) - Math.max(lo, a);
      if (overlap > 0) out.push([g, overlap / stride]);
    }
    return out;
  });
}
