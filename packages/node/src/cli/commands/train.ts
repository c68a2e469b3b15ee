// `facerec train <dir> --out <model>`: train a recognizer on a folder-per-person dataset.
import path from 'node:path';
import { ARCHITECTURES, FACE_PRESETS, FaceRecognizer, ILLUMINATION_METHODS, describeBackendSelection } from '@facerec/core';
import type { ArchitectureName, FacePipeline, FacePreset, HeadKind, IlluminationMethod } from '@facerec/core';
import { initBackend } from '../../backends/index.js';
import { fileSystemHandler } from '../../io/index.js';
import { MODEL_FOLDER } from '../../io/file-system-handler.js';
import { checkSaveTarget } from '../../io/save-target.js';
import { loadFacePipeline } from '../../models/index.js';
import { UsageError, asUsage, backendFlags, intFlag, numberFlag, parse, parseSplit } from '../args.js';
import { loadDatasetForCli, skipCorruptFlagOption, skipCorruptUsage } from '../dataset-flags.js';
import { ProgressBar } from '../progress.js';
import type { CommandIO } from '../main.js';
import { lightingFlagOptions, lightingFlagsUsage, retryIlluminationFlag, textureFlag } from './lighting-flags.js';
import { modelDirFlag } from './pretrained-flags.js';

export const trainUsage = `Usage: facerec train <dataset-dir> --out <model-dir> [options]

Trains a face recognizer on a folder with one sub-folder of images per person: a CNN on the face crops,
or, with --backbone, a head on a pretrained embedder (a few photos per person are enough; photos may show
more than the face: each one's main face is found, aligned and embedded).

Options:
  --out <dir>             where to save the model (required; written atomically)
  --split <spec>          first:N (first N images of each person by file name train, the rest test),
                          fraction:F[:seed] (F of each person's images test), or none (default)
  --epochs <n>            training epochs (default 60)
  --batch-size <n>        images per step (default 32)
  --lr <x>                base learning rate (default 0.002)
  --validation-split <f>  fraction of each person's training images for validation (default 0)
  --architecture <name>   ${ARCHITECTURES.join(' | ')} (default seed-cnn)
  --input-size <n>        model input height and width in pixels (default 64)
  --channels <1|3>        grayscale or RGB input (default 1)
  --no-augment            train without random augmentation
  --illumination <method> lighting normalisation, saved with the model: tan-triggs (default) | equalize |
                          clahe | none (none: the recipe before it, 'faces' augmentation on normalised images)
  --seed <n>              random seed (default 1)
  --backbone <preset>     fit a head on a pretrained pipeline instead of a CNN: default | fast | mobileface | faceres | accurate
  --head <kind>           with --backbone: class-mean (default; cosine scores) | softmax (probabilities)
  --models <dir>          with --backbone: folder with the pretrained model files (default: the npm packages)
${lightingFlagsUsage}  --backend <name>        auto | gpu | wasm | cpu (default auto; gpu: WebGPU, any adapter)
  --threads <n>           WASM threads (default: CPU cores)
${skipCorruptUsage(26)}  --quiet                 no progress output
`;

export async function trainCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: 'string' }, split: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
    lr: { type: 'string' }, 'validation-split': { type: 'string' }, architecture: { type: 'string' },
    'input-size': { type: 'string' }, channels: { type: 'string' }, 'no-augment': { type: 'boolean' }, illumination: { type: 'string' },
    seed: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, quiet: { type: 'boolean' },
    backbone: { type: 'string' }, head: { type: 'string' }, models: { type: 'string' }, ...lightingFlagOptions,
    ...skipCorruptFlagOption, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(trainUsage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('train needs exactly one dataset folder');
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('--out <model-dir> is required');
  // Every flag is checked here, before the backend starts and the dataset loads.
  const architecture = (values.architecture as string | undefined) ?? 'seed-cnn';
  if (!ARCHITECTURES.includes(architecture as ArchitectureName)) {
    throw new UsageError(`--architecture must be one of ${ARCHITECTURES.join(', ')}, got "${architecture}"`);
  }
  const channels = intFlag(values, 'channels', 1);
  if (channels !== 1 && channels !== 3) throw new UsageError(`--channels must be 1 or 3, got ${channels}`);
  const size = intFlag(values, 'input-size', 64)!;
  const seed = intFlag(values, 'seed', 1)!;
  const split = parseSplit(values.split as string | undefined);
  const epochs = intFlag(values, 'epochs');
  const batchSize = intFlag(values, 'batch-size');
  const learningRate = numberFlag(values, 'lr', 1e-8, 10);
  const validationSplit = numberFlag(values, 'validation-split', 0, 0.9);
  const backend = backendFlags(values);
  const head = headFlags(values);
  const illumination = illuminationFlag(values.illumination as string | undefined);
  const texture = textureFlag(values, head && { head: head.kind });
  const retryIllumination = retryIlluminationFlag(values);
  const lighting = { ...(texture !== undefined ? { texture } : {}), ...(retryIllumination !== undefined ? { retryIllumination } : {}) };

  // A folder the save would refuse (the dataset, '.', someone's files) is refused now, not after training.
  await checkSaveTarget(out, MODEL_FOLDER);
  const selection = await initBackend(backend.request, backend.options);
  if (!values.quiet) io.err(`backend: ${describeBackendSelection(selection)}\n`);
  const dataset = await loadDatasetForCli(positionals[0]!, values, io, { split });
  if (!values.quiet) {
    io.err(`dataset: ${dataset.labels.length} people, ${dataset.train.length} training images, ${dataset.test.length} test images\n`);
    for (const s of dataset.skipped) if (!s.corrupt) io.err(`  skipped ${s.file}: ${s.reason}\n`);
  }
  let pipeline: FacePipeline | undefined;
  let recognizer: FaceRecognizer;
  if (head) {
    pipeline = await loadFacePipeline({ preset: head.preset, ...modelDirFlag(values) });
    recognizer = new FaceRecognizer({ backbone: pipeline, head: head.kind, ...lighting });
  } else {
    recognizer = new FaceRecognizer({
      architecture: architecture as ArchitectureName, inputSize: [size, size], channels, seed,
      ...(illumination !== undefined ? { illumination } : {}), ...lighting,
    });
  }
  const tty = Boolean(process.stderr.isTTY);
  const progress = new ProgressBar(io.err, tty);
  try {
    const result = await asUsageAsync(() =>
      recognizer.fit(dataset.train, {
        ...(epochs !== undefined ? { epochs } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        ...(learningRate !== undefined ? { learningRate } : {}),
        ...(validationSplit !== undefined ? { validationSplit } : {}),
        ...(values['no-augment'] ? { augmentation: null } : {}),
        seed,
        // Per-batch progress makes every step read its loss back; only a terminal shows it, so logs read once per epoch.
        ...(values.quiet ? {} : { ...(tty ? { onBatchEnd: progress.batch.bind(progress) } : {}), onEpochEnd: progress.epoch.bind(progress) }),
      }),
    );
    await recognizer.save(fileSystemHandler(out));
    const what = head ? `a ${head.kind} head on ${head.preset} embeddings of ${dataset.train.length} images` : `${result.epochsRun} epochs`;
    io.out(`trained ${what} in ${result.seconds.toFixed(1)} s (${Math.round(result.imagesPerSecond)} img/s); model saved to ${path.resolve(out)}\n`);
    if (dataset.test.length > 0) {
      const report = await recognizer.evaluate(dataset.test);
      io.out(`test accuracy: ${(report.accuracy * 100).toFixed(2)}% on ${report.count} images\n`);
    }
    return 0;
  } finally {
    recognizer.dispose();
    pipeline?.dispose();
  }
}

/** CNN-only flags, refused with --backbone (a head on embeddings has no epochs or input size). */
const CNN_FLAGS = ['epochs', 'batch-size', 'lr', 'validation-split', 'architecture', 'input-size', 'channels', 'no-augment', 'illumination'];

/** --illumination: a method, null for none, undefined for the recipe's default. @throws UsageError for another value. */
function illuminationFlag(value: string | undefined): IlluminationMethod | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!(ILLUMINATION_METHODS as readonly string[]).includes(value)) {
    throw new UsageError(`--illumination must be one of ${[...ILLUMINATION_METHODS, 'none'].join(', ')}, got "${value}"`);
  }
  return value as IlluminationMethod;
}

/** --backbone and --head, checked; undefined for CNN training. @throws UsageError for bad values or CNN flags with --backbone. */
function headFlags(values: Record<string, unknown>): { preset: FacePreset; kind: HeadKind } | undefined {
  if (values.backbone === undefined) {
    for (const name of ['head', 'models']) if (values[name] !== undefined) throw new UsageError(`--${name} needs --backbone`);
    return undefined;
  }
  const cnnOnly = CNN_FLAGS.filter((name) => values[name] !== undefined);
  if (cnnOnly.length > 0) throw new UsageError(`${cnnOnly.map((n) => `--${n}`).join(', ')} train a CNN; they do not apply with --backbone`);
  const kind = (values.head as string | undefined) ?? 'class-mean';
  if (kind !== 'class-mean' && kind !== 'softmax') throw new UsageError(`--head must be class-mean or softmax, got "${kind}"`);
  const preset = String(values.backbone);
  if (!Object.hasOwn(FACE_PRESETS, preset)) throw new UsageError(`--backbone must be one of ${Object.keys(FACE_PRESETS).join(', ')}, got "${preset}"`);
  return { preset: preset as FacePreset, kind };
}

async function asUsageAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return asUsage(() => {
      throw error;
    });
  }
}
