// Recognizers in the browser: IndexedDB (tfjs's indexeddb:// handler) and export/import as files.
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer, InvalidArgumentError, ModelFormatError, type FaceRecognizerLoadOptions } from '@facerec/core';

const SCHEME = 'indexeddb://';

/** A recognizer stored in this browser's IndexedDB. */
export interface StoredModelInfo {
  /** The name given to {@link saveRecognizer}. */
  readonly name: string;
  /** `indexeddb://<name>`: pass it to `FaceRecognizer.load`. */
  readonly url: string;
  readonly savedAt: Date;
  /** Size of topology and weights. */
  readonly bytes: number;
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('://')) {
    throw new InvalidArgumentError('name', `expected a plain model name such as "team", got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Saves `recognizer` (model, labels, preprocessing, threshold) in IndexedDB as `indexeddb://<name>`. */
export async function saveRecognizer(recognizer: FaceRecognizer, name: string): Promise<tf.io.SaveResult> {
  return recognizer.save(SCHEME + checkName(name));
}

/**
 * Loads a recognizer saved by {@link saveRecognizer}; ModelFormatError when there is none of that name. A head on a
 * pretrained backbone needs that backbone (`options.backbone`, e.g. from `loadFacePipelineFromUrl`).
 */
export async function loadRecognizer(name: string, options: Omit<FaceRecognizerLoadOptions, 'source'> = {}): Promise<FaceRecognizer> {
  return FaceRecognizer.load(SCHEME + checkName(name), options);
}

/** The recognizers (and any other tfjs models) stored in this browser's IndexedDB, newest first. */
export async function listStoredRecognizers(): Promise<StoredModelInfo[]> {
  const all = await tf.io.listModels();
  return Object.entries(all)
    .filter(([url]) => url.startsWith(SCHEME))
    .map(([url, info]) => ({
      name: url.slice(SCHEME.length),
      url,
      savedAt: new Date(info.dateSaved),
      bytes: (info.modelTopologyBytes ?? 0) + (info.weightDataBytes ?? 0) + (info.weightSpecsBytes ?? 0),
    }))
    .sort((a, b) => b.savedAt.getTime() - a.savedAt.getTime());
}

/** Deletes a stored recognizer. */
export async function deleteStoredRecognizer(name: string): Promise<void> {
  await tf.io.removeModel(SCHEME + checkName(name));
}

function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/**
 * The recognizer as two files, `<baseName>.json` (topology, weight manifest, facerec metadata) and
 * `<baseName>.weights.bin`: the layout of tfjs's `downloads://`, readable by {@link importRecognizer} and by
 * `FaceRecognizer.load` through @facerec/node. Offer them for download, or send them anywhere.
 */
export async function exportRecognizer(recognizer: FaceRecognizer, baseName = 'facerec-model'): Promise<File[]> {
  let files: File[] = [];
  const weightsName = `${baseName}.weights.bin`;
  await recognizer.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${weightsName}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      };
      files = [
        new File([JSON.stringify(json)], `${baseName}.json`, { type: 'application/json' }),
        new File([joinWeights(artifacts.weightData)], weightsName, { type: 'application/octet-stream' }),
      ];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

/** Starts a browser download of the recognizer's two files (see {@link exportRecognizer}). */
export async function downloadRecognizer(recognizer: FaceRecognizer, baseName = 'facerec-model'): Promise<void> {
  for (const file of await exportRecognizer(recognizer, baseName)) {
    const url = URL.createObjectURL(file);
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/**
 * Loads a recognizer from files the user picked: the `.json` and its weight files (any order), as written by
 * {@link exportRecognizer}, `downloads://` or @facerec/node.
 *
 * @throws ModelFormatError when no `.json` is among the files, a weight file is missing, or it is not a facerec model.
 */
export async function importRecognizer(files: FileList | Iterable<File>, options: Omit<FaceRecognizerLoadOptions, 'source'> = {}): Promise<FaceRecognizer> {
  const list = [...(files as Iterable<File>)];
  const json = list.filter((f) => f.name.endsWith('.json'));
  if (json.length !== 1) {
    throw new ModelFormatError('files', `expected exactly one model .json among the files, got ${json.length} (${list.map((f) => f.name).join(', ') || 'none'})`);
  }
  const weights = list.filter((f) => f !== json[0]);
  try {
    return await FaceRecognizer.load(tf.io.browserFiles([json[0]!, ...weights]), options);
  } catch (error) {
    if (error instanceof ModelFormatError && error.source !== 'model') throw error;
    const message = error instanceof ModelFormatError ? error.message.replace(/^Model model: /, '') : String(error);
    throw new ModelFormatError(json[0]!.name, message, { cause: error });
  }
}
