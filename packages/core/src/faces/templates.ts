// Where each embedder expects the 5 facial landmarks in its input crop (fractions of the crop side).
import { applyAffine, similarityTransform, type Point } from './geometry.js';

/**
 * The five landmarks of the widely used 112×112 ArcFace alignment, as fractions of the crop: eye (image
 * left), eye (image right), nose tip, mouth corner (image left), mouth corner (image right).
 */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  { x: 38.2946 / 112, y: 51.6963 / 112 },
  { x: 73.5318 / 112, y: 51.5014 / 112 },
  { x: 56.0252 / 112, y: 71.7366 / 112 },
  { x: 41.5493 / 112, y: 92.3655 / 112 },
  { x: 70.7299 / 112, y: 92.2041 / 112 },
];

/**
 * A template zoomed out by `zoom` (> 1 shows more around the face) and moved down by `shiftY` (fraction
 * of the crop), for embedders trained on looser crops than ArcFace's.
 */
export function zoomTemplate(template: readonly Point[], zoom: number, shiftY = 0): Point[] {
  return template.map((p) => ({ x: 0.5 + (p.x - 0.5) / zoom, y: 0.5 + (p.y - 0.5) / zoom + shiftY }));
}

/** Scales a fractional template to pixels of a `size`-pixel square crop. */
export function templateInPixels(template: readonly Point[], size: number): Point[] {
  return template.map((p) => ({ x: p.x * size, y: p.y * size }));
}

/**
 * `template` moved by the similarity that puts its eye centres (points 0 and 1) on `left` and `right`:
 * re-frames a template for a network trained on another crop while keeping the face's proportions.
 */
export function templateWithEyesAt(template: readonly Point[], left: Point, right: Point): Point[] {
  const m = similarityTransform([template[0]!, template[1]!], [left, right]);
  return template.map((p) => applyAffine(m, p));
}

/**
 * dlib's 150×150 face chip (`get_face_chip_details` with padding 0.25, which dlib's ResNet was trained
 * on): eye centres at (0.339, 0.311) and (0.683, 0.310) of the chip, the rest of the face in ArcFace's
 * proportions.
 */
export const DLIB_CHIP_TEMPLATE: readonly Point[] = templateWithEyesAt(ARCFACE_TEMPLATE, { x: 0.33878, y: 0.31058 }, { x: 0.6829, y: 0.30954 });
