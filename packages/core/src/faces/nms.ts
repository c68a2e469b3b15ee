// Non-maximum suppression on plain numbers: keeps one detection per face, blending the boxes that overlap it.
import { iou, type Box, type Point } from './geometry.js';

/** A detection before suppression: box, score and keypoints in image pixels. */
export interface NmsCandidate {
  readonly box: Box;
  readonly score: number;
  readonly keypoints: readonly Point[];
}

/**
 * Default share of a box's area inside a better box above which the box is dropped as nested (see
 * {@link weightedNms}). Two real faces hardly ever overlap this much: the hidden one would be mostly covered.
 */
export const NESTED_OVERLAP = 0.6;

/**
 * Weighted non-maximum suppression (as BlazeFace's authors recommend): candidates are taken best first;
 * every remaining one overlapping the best by more than `iouThreshold` joins its cluster, and the cluster's
 * box and keypoints are the score-weighted mean. Averaging steadies boxes and landmarks between
 * neighbouring anchors and overlapping windows. Then a cluster whose box lies mostly inside a better one,
 * or holds a better one mostly inside it (more than `nestedOverlap` of the smaller box's area), is dropped:
 * IoU misses such pairs (a box twice as wide around a face has an IoU of 1/4 with it), and each would be
 * a second, wrongly framed face. Returns at most `maxResults`, best first.
 */
export function weightedNms(candidates: readonly NmsCandidate[], iouThreshold: number, maxResults = Infinity, nestedOverlap = NESTED_OVERLAP): NmsCandidate[] {
  const remaining = [...candidates].sort((a, b) => b.score - a.score);
  const kept: NmsCandidate[] = [];
  while (remaining.length > 0 && kept.length < maxResults) {
    const best = remaining[0]!;
    const cluster: NmsCandidate[] = [];
    for (let i = remaining.length - 1; i >= 0; i--) {
      if (i === 0 || iou(best.box, remaining[i]!.box) > iouThreshold) cluster.push(...remaining.splice(i, 1));
    }
    const merged = blend(best, cluster);
    if (!kept.some((k) => overlapOfSmaller(k.box, merged.box) > nestedOverlap)) kept.push(merged);
  }
  return kept;
}

/** The area two boxes share over the smaller box's area: 1 when one lies wholly inside the other. */
export function overlapOfSmaller(p: Box, q: Box): number {
  const w = Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x);
  const h = Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.max(1e-12, Math.min(p.width * p.height, q.width * q.height));
}

function blend(best: NmsCandidate, cluster: readonly NmsCandidate[]): NmsCandidate {
  let total = 0, x = 0, y = 0, w = 0, h = 0;
  const kx = best.keypoints.map(() => 0);
  const ky = best.keypoints.map(() => 0);
  for (const c of cluster) {
    const s = c.score;
    total += s;
    x += s * c.box.x; y += s * c.box.y; w += s * c.box.width; h += s * c.box.height;
    c.keypoints.forEach((p, k) => { kx[k] += s * p.x; ky[k] += s * p.y; });
  }
  return {
    box: { x: x / total, y: y / total, width: w / total, height: h / total },
    score: best.score,
    keypoints: kx.map((v, k) => ({ x: v / total, y: ky[k]! / total })),
  };
}
