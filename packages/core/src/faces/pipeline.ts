// FacePipeline: detect every face of an image, align it to the embedder's template and embed it, batched.
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor } from '../image/convert.js';
import type { RawImage } from '../image/types.js';
import type { DetectOptions } from './detector.js';
import { FaceDetector } from './detector.js';
import type { Embedder } from './embedder.js';
import type { Box } from './geometry.js';
import type { LandmarkRefiner } from './mesh.js';
import { fiveFromBlazeFace, type FiveLandmarks } from './landmarks.js';
import { InvalidArgumentError } from '../errors/index.js';

/** An image the pipeline accepts: decoded pixels or a `[h, w, c]` tensor with values 0..255 (not disposed). */
export type PipelineImage = RawImage | tf.Tensor3D;

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
 * Detects, aligns and embeds faces with pretrained networks. Build one with `loadFacePipeline` from
 * `@facerec/node` (or from a detector and an embedder you loaded yourself). Dispose it when done.
 */
export class FacePipeline {
  /**
   * @param refiner - Optional face mesh that replaces the detector's rough landmarks with precise ones.
   */
  constructor(readonly detector: FaceDetector, readonly embedder: Embedder, readonly refiner?: LandmarkRefiner) {}

  /** Set by dispose: the networks' weights are gone, so every call after it is an error, not a TypeError. */
  private disposed = false;

  /** Every face of `image`, best detector score first. */
  async detect(image: PipelineImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    return withTensor(image, async (t) => this.detectTensor(t, options));
  }

  /** Every face of `image` with its embedding (one batched run of the embedder). */
  async embedFaces(image: PipelineImage, options: DetectOptions = {}): Promise<EmbeddedFace[]> {
    return withTensor(image, async (t) => {
      const faces = await this.detectTensor(t, options);
      const embeddings = await this.embedder.embedFaces(t, faces.map((f) => f.landmarks));
      return faces.map((f, i) => ({ ...f, embedding: embeddings[i]! }));
    });
  }

  /**
   * The most prominent face (largest box × score) with its embedding, or undefined when none is found.
   * Use for enrolment photos and one-face-per-image comparisons.
   */
  async embedMainFace(image: PipelineImage, options: DetectOptions = {}): Promise<EmbeddedFace | undefined> {
    return withTensor(image, async (t) => {
      const faces = await this.detectTensor(t, options);
      const main = mainFace(faces);
      if (!main) return undefined;
      const [embedding] = await this.embedder.embedFaces(t, [main.landmarks]);
      return { ...main, embedding: embedding! };
    });
  }

  /** Frees both networks. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.detector.dispose();
    this.embedder.dispose();
    this.refiner?.dispose();
  }

  private async detectTensor(t: tf.Tensor3D, options: DetectOptions): Promise<DetectedFace[]> {
    if (this.disposed) throw new InvalidArgumentError('pipeline', 'was disposed; load a new one to detect or embed faces');
    const raw = await this.detector.detect(t, options);
    const rough = raw.map((d) => ({ box: d.box, score: d.score, landmarks: fiveFromBlazeFace(d.keypoints) }));
    if (!this.refiner || rough.length === 0) return rough;
    const refined = await this.refiner.refine(t, rough.map((f) => ({ box: f.box, eyes: [f.landmarks[0], f.landmarks[1]] as const })));
    return rough.map((f, i) => ({ ...f, landmarks: refined[i]! }));
  }
}

/** The largest face weighted by score: the subject of a portrait, not a face in the background. */
export function mainFace<F extends DetectedFace>(faces: readonly F[]): F | undefined {
  let best: F | undefined;
  for (const f of faces) if (!best || f.box.width * f.score > best.box.width * best.score) best = f;
  return best;
}

async function withTensor<T>(image: PipelineImage, fn: (t: tf.Tensor3D) => Promise<T>): Promise<T> {
  const t = imageToTensor(image);
  try {
    return await fn(t);
  } finally {
    t.dispose();
  }
}
