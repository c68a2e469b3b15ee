// The facerec metadata stored with a saved model, and its validation on load.
import { ModelFormatError } from '../errors/index.js';
import { ARCHITECTURES } from '../models/index.js';
import type { ArchitectureName } from '../models/index.js';
import { validatePreprocessingConfig } from '../preprocess/index.js';
import type { PreprocessingConfig } from '../preprocess/index.js';
import { UNKNOWN } from './result.js';

/** Identifies facerec classifier models in `userDefinedMetadata`. */
export const METADATA_KEY = 'facerec';
export const MODEL_FORMAT = 'facerec-classifier';
/** Bumped when the metadata changes incompatibly; older readers refuse newer versions. */
export const MODEL_FORMAT_VERSION = 1;

/** What facerec stores beside the tfjs model artifacts. */
export interface RecognizerMetadata {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** The @facerec/core version that wrote the model. */
  readonly library: string;
  readonly architecture: ArchitectureName | 'custom';
  /** Class index → person name. */
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessingConfig;
  /** Confidence below which a prediction is reported as unknown. */
  readonly threshold: number;
  readonly createdAt: string;
  /** Summary of the training run, when the model was trained by facerec. */
  readonly training?: {
    readonly epochs: number;
    readonly seconds: number;
    readonly finalLoss: number;
    readonly finalAccuracy: number;
    readonly seed: number;
  };
}

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
    format: MODEL_FORMAT,
    formatVersion: m.formatVersion,
    library: typeof m.library === 'string' ? m.library : 'unknown',
    architecture: m.architecture as ArchitectureName | 'custom',
    labels: m.labels as string[],
    preprocessing,
    threshold: m.threshold,
    createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
    ...(typeof m.training === 'object' && m.training !== null ? { training: m.training as RecognizerMetadata['training'] } : {}),
  };
}
