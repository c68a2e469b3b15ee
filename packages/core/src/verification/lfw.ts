// The LFW verification protocol with a face pipeline: embed every image of a pairs list once, score pairs by cosine, k-fold evaluation.
import type * as tf from '@tensorflow/tfjs-core';
import { now } from '../clock.js';
import { imageToTensor } from '../image/convert.js';
import type { RawImage } from '../image/types.js';
import type { DetectOptions } from '../faces/detector.js';
import { cosineSimilarity } from '../faces/embedder.js';
import type { Point } from '../faces/geometry.js';
import type { FacePipeline } from '../faces/pipeline.js';
import { kFoldVerification } from './kfold.js';
import { lfwImagePath, type LfwPair } from './pairs.js';
import { tarAtFar } from './roc.js';

/** Images per batched embedding run. */
const CHUNK = 16;

/** Options of {@link evaluateLfw}. */
export interface EvaluateLfwOptions {
  /** The pairs, e.g. `parseLfwPairs(text of pairs.txt)`. */
  readonly pairs: readonly LfwPair[];
  /**
   * Reads one image, named by its LFW path (`Name/Name_0001.jpg`, see `lfwImagePath`), as decoded pixels: in Node
   * `(file) => readImage(path.join(imagesDir, file))`, in a browser a fetch and decode.
   */
  readonly readImage: (file: string) => Promise<RawImage>;
  readonly pipeline: FacePipeline;
  /** Detector options; default minFaceSize is a quarter of the image's shorter side (LFW faces fill the centre). */
  readonly detect?: DetectOptions;
  /** Called after each batch of images. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The outcome of {@link evaluateLfw}: rates as fractions, times in milliseconds. */
export interface LfwEvaluation {
  /** Mean and sample standard deviation over folds of the accuracy at each fold's threshold (chosen on the other folds). */
  readonly accuracyMean: number;
  readonly accuracyStd: number;
  /** Area under the ROC curve of all pairs. */
  readonly auc: number;
  /** Equal error rate. */
  readonly eer: number;
  /** True accept rate at a false accept rate of 1e-3. */
  readonly tarAtFar1e3: number;
  readonly pairs: number;
  /** Alignment + embedding network time per face, batched over 16 images. */
  readonly msPerFace: number;
  /** Detection + alignment + embedding per image (decoding excluded). */
  readonly msPerImage: number;
  /** Images in which no face was found (the centre of the image was embedded instead). */
  readonly detectionFailures: number;
  readonly images: number;
  readonly folds: number;
  /** The embedder's name, with " (mesh landmarks)" when the face mesh aligned the faces. */
  readonly embedder: string;
  /** Mean over folds of the accuracy-maximising threshold the protocol chose. */
  readonly thresholdProtocol: number;
  /** The cosine threshold with a false accept rate of at most 1% on these pairs, and its true accept rate. */
  readonly thresholdAtFar1e2: number;
  readonly tarAtFar1e2: number;
  /** The embedder's default threshold (what `Gallery` and `verify` use) and its false / true accept rates on these pairs. */
  readonly thresholdDefault: number;
  readonly farAtDefaultThreshold: number;
  readonly tarAtDefaultThreshold: number;
}

/**
 * Runs the LFW protocol: embeds every image of the pairs once (its main face; the centre of the image when no face
 * is found, counted in `detectionFailures`), scores each pair by cosine similarity, and evaluates with k-fold
 * cross-validation, each fold's threshold chosen on the other folds. Platform-free: images come through
 * `options.readImage`.
 *
 * @throws whatever `readImage` throws for an image that cannot be read (Node's: InvalidImageError naming the file).
 */
export async function evaluateLfw(options: EvaluateLfwOptions): Promise<LfwEvaluation> {
  const { pairs, pipeline } = options;
  const files = [...new Set(pairs.flatMap((p) => [lfwImagePath(p.a.name, p.a.index), lfwImagePath(p.b.name, p.b.index)]))];
  const embeddings = new Map<string, Float32Array>();
  const { embedder } = pipeline;
  let embedMs = 0, totalMs = 0, failures = 0;
  // Images go through in chunks: detection per image, then batched embedding runs for the chunk's faces.
  for (let start = 0; start < files.length; start += CHUNK) {
    const chunk = files.slice(start, start + CHUNK);
    const faces: Array<{ image: tf.Tensor3D; landmarks: readonly Point[] }> = [];
    try {
      for (const file of chunk) {
        const image = imageToTensor(await options.readImage(file), file);
        const t0 = now();
        try {
          const { face, found } = await pipeline.mainFaceOrCentre(image, options.detect);
          if (!found) failures++;
          faces.push({ image, landmarks: face.landmarks });
        } catch (error) {
          image.dispose();
          throw error;
        }
        totalMs += now() - t0;
      }
      const t1 = now();
      const vectors = await embedder.embedBatch(faces);
      const dt = now() - t1;
      embedMs += dt;
      totalMs += dt;
      chunk.forEach((file, i) => embeddings.set(file, vectors[i]!));
    } finally {
      faces.forEach((f) => f.image.dispose());
    }
    options.onProgress?.(Math.min(start + CHUNK, files.length), files.length);
  }
  const scores = pairs.map((p) => cosineSimilarity(embeddings.get(lfwImagePath(p.a.name, p.a.index))!, embeddings.get(lfwImagePath(p.b.name, p.b.index))!));
  const same = pairs.map((p) => p.same);
  const report = kFoldVerification(scores, same, pairs.map((p) => p.fold));
  const far1 = tarAtFar(scores, same, 1e-2);
  const t = embedder.spec.threshold;
  const rate = (want: boolean) => pairs.filter((p, i) => p.same === want && scores[i]! >= t).length / pairs.filter((p) => p.same === want).length;
  return {
    accuracyMean: report.accuracyMean,
    accuracyStd: report.accuracyStd,
    auc: report.auc,
    eer: report.eer,
    tarAtFar1e3: report.tarAtFar1e3,
    pairs: report.pairs,
    msPerFace: embedMs / files.length,
    msPerImage: totalMs / files.length,
    detectionFailures: failures,
    images: files.length,
    folds: report.folds.length,
    embedder: embedder.spec.name + (pipeline.refiner ? ' (mesh landmarks)' : ''),
    thresholdProtocol: report.folds.reduce((s, f) => s + f.threshold, 0) / report.folds.length,
    thresholdAtFar1e2: far1.threshold,
    tarAtFar1e2: far1.tar,
    thresholdDefault: t,
    farAtDefaultThreshold: rate(false),
    tarAtDefaultThreshold: rate(true),
  };
}
