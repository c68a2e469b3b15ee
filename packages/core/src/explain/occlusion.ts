// Occlusion sensitivity: cover each region of an aligned face with a grey patch, re-embed (batched), record the fall in similarity.
import * as tf from '@tensorflow/tfjs-core';
import type { FaceEmbedder } from '../faces/embedder.js';

/** How the patches are laid out: a grid of `grid × grid` cells over the crop, patches of `patchCells × patchCells` cells. */
export interface OcclusionLayout {
  readonly grid: number;
  readonly patchCells: number;
  /** Grey level (0..255) of the patch. */
  readonly fill: number;
}

/** Patches re-embedded per network run (the embedder batches within it too). */
const CHUNK = 32;

/** Pixel span [from, to) of cell `c` of `grid` cells over `size` pixels. */
export function cellSpan(c: number, grid: number, size: number): [number, number] {
  return [Math.round((c * size) / grid), Math.round(((c + 1) * size) / grid)];
}

/** Covers the pixels of cells [cx, cx+k) × [cy, cy+k) of an RGB crop (in place). */
export function coverCells(pixels: Float32Array, size: number, grid: number, cx: number, cy: number, k: number, fill: number): void {
  const [x0] = cellSpan(cx, grid, size), [, x1] = cellSpan(cx + k - 1, grid, size);
  const [y0] = cellSpan(cy, grid, size), [, y1] = cellSpan(cy + k - 1, grid, size);
  for (let y = y0; y < y1; y++) pixels.fill(fill, (y * size + x0) * 3, (y * size + x1) * 3);
}

/**
 * Per face, per cell: the mean fall in similarity to the face's target over the patches that cover the cell
 * (positive: covering it lowers the similarity). Every face costs (grid − patchCells + 1)² embeddings.
 *
 * @param crops - `[n, size, size, 3]` aligned faces in 0..255 (not disposed).
 * @param targets - One unit vector per face.
 * @param base - Per face: its similarity to its target without any patch.
 */
export async function occlusionMaps(embedder: FaceEmbedder, crops: tf.Tensor4D, targets: readonly Float32Array[], base: readonly number[], layout: OcclusionLayout): Promise<Float32Array[]> {
  const [n, size] = crops.shape as [number, number, number, number];
  const { grid, patchCells: k, fill } = layout;
  const side = grid - k + 1;
  const positions: Array<[number, number, number]> = [];
  for (let f = 0; f < n; f++) for (let cy = 0; cy < side; cy++) for (let cx = 0; cx < side; cx++) positions.push([f, cx, cy]);
  const pixels = (await crops.data()) as Float32Array;
  const facePixels = size * size * 3;
  const sums = Array.from({ length: n }, () => new Float32Array(grid * grid));
  const counts = new Float32Array(grid * grid);
  for (let cy = 0; cy < side; cy++) for (let cx = 0; cx < side; cx++) for (let y = cy; y < cy + k; y++) for (let x = cx; x < cx + k; x++) counts[y * grid + x]! += 1;
  for (let start = 0; start < positions.length; start += CHUNK) {
    const chunk = positions.slice(start, start + CHUNK);
    const batch = new Float32Array(chunk.length * facePixels);
    chunk.forEach(([f, cx, cy], i) => {
      const view = batch.subarray(i * facePixels, (i + 1) * facePixels);
      view.set(pixels.subarray(f * facePixels, (f + 1) * facePixels));
      coverCells(view, size, grid, cx, cy, k, fill);
    });
    const tensor = tf.tensor4d(batch, [chunk.length, size, size, 3]);
    let embeddings: Float32Array[];
    try {
      embeddings = await embedder.embedCrops(tensor);
    } finally {
      tensor.dispose();
    }
    chunk.forEach(([f, cx, cy], i) => {
      const e = embeddings[i]!, t = targets[f]!;
      let s = 0;
      for (let j = 0; j < e.length; j++) s += e[j]! * t[j]!;
      const drop = base[f]! - s;
      for (let y = cy; y < cy + k; y++) for (let x = cx; x < cx + k; x++) sums[f]![y * grid + x]! += drop;
    });
  }
  return sums.map((s) => s.map((v, i) => v / counts[i]!));
}
