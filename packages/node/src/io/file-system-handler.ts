// A tf.io.IOHandler that saves a model folder (model.json + weights.bin) atomically and loads it with checks.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { FacerecError, ModelFormatError } from '@facerec/core';
import { errorReason, writeAndSync } from './atomic.js';
import { settleSwap } from './leftovers.js';
import { validateModelJson } from './model-json.js';
import { replaceFolder } from './replace-dir.js';
import { SaveTargetError, type FolderSpec } from './save-target.js';
import { weightsByteLength } from './weights-manifest.js';

/** Name of the topology + manifest file inside a model folder. */
export const MODEL_JSON = 'model.json';
/** Name of the single weight file `save` writes. */
export const WEIGHTS_BIN = 'weights.bin';

/** Model folders: a save replaces only an empty folder or one it wrote (marker, or model.json + weights.bin alone). */
export const MODEL_FOLDER: FolderSpec = {
  kind: 'model',
  files: [MODEL_JSON, WEIGHTS_BIN],
  isUnmarked: async (dir) => {
    // Written before the marker existed: a layers model.json whose only weight file is weights.bin.
    try {
      const json = validateModelJson(JSON.parse(await readFile(path.join(dir, MODEL_JSON), 'utf8')), MODEL_JSON);
      return json.weightsManifest.every((group) => group.paths.every((p) => p === WEIGHTS_BIN));
    } catch {
      return false;
    }
  },
};

/**
 * A handler for `model.save(handler)` and `tf.loadLayersModel(handler)` backed by the folder `dir`.
 *
 * `save` writes `model.json` (tfjs format, `userDefinedMetadata` included), `weights.bin` and the
 * `facerec.json` marker into a temp folder beside `dir`, then swaps it in, so `dir` always holds a complete
 * model (the old one or the new one). It replaces only a missing or empty folder or a model folder facerec
 * wrote; anything else is refused with SaveTargetError and left as it was. `load` also accepts the path of a `model.json` file and throws ModelFormatError naming the
 * file for a missing folder or file, bad JSON, missing fields or a weight file of the wrong size.
 */
export function fileSystemHandler(dir: string): io.IOHandler {
  return {
    save: (artifacts) => saveModel(dir, artifacts),
    load: () => loadModel(dir),
  };
}

async function saveModel(dir: string, artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelFormatError(dir, 'binary (GraphDef) model topologies cannot be saved; only layers models');
  }
  const weights = artifacts.weightSpecs ?? [];
  const chunks = toChunks(artifacts.weightData);
  const dataBytes = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const expected = weightsByteLength(weights);
  if (expected !== undefined && expected !== dataBytes) {
    throw new ModelFormatError(dir, `weight data has ${dataBytes} bytes but the weight specs need ${expected}`);
  }
  const modelJson: io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights }],
  };
  // Optional fields are copied only when present, as tfjs's own handlers do.
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) modelJson.initializerSignature = artifacts.initializerSignature;

  try {
    // Serialise before touching the disk, so unserialisable metadata fails without any I/O.
    const jsonBytes = Buffer.from(JSON.stringify(modelJson), 'utf8');
    await replaceFolder(dir, MODEL_FOLDER, async (temp) => {
      await writeAndSync(path.join(temp, WEIGHTS_BIN), chunks);
      await writeAndSync(path.join(temp, MODEL_JSON), [jsonBytes]);
    });
  } catch (error) {
    if (error instanceof SaveTargetError) throw error;
    throw new FacerecError(`Cannot save model to ${dir} (${errorReason(error)})`, { cause: error });
  }
  return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
}

function toChunks(data: io.WeightData | undefined): Uint8Array[] {
  if (data == null) return [];
  return (Array.isArray(data) ? data : [data]).map((buffer) => new Uint8Array(buffer));
}

async function loadModel(target: string): Promise<io.ModelArtifacts> {
  // A save between its two renames (running, or killed there) has the folder aside: wait for it or put it back.
  if (!(await stat(target).then(() => true, () => false))) {
    await settleSwap(path.resolve(target.toLowerCase().endsWith('.json') ? path.dirname(target) : target));
  }
  const info = await stat(target).catch((error: unknown) => {
    throw new ModelFormatError(target, `model folder not found (${errorReason(error)})`, { cause: error });
  });
  const isJsonFile = info.isFile() && target.toLowerCase().endsWith('.json');
  if (!info.isDirectory() && !isJsonFile) {
    throw new ModelFormatError(target, 'expected a model folder (holding model.json and weights.bin)');
  }
  const folder = isJsonFile ? path.dirname(target) : target;
  const jsonPath = isJsonFile ? target : path.join(target, MODEL_JSON);

  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (error) {
    throw new ModelFormatError(jsonPath, `cannot read model file (${errorReason(error)})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(jsonPath, `invalid JSON: ${errorReason(error)}`, { cause: error });
  }
  const modelJson = validateModelJson(parsed, jsonPath);
  return io.getModelArtifactsForJSON(modelJson, (manifest) => readWeights(folder, manifest));
}

/** Reads every group's files in manifest order and checks each group's byte count against its specs. */
async function readWeights(
  folder: string,
  manifest: io.WeightsManifestConfig,
): Promise<[io.WeightsManifestEntry[], io.WeightData]> {
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    let groupBytes = 0;
    for (const relative of group.paths) {
      const file = path.join(folder, relative);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new ModelFormatError(file, `cannot read weight file (${errorReason(error)})`, { cause: error });
      }
      // Copy out of Node's buffer: it may be a view into a larger shared ArrayBuffer.
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      groupBytes += bytes.byteLength;
    }
    const expected = weightsByteLength(group.weights);
    if (expected !== undefined && expected !== groupBytes) {
      // A group that lists no file is named by its folder: the error must still say where.
      const named = group.paths.map((p) => path.join(folder, p)).join(', ') || folder;
      const why = groupBytes < expected ? 'truncated' : 'larger than expected';
      throw new ModelFormatError(
        named,
        `${why}: has ${groupBytes} bytes but model.json's weightsManifest needs ${expected}`,
      );
    }
  }
  return [io.getWeightSpecs(manifest), io.CompositeArrayBuffer.join(buffers)];
}
