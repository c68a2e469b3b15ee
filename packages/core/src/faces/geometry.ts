// Plain-number geometry for faces: points, boxes, 2×3 affine matrices and the least-squares similarity transform.
import { InvalidArgumentError } from '../errors/index.js';
import type { Box } from '../image/types.js';

export type { Box };

/** A point in pixels; x to the right, y down. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * A 2×3 affine matrix `[a, b, c, d, e, f]` mapping (x, y) to (a·x + b·y + c, d·x + e·y + f).
 */
export type Affine = readonly [number, number, number, number, number, number];

/** Applies `m` to `p`. */
export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

/** The inverse of `m`. @throws InvalidArgumentError when `m` is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!(Math.abs(det) > 1e-12)) throw new InvalidArgumentError('matrix', 'is singular and cannot be inverted');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * The similarity transform (rotation, uniform scale, translation; no reflection) that maps `from` onto `to`
 * with the least squared error (Umeyama's closed form for 2-D). Used to align detected landmarks to an
 * embedder's template.
 *
 * @throws InvalidArgumentError when the lists differ in length, hold fewer than 2 points, or all `from` points coincide.
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) {
    throw new InvalidArgumentError('points', `need two lists of equal length ≥ 2, got ${from.length} and ${to.length}`);
  }
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x; fy += from[i]!.y; tx += to[i]!.x; ty += to[i]!.y;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  // With complex numbers z = x + iy the best map is w = s·z + t where s = Σ conj(z')·w' / Σ |z'|².
  let re = 0, im = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const ax = from[i]!.x - fx, ay = from[i]!.y - fy;
    const bx = to[i]!.x - tx, by = to[i]!.y - ty;
    re += ax * bx + ay * by;
    im += ax * by - ay * bx;
    norm += ax * ax + ay * ay;
  }
  if (!(norm > 1e-12)) throw new InvalidArgumentError('points', 'all source points coincide');
  const a = re / norm;
  const b = im / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(p: Box, q: Box): number {
  const w = Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x);
  const h = Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (p.width * p.height + q.width * q.height - inter);
}
