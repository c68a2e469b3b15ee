// Face-quality checks before a detection is embedded: plausible keypoint geometry, and the face mesh's verdict on its crop.
import type { Box, Point } from './geometry.js';
import type { FiveLandmarks } from './landmarks.js';

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
}

/** Default {@link FaceQualityThresholds}. */
export const FACE_QUALITY: FaceQualityThresholds = { minPresence: 0.5, maxLandmarkShift: 0.6 };

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
 * agree with the detector's.
 */
export function meshAccepts(rough: FiveLandmarks, refined: { readonly landmarks: FiveLandmarks; readonly faceScore: number }, thresholds: FaceQualityThresholds = FACE_QUALITY): boolean {
  return refined.faceScore >= thresholds.minPresence && landmarkShift(rough, refined.landmarks) <= thresholds.maxLandmarkShift;
}
