// The facerec metadata stored with a saved recognizer (a trained CNN or a head on a pretrained backbone), and its validation on load.
import { ModelFormatError } from '../errors/index.js';
import type { SavedTextures } from './face-texture.js';
import { retryIlluminationStep, validateCropLandmarks, type CropLandmarks } from './head-faces.js';
import type { LandmarkSource } from '../faces/pipeline.js';
import { ARCHITECTURES } from '../models/index.js';
import type { ArchitectureName } from '../models/index.js';
import { validatePreprocessingConfig } from '../preprocess/index.js';
import type { IlluminationStep, PreprocessingConfig } from '../preprocess/index.js';
import { UNKNOWN } from './result.js';

/** Identifies facerec classifier models in `userDefinedMetadata`. */
export const METADATA_KEY = 'facerec';
export const MODEL_FORMAT = 'facerec-classifier';
/**
 * The newest metadata version this facerec reads; older readers refuse newer versions. Version 2 added heads on a
 * pretrained backbone; trained CNNs are still written as version 1, which every facerec reads.
 */
export const MODEL_FORMAT_VERSION = 2;

/** How a few-shot recognizer decides between people on a backbone's embeddings. */
export type HeadKind = 'class-mean' | 'softmax';

/** The pretrained pipeline a head was fitted on: its embeddings only compare with the same embedder and landmarks. */
export interface BackboneInfo {
  /** Embedder name, e.g. `'dlib'` (fused embedders joined by `+`). */
  readonly embedder: string;
  readonly dimensions: number;
  /** Where the landmarks that aligned the faces came from. */
  readonly landmarks: LandmarkSource;
}

interface CommonMetadata {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** The @facerec/core version that wrote the model. */
  readonly library: string;
  /** Class index → person name. */
  readonly labels: readonly string[];
  /** Score below which a face is reported as unknown (a probability, or a cosine similarity for class means). */
  readonly threshold: number;
  readonly createdAt: string;
}

/** Metadata of a CNN trained on face images. */
export interface ClassifierMetadata extends CommonMetadata {
  readonly architecture: ArchitectureName | 'custom';
  readonly preprocessing: PreprocessingConfig;
  /** Summary of the training run, when the model was trained by facerec. */
  readonly training?: {
    readonly epochs: number;
    readonly seconds: number;
    readonly finalLoss: number;
    readonly finalAccuracy: number;
    readonly seed: number;
  };
  /**
   * The training photos' textures the CNN fuses with its probabilities (see `TextureMatching`); absent in CNNs
   * trained with `texture: null` and in CNNs saved before textures existed, which answer by their probabilities alone.
   * Checked when the recognizer is built. Still format version 1: a facerec that predates it ignores the field and
   * answers with the CNN alone.
   */
  readonly texture?: SavedTextures;
}

/**
 * Metadata of a head on a pretrained backbone: the saved model is one dense layer from an embedding to a score per
 * person (class means: L2-normalised mean embeddings without bias, scores are cosine similarities; softmax: with
 * bias and a softmax, scores are probabilities).
 */
export interface EmbeddingHeadMetadata extends CommonMetadata {
  readonly architecture: 'embedding-head';
  readonly head: HeadKind;
  readonly backbone: BackboneInfo;
  /**
   * The training faces' textures a class-mean head fuses with its cosines (see `TextureMatching`); absent in softmax heads,
   * in heads fitted with `texture: null` and in heads saved before textures existed, which score by cosine alone. Checked when the head is built.
   */
  readonly texture?: SavedTextures;
  /**
   * Where the faces of the training photos were, as fractions of the photo, when they are crops of one geometry:
   * a photo in which the backbone finds no face is read there (see `headFace`). Absent otherwise.
   */
  readonly cropLandmarks?: CropLandmarks;
  /**
   * With crop landmarks and a texture: the training photos' textures read at `cropLandmarks` (coded as `texture`). A
   * face mostly in shadow is matched against these, its texture read there too, rather than at the landmarks the
   * detector gave it. Absent in heads saved before it, which read every texture at the face's landmarks.
   */
  readonly cropTexture?: SavedTextures;
  /**
   * How the head looks again at a photo in which the backbone finds no face: on a copy normalised by this step (see
   * `FaceRecognizerOptions.retryIllumination`). Absent in heads fitted with `retryIllumination: null` and in heads saved
   * before it existed, which do not look again.
   */
  readonly retryIllumination?: IlluminationStep;
}

/** What facerec stores beside the tfjs model artifacts. */
export type RecognizerMetadata = ClassifierMetadata | EmbeddingHeadMetadata;

function fail(source: string, message: string): never {
  throw new ModelFormatError(source, message);
}

/** Checks metadata read from a model; throws ModelFormatError naming `source` and the bad field. */
export function validateMetadata(value: unknown, source: string): RecognizerMetadata {
  if (typeof value !== 'object' || value === null) fail(source, `has no "${METADATA_KEY}" metadata: not a facerec model`);
  const m = value as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT) fail(source, `metadata.format is ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}"`);
  if (typeof m.formatVersion !== 'number' || m.formatVersion < 1) fail(source, 'metadata.formatVersion is missing');
  if (m.formatVersion > MODEL_FORMAT_VERSION) {
    fail(source, `was saved in format version ${m.formatVersion}; this facerec reads up to ${MODEL_FORMAT_VERSION}: upgrade @facerec/core`);
  }
  if (!Array.isArray(m.labels) || m.labels.length < 2 || !m.labels.every((l) => typeof l === 'string' && l.length > 0)) {
    fail(source, 'metadata.labels must list at least two person names');
  }
  if (new Set(m.labels).size !== m.labels.length) fail(source, 'metadata.labels has duplicates');
  // A person called "unknown" would be reported as a name indistinguishable from "matches nobody".
  if (m.labels.includes(UNKNOWN)) fail(source, `metadata.labels holds "${UNKNOWN}", which is reserved for faces that match nobody; retrain with the person renamed`);
  const common = {
    format: MODEL_FORMAT,
    formatVersion: m.formatVersion,
    library: typeof m.library === 'string' ? m.library : 'unknown',
    labels: m.labels as string[],
    createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
  } as const;
  if (m.architecture === 'embedding-head') {
    const head = m.head;
    if (head !== 'class-mean' && head !== 'softmax') fail(source, `metadata.head is ${JSON.stringify(head)}, expected "class-mean" or "softmax"`);
    const low = head === 'class-mean' ? -1 : 0;
    if (typeof m.threshold !== 'number' || !(m.threshold >= low && m.threshold <= 1)) fail(source, `metadata.threshold must be in [${low}, 1]`);
    const texture = m.texture === undefined ? {} : { texture: m.texture as SavedTextures };
    const crop = m.cropLandmarks === undefined ? {} : { cropLandmarks: checkedCropLandmarks(m.cropLandmarks, source) };
    const retry = m.retryIllumination === undefined ? {} : { retryIllumination: checkedRetry(m.retryIllumination, source) };
    if (m.cropTexture !== undefined && (m.cropLandmarks === undefined || m.texture === undefined)) fail(source, 'metadata.cropTexture needs metadata.cropLandmarks and metadata.texture');
    const cropTexture = m.cropTexture === undefined ? {} : { cropTexture: m.cropTexture as SavedTextures };
    return { ...common, architecture: 'embedding-head', head, backbone: validateBackbone(m.backbone, source), threshold: m.threshold, ...texture, ...crop, ...cropTexture, ...retry };
  }
  if (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1)) fail(source, 'metadata.threshold must be in [0, 1]');
  if (m.architecture !== 'custom' && !ARCHITECTURES.includes(m.architecture as ArchitectureName)) {
    fail(source, `metadata.architecture ${JSON.stringify(m.architecture)} is unknown`);
  }
  let preprocessing: PreprocessingConfig;
  try {
    preprocessing = validatePreprocessingConfig(m.preprocessing, `${source} metadata.preprocessing`);
  } catch (error) {
    throw new ModelFormatError(source, error instanceof Error ? error.message : String(error), { cause: error });
  }
  return {
    ...common,
    architecture: m.architecture as ArchitectureName | 'custom',
    preprocessing,
    threshold: m.threshold,
    ...(typeof m.training === 'object' && m.training !== null ? { training: m.training as ClassifierMetadata['training'] } : {}),
    ...(m.texture === undefined ? {} : { texture: m.texture as SavedTextures }),
  };
}

/** A head's retry step read from a model (null is not a saved value), or a ModelFormatError naming `source`. */
function checkedRetry(value: unknown, source: string): IlluminationStep {
  // null is what the option takes for "none"; a saved head without a second look leaves the field out.
  if (value === null) fail(source, 'metadata.retryIllumination is null; a head without a second look leaves it out');
  try {
    return retryIlluminationStep(value as IlluminationStep)!;
  } catch (error) {
    throw new ModelFormatError(source, `metadata.retryIllumination is not a retry step (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Crop landmarks read from a model, or a ModelFormatError naming `source`. */
function checkedCropLandmarks(value: unknown, source: string): CropLandmarks {
  try {
    return validateCropLandmarks(value, 'metadata.cropLandmarks');
  } catch (error) {
    throw new ModelFormatError(source, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function validateBackbone(value: unknown, source: string): BackboneInfo {
  const b = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof b.embedder !== 'string' || b.embedder.length === 0) fail(source, 'metadata.backbone.embedder must name the embedder the head was fitted on');
  if (!(Number.isInteger(b.dimensions) && (b.dimensions as number) > 0)) fail(source, 'metadata.backbone.dimensions must be a positive integer');
  if (b.landmarks !== 'mesh' && b.landmarks !== 'detector') fail(source, `metadata.backbone.landmarks is ${JSON.stringify(b.landmarks)}, expected "mesh" or "detector"`);
  return { embedder: b.embedder, dimensions: b.dimensions as number, landmarks: b.landmarks };
}
