// Face-quality checks before a detection is embedded: plausible keypoint geometry, exposure, and the face mesh's verdict on its crop.
import * as tf from '@tensorflow/tfjs-core';
import type { Box, Point } from './geometry.js';
import type { FiveLandmarks } from './landmarks.js';
import type { RawImage } from '../image/types.js';

/** Thresholds of the face mesh's check of a detection (see {@link meshAccepts}). */
export interface FaceQualityThresholds {
  /**
   * Smallest face-presence score (0..1) the face mesh must give the detection's crop. Measured on six group
   * photos and lfw-dev: real faces score 0.7–1 (nearly all 1), hands, hair, clothes and backs of heads 0–0.5.
   */
  readonly minPresence: number;
  /**
   * Largest distance, in eye distances, between the detector's eyes and nose tip and the mesh's. On a real face
   * both find the same points (at most 0.4 measured, a face in profile); on a box around a face, beside it or on
   * something else they disagree.
   */
  readonly maxLandmarkShift: number;
  /**
   * Share (0..1) of a face box's pixels at white (see {@link clippedShare}) from which the face counts as
   * over-exposed. The mesh's face-presence score collapses on a face whose skin is clipped to white (0–0.5 on
   * lfw-dev photos brightened 3×, where 65–97% of the box is clipped), so there only its landmarks are asked to
   * agree. Measured: false faces in group photos had at most 18% of their box clipped, real faces in normal light 26%.
   */
  readonly overexposed: number;
  /** Largest landmark shift (as `maxLandmarkShift`) accepted for an over-exposed face, whose presence score is not used. */
  readonly maxOverexposedShift: number;
}

/** Default {@link FaceQualityThresholds}. */
export const FACE_QUALITY: FaceQualityThresholds = { minPresence: 0.5, maxLandmarkShift: 0.6, overexposed: 0.5, maxOverexposedShift: 0.45 };

/** A sample at or above this value (of 255) is taken as clipped to white. */
const WHITE = 250;

/**
 * When a photo in which no face is found is searched again (`FacePipeline`): when at least `minClipped` (0..1) of
 * its pixels are at white (brightest channel ≥ 250), on a copy with every sample v replaced by
 * 255 · (v / 255)^`gamma`. Measured on 201 lfw-dev photos brightened 3× (clipped at white; a median 51% of their
 * pixels at white, each of the missed ones at least 28%): gamma 2 or 3 brings back 3 of the 15 subjects the `default`
 * preset missed (gamma 4: 2), with no other box. A photo in which a face is found is never retried.
 */
export const GLARE_RETRY = { minClipped: 0.25, gamma: 2 } as const;

/** Share (0..1) of an image's pixels whose brightest channel is at white (≥ 250), read in JavaScript. */
export function clippedPixelShare(image: RawImage): number {
  const { data, width, height, channels } = image;
  const colour = Math.min(channels, 3);
  let clipped = 0;
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < colour; c++) {
      if (data[i * channels + c]! >= WHITE) {
        clipped++;
        break;
      }
    }
  }
  return width * height > 0 ? clipped / (width * height) : 0;
}

/**
 * Share (0..1) of the pixels inside `box` (clipped to `image`, `[height, width, channels]`, 0..255) whose
 * brightest channel is at white (≥ 250): how much of a face an over-exposed photo has burnt out.
 */
export async function clippedShare(image: tf.Tensor3D, box: Box): Promise<number> {
  const [height, width] = image.shape;
  const x0 = Math.max(0, Math.round(box.x)), y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(width, Math.round(box.x + box.width)), y1 = Math.min(height, Math.round(box.y + box.height));
  if (x1 <= x0 || y1 <= y0) return 0;
  const share = tf.tidy(() => tf.mean(tf.cast(tf.greaterEqual(tf.max(tf.slice(image, [y0, x0, 0], [y1 - y0, x1 - x0, -1]), 2), WHITE), 'float32')));
  try {
    return (await share.data())[0]!;
  } finally {
    share.dispose();
  }
}

/**
 * Whether BlazeFace's keypoints (eye, eye, nose tip, mouth centre, ...) are arranged like a face's: in the
 * frame of the eye line, with the eye distance as unit, the nose lies below the eyes and the mouth below the
 * nose, neither far to the side, and the eyes are a plausible part of the box's width. The bounds are wide
 * (lfw-dev and group photos, profile faces included, lie well inside): they refuse keypoints scattered
 * over a texture, not unusual faces.
 */
export function keypointsPlausible(box: Box, keypoints: readonly Point[]): boolean {
  if (keypoints.length < 4) return false;
  const [eyeL, eyeR, nose, mouth] = keypoints as [Point, Point, Point, Point];
  const ex = eyeR.x - eyeL.x, ey = eyeR.y - eyeL.y;
  const eyes = Math.hypot(ex, ey);
  const side = Math.max(box.width, box.height);
  if (!(eyes >= 0.15 * side && eyes <= 0.75 * side)) return false;
  const cx = (eyeL.x + eyeR.x) / 2, cy = (eyeL.y + eyeR.y) / 2;
  // Coordinates along the eye line (across) and perpendicular to it (down), in eye distances.
  const frame = (p: Point) => ({ across: ((p.x - cx) * ex + (p.y - cy) * ey) / (eyes * eyes), down: (-(p.x - cx) * ey + (p.y - cy) * ex) / (eyes * eyes) });
  const n = frame(nose), m = frame(mouth);
  return Math.abs(n.across) <= 1.5 && n.down >= 0 && n.down <= 1.6 && Math.abs(m.across) <= 1.5 && m.down >= 0.5 && m.down <= 2.6 && m.down - n.down >= 0.2;
}

/** The largest distance between two landmark sets' eyes and nose tips, in eye distances of `rough`. */
export function landmarkShift(rough: FiveLandmarks, refined: FiveLandmarks): number {
  const eyes = Math.max(1e-6, Math.hypot(rough[1].x - rough[0].x, rough[1].y - rough[0].y));
  let worst = 0;
  for (let i = 0; i < 3; i++) worst = Math.max(worst, Math.hypot(rough[i]!.x - refined[i]!.x, rough[i]!.y - refined[i]!.y));
  return worst / eyes;
}

/**
 * Whether the face mesh confirms a detection: its face-presence score is high enough and its landmarks
 * agree with the detector's. With `clipped` (the box's {@link clippedShare}) at or above
 * `thresholds.overexposed`, the face is over-exposed: the presence score is not used, and the landmarks must
 * agree within `maxOverexposedShift`.
 */
export function meshAccepts(
  rough: FiveLandmarks,
  refined: { readonly landmarks: FiveLandmarks; readonly faceScore: number },
  thresholds: FaceQualityThresholds = FACE_QUALITY,
  clipped = 0,
): boolean {
  const shift = landmarkShift(rough, refined.landmarks);
  if (refined.faceScore >= thresholds.minPresence && shift <= thresholds.maxLandmarkShift) return true;
  return clipped >= thresholds.overexposed && shift <= thresholds.maxOverexposedShift;
}

/** Thresholds of the detector's second look at a detection, the check of pipelines without a face mesh (see {@link secondLookAccepts}). */
export interface SecondLookThresholds {
  /** A detection scored at least this is taken as it is, without a second look (nor, on the `fast` preset, the face mesh's check). */
  readonly confident: number;
  /** Smallest score the detector must give the face again in every re-framed view (see `FaceDetector.secondLook`). */
  readonly minScore: number;
}

/**
 * Default {@link SecondLookThresholds}. Measured on 201 lfw-dev photos (normal, darkened, brightened) and 36 labelled
 * group photos: real faces in normal light score ≥ 0.47 in every view (10% of them below 0.7), while 28 of 31
 * hands, hair, clothes and texture boxes fall below 0.45 in at least one view; no false face scored above 0.66 at first.
 */
export const SECOND_LOOK: SecondLookThresholds = { confident: 0.8, minScore: 0.45 };

/**
 * Whether a detection passes the second look: confident at first, over-exposed (`clipped` ≥
 * `FACE_QUALITY.overexposed`, where every score is weak), or found again in every view (`lowest`, the smallest
 * score `FaceDetector.secondLook` gives it).
 */
export function secondLookAccepts(score: number, lowest: number, clipped = 0, thresholds: SecondLookThresholds = SECOND_LOOK): boolean {
  return score >= thresholds.confident || lowest >= thresholds.minScore || clipped >= FACE_QUALITY.overexposed;
}
