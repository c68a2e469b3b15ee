// Occlusion sensitivity: cover each region of an aligned face with a grey patch, re-embed (batched), record the fall in similarity.
import * as tf from '@tensorflow/tfjs-core';
import type { FaceEmbedder } from '../faces/embedder.js';

/** How the patches are laid out: a grid of `grid × grid` cells over the crop, patches of `patchCells × patchCells` cells. */
export interface OcclusionLayout {
  readonly grid: number;
  readonly patchCells: number;
  /** Grey level (0..255) of the patch. */
  readonly fill: number;
  /**
   * Greedy rounds (1 = plain occlusion). Each round scores the cells still showing on the face as earlier rounds
   * left it, then greys the best-scoring ones for good: an equal share of the cells per round.
   */
  readonly rounds: number;
}

/** Occlusion's default patch side, in cells. */
export const DEFAULT_PATCH_CELLS = 1;

/** Occlusion's default number of greedy rounds. */
export const DEFAULT_OCCLUSION_ROUNDS = 4;

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

/** The number of cells greyed once round `r` (0-based) of `rounds` is over: equal shares of `cells`. */
export function greyedAfterRound(r: number, rounds: number, cells: number): number {
  return Math.round(((r + 1) * cells) / rounds);
}

/**
 * Per face, per cell: occlusion's map.
 * - One round: the mean fall in similarity to the face's target over the patches that cover the cell (positive:
 *   covering it lowers the similarity). Every face costs (grid − patchCells + 1)² embeddings.
 * - Several rounds (greedy): each round scores the cells still showing as one round does, on the face with the
 *   earlier rounds' cells grey, and greys its share of the best-scoring cells, best first. A cell's value is its
 *   place in that order: 1 for the cell greyed first, down to 1 / grid² for the last. A cell's own fall does not
 *   keep that order (a region can matter little alone and much once the regions ranked above it are gone), and
 *   the order is what the deletion test rewards. Every face costs about (rounds + 1) / 2 × grid² embeddings with
 *   1-cell patches (the default 8×8 grid in 4 rounds: 64 + 48 + 32 + 16).
 *
 * @param crops - `[n, size, size, 3]` aligned faces in 0..255 (not disposed).
 * @param targets - One unit vector per face.
 * @param base - Per face: its similarity to its target without any patch (later rounds' scores are relative to it:
 *   only their order counts).
 */
export async function occlusionMaps(embedder: FaceEmbedder, crops: tf.Tensor4D, targets: readonly Float32Array[], base: readonly number[], layout: OcclusionLayout): Promise<Float32Array[]> {
  const [n, size] = crops.shape as [number, number, number, number];
  const { grid, rounds } = layout;
  const cells = grid * grid;
  // The faces as the rounds leave them (a copy: the caller's crops stay whole).
  const faces = Float32Array.from(await crops.data());
  const removed = Array.from({ length: n }, () => new Uint8Array(cells));
  if (rounds === 1) return patchScores(embedder, faces, size, targets, base, removed, layout);
  // The order the rounds grey the cells in, best first.
  const orders: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < rounds; r++) {
    const scores = await patchScores(embedder, faces, size, targets, base, removed, layout);
    scores.forEach((score, f) => {
      const showing = [...score.keys()].filter((c) => !removed[f]![c]).sort((p, q) => score[q]! - score[p]!);
      const chosen = showing.slice(0, greyedAfterRound(r, rounds, cells) - (cells - showing.length));
      for (const c of chosen) {
        removed[f]![c] = 1;
        coverCells(faces.subarray(f * size * size * 3, (f + 1) * size * size * 3), size, grid, c % grid, Math.floor(c / grid), 1, layout.fill);
      }
      orders[f]!.push(...chosen);
    });
  }
  // Each cell: its place in that order, 1 for the first greyed down to 1 / cells for the last.
  return orders.map((order) => {
    const map = new Float32Array(cells);
    order.forEach((c, i) => {
      map[c] = (cells - i) / cells;
    });
    return map;
  });
}

/**
 * One round of patches on each face as it is: per cell, the mean fall in similarity over the patches that cover it,
 * from `before` (patches that cover only greyed cells are skipped; greyed cells score 0).
 */
async function patchScores(embedder: FaceEmbedder, faces: Float32Array, size: number, targets: readonly Float32Array[], before: readonly number[], removed: readonly Uint8Array[], layout: OcclusionLayout): Promise<Float32Array[]> {
  const { grid, patchCells: k, fill } = layout;
  const side = grid - k + 1;
  const n = removed.length;
  const showing = (f: number, cx: number, cy: number): boolean => {
    for (let y = cy; y < cy + k; y++) for (let x = cx; x < cx + k; x++) if (!removed[f]![y * grid + x]) return true;
    return false;
  };
  const positions: Array<[number, number, number]> = [];
  for (let f = 0; f < n; f++) for (let cy = 0; cy < side; cy++) for (let cx = 0; cx < side; cx++) if (showing(f, cx, cy)) positions.push([f, cx, cy]);
  const facePixels = size * size * 3;
  const sums = Array.from({ length: n }, () => new Float32Array(grid * grid));
  const counts = Array.from({ length: n }, () => new Float32Array(grid * grid));
  for (let start = 0; start < positions.length; start += CHUNK) {
    const chunk = positions.slice(start, start + CHUNK);
    const batch = new Float32Array(chunk.length * facePixels);
    chunk.forEach(([f, cx, cy], i) => {
      const view = batch.subarray(i * facePixels, (i + 1) * facePixels);
      view.set(faces.subarray(f * facePixels, (f + 1) * facePixels));
      coverCells(view, size, grid, cx, cy, k, fill);
    });
    const s = await similarities(embedder, batch, chunk.length, size, chunk.map(([f]) => targets[f]!));
    chunk.forEach(([f, cx, cy], i) => {
      const drop = before[f]! - s[i]!;
      for (let y = cy; y < cy + k; y++) {
        for (let x = cx; x < cx + k; x++) {
          sums[f]![y * grid + x]! += drop;
          counts[f]![y * grid + x]! += 1;
        }
      }
    });
  }
  return sums.map((sum, f) => sum.map((v, i) => (counts[f]![i]! > 0 && !removed[f]![i] ? v / counts[f]![i]! : 0)));
}

/** Similarity of each of `count` crops (RGB 0..255, packed) to its target. */
async function similarities(embedder: FaceEmbedder, pixels: Float32Array, count: number, size: number, targets: readonly Float32Array[]): Promise<number[]> {
  const tensor = tf.tensor4d(pixels.subarray(0, count * size * size * 3), [count, size, size, 3]);
  let embeddings: Float32Array[];
  try {
    embeddings = await embedder.embedCrops(tensor);
  } finally {
    tensor.dispose();
  }
  return embeddings.map((e, i) => {
    const t = targets[i]!;
    let s = 0;
    for (let j = 0; j < e.length; j++) s += e[j]! * t[j]!;
    return s;
  });
}
