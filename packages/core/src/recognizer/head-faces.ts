// How a few-shot head reads the face of a photo: the backbone's main face, else on an illumination-normalised copy (a face too dark for the detector), else (a face crop too tight for it) where the training crops had theirs.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors/index.js';
import type { FiveLandmarks } from '../faces/landmarks.js';
import type { FacePipeline } from '../faces/pipeline.js';
import { imageToTensor } from '../image/convert.js';
import type { FaceImage } from '../image/types.js';
import { normalizeIllumination, validateIlluminationStep, type IlluminationStep } from '../preprocess/illumination.js';

/**
 * The second look of a few-shot head by default: when the backbone finds no face in a photo, it looks again on a
 * CLAHE copy (4×4 tiles, clip limit 2), which brings faces in deep shadow back within the detector's reach; photos in
 * which a face is found are read as they are. Relit ORL, harsh / extreme light: 81.0 / 43.0% → 84.0 / 48.0%
 * (bench/lighting-fewshot.mjs, BENCHMARKS.md lighting).
 */
export const DEFAULT_RETRY_ILLUMINATION: Readonly<{ method: 'clahe'; clipLimit: number; grid: readonly [number, number] }> =
  Object.freeze({ method: 'clahe', clipLimit: 2, grid: Object.freeze([4, 4]) as readonly [number, number] });

/**
 * The retry step a head records for its `retryIllumination` option: the default when absent, none for null, else
 * the step as given (checked), CLAHE's parameters spelled out so a saved head keeps them if the defaults change.
 * Only steps that return an image (`'clahe'`, `'equalize'`) can be looked at by the detector.
 * @throws InvalidArgumentError naming `retryIllumination` for another method or a bad parameter.
 */
export function retryIlluminationStep(option: IlluminationStep | null | undefined): IlluminationStep | null {
  if (option === null) return null;
  if (option === undefined) return { ...DEFAULT_RETRY_ILLUMINATION, grid: [...DEFAULT_RETRY_ILLUMINATION.grid] };
  const step = validateIlluminationStep(option, 'retryIllumination');
  const full = typeof step === 'string' ? { method: step } : step;
  if (full.method === 'equalize') return { method: 'equalize' };
  if (full.method !== 'clahe') {
    throw new InvalidArgumentError('retryIllumination', `must give the detector an image: 'clahe' or 'equalize', got '${full.method}'`);
  }
  const given = full as { clipLimit?: number; grid?: readonly [number, number] };
  return { method: 'clahe', clipLimit: given.clipLimit ?? DEFAULT_RETRY_ILLUMINATION.clipLimit, grid: [...(given.grid ?? DEFAULT_RETRY_ILLUMINATION.grid)] as [number, number] };
}

/** The five landmarks as fractions of a photo's width and height. */
export type CropLandmarks = readonly (readonly [number, number])[];

/**
 * Largest spread (mean standard deviation of the landmarks' fractions) at which the training photos count as crops
 * of one geometry (a cropped-face dataset); ORL's crops spread about 0.02, portraits of varied framing far more.
 */
const MAX_SPREAD = 0.05;

/**
 * How far (mean distance of the five landmarks, in fractions of the photo) a face found in a crop of a known
 * geometry may sit from where the training crops had theirs: farther, it is taken for a misdetection (in the dark
 * the detector can lock onto the lit half of a face) and the crop's landmarks are used.
 */
const CROP_TOLERANCE = 0.1;

/** The face of one photo as the head uses it. */
export interface HeadFace {
  readonly embedding: Float32Array;
  readonly landmarks: FiveLandmarks;
  /** Whether the detector found it (else the landmarks are the crops' or the centre's). */
  readonly found: boolean;
}

function sizeOf(image: FaceImage): { width: number; height: number } {
  return image instanceof tf.Tensor ? { width: image.shape[1], height: image.shape[0] } : { width: image.width, height: image.height };
}

/**
 * Where the faces sit in photos that are crops of one geometry (the detector found at least two and their landmarks,
 * as fractions of each photo, agree within {@link MAX_SPREAD}): their mean landmarks; undefined otherwise.
 */
export function cropLandmarksOf(faces: ReadonlyArray<{ readonly image: FaceImage; readonly face: HeadFace }>): CropLandmarks | undefined {
  const found = faces.filter((f) => f.face.found).map((f) => {
    const { width, height } = sizeOf(f.image);
    return f.face.landmarks.map((p) => [p.x / width, p.y / height] as const);
  });
  if (found.length < 2) return undefined;
  const mean = [0, 1, 2, 3, 4].map((k) => [0, 1].map((a) => found.reduce((s, f) => s + f[k]![a]!, 0) / found.length) as [number, number]);
  let spread = 0;
  for (let k = 0; k < 5; k++) {
    for (const a of [0, 1]) spread += Math.sqrt(found.reduce((s, f) => s + (f[k]![a]! - mean[k]![a]!) ** 2, 0) / found.length);
  }
  return spread / 10 <= MAX_SPREAD ? mean : undefined;
}

/**
 * Checks crop landmarks read from metadata: five finite [x, y] fractions.
 * @throws InvalidArgumentError naming `source`.
 */
export function validateCropLandmarks(value: unknown, source: string): CropLandmarks {
  if (!Array.isArray(value) || value.length !== 5 || !value.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && v >= -1 && v <= 2))) {
    throw new InvalidArgumentError(source, `expected five [x, y] fractions of the photo, got ${JSON.stringify(value)}`);
  }
  return value.map((p: number[]) => [p[0]!, p[1]!] as const);
}

/**
 * The face of `image` for a head: the backbone's main face; when none is found and the head has a `retry` step, the
 * main face of the photo's copy normalised by it (embedded from the copy; its landmarks hold for the photo), if one
 * is found there; when the head knows its crops' geometry and still none is found, or one is found more than
 * {@link CROP_TOLERANCE} away from it, the face where the training crops had theirs (embedded without refinement, as
 * the backbone embeds the centre of a crop); else the backbone's centre of the crop.
 */
export async function headFace(backbone: FacePipeline, image: FaceImage, crop: CropLandmarks | undefined, retry?: IlluminationStep): Promise<HeadFace> {
  let face: HeadFace = await backbone.embedMainFaceOrCentre(image);
  if (!face.found && retry !== undefined) face = (await foundInCopy(backbone, image, retry)) ?? face;
  return crop ? onCrop(backbone, image, face, crop) : face;
}

/** The backbone's main face in `image` normalised by `step` (rounded to 8-bit levels, as a camera would store it), or undefined when none is found there. */
async function foundInCopy(backbone: FacePipeline, image: FaceImage, step: IlluminationStep): Promise<HeadFace | undefined> {
  const { width, height } = sizeOf(image);
  const grid = typeof step === 'object' && step.method === 'clahe' ? (step.grid ?? DEFAULT_RETRY_ILLUMINATION.grid) : [1, 1];
  // No face fits in a photo smaller than CLAHE's tiles (which it refuses); there is nothing to look at again.
  if (height < grid[0]! || width < grid[1]!) return undefined;
  const copy = tf.tidy(() => tf.round(tf.clipByValue(normalizeIllumination(imageToTensor(image), step), 0, 255)) as tf.Tensor3D);
  try {
    const face = await backbone.embedMainFaceOrCentre(copy);
    return face.found ? { embedding: face.embedding, landmarks: face.landmarks, found: true } : undefined;
  } finally {
    copy.dispose();
  }
}

/** `face`, read from `image` by the backbone, kept or moved to the crop's geometry as {@link headFace} says. */
export async function onCrop(backbone: FacePipeline, image: FaceImage, face: HeadFace, crop: CropLandmarks): Promise<HeadFace> {
  const { width, height } = sizeOf(image);
  if (face.found) {
    const off = face.landmarks.reduce((s, p, k) => s + Math.hypot(p.x / width - crop[k]![0], p.y / height - crop[k]![1]), 0) / 5;
    if (off <= CROP_TOLERANCE) return face;
  }
  const landmarks = landmarksOnCrop(image, crop);
  const pixels = image instanceof tf.Tensor ? image : tf.tensor3d(Float32Array.from(image.data), [height, width, image.channels]);
  try {
    const [embedding] = await backbone.embedder.embedFaces(pixels, [landmarks]);
    return { embedding: embedding!, landmarks, found: false };
  } finally {
    if (pixels !== image) pixels.dispose();
  }
}

/** The crop's landmarks in `image`'s pixels. */
export function landmarksOnCrop(image: FaceImage, crop: CropLandmarks): FiveLandmarks {
  const { width, height } = sizeOf(image);
  return crop.map(([x, y]) => ({ x: x * width, y: y * height })) as unknown as FiveLandmarks;
}
