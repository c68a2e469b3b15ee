// The five landmarks every aligner uses, derived from BlazeFace's six keypoints.
import type { Point } from './geometry.js';
import { ARCFACE_TEMPLATE } from './templates.js';

/** Five facial landmarks in image pixels: eye (image left), eye (image right), nose tip, mouth corner (image left), mouth corner (image right). */
export type FiveLandmarks = readonly [Point, Point, Point, Point, Point];

/** ArcFace's mouth half-width over its eye distance: where the corners sit beside BlazeFace's mouth centre. */
const MOUTH_HALF_WIDTH = (70.7299 - 41.5493) / 2 / (73.5318 - 38.2946);

/**
 * Five landmarks from BlazeFace's keypoints (eyes, nose tip, mouth centre, ears). BlazeFace gives the
 * mouth centre only, so the corners are placed along the eye line at the average face's mouth width:
 * alignment then fits the same five points whatever produced them.
 */
export function fiveFromBlazeFace(keypoints: readonly Point[]): FiveLandmarks {
  const [eyeL, eyeR, nose, mouth] = keypoints as [Point, Point, Point, Point];
  const dx = (eyeR.x - eyeL.x) * MOUTH_HALF_WIDTH;
  const dy = (eyeR.y - eyeL.y) * MOUTH_HALF_WIDTH;
  return [eyeL, eyeR, nose, { x: mouth.x - dx, y: mouth.y - dy }, { x: mouth.x + dx, y: mouth.y + dy }];
}

/**
 * Where the five landmarks sit in an already cropped and aligned face image (an LFW-style portrait whose
 * face fills its centre): the ArcFace template over the central 56% of the image, 2% above centre.
 * Used when the detector finds no face in an image the caller says is a face crop.
 */
export function centredLandmarks(width: number, height: number): FiveLandmarks {
  const side = Math.min(width, height);
  const [a, b, c, d, e] = ARCFACE_TEMPLATE.map((p) => ({
    x: width / 2 + (p.x - 0.5) * 0.56 * side,
    y: height / 2 + (p.y - 0.5 - 0.02 / 0.56) * 0.56 * side,
  })) as [Point, Point, Point, Point, Point];
  return [a, b, c, d, e];
}
