// FacePipeline: detect every face of an image, align it to the embedder's template and embed it; big photos are scanned shrunk and their faces cut from the original.
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, validateImageTensor, validateRawImage } from '../image/convert.js';
import type { PixelRect } from '../image/downscale.js';
import { isScalableImage, scalablePixels, validateScalableImage, type PipelineImage, type ScalableImage } from '../image/scalable.js';
import type { RawImage } from '../image/types.js';
import type { DetectOptions, RawDetection } from './detector.js';
import { detectionScale, FaceDetector, scaleDetection } from './detector.js';
import type { Embedder } from './embedder.js';
import type { Box, Point } from './geometry.js';
import type { LandmarkRefiner, RefinedFace } from './mesh.js';
import { centredLandmarks, fiveFromBlazeFace, type FiveLandmarks } from './landmarks.js';
import { clippedPixelShare, clippedShare, FACE_QUALITY, GLARE_RETRY, meshAccepts, secondLookAccepts, SECOND_LOOK } from './quality.js';
import { InvalidArgumentError } from '../errors/index.js';

/** Where the five landmarks that align a face come from: the face mesh, or the detector's own keypoints. */
export type LandmarkSource = 'mesh' | 'detector';

/** The landmark source of a pipeline: `'mesh'` when it refines landmarks with a face mesh. */
export function landmarkSourceOf(pipeline: Pick<FacePipeline, 'refiner'>): LandmarkSource {
  return pipeline.refiner ? 'mesh' : 'detector';
}

/** A detected face: box, detector score (0..1) and five landmarks, in image pixels. */
export interface DetectedFace {
  readonly box: Box;
  readonly score: number;
  readonly landmarks: FiveLandmarks;
}

/** A detected face with its L2-normalised embedding. */
export interface EmbeddedFace extends DetectedFace {
  readonly embedding: Float32Array;
}

/**
 * A face is cut from a big photo as a square of this many face sides around the detector's box: the mesh
 * crop (1.5 sides, rotated) and every embedder's template (at most ~1.3 sides) fit well inside it.
 */
const REGION_SIDES = 4;
/**
 * Longest side of a face's region: a larger one is shrunk (area average), which still leaves the face at
 * 256 pixels, more than any network's input (mesh 192 over 1.5 faces, dlib 150, faceres 224 over ~1.3).
 */
const REGION_MAX = 1024;
/** Faces of a big photo cut and embedded together (as many regions are in memory at once). */
const FACE_BATCH = 16;
/** How many of a photo's most prominent detections are tried for its main face when the face mesh refuses them. */
const MAIN_TRIES = 3;

/** How {@link FacePipeline} completes detections: refine landmarks (default true), drop those the face mesh refuses (default: `faceChecks`). */
interface Completion {
  readonly refine?: boolean;
  readonly check?: boolean;
}

/** The image as the pipeline works on it: one tensor (images up to detectionSize), or read at the resolution each step needs (bigger ones). */
type Source = ({ readonly kind: 'tensor'; readonly tensor: tf.Tensor3D } | { readonly kind: 'scalable'; readonly image: ScalableImage }) & {
  readonly options: DetectOptions;
};

/**
 * Detects, aligns and embeds faces with pretrained networks. Build one with `loadFacePipeline` from
 * `@facerec/node` (or from a detector and an embedder you loaded yourself). Dispose it when done.
 *
 * Images up to `detectionSize` (default 1280 pixels, long side) are processed whole. Bigger photos are
 * never turned into one tensor: the detector scans a shrunk copy, and each face is cut from the original
 * pixels (a region of a few face sides) for the landmarks and the embedding, so a 24-megapixel photo
 * costs about what a 1280-pixel one does, plus one pass over its pixels (see `DetectOptions.detectionSize`).
 */
export class FacePipeline {
  /**
   * @param refiner - Optional face mesh that replaces the detector's rough landmarks with precise ones.
   * @param checker - Optional face mesh for a pipeline without `refiner` (the `fast` preset): it only checks the
   *   detections the detector is unsure of (see `DetectOptions.faceChecks`); landmarks stay the detector's.
   */
  constructor(readonly detector: FaceDetector, readonly embedder: Embedder, readonly refiner?: LandmarkRefiner, readonly checker?: LandmarkRefiner) {}

  /** Set by dispose: the networks' weights are gone, so every call after it is an error, not a TypeError. */
  private disposed = false;

  /**
   * Every face of `image`, best detector score first. In an over-exposed photo in which none is found, faces are
   * looked for again on a darkened copy (see `GLARE_RETRY`); so in every method that finds faces.
   */
  async detect(image: PipelineImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    return withSource(image, options, async (source) => {
      const faces = await this.complete(source, await this.detectRough(source), false);
      return faces.length > 0 ? faces : ((await inGlareCopy(source, async (copy) => this.complete(copy, await this.detectRough(copy), false))) ?? faces);
    });
  }

  /** Every face of `image` with its embedding (batched runs of the embedder). */
  async embedFaces(image: PipelineImage, options: DetectOptions = {}): Promise<EmbeddedFace[]> {
    return withSource(image, options, async (source) => {
      const faces = await this.complete(source, await this.detectRough(source), true);
      return faces.length > 0 ? faces : ((await inGlareCopy(source, async (copy) => this.complete(copy, await this.detectRough(copy), true))) ?? faces);
    });
  }

  /**
   * The most prominent face (largest box × score) with its embedding, or undefined when none is found.
   * Use for enrolment photos and one-face-per-image comparisons.
   */
  async embedMainFace(image: PipelineImage, options: DetectOptions = {}): Promise<EmbeddedFace | undefined> {
    return withSource(image, options, async (source) => (await this.completeMain(source, true)) as EmbeddedFace | undefined);
  }

  /**
   * The main face of an image that shows one person (a portrait, an enrolment photo, a face crop), found with
   * faces of at least a quarter of the image's shorter side unless `options.minFaceSize` says otherwise, its
   * landmarks refined. When the detector finds none, the image is taken for an aligned face crop: the face is
   * the centre of the image, with the landmarks such a crop has (`found: false`).
   */
  async mainFaceOrCentre(image: PipelineImage, options: DetectOptions = {}): Promise<{ face: DetectedFace; found: boolean }> {
    return withSource(image, cropDetectOptions(image, options), async (source) => {
      const main = await this.completeMain(source, false);
      return main ? { face: main, found: true } : { face: centreFace(source), found: false };
    });
  }

  /**
   * {@link FacePipeline.mainFaceOrCentre} with the face's embedding: how `FaceRecognizer` with a backbone
   * reads each photo, so a photo in which no face is found still counts as a face crop.
   */
  async embedMainFaceOrCentre(image: PipelineImage, options: DetectOptions = {}): Promise<EmbeddedFace & { found: boolean }> {
    return withSource(image, cropDetectOptions(image, options), async (source) => {
      const main = (await this.completeMain(source, true)) as EmbeddedFace | undefined;
      if (main) return { ...main, found: true };
      // The centre's landmarks are where an aligned crop has them: the face mesh has nothing to refine there.
      const [face] = await this.complete(source, [centreFace(source)], true, { refine: false, check: false });
      return { ...face!, found: false };
    });
  }

  /**
   * Embeddings of faces found earlier in this `image` (by {@link FacePipeline.detect}, on a smaller copy, or
   * chosen by a tracker), without detecting again; landmarks are refined first when there is a face mesh.
   */
  async embedDetected(image: PipelineImage, faces: readonly DetectedFace[], options: DetectOptions = {}): Promise<EmbeddedFace[]> {
    // The caller chose these faces: each gets its embedding, none is dropped.
    return withSource(image, options, (source) => this.complete(source, [...faces], true, { check: false }));
  }

  /** Frees both networks. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.detector.dispose();
    this.embedder.dispose();
    this.refiner?.dispose();
    this.checker?.dispose();
  }

  private requireAlive(): void {
    if (this.disposed) throw new InvalidArgumentError('pipeline', 'was disposed; load a new one to detect or embed faces');
  }

  /** Detections with BlazeFace's landmarks, in image pixels. */
  private async detectRough(source: Source): Promise<DetectedFace[]> {
    this.requireAlive();
    const raw = source.kind === 'tensor' ? await this.detector.detect(source.tensor, source.options) : await this.detectShrunk(source.image, source.options);
    return raw.map((d) => ({ box: d.box, score: d.score, landmarks: fiveFromBlazeFace(d.keypoints) }));
  }

  /** Detection on a shrunk copy of a big photo, mapped back to the photo's pixels. */
  private async detectShrunk(image: ScalableImage, options: DetectOptions): Promise<RawDetection[]> {
    const working = detectionScale(image.width, image.height, options);
    const copy = pixelsToTensor(await image.resized(working.width, working.height));
    try {
      const found = await this.detector.detect(copy, { ...options, minFaceSize: working.minFaceSize, detectionSize: Infinity });
      return found.map((d) => scaleDetection(d, image.width / working.width, image.height / working.height));
    } finally {
      copy.dispose();
    }
  }

  /** {@link FacePipeline.mainIn} of `source`, or of its glare copy when it is over-exposed and none is found (see `GLARE_RETRY`). */
  private async completeMain(source: Source, embed: boolean): Promise<DetectedFace | EmbeddedFace | undefined> {
    return (await this.mainIn(source, embed)) ?? (await inGlareCopy(source, (copy) => this.mainIn(copy, embed)));
  }

  /**
   * The most prominent detection (see {@link mainFace}) that the face mesh confirms, completed; when the mesh
   * refuses it (a hand, a box around the face), the next most prominent, up to `MAIN_TRIES` of them.
   */
  private async mainIn(source: Source, embed: boolean): Promise<DetectedFace | EmbeddedFace | undefined> {
    let faces = await this.detectRough(source);
    for (let tries = 0; tries < MAIN_TRIES; tries++) {
      // Refining landmarks moves neither box nor score, so the main face is chosen before (and alone refined).
      const main = mainFace(faces);
      if (!main) return undefined;
      const [done] = embed ? await this.complete(source, [main], true) : await this.complete(source, [main], false);
      if (done) return done;
      faces = faces.filter((f) => f !== main);
    }
    return undefined;
  }

  /**
   * `faces` with refined landmarks (when there is a refiner and `how.refine`) and, with `embed`, their
   * embeddings; with `how.check`, faces the face mesh refuses (see `meshAccepts`) are left out.
   */
  private async complete(source: Source, faces: DetectedFace[], embed: true, how?: Completion): Promise<EmbeddedFace[]>;
  private async complete(source: Source, faces: DetectedFace[], embed: false, how?: Completion): Promise<DetectedFace[]>;
  private async complete(source: Source, faces: DetectedFace[], embed: boolean, how: Completion = {}): Promise<Array<DetectedFace | EmbeddedFace>> {
    this.requireAlive();
    if (faces.length === 0) return [];
    const refiner = how.refine === false ? undefined : this.refiner;
    const check = how.check ?? source.options.faceChecks !== false;
    if (source.kind === 'tensor') {
      const refined = await this.refine(source.tensor, faces, refiner, check);
      if (!embed) return refined;
      const embeddings = await this.embedder.embedFaces(source.tensor, refined.map((f) => f.landmarks));
      return refined.map((f, i) => ({ ...f, embedding: embeddings[i]! }));
    }
    // Regions are cut only for a network to look at: rough detections need none.
    if (!embed && !refiner && !check) return faces;
    const out: Array<DetectedFace | EmbeddedFace> = [];
    for (let start = 0; start < faces.length; start += FACE_BATCH) {
      const regions: Region[] = [];
      try {
        for (const f of faces.slice(start, start + FACE_BATCH)) regions.push(await cutRegion(source.image, f.box));
        const kept: Array<{ face: DetectedFace; region: Region }> = [];
        for (const [i, region] of regions.entries()) {
          const face = faces[start + i]!;
          if (!refiner && !check) {
            kept.push({ face, region });
            continue;
          }
          const [local] = await this.refine(region.tensor, [mapFace(face, region.toRegion)], refiner, check);
          if (local) kept.push({ face: { ...face, landmarks: mapLandmarks(local.landmarks, region.toImage) }, region });
        }
        if (!embed) {
          out.push(...kept.map((k) => k.face));
          continue;
        }
        const embeddings = await this.embedder.embedBatch(kept.map(({ face, region }) => ({ image: region.tensor, landmarks: mapLandmarks(face.landmarks, region.toRegion) })));
        out.push(...kept.map((k, i) => ({ ...k.face, embedding: embeddings[i]! })));
      } finally {
        regions.forEach((r) => r.tensor.dispose());
      }
    }
    return out;
  }

  /**
   * `faces` with the mesh's landmarks (with `refiner`), or as they are; with `check`, those whose crop the mesh
   * does not take for a face, or whose landmarks it does not confirm, are left out (see `meshAccepts`); with
   * only a `checker` mesh, just the detections scored below `SECOND_LOOK.confident` are put to it; with no mesh,
   * those the detector does not find again on a second look (see `secondLookAccepts`). A face burnt out to white
   * is judged by what over-exposure leaves (see `FACE_QUALITY.overexposed`).
   */
  private async refine(image: tf.Tensor3D, faces: DetectedFace[], refiner: LandmarkRefiner | undefined, check: boolean): Promise<DetectedFace[]> {
    if (faces.length === 0) return faces;
    if (!refiner) {
      if (!check) return faces;
      return this.checker ? this.meshCheck(image, faces, this.checker) : this.secondLook(image, faces);
    }
    const refined = await refiner.refineScored(image, faces.map((f) => ({ box: f.box, eyes: [f.landmarks[0], f.landmarks[1]] as const })));
    const out: DetectedFace[] = [];
    for (const [i, f] of faces.entries()) {
      if (!check || (await meshConfirms(image, f, refined[i]!))) out.push({ ...f, landmarks: refined[i]!.landmarks });
    }
    return out;
  }

  /**
   * `faces` without the unsure ones (scored below `SECOND_LOOK.confident`) that the face mesh does not confirm,
   * landmarks unchanged. Hands, hair, badges and door locks score 0.5–0.66 on the detector and near 0 on the mesh;
   * confident detections, nearly every face, cost nothing. A face burnt out to white (see
   * `FACE_QUALITY.overexposed`) is kept, as the second look keeps it: there the mesh's score and landmarks are as
   * weak as the detector's.
   */
  private async meshCheck(image: tf.Tensor3D, faces: DetectedFace[], checker: LandmarkRefiner): Promise<DetectedFace[]> {
    const unsure = faces.filter((f) => f.score < SECOND_LOOK.confident);
    if (unsure.length === 0) return faces;
    const refined = await checker.refineScored(image, unsure.map((f) => ({ box: f.box, eyes: [f.landmarks[0], f.landmarks[1]] as const })));
    const refused = new Set<DetectedFace>();
    for (const [i, f] of unsure.entries()) {
      if (!meshAccepts(f.landmarks, refined[i]!) && (await clippedShare(image, f.box)) < FACE_QUALITY.overexposed) refused.add(f);
    }
    return faces.filter((f) => !refused.has(f));
  }

  /** `faces` the detector finds again on a second look, or that it was sure of at first or that are over-exposed. */
  private async secondLook(image: tf.Tensor3D, faces: DetectedFace[]): Promise<DetectedFace[]> {
    const unsure = faces.filter((f) => f.score < SECOND_LOOK.confident);
    if (unsure.length === 0) return faces;
    const lowest = await this.detector.secondLook(image, unsure.map((f) => f.box));
    const refused = new Set<DetectedFace>();
    for (const [i, f] of unsure.entries()) {
      if (!secondLookAccepts(f.score, lowest[i]!) && !secondLookAccepts(f.score, lowest[i]!, await clippedShare(image, f.box))) refused.add(f);
    }
    return faces.filter((f) => !refused.has(f));
  }
}

/**
 * `find` run on a copy of `source` with every sample v (0..255) replaced by 255 · (v / 255)^`GLARE_RETRY.gamma`,
 * when `source` is over-exposed (at least `GLARE_RETRY.minClipped` of its pixels at white); undefined otherwise.
 * The curve darkens what is left below white, giving the detector and the face mesh back the contrast of a face
 * burnt out to near white. Faces found are embedded from the copy.
 */
async function inGlareCopy<T>(source: Source, find: (copy: Source) => Promise<T>): Promise<T | undefined> {
  const { gamma, minClipped } = GLARE_RETRY;
  if (source.kind === 'tensor') {
    const [height, width] = source.tensor.shape;
    if ((await clippedShare(source.tensor, { x: 0, y: 0, width, height })) < minClipped) return undefined;
    const tensor = tf.tidy(() => tf.mul(tf.pow(tf.div(source.tensor, 255), gamma), 255) as tf.Tensor3D);
    try {
      return await find({ ...source, tensor });
    } finally {
      tensor.dispose();
    }
  }
  const { image } = source;
  // Judged on the copy the detector scans (see detectShrunk).
  const working = detectionScale(image.width, image.height, source.options);
  if (clippedPixelShare(await image.resized(working.width, working.height)) < minClipped) return undefined;
  const curve = (raw: RawImage): RawImage => ({ ...raw, data: Float32Array.from(raw.data, (v) => 255 * (v / 255) ** gamma) });
  const { width, height, channels } = image;
  const darkened: ScalableImage = {
    kind: 'scalable',
    width,
    height,
    channels,
    resized: async (w, h) => curve(await image.resized(w, h)),
    region: async (rect, w, h) => curve(await image.region(rect, w, h)),
  };
  return find({ ...source, image: darkened });
}

/** Whether the face mesh confirms `face` (see `meshAccepts`); the clipped share is read only when it refuses the face as it is, so most faces pay nothing for it. */
async function meshConfirms(image: tf.Tensor3D, face: DetectedFace, refined: RefinedFace): Promise<boolean> {
  return meshAccepts(face.landmarks, refined) || meshAccepts(face.landmarks, refined, undefined, await clippedShare(image, face.box));
}

/** The largest face weighted by score: the subject of a portrait, not a face in the background. */
export function mainFace<F extends DetectedFace>(faces: readonly F[]): F | undefined {
  let best: F | undefined;
  for (const f of faces) if (!best || f.box.width * f.score > best.box.width * best.score) best = f;
  return best;
}

/** Detection options for a photo of one face: faces smaller than a quarter of its shorter side are not it. */
function cropDetectOptions(image: PipelineImage, options: DetectOptions): DetectOptions {
  if (options.minFaceSize !== undefined) return options;
  const [height, width] = image instanceof tf.Tensor ? image.shape : [image?.height, image?.width];
  return typeof width === 'number' && typeof height === 'number' ? { ...options, minFaceSize: Math.min(width, height) / 4 } : options;
}

/** The face of an aligned face crop: its centre square, with the landmarks of {@link centredLandmarks}. */
function centreFace(source: Source): DetectedFace {
  const [height, width] = source.kind === 'tensor' ? source.tensor.shape : [source.image.height, source.image.width];
  const side = Math.min(width, height) * 0.56;
  return { box: { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side }, score: 0, landmarks: centredLandmarks(width, height) };
}

/**
 * Runs `fn` on the image as the pipeline works on it: images up to the detection size as one float tensor
 * (disposed after); bigger ones as a {@link ScalableImage} (pixels in memory are validated, not copied).
 */
async function withSource<T>(image: PipelineImage, options: DetectOptions, fn: (source: Source) => Promise<T>): Promise<T> {
  const scalable = isScalableImage(image);
  if (scalable) validateScalableImage(image);
  const [height, width] = image instanceof tf.Tensor ? image.shape : [image?.height, image?.width];
  const big = typeof width === 'number' && typeof height === 'number' && detectionScale(width, height, options).scale < 1;
  if (big) {
    if (scalable) return fn({ kind: 'scalable', image, options });
    if (image instanceof tf.Tensor) {
      validateImageTensor(image);
      const [h, w, c] = image.shape;
      return fn({ kind: 'scalable', image: scalablePixels({ data: await image.data(), width: w, height: h, channels: c }), options });
    }
    validateRawImage(image);
    return fn({ kind: 'scalable', image: scalablePixels(image), options });
  }
  const tensor = scalable ? pixelsToTensor(await image.resized(image.width, image.height)) : imageToTensor(image);
  try {
    return await fn({ kind: 'tensor', tensor, options });
  } finally {
    tensor.dispose();
  }
}

/** A face's region cut from a big photo: its tensor and the maps between photo and region pixels. */
interface Region {
  readonly tensor: tf.Tensor3D;
  readonly toRegion: (p: Point) => Point;
  readonly toImage: (p: Point) => Point;
}

/** The square of {@link REGION_SIDES} face sides around `box` (clipped to the photo), shrunk to at most {@link REGION_MAX}. */
async function cutRegion(pixels: ScalableImage, box: Box): Promise<Region> {
  const half = (Math.max(box.width, box.height) * REGION_SIDES) / 2;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  const x0 = clamp(Math.floor(cx - half), pixels.width - 1), y0 = clamp(Math.floor(cy - half), pixels.height - 1);
  const x1 = clamp(Math.ceil(cx + half), pixels.width), y1 = clamp(Math.ceil(cy + half), pixels.height);
  const rect: PixelRect = { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
  const r = Math.min(1, REGION_MAX / Math.max(rect.width, rect.height));
  const w = Math.max(1, Math.round(rect.width * r)), h = Math.max(1, Math.round(rect.height * r));
  const sx = w / rect.width, sy = h / rect.height;
  return {
    tensor: pixelsToTensor(await pixels.region(rect, w, h)),
    toRegion: (p) => ({ x: (p.x - rect.x) * sx, y: (p.y - rect.y) * sy }),
    toImage: (p) => ({ x: p.x / sx + rect.x, y: p.y / sy + rect.y }),
  };
}

function mapLandmarks(landmarks: FiveLandmarks, map: (p: Point) => Point): FiveLandmarks {
  return landmarks.map(map) as unknown as FiveLandmarks;
}

/** A face moved into a region's pixels (box corners and landmarks). */
function mapFace(face: DetectedFace, map: (p: Point) => Point): DetectedFace {
  const a = map({ x: face.box.x, y: face.box.y });
  const b = map({ x: face.box.x + face.box.width, y: face.box.y + face.box.height });
  return { ...face, box: { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y }, landmarks: mapLandmarks(face.landmarks, map) };
}

/** Samples as a float `[height, width, 1 | 3]` tensor; a fourth (alpha) channel is dropped. */
function pixelsToTensor({ data: samples, width, height, channels }: RawImage): tf.Tensor3D {
  const data = samples instanceof Uint8ClampedArray ? new Uint8Array(samples.buffer, samples.byteOffset, samples.length) : samples;
  if (channels !== 4) return tf.tensor3d(data, [height, width, channels], 'float32');
  return tf.tidy(() => tf.slice(tf.tensor3d(data, [height, width, 4], 'float32'), [0, 0, 0], [-1, -1, 3]));
}
